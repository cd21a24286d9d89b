/**
 * Synthesis on worker threads (--jobs) and staging on a writer thread must not change a byte:
 * same files, same summary, same errors as the serial run on one thread. The worker scripts are
 * bundled from the sources with esbuild here (the CLI uses the compiled ones in .build/).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { loadOverlays } from '../../lib/config/load-overlay';
import { TreeWriter } from '../../lib/synth/atomic-writer';
import { EnvironmentWorkers } from '../../lib/synth/parallel';
import { runCli, treeBytes } from '../cli/cli-harness';
import { FIXTURE_OVERLAYS, ROOT } from '../helpers';

let work: string;
let workerScript: string;
let writerScript: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-parallel-'));
  buildSync({
    entryPoints: [path.join(ROOT, 'lib/synth/environment-worker.ts'), path.join(ROOT, 'lib/synth/tree-writer-worker.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outdir: path.join(work, 'workers'),
    logLevel: 'silent',
  });
  workerScript = path.join(work, 'workers', 'environment-worker.js');
  writerScript = path.join(work, 'workers', 'tree-writer-worker.js');
}, 60_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const overlays = FIXTURE_OVERLAYS;

describe('synthesis on several threads', () => {
  test.each([2, 3])('--jobs %i writes exactly the serial tree and the serial summary', (jobs) => {
    const out = path.join(work, `jobs-${jobs}`);
    const serial = runCli(['synth', '--overlays', overlays, '--out', path.join(work, `serial-${jobs}`)], { cwd: work });
    const parallel = runCli(['synth', '--overlays', overlays, '--out', out, '--jobs', String(jobs)], { cwd: work, workerScript, writerScript });
    expect(parallel.stderr).toBe('');
    expect(parallel.code).toBe(0);
    const tree = treeBytes(out);
    expect(Object.keys(tree).length).toBeGreaterThan(100);
    expect(tree).toEqual(treeBytes(path.join(work, `serial-${jobs}`)));
    expect(parallel.stdout.replace(/jobs-\d/g, 'OUT')).toBe(serial.stdout.replace(/serial-\d/g, 'OUT'));
  }, 60_000);

  test('fails with a clear message when a worker cannot load its code, or does not start', () => {
    const models = loadOverlays(overlays);
    // A worker whose code fails to load reports it (through the port, not an 'error' event): here
    // the worker entry alone, without ./parallel beside it.
    buildSync({
      entryPoints: [path.join(ROOT, 'lib/synth/environment-worker.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      external: ['./parallel'],
      outdir: path.join(work, 'alone'),
      logLevel: 'silent',
    });
    const missing = path.join(work, 'alone', 'environment-worker.js');
    const cannotLoad = new EnvironmentWorkers({ workerScript: missing, threads: 3 });
    expect(() => cannotLoad.synthesize(models, '0.1.0', () => undefined)).toThrow(/Cannot find module '.\/parallel'/);
    // A script that dies before its first line counts as not started after the start timeout.
    const broken = path.join(work, 'broken-worker.js');
    fs.writeFileSync(broken, 'throw new Error("cannot load");\n');
    const notStarted = new EnvironmentWorkers({ workerScript: broken, threads: 2, startTimeoutMs: 300 });
    expect(() => notStarted.synthesize(models, '0.1.0', () => undefined)).toThrow(/^the synthesis worker for environment 1 did not start within 0 s/);
  }, 60_000);

  test('rejects --jobs that is not a whole number from 1', () => {
    const r = runCli(['synth', '--jobs', '0'], { cwd: work });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --jobs needs a whole number from 1 to 999, got "0"');
  });
});

describe('TreeWriter', () => {
  const read = (dir: string): Record<string, string> => Object.fromEntries(Object.entries(treeBytes(dir))
    .map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));

  test.each([false, true])('stages part by part (writer thread: %s), holding back unchanged parts until one differs', (background) => {
    // GIVEN a tree of two environments
    const target = path.join(work, `tree-${background}`);
    const options = background ? { writerScript } : {};
    const first = TreeWriter.open(target, options);
    first.add(new Map([['dev/a.yaml', 'a\n']]));
    first.add(new Map([['prod/b.yaml', 'b\n']]));
    expect(first.commit()).toEqual({ added: 2, changed: 0, removed: 0, unchanged: 0, written: true, stalePackages: [] });
    first.close();
    const inode = fs.statSync(target).ino;

    // WHEN the same tree is written again: nothing is touched
    const same = TreeWriter.open(target, options);
    same.add(new Map([['dev/a.yaml', 'a\n']]));
    same.add(new Map([['prod/b.yaml', 'b\n']]));
    expect(same.commit()).toEqual({ added: 0, changed: 0, removed: 0, unchanged: 2, written: false, stalePackages: [] });
    same.close();
    expect(fs.statSync(target).ino).toBe(inode);

    // WHEN only the second part changes: the held-back first part is staged too
    const changed = TreeWriter.open(target, options);
    changed.add(new Map([['dev/a.yaml', 'a\n']]));
    changed.add(new Map([['prod/b.yaml', 'B\n']]));
    expect(changed.commit()).toEqual({ added: 0, changed: 1, removed: 0, unchanged: 1, written: true, stalePackages: [] });
    changed.close();
    expect(read(target)).toEqual({ 'dev/a.yaml': 'a\n', 'prod/b.yaml': 'B\n' });

    // WHEN a part disappears: the tree is rewritten without it
    const fewer = TreeWriter.open(target, options);
    fewer.add(new Map([['dev/a.yaml', 'a\n']]));
    expect(fewer.commit()).toEqual({ added: 0, changed: 0, removed: 1, unchanged: 1, written: true, stalePackages: [] });
    fewer.close();
    expect(read(target)).toEqual({ 'dev/a.yaml': 'a\n' });
    expect(fs.readdirSync(work).filter((n) => n.startsWith(`.tree-${background}`))).toEqual([]);
  });

  test('close without commit leaves the target as it was and nothing beside it', () => {
    const target = path.join(work, 'aborted');
    const w = TreeWriter.open(target, { writerScript });
    w.add(new Map([['dev/a.yaml', 'a\n']]));
    w.close();
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.readdirSync(work).filter((n) => n.startsWith('.aborted'))).toEqual([]);
  });

  test('reports a file written twice', () => {
    const w = TreeWriter.open(path.join(work, 'twice'));
    w.add(new Map([['dev/a.yaml', 'a\n']]));
    expect(() => w.add(new Map([['dev/a.yaml', 'again\n']]))).toThrow('dev/a.yaml is written twice');
    w.close();
  });

  test('a failing writer thread fails the commit and leaves the target untouched', () => {
    const target = path.join(work, 'clash');
    const w = TreeWriter.open(target, { writerScript });
    // A file and a directory of the same name cannot both exist.
    w.add(new Map([['dev', 'file\n']]));
    w.add(new Map([['dev/a.yaml', 'a\n']]));
    expect(() => w.commit()).toThrow(/^staging failed: /);
    w.close();
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.readdirSync(work).filter((n) => n.startsWith('.clash'))).toEqual([]);
  });
});
