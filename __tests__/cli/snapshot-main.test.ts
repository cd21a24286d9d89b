/**
 * The startup snapshot (.build/bulwark.blob) is the CLI of .build/main.js, only faster to start:
 * same bytes in dist/, same output and exit codes. And bin/bulwark runs it only while it fits:
 * it rebuilds the blob when the node or the inputs it recorded change, and falls back to main.js
 * when it cannot.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { USAGE } from '../../lib/cli/cli';
import { rootOfBlob, snapshotBlob } from '../../lib/cli/snapshot-main';
import { FIXTURE_OVERLAYS, ROOT } from '../helpers';
import { Captured, cleanEnv, spawnCapture, treeBytes } from './cli-harness';

const BIN = path.join(ROOT, 'bin', 'bulwark');
const BLOB = path.join(ROOT, '.build', 'bulwark.blob');
const MAIN_JS = path.join(ROOT, '.build', 'main.js');

function spawnProcess(command: string, args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Captured> {
  // Without the caller's NODE_OPTIONS: V8 flags make node refuse the blob.
  return spawnCapture(command, args, { cwd: opts.cwd, env: { ...cleanEnv(), NODE_OPTIONS: undefined, ...opts.env } });
}

/** The same command line through both entry points: [snapshot, main.js]. */
function bothEntries(args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<[Captured, Captured]> {
  return Promise.all([
    spawnProcess(process.execPath, ['--snapshot-blob', BLOB, '--', ...args], opts),
    spawnProcess(process.execPath, [MAIN_JS, ...args], opts),
  ]);
}

test('the blob path comes from node options in either form; the root is two levels up', () => {
  expect(snapshotBlob(['--snapshot-blob', '/r/.build/bulwark.blob'])).toBe('/r/.build/bulwark.blob');
  expect(snapshotBlob(['--max-old-space-size=100', '--snapshot-blob=.build/bulwark.blob'])).toBe('.build/bulwark.blob');
  expect(snapshotBlob(['--no-warnings'])).toBeUndefined();
  expect(rootOfBlob('.build/bulwark.blob', '/work/repo')).toBe('/work/repo');
  expect(rootOfBlob('/elsewhere/repo/.build/bulwark.blob', '/work/repo')).toBe('/elsewhere/repo');
});

describe('snapshot and main.js (processes)', () => {
  let work: string;

  beforeAll(() => {
    // Brings .build/ and the blob up to date, as any run of bin/bulwark does.
    const built = spawnSync(BIN, ['help'], { encoding: 'utf8', env: { ...cleanEnv(), NODE_OPTIONS: undefined } });
    expect([built.status, built.stderr]).toEqual([0, '']);
    expect(fs.readFileSync(`${BLOB}.id`, 'utf8')).toBe(`ok ${process.version}\n`);
  }, 120_000);
  beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-snapshot-')); });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  test('synth of the fixture overlays: byte-identical dist/, identical summary', async () => {
    fs.mkdirSync(path.join(work, 'a'));
    fs.mkdirSync(path.join(work, 'b'));
    const overlays = FIXTURE_OVERLAYS;
    const [snapshot, mainJs] = await Promise.all([
      spawnProcess(process.execPath, ['--snapshot-blob', BLOB, '--', 'synth', '--overlays', overlays], { cwd: path.join(work, 'a') }),
      spawnProcess(process.execPath, [MAIN_JS, 'synth', '--overlays', overlays], { cwd: path.join(work, 'b') }),
    ]);
    expect(snapshot).toEqual(mainJs);
    expect(mainJs.code).toBe(0);
    expect(mainJs.stdout).toMatch(/^dev: .*\nprod: .*\nstaging: .*\nwrote \d+ files for 3 environments to dist\//);
    const tree = treeBytes(path.join(work, 'b', 'dist'));
    expect(Object.keys(tree).length).toBeGreaterThan(100);
    expect(treeBytes(path.join(work, 'a', 'dist'))).toEqual(tree);
  }, 60_000);

  test('a bad overlay: the same error lines and exit code 1; under cdk8s, the same exit code 0', async () => {
    fs.cpSync(FIXTURE_OVERLAYS, path.join(work, 'overlays'), { recursive: true });
    const dev = path.join(work, 'overlays', 'dev.yaml');
    fs.writeFileSync(dev, fs.readFileSync(dev, 'utf8').replace(/^podSecurityVersion: .*$/m, 'podSecurityVersion: latest'));
    const [snapshot, mainJs] = await bothEntries(['synth', '--out', 'out'], { cwd: work });
    expect(snapshot).toEqual(mainJs);
    expect(mainJs.code).toBe(1);
    expect(mainJs.stderr).toMatch(/^error: overlays\/dev\.yaml:\d+:\d+: podSecurityVersion: /);
    expect(fs.existsSync(path.join(work, 'out'))).toBe(false);

    // cdk8s fails a run that leaves its output directory absent: the app itself exits 0.
    const cdk8sEnv = { CDK8S_OUTDIR: 'cdk8s.out', CDK8S_RECORD_CONSTRUCT_METADATA: 'false' };
    const [snapshotCdk8s, mainJsCdk8s] = await bothEntries(['synth', '--out', 'out'], { cwd: work, env: cdk8sEnv });
    expect(snapshotCdk8s).toEqual(mainJsCdk8s);
    expect([mainJsCdk8s.code, mainJsCdk8s.stderr]).toEqual([0, mainJs.stderr]);
  }, 60_000);

  test('help, --help and a usage error: the same text and exit codes', async () => {
    const runs = await Promise.all([['help'], ['--help'], ['synth', '--ouput', 'x']].map((args) => bothEntries(args, { cwd: work })));
    for (const [snapshot, mainJs] of runs) expect(snapshot).toEqual(mainJs);
    expect(runs.map(([, m]) => [m.code, m.stdout])).toEqual([[0, USAGE], [0, USAGE], [2, '']]);
    expect(runs[2][1].stderr).toMatch(/^error: unknown option "--ouput" \(did you mean "--out"\?\)/);
  }, 30_000);
});

