import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { recoverInterruptedWrite, writeTreeAtomically } from '../../lib/synth/atomic-writer';

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('writeTreeAtomically', () => {
  let parent: string;
  beforeEach(() => { parent = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-writer-')); });
  afterEach(() => fs.rmSync(parent, { recursive: true, force: true }));

  test('replaces the whole tree: stale files disappear, nothing is left beside it', () => {
    const target = path.join(parent, 'dist');
    writeTreeAtomically(target, new Map([['dev/a/x.yaml', 'old\n'], ['dev/stale.yaml', 'stale\n']]));
    writeTreeAtomically(target, new Map([['dev/a/x.yaml', 'new\n'], ['prod/b/y.yaml', 'y\n']]));
    expect(tree(target)).toEqual({ 'dev/a/x.yaml': 'new\n', 'prod/b/y.yaml': 'y\n' });
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });

  test('with `environments`, owns only those folders: the others are carried over as they are, never counted as removed', () => {
    const target = path.join(parent, 'dist');
    writeTreeAtomically(target, new Map([['dev/a/x.yaml', 'dev\n'], ['prod/a/x.yaml', 'old\n'], ['prod/a/gone.yaml', 'gone\n']]));
    fs.writeFileSync(path.join(target, 'dev', 'platform-1.0.0.tgz'), 'package');
    const r = writeTreeAtomically(target, new Map([['prod/a/x.yaml', 'new\n']]), { environments: ['prod'] });
    expect(tree(target)).toEqual({ 'dev/a/x.yaml': 'dev\n', 'dev/platform-1.0.0.tgz': 'package', 'prod/a/x.yaml': 'new\n' });
    expect(r).toMatchObject({ changed: 1, added: 0, removed: 1, written: true });
    // Unchanged: nothing is written.
    expect(writeTreeAtomically(target, new Map([['prod/a/x.yaml', 'new\n']]), { environments: ['prod'] }).written).toBe(false);
  });

  test('leaves the old tree untouched when writing the new one fails', () => {
    const target = path.join(parent, 'dist');
    writeTreeAtomically(target, new Map([['dev/a.yaml', 'old\n']]));
    // A file and a directory of the same name cannot both exist: the write fails midway.
    expect(() => writeTreeAtomically(target, new Map([['dev', 'file\n'], ['dev/a.yaml', 'new\n']]))).toThrow();
    expect(tree(target)).toEqual({ 'dev/a.yaml': 'old\n' });
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });

  test('restores the old tree of a run killed between the two renames', () => {
    const target = path.join(parent, 'dist');
    fs.mkdirSync(path.join(parent, '.dist-old-4242', 'dev'), { recursive: true });
    fs.writeFileSync(path.join(parent, '.dist-old-4242', 'dev', 'a.yaml'), 'old\n');
    fs.mkdirSync(path.join(parent, '.dist-new-abc123'));
    writeTreeAtomically(target, new Map([['dev/b.yaml', 'new\n']]));
    expect(tree(target)).toEqual({ 'dev/b.yaml': 'new\n' });
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });
  test('reports what changed, and touches nothing when the new tree equals the old one', () => {
    const target = path.join(parent, 'dist');
    const ab = new Map([['dev/a.yaml', 'a\n'], ['dev/b.yaml', 'b\n']]);
    expect(writeTreeAtomically(target, ab)).toEqual({ added: 2, changed: 0, removed: 0, unchanged: 0, written: true, stalePackages: [] });
    const inode = fs.statSync(target).ino;
    expect(writeTreeAtomically(target, ab)).toEqual({ added: 0, changed: 0, removed: 0, unchanged: 2, written: false, stalePackages: [] });
    expect(fs.statSync(target).ino).toBe(inode);
    expect(writeTreeAtomically(target, new Map([['dev/a.yaml', 'A\n'], ['prod/c.yaml', 'c\n']])))
      .toEqual({ added: 1, changed: 1, removed: 1, unchanged: 0, written: true, stalePackages: [] });
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });

  describe('packages (<env>/*.tgz, written beside a synth by make package)', () => {
    const DEV = new Map([['dev/app/a.yaml', 'a\n'], ['dev/report/r.md', 'r\n']]);
    const PROD = new Map([['prod/app/b.yaml', 'b\n'], ['prod/control-plane/audit.yaml', 'c\n']]);
    const TGZ = Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]);
    let target: string;
    beforeEach(() => {
      // GIVEN a synthesized tree, and a package of each environment made afterwards
      target = path.join(parent, 'dist');
      writeTreeAtomically(target, new Map([...DEV, ...PROD]));
      fs.writeFileSync(path.join(target, 'dev', 'platform-0.1.0.tgz'), TGZ);
      fs.writeFileSync(path.join(target, 'prod', 'platform-0.1.0.tgz'), TGZ);
    });

    test('an unchanged tree is still never written: packages stay, nothing is swapped', () => {
      const inode = fs.statSync(target).ino;
      expect(writeTreeAtomically(target, new Map([...DEV, ...PROD])))
        .toEqual({ added: 0, changed: 0, removed: 0, unchanged: 4, written: false, stalePackages: [] });
      expect(fs.statSync(target).ino).toBe(inode);
      expect(fs.readFileSync(path.join(target, 'prod', 'platform-0.1.0.tgz'))).toEqual(TGZ);
    });

    test('the package of an unchanged environment is carried over when another environment changes', () => {
      // WHEN only dev changes
      const result = writeTreeAtomically(target, new Map([['dev/app/a.yaml', 'A\n'], ['dev/report/r.md', 'r\n'], ...PROD]));
      // THEN prod keeps its package, byte for byte, and it is not counted as removed; dev's is stale
      expect(result).toEqual({
        added: 0, changed: 1, removed: 1, unchanged: 3, written: true, stalePackages: [{ path: 'dev/platform-0.1.0.tgz', environment: 'dev' }],
      });
      expect(fs.readFileSync(path.join(target, 'prod', 'platform-0.1.0.tgz'))).toEqual(TGZ);
      expect(Object.keys(tree(target)).sort())
        .toEqual(['dev/app/a.yaml', 'dev/report/r.md', 'prod/app/b.yaml', 'prod/control-plane/audit.yaml', 'prod/platform-0.1.0.tgz']);
      expect(fs.readdirSync(parent)).toEqual(['dist']);
    });

    test('the package of an environment that lost a file, gained one, or is gone is stale and removed', () => {
      // WHEN prod loses a file and dev gains one
      const lost = writeTreeAtomically(target, new Map([...DEV, ['dev/app/new.yaml', 'n\n'], ['prod/app/b.yaml', 'b\n']]));
      // THEN both packages are stale, removed and named
      expect(lost).toMatchObject({ added: 1, removed: 3, written: true });
      expect(lost.stalePackages).toEqual([
        { path: 'dev/platform-0.1.0.tgz', environment: 'dev' },
        { path: 'prod/platform-0.1.0.tgz', environment: 'prod' },
      ]);
      expect(Object.keys(tree(target)).filter((f) => f.endsWith('.tgz'))).toEqual([]);
      // AND WHEN an environment is no longer synthesized at all, its package goes with it
      fs.writeFileSync(path.join(target, 'prod', 'platform-0.1.0.tgz'), TGZ);
      fs.writeFileSync(path.join(target, 'dev', 'platform-0.1.0.tgz'), TGZ);
      const gone = writeTreeAtomically(target, new Map([...DEV, ['dev/app/new.yaml', 'n\n']]));
      expect(gone).toMatchObject({ removed: 2, stalePackages: [{ path: 'prod/platform-0.1.0.tgz', environment: 'prod' }] });
      expect(Object.keys(tree(target)).sort()).toEqual(['dev/app/a.yaml', 'dev/app/new.yaml', 'dev/platform-0.1.0.tgz', 'dev/report/r.md']);
    });
  });

  test('gives the new tree the mode of an ordinary directory (not the 0700 of a temporary one)', () => {
    const target = path.join(parent, 'dist');
    writeTreeAtomically(target, new Map([['dev/a.yaml', 'a\n']]));
    fs.mkdirSync(path.join(parent, 'plain'));
    expect(fs.statSync(target).mode & 0o777).toBe(fs.statSync(path.join(parent, 'plain')).mode & 0o777);
  });

  test('waits for a lock held by a live process, then gives up with a clear message', () => {
    const target = path.join(parent, 'dist');
    const lock = path.join(parent, '.dist-lock');
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, 'pid'), `${process.ppid}\n`);
    expect(() => writeTreeAtomically(target, new Map([['a.yaml', 'a\n']]), { lockTimeoutMs: 150 }))
      .toThrow(`another synth (pid ${process.ppid}) is writing ${target}; wait for it to finish, or delete ${lock} if that process is gone`);
    expect(fs.existsSync(target)).toBe(false);
  });

  test('says once, with the pid and the target, that it waits for a live lock', () => {
    // GIVEN a lock held by a live process (jest's parent)
    const target = path.join(parent, 'dist');
    fs.mkdirSync(path.join(parent, '.dist-lock'));
    fs.writeFileSync(path.join(parent, '.dist-lock', 'pid'), `${process.ppid}\n`);
    const told: string[] = [];
    // WHEN a write and a recovery wait for it until they give up
    const onWait = (m: string): number => told.push(m);
    expect(() => writeTreeAtomically(target, new Map([['a.yaml', 'a\n']]), { lockTimeoutMs: 300, onWait })).toThrow('another synth');
    expect(() => recoverInterruptedWrite(target, { lockTimeoutMs: 300, onWait })).toThrow('another synth');
    // THEN each said so once, before waiting, naming who holds the lock and what it writes
    const message = `waiting for another synth (pid ${process.ppid}) to finish writing ${target} (at most 1 s)`;
    expect(told).toEqual([message, message]);
  });

  test('waits for a live owner to finish, then writes; a free or abandoned lock is taken without a word', () => {
    const target = path.join(parent, 'dist');
    // GIVEN a lock held by a live process (jest's parent) that is released in 0.5 s
    const lock = path.join(parent, '.dist-lock');
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, 'pid'), `${process.ppid}\n`);
    spawnSync('sh', ['-c', `(sleep 0.5; rm -rf '${lock}') >/dev/null 2>&1 &`]);
    const told: string[] = [];
    const started = Date.now();
    // WHEN a write waits for it
    writeTreeAtomically(target, new Map([['a.yaml', 'a\n']]), { lockTimeoutMs: 10_000, onWait: (m) => told.push(m) });
    // THEN it said so once, waited, and wrote
    expect(told).toEqual([`waiting for another synth (pid ${process.ppid}) to finish writing ${target} (at most 10 s)`]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(tree(target)).toEqual({ 'a.yaml': 'a\n' });
    // AND a free lock, or one whose owner is gone, costs no message
    writeTreeAtomically(target, new Map([['a.yaml', 'b\n']]), { onWait: (m) => told.push(m) });
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, 'pid'), spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout);
    recoverInterruptedWrite(target, { onWait: (m) => told.push(m) });
    expect(told).toHaveLength(1);
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });

  test('takes over the lock of a process that is gone', () => {
    const target = path.join(parent, 'dist');
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    fs.mkdirSync(path.join(parent, '.dist-lock'));
    fs.writeFileSync(path.join(parent, '.dist-lock', 'pid'), gone.stdout);
    writeTreeAtomically(target, new Map([['a.yaml', 'a\n']]), { lockTimeoutMs: 150 });
    expect(tree(target)).toEqual({ 'a.yaml': 'a\n' });
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });

  test('recoverInterruptedWrite puts back the tree of a run killed between the renames, and only that', () => {
    const target = path.join(parent, 'dist');
    recoverInterruptedWrite(target); // nothing to do
    expect(fs.readdirSync(parent)).toEqual([]);
    fs.mkdirSync(path.join(parent, '.dist-old-4242'));
    fs.writeFileSync(path.join(parent, '.dist-old-4242', 'a.yaml'), 'old\n');
    fs.mkdirSync(path.join(parent, '.dist-lock'));
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout;
    fs.writeFileSync(path.join(parent, '.dist-lock', 'pid'), gone);
    recoverInterruptedWrite(target);
    expect(tree(target)).toEqual({ 'a.yaml': 'old\n' });
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });
});
