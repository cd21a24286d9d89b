/**
 * The CLI as users run it: real processes (`tsx main.ts`, `npx cdk8s synth`, a pseudo-terminal)
 * for what only a process shows, `run()` in this process for the rest (output, colors, progress).
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { cleanEnv, FIXTURES, MAIN, runCli, spawnCli, treeBytes, TSX, VERSION } from './cli/cli-harness';
import { ROOT } from './helpers';

const CDK8S = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');
const ESC = '\u001b[';
const SUMMARY = /^dev: \d+ components, \d+ objects, \d+ warnings? -> dist\/dev\/ \(([A-Za-z]+ \d+, )*[A-Za-z]+ \d+\)$/;
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

function fileCount(dir: string): number {
  return Object.keys(treeBytes(dir)).length;
}

describe('bulwark CLI (processes)', () => {
  let work: string;
  const valid = fs.readFileSync(path.join(FIXTURES, 'valid-overlay.yaml'), 'utf8');

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-cli-'));
    fs.mkdirSync(path.join(work, 'overlays'));
    fs.writeFileSync(path.join(work, 'overlays', 'dev.yaml'), valid);
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  test('synth prints a summary per environment and what changed; a second run changes nothing', async () => {
    const [first, usage] = await Promise.all([
      spawnCli(['synth'], { cwd: work }),
      spawnCli(['synth', '--ouput', 'x'], { cwd: work }),
    ]);
    expect([first.code, first.stderr]).toEqual([0, '']);
    const files = fileCount(path.join(work, 'dist'));
    expect(first.stdout.split('\n')).toEqual([
      expect.stringMatching(SUMMARY),
      `wrote ${files} files for 1 environment to dist/ (0 changed, ${files} added, 0 removed)`,
      '',
    ]);
    // A usage error exits 2, with a suggestion and the usage.
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^error: unknown option "--ouput" \(did you mean "--out"\?\)\n\nusage: bulwark/);

    // A second run (here in process) finds nothing to change and leaves dist/ alone.
    const mtime = fs.statSync(path.join(work, 'dist')).mtimeMs;
    const second = runCli(['synth'], { cwd: work });
    expect(second.stdout.split('\n')).toEqual([
      expect.stringMatching(SUMMARY),
      `dist/ is up to date: ${files} files for 1 environment, nothing changed`,
      '',
    ]);
    expect(fs.statSync(path.join(work, 'dist')).mtimeMs).toBe(mtime);
  }, 30_000);

  (hasScript ? test : test.skip)('on a terminal: colors unless NO_COLOR is set; --quiet and NO_COLOR respected', async () => {
    // `script` gives the process a pseudo-terminal as stdout and stderr.
    const onTty = (args: string, env: NodeJS.ProcessEnv) => new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const child = spawn('script', ['-qec', `${TSX} ${MAIN} ${args}`, '/dev/null'], { cwd: work, env: { ...cleanEnv(), TERM: 'xterm', ...env } });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
      child.once('close', (status) => resolve({ status, stdout }));
    });
    const [colored, plain, quiet] = await Promise.all([
      onTty('synth --out colored', {}),
      onTty('synth --out plain', { NO_COLOR: '1' }),
      onTty('synth --quiet --out quiet', {}),
    ]);
    expect(colored.status).toBe(0);
    expect(colored.stdout).toContain(`${ESC}1mdev${ESC}22m: `);
    expect(plain.status).toBe(0);
    // NO_COLOR removes colors (SGR sequences); a slow run may still redraw its progress line on stderr.
    expect(plain.stdout).not.toMatch(/\u001b\[[0-9;]*m/);
    expect(plain.stdout).toMatch(/(^|\u001b\[K)dev: \d+ components/);
    expect([quiet.status, quiet.stdout]).toEqual([0, '']);
  }, 30_000);

  test('npx cdk8s synth: summary on stderr; a bad overlay fails without a stack trace and leaves dist/ as it was', async () => {
    const repoConfig = parse(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8')) as { app: string; output: string };
    expect(repoConfig.output).not.toBe('dist');
    fs.writeFileSync(path.join(work, 'cdk8s.yaml'), `app: ${TSX} ${MAIN} synth\noutput: ${repoConfig.output}\n`);
    // CDK8S_CHECK_UPGRADE=false: cdk8s-cli would otherwise ask the npm registry for a newer version.
    const cdk8s = () => spawnSync(CDK8S, ['synth'], { cwd: work, encoding: 'utf8', env: { ...cleanEnv(), CDK8S_CHECK_UPGRADE: 'false' } });
    const ok = cdk8s();
    expect(ok.status).toBe(0);
    expect(ok.stderr.split('\n')[0]).toMatch(SUMMARY);
    expect(treeBytes(path.join(work, 'dist'))).toEqual(treeBytes(path.join(work, repoConfig.output)));

    const before = treeBytes(path.join(work, 'dist'));
    fs.copyFileSync(path.join(FIXTURES, 'bad-overlays', 'image-without-tag.yaml'), path.join(work, 'overlays', 'dev.yaml'));
    const bad = cdk8s();
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^error: overlays\/dev\.yaml:\d+:\d+: components\.backend\.image: image has no tag; /);
    expect(bad.stderr).not.toMatch(/^\s+at /m);
    expect(treeBytes(path.join(work, 'dist'))).toEqual(before);
  }, 60_000);

});

describe('bulwark CLI (in process)', () => {
  let work: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-run-'));
    fs.mkdirSync(path.join(work, 'overlays'));
    fs.copyFileSync(path.join(FIXTURES, 'valid-overlay.yaml'), path.join(work, 'overlays', 'dev.yaml'));
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  /** A clock that advances one second per reading: every run looks long. */
  const slowClock = () => {
    let t = 0;
    return () => (t += 1000);
  };

  test('colors only when stdout is a terminal and NO_COLOR is not set', () => {
    expect(runCli(['synth'], { cwd: work, stdoutIsTTY: true }).stdout).toContain(`${ESC}1mdev${ESC}22m`);
    expect(runCli(['synth'], { cwd: work, stdoutIsTTY: true, noColor: true }).stdout).not.toContain(ESC);
    expect(runCli(['synth'], { cwd: work, stdoutIsTTY: false }).stdout).not.toContain(ESC);
  });

  test('error lines are red only on a terminal without NO_COLOR', () => {
    fs.copyFileSync(path.join(FIXTURES, 'bad-overlays', 'image-latest-tag.yaml'), path.join(work, 'overlays', 'dev.yaml'));
    expect(runCli(['synth'], { cwd: work, stderrIsTTY: true }).stderr).toMatch(/^\u001b\[31merror:\u001b\[39m overlays\/dev\.yaml:/);
    expect(runCli(['synth'], { cwd: work, stderrIsTTY: true, noColor: true }).stderr).toMatch(/^error: overlays\/dev\.yaml:/);
    expect(runCli(['synth'], { cwd: work, stderrIsTTY: false }).stderr).toMatch(/^error: overlays\/dev\.yaml:/);
  });

  test('a long run on a terminal shows one progress line on stderr, redrawn with \\r and cleared at the end', () => {
    const r = runCli(['synth'], { cwd: work, stderrIsTTY: true, now: slowClock() });
    expect(r.code).toBe(0);
    const frames = r.stderr.split('\r\u001b[K');
    expect(frames[0]).toBe('');
    expect(frames).toContain('synthesizing dev (1/1 environments)');
    expect(frames.some((f) => /^writing dist\/ \(\d+\/\d+ files\)$/.test(f))).toBe(true);
    expect(frames[frames.length - 1]).toBe(''); // the line is erased before the summary
    expect(r.stderr).not.toContain('\n');
    expect(r.stdout.split('\n')[0]).toMatch(SUMMARY);
  });

  test('no progress line when stderr is not a terminal, with --quiet, with TERM=dumb, or on a short run', () => {
    expect(runCli(['synth'], { cwd: work, stderrIsTTY: false, now: slowClock() }).stderr).toBe('');
    expect(runCli(['synth', '--quiet'], { cwd: work, stderrIsTTY: true, now: slowClock() })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(runCli(['synth'], { cwd: work, stderrIsTTY: true, dumbTerminal: true, now: slowClock() }).stderr).toBe('');
    expect(runCli(['synth'], { cwd: work, stderrIsTTY: true, now: () => 0 }).stderr).toBe('');
  });

  test('progress lines are cut to the terminal width (80 columns when the terminal reports none)', () => {
    const narrow = runCli(['synth'], { cwd: work, stderrIsTTY: true, stderrColumns: 24, now: slowClock() });
    for (const frame of narrow.stderr.split('\r\u001b[K')) expect(frame.length).toBeLessThanOrEqual(23);
    expect(narrow.stderr).toContain('…');
    const unsized = runCli(['synth'], { cwd: work, stderrIsTTY: true, stderrColumns: 0, now: slowClock() });
    expect(unsized.stderr).toContain('synthesizing dev (1/1 environments)');
  });

  test('under cdk8s the summary goes to stderr (cdk8s discards stdout) and CDK8S_OUTDIR gets a copy', () => {
    const r = runCli(['synth'], { cwd: work, cdk8sOutdir: '.cdk8s.out' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toMatch(SUMMARY);
    expect(treeBytes(path.join(work, '.cdk8s.out'))).toEqual(treeBytes(path.join(work, 'dist')));
  });

  test('help prints the usage; usage errors exit 2', () => {
    const help = runCli(['help'], { cwd: work });
    expect([help.code, help.stderr]).toEqual([0, '']);
    expect(help.stdout).toMatch(/^usage: bulwark <command>/);
    expect(help.stdout).toContain('NO_COLOR');
    expect(runCli(['package'], { cwd: work })).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: package needs --env <name>\n/) });
    expect(runCli(['synht'], { cwd: work })).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: unknown command "synht" \(did you mean "synth"\?\)/) });
  });

  test('synth --env synthesizes that environment only and leaves the others\' folders as they are', () => {
    // GIVEN three environments synthesized, and their packages
    for (const env of ['dev', 'staging', 'prod']) {
      fs.copyFileSync(path.join(FIXTURES, 'overlays', `${env}.yaml`), path.join(work, 'overlays', `${env}.yaml`));
    }
    expect(runCli(['synth', '--quiet'], { cwd: work }).code).toBe(0);
    fs.writeFileSync(path.join(work, 'dist', 'prod', 'platform-0.0.1.tgz'), 'package');
    const before = treeBytes(path.join(work, 'dist'));

    // WHEN staging changes and is synthesized alone, while dev's overlay is broken
    const staging = path.join(work, 'overlays', 'staging.yaml');
    fs.writeFileSync(staging, fs.readFileSync(staging, 'utf8').replace('backend:1.4.2', 'backend:1.4.3'));
    fs.writeFileSync(path.join(work, 'overlays', 'dev.yaml'), 'environment: dev\nnot: valid\n');
    const r = runCli(['synth', '--env', 'staging'], { cwd: work });

    // THEN only staging is reported and rewritten; dev, prod and prod's package are untouched
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => /^[a-z]+: \d+ components/.test(l)).map((l) => l.split(':')[0])).toEqual(['staging']);
    const after = treeBytes(path.join(work, 'dist'));
    const changed = Object.keys(after).filter((f) => after[f] !== before[f]);
    expect(changed).toContain('staging/backend/rollout-backend.yaml');
    expect(changed.filter((f) => !f.startsWith('staging/backend/'))).toEqual([]);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
  });

  test('synth --env with a name no overlay has is a usage error with the environments there are', () => {
    const r = runCli(['synth', '--env', 'deev'], { cwd: work });
    expect([r.code, r.stderr.split('\n')[0]])
      .toEqual([2, 'error: --env deev: no overlay overlays/deev.yaml (did you mean "dev"?); environments: dev']);
    expect(fs.readdirSync(work)).toEqual(['overlays']);
  });

  test('--version and the version command print the version', () => {
    expect(runCli(['--version'], { cwd: work })).toMatchObject({ code: 0, stdout: `bulwark ${VERSION}\n`, stderr: '' });
    expect(runCli(['version'], { cwd: work })).toMatchObject({ code: 0, stdout: `bulwark ${VERSION}\n`, stderr: '' });
    expect(runCli(['--version', 'synth'], { cwd: work })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error: unexpected argument "synth": version takes no arguments, only options\n/),
    });
  });

  test('each command takes only its own options: another\'s is a usage error that says who takes it', () => {
    const r = runCli(['package', '--env', 'dev', '--jobs', '2'], { cwd: work });
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([2, 'error: package does not take --jobs (synth does); package takes --out, --env, --quiet']);
    expect(runCli(['package', '--env', 'dev', '--outt', 'x'], { cwd: work }).stderr.split('\n')[0])
      .toBe('error: unknown option "--outt" (did you mean "--out"?)');
    expect(runCli(['package', '--env', 'dev', '--overlay', 'x'], { cwd: work }).stderr.split('\n')[0])
      .toBe('error: unknown option "--overlay" (did you mean "--overlays"?)');
    expect(runCli(['synth', 'dev'], { cwd: work }).stderr.split('\n')[0])
      .toBe('error: unexpected argument "dev": synth takes no arguments, only options');
    expect(runCli(['synth', '--jobs', '0'], { cwd: work })).toMatchObject({ code: 2 });
    expect(fs.readdirSync(work)).toEqual(['overlays']);
  });

  test('help <command> and <command> --help print that command\'s usage', () => {
    const help = runCli(['help', 'package'], { cwd: work });
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout.split('\n')[0]).toBe('usage: bulwark package [--out <dir>] --env <name> [--quiet]');
    expect(runCli(['package', '--help'], { cwd: work }).stdout).toBe(help.stdout);
    expect(runCli(['help', 'nope'], { cwd: work }).code).toBe(2);
  });

  test('refuses an output directory that holds the working directory or the overlays', () => {
    for (const out of ['.', '..', '/']) {
      const r = runCli(['synth', '--out', out], { cwd: path.join(work, 'overlays') });
      expect([r.code, r.stderr.split('\n')[0]]).toEqual([
        2,
        `error: --out ${out} would replace the working directory: `
          + 'synth replaces its output directory as a whole; use a directory of its own, such as dist',
      ]);
    }
    expect(runCli(['synth', '--out', 'x', '--overlays', 'x/overlays'], { cwd: work }).stderr).toMatch(/^error: --out x would replace the overlays: /);
    expect(fs.readdirSync(work)).toEqual(['overlays']);
  });

  test('an overlay directory that does not exist is one error line', () => {
    expect(runCli(['synth', '--overlays', 'nope'], { cwd: work })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: nope: (document): overlay directory not found; received no such directory; '
        + 'allowed: a directory of <env>.yaml overlays; fix: run from the repository root or pass --overlays <dir>\n',
    });
  });

  test('problems of several environments are reported together, one line each', () => {
    const valid = fs.readFileSync(path.join(FIXTURES, 'valid-overlay.yaml'), 'utf8');
    fs.writeFileSync(path.join(work, 'overlays', 'dev.yaml'), valid.replace('pods: 10', 'pods: 3'));
    fs.writeFileSync(
      path.join(work, 'overlays', 'prod.yaml'),
      valid.replace('environment: dev', 'environment: prod').replace('replicas: 2', 'replicas: -2'),
    );
    fs.writeFileSync(
      path.join(work, 'overlays', 'qa.yaml'),
      valid.replace('environment: dev', 'environment: qa').replace('namespace: bulwark-dev', 'namespace: bulwark-qa')
        .replace('app.dev.example.com', 'app.qa.example.com').replace('{ cpu: 100m, memory: 128Mi }', '{ cpu: 600m, memory: 128Mi }'),
    );
    const r = runCli(['synth'], { cwd: work });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toEqual([
      expect.stringMatching(/^error: overlays\/dev\.yaml:\d+:\d+: quota\.pods: /),
      expect.stringMatching(/^error: overlays\/prod\.yaml:\d+:\d+: components\.backend\.replicas: out of range; /),
      expect.stringMatching(/^error: overlays\/qa\.yaml:\d+:\d+: components\.backend\.resources\.requests\.cpu: cpu request is above its limit; /),
      '',
    ]);
  });
});
