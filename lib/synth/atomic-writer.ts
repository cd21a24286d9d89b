import * as fs from 'fs';
import * as path from 'path';
import { MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { outputKindOf } from '../manifest/output-kind';
import { startWorker } from './worker-thread';

/**
 * Replaces `target` with a directory holding exactly `files` (relative path → content), so that a
 * reader (or a process killed mid-run) sees either the old tree or the new one, never a mix.
 *
 * How:
 * 1. take a lock beside the target (`.<base>-lock/`, holding the owner's pid), so that two synths
 *    never interleave; a lock whose owner is dead is taken over;
 * 2. repair what a killed run left behind (see `recoverInterruptedSwap`);
 * 3. write the new tree into `.<base>-new-<pid>-<n>/` beside the target, part by part as the
 *    caller produces it (`TreeWriter.add`), on a writer thread if asked; parts equal to the current
 *    tree are held back until one differs, so that a tree equal byte for byte to the current one
 *    is never written at all;
 * 4. at `commit`, wait for the staging, then swap it in with two renames (`target` → `.<base>-old-<pid>`, staging → `target`) and delete
 *    the old tree.
 *
 * Packages (`<env>/platform-<version>.tgz`, written by `make package`, not by a synth) and reports
 * (`<env>/report/*`, written by `make report`) are built from their environment's files: those of
 * an environment whose files are all unchanged are carried over into the new tree; those of an
 * environment that changed (or is gone) are stale, and removed (`WriteResult.stalePackages`).
 *
 * A run killed during 3 leaves the target untouched (the next run deletes the staging directory);
 * a run killed between the two renames of 4 leaves the complete old tree as `.<base>-old-<pid>`,
 * which the next run puts back before doing anything else.
 */
export interface WriteOptions extends LockOptions {
  /**
   * Test hooks: pause this long after each staged file (`delayMs`) and between the two renames
   * (`swapDelayMs`), so that a test can kill the process at either point. main.ts sets them from
   * BULWARK_TEST_WRITE_DELAY_MS and BULWARK_TEST_SWAP_DELAY_MS.
   */
  readonly delayMs?: number;
  readonly swapDelayMs?: number;
  /** Called after each staged file, for a progress line (files staged, files added so far). */
  readonly onFile?: (written: number, total: number) => void;
  /**
   * The compiled tree-writer-worker.js: files are then staged on a thread of their own, while the
   * caller goes on producing the next part of the tree (ignored with `delayMs`).
   */
  readonly writerScript?: string;
  /**
   * Environments this write owns (`synth --env`): files of the other environments' folders (and
   * files outside any) are carried into the new tree as they are, never counted as removed.
   * @default every environment: the new tree is exactly what was added (and the packages kept)
   */
  readonly environments?: readonly string[];
}

/** How a write waits for the lock of another synth writing the same target. */
export interface LockOptions {
  /** How long to wait for another live writer's lock before giving up. @default 60000 */
  readonly lockTimeoutMs?: number;
  /**
   * Told once, before waiting, that another live synth holds the lock: its pid and the target
   * (the wait is otherwise silent for up to `lockTimeoutMs`). @default nothing is told
   */
  readonly onWait?: (message: string) => void;
}

/** What the write changed, compared with the tree that was there before. */
export interface WriteResult {
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
  readonly unchanged: number;
  /** False when the new tree equalled the old one and nothing was written. */
  readonly written: boolean;
  /** Packages removed because their environment changed (counted in `removed`). */
  readonly stalePackages: readonly StalePackage[];
}

/** A package of the old tree whose environment changed, so that it no longer matches it. */
export interface StalePackage {
  /** Path relative to the target, e.g. `prod/platform-0.1.0.tgz`. */
  readonly path: string;
  readonly environment: string;
}

export function writeTreeAtomically(target: string, files: ReadonlyMap<string, string>, options: WriteOptions = {}): WriteResult {
  const writer = TreeWriter.open(target, options);
  try {
    writer.add(files);
    return writer.commit();
  } finally {
    writer.close();
  }
}

/**
 * The write of a whole tree, part by part as it is produced (the CLI adds one environment at a
 * time), so that staging overlaps synthesis and no part stays in memory longer than needed.
 *
 * Each part is compared with the current tree when it is added. As long as everything added
 * equals what is there, nothing is written (a synth that changes nothing touches nothing); from
 * the first difference on, every part (the held-back ones first) is staged: on the calling thread,
 * or on a writer thread (`writerScript`). `commit` waits for the staging, counts the files that
 * are gone and swaps; `close` releases the lock and removes an uncommitted staging directory.
 */
export class TreeWriter {
  static open(target: string, options: WriteOptions = {}): TreeWriter {
    const absolute = path.resolve(target);
    const parent = path.dirname(absolute);
    fs.mkdirSync(parent, { recursive: true });
    const release = acquireLock(path.join(parent, `.${path.basename(absolute)}-lock`), absolute, options);
    try {
      recoverInterruptedSwap(absolute);
      return new TreeWriter(absolute, options, release);
    } catch (e) {
      release();
      throw e;
    }
  }

  private readonly existing: ReadonlySet<string>;
  private readonly hadTarget: boolean;
  private readonly seen = new Set<string>();
  /** Environments with a file added or changed (removals are known at commit). */
  private readonly changedEnvironments = new Set<string>();
  private readonly held: ReadonlyMap<string, string>[] = [];
  private added = 0;
  private changed = 0;
  private unchanged = 0;
  private staged = 0;
  private staging: string | undefined;
  private background: BackgroundWriter | undefined;
  private closed = false;

  private constructor(
    private readonly target: string,
    private readonly options: WriteOptions,
    private readonly release: () => void,
  ) {
    this.hadTarget = fs.existsSync(target);
    this.existing = this.hadTarget ? filesUnder(target) : new Set();
  }

  /** Adds files (relative path → content) of the new tree; a path may be added once. */
  add(files: ReadonlyMap<string, string>): void {
    for (const [rel, content] of files) {
      if (this.seen.has(rel)) throw new Error(`${rel} is written twice`);
      this.seen.add(rel);
      const existed = this.existing.has(rel);
      if (existed && fs.readFileSync(path.join(this.target, rel)).equals(Buffer.from(content))) {
        this.unchanged++;
        continue;
      }
      if (existed) this.changed++;
      else this.added++;
      this.changedEnvironments.add(environmentOf(rel));
    }
    if (this.added + this.changed === 0) {
      this.held.push(files);
      return;
    }
    for (const part of this.held.splice(0)) this.stage(part);
    this.stage(files);
  }

  /** Swaps the staged tree in (or leaves the target as it is when nothing differs). */
  commit(): WriteResult {
    const owned = this.options.environments;
    const notOwned = (rel: string): boolean => owned !== undefined && !owned.includes(environmentOf(rel));
    const outside = [...this.existing].filter((rel) => !this.seen.has(rel) && notOwned(rel));
    const gone = [...this.existing].filter((rel) => !this.seen.has(rel) && !notOwned(rel));
    const changedEnvironments = new Set([...this.changedEnvironments, ...gone.filter((rel) => !isPackage(rel)).map(environmentOf)]);
    const synthesized = new Set([...this.seen].map(environmentOf));
    const packages = gone.filter(isPackage);
    const kept = packages.filter((rel) => synthesized.has(environmentOf(rel)) && !changedEnvironments.has(environmentOf(rel)));
    const stalePackages = packages.filter((rel) => !kept.includes(rel)).map((rel) => ({ path: rel, environment: environmentOf(rel) }));
    const removed = gone.length - kept.length;
    const change = { added: this.added, changed: this.changed, removed, unchanged: this.unchanged, stalePackages };
    if (this.added + this.changed + removed === 0 && this.hadTarget) return { ...change, written: false };
    for (const part of this.held.splice(0)) this.stage(part);
    const staging = this.stagingDir();
    this.background?.finish();
    this.background = undefined;
    for (const rel of [...kept, ...outside]) {
      fs.mkdirSync(path.dirname(path.join(staging, rel)), { recursive: true });
      fs.copyFileSync(path.join(this.target, rel), path.join(staging, rel));
    }
    const parent = path.dirname(this.target);
    const old = path.join(parent, `.${path.basename(this.target)}-old-${process.pid}`);
    if (this.hadTarget) fs.renameSync(this.target, old);
    if (this.hadTarget) pause(this.options.swapDelayMs);
    fs.renameSync(staging, this.target);
    this.staging = undefined;
    if (this.hadTarget) fs.rmSync(old, { recursive: true, force: true });
    return { ...change, written: true };
  }

  /** Releases the lock; an uncommitted staging directory is removed. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.background?.abort();
      if (this.staging !== undefined) fs.rmSync(this.staging, { recursive: true, force: true });
    } finally {
      this.release();
    }
  }

  private stage(files: ReadonlyMap<string, string>): void {
    const staging = this.stagingDir();
    if (this.options.writerScript !== undefined && !(this.options.delayMs && this.options.delayMs > 0)) {
      this.background ??= new BackgroundWriter(this.options.writerScript, staging);
      this.background.write(files);
      return;
    }
    writeFiles(staging, files, () => {
      this.options.onFile?.(++this.staged, this.seen.size);
      pause(this.options.delayMs);
    });
  }

  /** The staging directory beside the target, created on first use. */
  private stagingDir(): string {
    if (this.staging !== undefined) return this.staging;
    const parent = path.dirname(this.target);
    const base = path.basename(this.target);
    // Not mkdtemp: that creates the directory with mode 0700, which would become dist/'s mode.
    for (let n = 0; ; n++) {
      const candidate = path.join(parent, `.${base}-new-${process.pid}-${n}`);
      try {
        fs.mkdirSync(candidate);
        this.staging = candidate;
        return candidate;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
  }
}

/** Writes `files` under `dir`, creating directories as needed; `afterEach` runs after each file. */
export function writeFiles(dir: string, files: Iterable<readonly [string, string]>, afterEach?: () => void, made: Set<string> = new Set()): void {
  for (const [rel, content] of files) {
    const file = path.join(dir, rel);
    const folder = path.dirname(file);
    if (!made.has(folder)) {
      fs.mkdirSync(folder, { recursive: true });
      made.add(folder);
    }
    fs.writeFileSync(file, content);
    afterEach?.();
  }
}

/** The environment folder of a path of the tree (`prod/backend/x.yaml` → `prod`); '' for a top-level file. */
function environmentOf(rel: string): string {
  const slash = rel.indexOf('/');
  return slash === -1 ? '' : rel.slice(0, slash);
}

/** A file built from an environment's files by another command: a package (`<env>/<file>.tgz`) or a report (`<env>/report/<file>`). */
function isPackage(rel: string): boolean {
  const slash = rel.indexOf('/');
  if (slash <= 0) return false;
  const kind = outputKindOf(rel.slice(slash + 1));
  return kind === 'package' || kind === 'report';
}

/** Relative paths of every file under `dir`. */
function filesUnder(dir: string): Set<string> {
  const found = new Set<string>();
  const walk = (d: string, rel: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else found.add(r);
    }
  };
  walk(dir, '');
  return found;
}

/** Files per message to the writer thread. */
const BATCH_FILES = 500;

/**
 * A thread that writes files into the staging directory (tree-writer-worker.ts). Parts go over a
 * message port; `finish` blocks (Atomics.wait on a shared word) until every part is on disk, and
 * throws the thread's first error.
 */
class BackgroundWriter {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  /** [0]: the thread runs its script; [1]: 1 every part written, 2 failed. */
  private readonly state = new Int32Array(new SharedArrayBuffer(8));
  private readonly startDeadline = Date.now() + 60_000;

  constructor(private readonly script: string, dir: string) {
    ({ worker: this.worker, port: this.port } = startWorker(script, { dir, state: this.state }));
  }

  /** Files not posted yet: parts go over in batches, fewer and larger messages being cheaper. */
  private batch: (readonly [string, string])[] = [];

  write(files: ReadonlyMap<string, string>): void {
    for (const entry of files) this.batch.push(entry);
    if (this.batch.length >= BATCH_FILES) this.flush();
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    this.port.postMessage(this.batch);
    this.batch = [];
  }

  /** Waits for every part; its 'error' and 'exit' events cannot run meanwhile (see the worker). */
  finish(): void {
    this.flush();
    this.port.postMessage('done');
    while (Atomics.load(this.state, 1) === 0) {
      if (Atomics.load(this.state, 0) === 0 && Date.now() > this.startDeadline) {
        throw new Error(`the writer thread did not start within 60 s (${this.script})`);
      }
      Atomics.wait(this.state, 1, 0, 100);
    }
    const error = receiveMessageOnPort(this.port)?.message as string | undefined;
    this.port.close();
    if (Atomics.load(this.state, 1) !== 1) throw new Error(`staging failed: ${error ?? 'unknown error'}`);
  }

  abort(): void {
    this.port.close();
    void this.worker.terminate();
  }
}

/**
 * Repairs what a killed write left beside `target` (see `recoverInterruptedSwap`), under the lock.
 * Cheap; the CLI calls it first thing, so that even a run that fails on its input puts back a
 * tree that a killed run left aside.
 */
export function recoverInterruptedWrite(target: string, options: LockOptions = {}): void {
  const absolute = path.resolve(target);
  const parent = path.dirname(absolute);
  const base = path.basename(absolute);
  if (!fs.existsSync(parent)) return;
  const leftovers = fs.readdirSync(parent).some((n) => n.startsWith(`.${base}-`));
  if (!leftovers) return;
  const release = acquireLock(path.join(parent, `.${base}-lock`), absolute, options);
  try {
    recoverInterruptedSwap(absolute);
  } finally {
    release();
  }
}

/**
 * A run killed between the two renames leaves the old tree as `.<base>-old-<pid>` and no target:
 * put it back. Leftover staging directories of killed runs are removed. Runs under the lock, so
 * every leftover belongs to a process that is gone.
 */
function recoverInterruptedSwap(absolute: string): void {
  const parent = path.dirname(absolute);
  const base = path.basename(absolute);
  const prefixes = [`.${base}-old-`, `.${base}-new-`, `.${base}-lock-stale-`];
  const leftovers = fs.readdirSync(parent).filter((n) => prefixes.some((p) => n.startsWith(p))).sort();
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
function acquireLock(lockDir: string, target: string, options: LockOptions): () => void {
  const pidFile = path.join(lockDir, 'pid');
  const timeoutMs = options.lockTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let told = false;
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
    if (owner !== undefined && !told) {
      told = true;
      options.onWait?.(`waiting for another synth (pid ${owner}) to finish writing ${target} (at most ${Math.ceil(timeoutMs / 1000)} s)`);
    }
    if (Date.now() > deadline) {
      throw new Error(`another synth (pid ${owner ?? 'unknown'}) is writing ${target}; `
        + `wait for it to finish, or delete ${lockDir} if that process is gone`);
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