/** Whether node can be hard-linked into the temporary directory (bin/bulwark's NODE_LINK). */
function canLinkNode(): boolean {
  const probe = path.join(os.tmpdir(), `bulwark-link-probe-${process.pid}`);
  try {
    fs.linkSync(fs.realpathSync(process.execPath), probe);
    fs.rmSync(probe);
    return true;
  } catch {
    return false;
  }
}

describe('bin/bulwark keeps the blob current (a copy of the repository)', () => {
  let copy: string;
  const PAST = new Date('2001-01-01T00:00:00Z');
  const record = () => fs.readFileSync(path.join(copy, '.build', 'bulwark.blob.id'), 'utf8');
  const blobTime = () => fs.statSync(path.join(copy, '.build', 'bulwark.blob')).mtimeMs;
  const bulwark = (env?: NodeJS.ProcessEnv) => spawnProcess(path.join(copy, 'bin', 'bulwark'), ['help'], { cwd: copy, env });
  /** Sets the time of `rel` to `seconds` from now. */
  const age = (rel: string, seconds: number) => {
    const time = new Date(Date.now() + seconds * 1000);
    fs.utimesSync(path.join(copy, rel), time, time);
  };
  const setTimes = (p: string, time: Date): void => {
    if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) setTimes(path.join(p, e), time);
    fs.utimesSync(p, time, time);
  };

  beforeAll(() => {
    const built = spawnSync(BIN, ['help'], { encoding: 'utf8', env: { ...cleanEnv(), NODE_OPTIONS: undefined } });
    expect(built.status).toBe(0);
    copy = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-bin-'));
    const sources = ['main.ts', 'lib', 'imports', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json', 'package.json'];
    for (const rel of [...sources, 'bin', 'scripts/build-snapshot.ts']) fs.cpSync(path.join(ROOT, rel), path.join(copy, rel), { recursive: true });
    for (const rel of ['main.js', 'lib', 'imports', '.stamp', 'bulwark.blob', 'bulwark.blob.id']) {
      fs.cpSync(path.join(ROOT, '.build', rel), path.join(copy, '.build', rel), { recursive: true });
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
    // A version manager's shim: another file than node, which answers --version itself.
    fs.mkdirSync(path.join(copy, 'shim'));
    const shim = '#!/bin/sh\n'
      + '[ "$1" = --version ] && { echo "$SHIM_VERSION"; exit 0; }\n'
      + `exec "${process.execPath}" "$@"\n`;
    fs.writeFileSync(path.join(copy, 'shim', 'node'), shim, { mode: 0o755 });
    // Sources older than the build, the build older than the record: everything is current.
    for (const rel of [...sources, 'scripts']) setTimes(path.join(copy, rel), PAST);
    age('.build/.stamp', -30);
    age('.build/bulwark.blob.id', -10);
  }, 60_000);
  afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

  test('current: runs the blob as it is', async () => {
    const before = blobTime();
    expect(await bulwark()).toEqual({ code: 0, stdout: USAGE, stderr: '' });
    expect(blobTime()).toBe(before);
  }, 30_000);

  test('the record names another node, or .build/ is newer than it: rebuilds the blob', async () => {
    fs.writeFileSync(path.join(copy, '.build', 'bulwark.blob.id'), 'ok v0.0.1\n');
    let before = blobTime();
    expect(await bulwark()).toEqual({ code: 0, stdout: USAGE, stderr: '' });
    expect(record()).toBe(`ok ${process.version}\n`);
    expect(blobTime()).not.toBe(before);

    age('.build/bulwark.blob.id', -60);
    before = blobTime();
    expect(await bulwark()).toEqual({ code: 0, stdout: USAGE, stderr: '' });
    expect(blobTime()).not.toBe(before);
  }, 60_000);

  (canLinkNode() ? test : test.skip)('the node that built the blob is not asked its version; a shim in front of it is', async () => {
    expect(fs.statSync(path.join(copy, '.build', 'bulwark.node')).ino).toBe(fs.statSync(process.execPath).ino);
    // A record that disagrees with node goes unnoticed while node on PATH is the linked file...
    fs.writeFileSync(path.join(copy, '.build', 'bulwark.blob.id'), 'ok v0.0.1\n');
    const before = blobTime();
    expect(await bulwark()).toEqual({ code: 0, stdout: USAGE, stderr: '' });
    expect(blobTime()).toBe(before);
    // ...and is found out through a shim, which is asked.
    const shim = { PATH: `${path.join(copy, 'shim')}:${process.env.PATH}`, SHIM_VERSION: process.version };
    expect(await bulwark(shim)).toEqual({ code: 0, stdout: USAGE, stderr: '' });
    expect(record()).toBe(`ok ${process.version}\n`);
    expect(blobTime()).not.toBe(before);
  }, 60_000);

  test('NODE_OPTIONS (V8 flags make node refuse the blob): runs main.js', async () => {
    expect(await bulwark({ NODE_OPTIONS: '--max-old-space-size=200' })).toEqual({ code: 0, stdout: USAGE, stderr: '' });
  }, 30_000);

  test('a blob that does not build: main.js, with one line on stderr the first time only', async () => {
    fs.writeFileSync(path.join(copy, '.build', 'lib', 'cli', 'snapshot-main.js'), 'this is not javascript\n');
    age('.build/bulwark.blob.id', -60);
    expect(await bulwark()).toEqual({
      code: 0,
      stdout: USAGE,
      stderr: 'bulwark: the startup snapshot did not build (see .build/bulwark.blob.log); running .build/main.js\n',
    });
    expect(record()).toBe(`failed ${process.version}\n`);
    expect(await bulwark()).toEqual({ code: 0, stdout: USAGE, stderr: '' });
  }, 60_000);
});
