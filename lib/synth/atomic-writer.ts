import * as fs from 'fs';
import * as path from 'path';

/**
 * Replaces `target` with a directory holding exactly `files` (relative path → content), so that a
 * reader (or a process killed mid-run) sees either the old tree or the new one, never a mix.
 *
 * How:
 * 1. take a lock beside the target (`.<base>-lock/`, holding the owner's pid), so that two synths
 *    never interleave; a lock whose owner is dead is taken over;
 * 2. repair what a killed run left behind (see `recoverInterruptedSwap`);
 * 3. when the new tree equals the current one byte for byte, stop: nothing is touched;
 * 4. write the whole new tree into `.<base>-new-<pid>-<n>/` beside the target;
 * 5. swap it in with two renames (`target` → `.<base>-old-<pid>`, staging → `target`) and delete
 *    the old tree.
 *
 * A run killed during 4 leaves the target untouched (the next run deletes the staging directory);
 * a run killed between the two renames of 5 leaves the complete old tree as `.<base>-old-<pid>`,
 * which the next run puts back before doing anything else.
 */
export interface WriteOptions {
  /**
   * Test hooks: pause this long after each staged file (`delayMs`) and between the two renames
   * (`swapDelayMs`), so that a test can kill the process at either point. main.ts sets them from
   * BULWARK_TEST_WRITE_DELAY_MS and BULWARK_TEST_SWAP_DELAY_MS.
   */
  readonly delayMs?: number;
  readonly swapDelayMs?: number;
  /** Called after each staged file, for a progress line. */
  readonly onFile?: (written: number, total: number) => void;
  /** How long to wait for another live writer's lock before giving up. @default 60000 */
  readonly lockTimeoutMs?: number;
}

/** What the write changed, compared with the tree that was there before. */
export interface WriteResult {
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
  readonly unchanged: number;
  /** False when the new tree equalled the old one and nothing was written. */
  readonly written: boolean;
}

export function writeTreeAtomically(target: string, files: ReadonlyMap<string, string>, options: WriteOptions = {}): WriteResult {
  const absolute = path.resolve(target);
  const parent = path.dirname(absolute);
  const base = path.basename(absolute);
  fs.mkdirSync(parent, { recursive: true });
  const release = acquireLock(path.join(parent, `.${base}-lock`), absolute, options.lockTimeoutMs ?? 60_000);
  try {
    recoverInterruptedSwap(absolute);
    const change = compareTree(absolute, files);
    if (change.added + change.changed + change.removed === 0 && fs.existsSync(absolute)) return { ...change, written: false };
    const staging = stage(parent, base, files, options);
    const old = path.join(parent, `.${base}-old-${process.pid}`);
    const hadTarget = fs.existsSync(absolute);
    if (hadTarget) fs.renameSync(absolute, old);
    if (hadTarget) pause(options.swapDelayMs);
    fs.renameSync(staging, absolute);
    if (hadTarget) fs.rmSync(old, { recursive: true, force: true });
    return { ...change, written: true };
  } finally {
    release();
  }
}

/**
 * Repairs what a killed write left beside `target` (see `recoverInterruptedSwap`), under the lock.
 * Cheap; the CLI calls it first thing, so that even a run that fails on its input puts back a
 * tree that a killed run left aside.
 */
export function recoverInterruptedWrite(target: string, lockTimeoutMs = 60_000): void {
  const absolute = path.resolve(target);
  const parent = path.dirname(absolute);
  const base = path.basename(absolute);
  if (!fs.existsSync(parent)) return;
  const leftovers = fs.readdirSync(parent).some((n) => n.startsWith(`.${base}-`));
  if (!leftovers) return;
  const release = acquireLock(path.join(parent, `.${base}-lock`), absolute, lockTimeoutMs);
  try {
    recoverInterruptedSwap(absolute);
  } finally {
    release();
  }
}

/** Writes the new tree beside the target; removes it again when any write fails. */
function stage(parent: string, base: string, files: ReadonlyMap<string, string>, options: WriteOptions): string {
  // Not mkdtemp: that creates the directory with mode 0700, which would become dist/'s mode.
  let staging = '';
  for (let n = 0; staging === ''; n++) {
    const candidate = path.join(parent, `.${base}-new-${process.pid}-${n}`);
    try {
      fs.mkdirSync(candidate);
      staging = candidate;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  try {
    const dirs = new Set<string>();
    for (const rel of files.keys()) dirs.add(path.dirname(path.join(staging, rel)));
    for (const dir of [...dirs].sort()) fs.mkdirSync(dir, { recursive: true });
    let written = 0;
    for (const [rel, content] of files) {
      fs.writeFileSync(path.join(staging, rel), content);
      options.onFile?.(++written, files.size);
      pause(options.delayMs);
    }
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  return staging;
}

/** Counts added, changed, removed and unchanged files of `files` against the tree at `dir`. */
function compareTree(dir: string, files: ReadonlyMap<string, string>): Omit<WriteResult, 'written'> {
  const existing = new Set<string>();
  const walk = (d: string, rel: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const e of entries) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else existing.add(r);
    }
  };
  walk(dir, '');
  let added = 0;
  let changed = 0;
  let unchanged = 0;
  for (const [rel, content] of files) {
    if (!existing.has(rel)) added++;
    else if (fs.readFileSync(path.join(dir, rel)).equals(Buffer.from(content))) unchanged++;
    else changed++;
  }
  const removed = [...existing].filter((rel) => !files.has(rel)).length;
  return { added, changed, removed, unchanged };
}

/**
 * A run killed between the two renames leaves the old tree as `.<base>-old-<pid>` and no target:
 * put it back. Leftover staging directories of killed runs are removed. Runs under the lock, so
 * every leftover belongs to a process that is gone.
 */
function recoverInterruptedSwap(absolute: string): void {
  const parent = path.dirname(absolute);
  const base = path.basename(absolute);
  const leftovers = fs.readdirSync(parent).filter((n) => [`.${base}-old-`, `.${base}-new-`, `.${base}-lock-stale-`].some((p) => n.startsWith(p))).sort();
  for (const name of leftovers) {
    const full = path.join(parent, name);
    if (name.startsWith(`.${base}-old-`) && !fs.existsSync(absolute)) fs.renameSync(full, absolute);
    else fs.rmSync(full, { recursive: true, force: true });
  }
}

/**
 * Takes `lockDir` (mkdir is atomic) and records our pid in it. A lock whose owner no longer runs
 * is taken over; a live owner is waited for. Returns the release function.
 */
function acquireLock(lockDir: string, target: string, timeoutMs: number): () => void {
  const pidFile = path.join(lockDir, 'pid');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(pidFile, `${process.pid}\n`);
      return () => fs.rmSync(lockDir, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = readPid(pidFile);
    // No pid yet: the owner is between mkdir and writeFile, or died right there.
    const stale = owner === undefined ? ageMs(lockDir) > 2_000 : owner === process.pid || !isRunning(owner);
    if (stale) {
      // Rename first, so that two runs taking over the same stale lock cannot both succeed.
      const aside = `${lockDir}-stale-${process.pid}`;
      try {
        fs.renameSync(lockDir, aside);
        fs.rmSync(aside, { recursive: true, force: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`another synth (pid ${owner ?? 'unknown'}) is writing ${target}; wait for it to finish, or delete ${lockDir} if that process is gone`);
    }
    pause(50);
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ageMs(p: string): number {
  try {
    return Date.now() - fs.statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

/** Synchronous sleep (the whole pipeline is synchronous). */
function pause(ms: number | undefined): void {
  if (ms !== undefined && ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
