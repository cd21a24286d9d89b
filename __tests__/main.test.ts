import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { overlayText, ROOT } from './helpers';

const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const CDK8S = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');
const MAIN = path.join(ROOT, 'main.ts');

/** Snapshot of a directory: relative path → bytes (as base64), to prove it did not change. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = fs.readFileSync(full).toString('base64');
    }
  };
  walk(dir);
  return out;
}

describe('bulwark CLI', () => {
  let work: string;
  const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: work, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-cli-'));
    fs.mkdirSync(path.join(work, 'overlays'));
    for (const env of ['dev', 'prod']) fs.writeFileSync(path.join(work, 'overlays', `${env}.yaml`), overlayText(env));
    const first = run(TSX, [MAIN, 'synth']);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('synth prints one summary line per environment and a total', () => {
    const r = run(TSX, [MAIN, 'synth']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      expect.stringMatching(/^dev: 6 components, 39 objects \(ConfigMap 5, Deployment 5, .*\) -> dist\/dev\/$/),
      expect.stringMatching(/^prod: 8 components, 59 objects \(.*PodDisruptionBudget 5.*\) -> dist\/prod\/$/),
      'wrote 98 files for 2 environments to dist/',
      '',
    ]);
  });

  test('--quiet prints nothing on success', () => {
    const r = run(TSX, [MAIN, 'synth', '--quiet']);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
  });

  test('a bad overlay exits 1 with one error line, no stack trace, and dist/ byte-identical', () => {
    const before = snapshot(path.join(work, 'dist'));
    fs.writeFileSync(path.join(work, 'overlays', 'dev.yaml'), overlayText('dev').replace('namespace: bulwark-dev', 'namespace: bulwark-dev\nnamspace: typo'));
    try {
      const r = run(TSX, [MAIN, 'synth']);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error: overlays\/dev\.yaml:\d+:1: namspace: unknown key; received "namspace"; allowed: .*; fix: did you mean "namespace"\?\n$/);
      expect(snapshot(path.join(work, 'dist'))).toEqual(before);
    } finally {
      fs.writeFileSync(path.join(work, 'overlays', 'dev.yaml'), overlayText('dev'));
    }
  });

  test('npx cdk8s synth with a bad overlay leaves dist/ exactly as it was', () => {
    const repoConfig = parse(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8')) as { app: string; output: string };
    expect(repoConfig.output).not.toBe('dist');
    fs.writeFileSync(path.join(work, 'cdk8s.yaml'), `app: ${TSX} ${MAIN} synth\noutput: ${repoConfig.output}\n`);
    const before = snapshot(path.join(work, 'dist'));
    fs.writeFileSync(path.join(work, 'overlays', 'prod.yaml'), overlayText('prod').replace(/image: ghcr.io\/stefanprodan\/podinfo:6.7.1/, 'image: ghcr.io/stefanprodan/podinfo'));
    try {
      const r = run(CDK8S, ['synth']);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('error: overlays/prod.yaml');
      expect(r.stderr).toContain('components.podinfo.image: image has no tag');
      expect(snapshot(path.join(work, 'dist'))).toEqual(before);
    } finally {
      fs.writeFileSync(path.join(work, 'overlays', 'prod.yaml'), overlayText('prod'));
    }
    const ok = run(CDK8S, ['synth']);
    expect(ok.status).toBe(0);
    expect(snapshot(path.join(work, 'dist'))).toEqual(snapshot(path.join(work, repoConfig.output)));
  });

  test('an unknown argument exits 2 with the usage', () => {
    const r = run(TSX, [MAIN, 'synth', '--ouput', 'x']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown argument "--ouput"\n\nusage: bulwark/);
  });
});
