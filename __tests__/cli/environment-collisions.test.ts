/**
 * Environments on one cluster must not collide, end to end: the issue's case (dev.yaml copied to
 * qa.yaml with only `environment:` changed) fails the synth with lines naming both overlays, with
 * or without --env, and leaves dist/ as it was; the same copy on a cluster of its own, or with
 * names of its own, synthesizes; and objects are checked against the environments a --env synth
 * keeps as they are.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FIXTURE_OVERLAYS } from '../helpers';
import { Captured, runCli, treeBytes } from './cli-harness';

describe('environments sharing a cluster', () => {
  let work: string;
  let distBefore: Record<string, string>;
  const dev = fs.readFileSync(path.join(FIXTURE_OVERLAYS, 'dev.yaml'), 'utf8');
  /** dev.yaml with only `environment:` changed: the issue's copy. */
  const qaCopy = dev.replace(/^environment: dev$/m, 'environment: qa');
  const writeQa = (text: string): void => fs.writeFileSync(path.join(work, 'overlays', 'qa.yaml'), text);
  const synth = (...args: string[]): Captured => runCli(['synth', '--quiet', ...args], { cwd: work });

  const expectRejected = (r: Captured, lines: readonly (string | RegExp)[]): void => {
    expect(r.stderr.split('\n').slice(0, -1)).toEqual(lines.map((l) => (typeof l === 'string' ? l : expect.stringMatching(l))));
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(treeBytes(path.join(work, 'dist'))).toEqual(distBefore);
    expect(fs.readdirSync(work).sort()).toEqual(['dist', 'overlays']);
  };

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-collisions-'));
    fs.mkdirSync(path.join(work, 'overlays'));
    fs.writeFileSync(path.join(work, 'overlays', 'dev.yaml'), dev);
    expect(synth()).toEqual({ code: 0, stdout: '', stderr: '' });
    distBefore = treeBytes(path.join(work, 'dist'));
  }, 30_000);

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('GIVEN qa.yaml, a copy of dev.yaml with only environment: changed THEN synth fails naming both overlays, dist/ untouched', () => {
    writeQa(qaCopy);
    const cluster = 'on the same cluster https://kubernetes.default.svc';
    const errors = [
      `error: overlays/qa.yaml:4:12: namespace: namespace "bulwark-dev" is also dev's (namespace, overlays/dev.yaml:4:12), ${cluster}: `
        + 'both environments would manage its objects; received "bulwark-dev"; allowed: a namespace no other environment on that cluster has; '
        + 'fix: set namespace: bulwark-qa, or deliver qa to another cluster (clusters)',
      /^error: overlays\/qa\.yaml:\d+:11: components\.frontend\.host: public host "app\.dev\.bulwark\.local" is also dev's \(components\.frontend\.host, overlays\/dev\.yaml:\d+:11\), .* fix: give frontend a host of its own, e\.g\. app\.qa\.bulwark\.local, /,
      /^error: overlays\/qa\.yaml:\d+:11: components\.podinfo\.host: public host "podinfo\.dev\.bulwark\.local" is also dev's /,
    ];
    expectRejected(synth(), errors);
    // synth --env qa still checks qa against dev; --env dev reports dev's side, naming qa.
    expectRejected(synth('--env', 'qa'), errors);
    expectRejected(synth('--env', 'dev'), [
      /^error: overlays\/dev\.yaml:4:12: namespace: namespace "bulwark-dev" is also qa's \(namespace, overlays\/qa\.yaml:4:12\), /,
      /^error: overlays\/dev\.yaml:\d+:11: components\.frontend\.host: /,
      /^error: overlays\/dev\.yaml:\d+:11: components\.podinfo\.host: /,
    ]);
  });

  test('no false positive: the copy on a cluster of its own synthesizes', () => {
    writeQa(`${qaCopy}\nclusters:\n  - name: qa\n    server: https://qa.k8s.example.com\n`);
    const r = synth();
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(fs.readdirSync(path.join(work, 'dist')).sort()).toEqual(['dev', 'qa']);
  });

  test('GIVEN an object of qa in dev\'s folder, which synth --env qa keeps THEN it fails before writing; a full synth replaces dev\'s folder', () => {
    writeQa(qaCopy.replace('namespace: bulwark-dev', 'namespace: bulwark-qa').replace(/\.dev\.bulwark\.local/g, '.qa.bulwark.local'));
    expect(synth()).toEqual({ code: 0, stdout: '', stderr: '' });
    const planted = path.join(work, 'dist', 'dev', 'baseline', 'priorityclass-bulwark-qa-workload.yaml');
    fs.copyFileSync(path.join(work, 'dist', 'qa', 'baseline', 'priorityclass-bulwark-qa-workload.yaml'), planted);
    distBefore = treeBytes(path.join(work, 'dist'));
    expectRejected(synth('--env', 'qa'), [
      'error: overlays/qa.yaml:3:14: environment: PriorityClass/bulwark-qa-workload is also made by dev (environment, overlays/dev.yaml:3:14), '
        + 'on the same cluster https://kubernetes.default.svc: one environment\'s sync would overwrite or prune the other\'s; '
        + 'received PriorityClass/bulwark-qa-workload; allowed: cluster-scoped and shared-namespace names that carry the environment (bulwark-qa-…); '
        + 'fix: name it through lib/manifest/names.ts (environmentName), or deliver qa to another cluster (clusters)',
    ]);
    expect(synth()).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(fs.existsSync(planted)).toBe(false);
  });
});
