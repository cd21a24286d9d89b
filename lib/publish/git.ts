/**
 * The git commands the publisher runs, synchronously, in one repository. Plumbing only: nothing
 * here checks a branch out or touches the working tree or the repository's index.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A git command that failed: git's own message, with the command that was asked. */
export class GitError extends Error {
  constructor(
    message: string,
    /** git's exit code. */
    readonly status: number,
    /** git's standard error, whole. */
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** What one run of git takes besides its arguments. */
export interface GitRunOptions {
  /** Standard input. @default none */
  readonly input?: string | Buffer;
  /** Variables added to the environment (GIT_INDEX_FILE, dates, identity). @default none */
  readonly env?: Readonly<Record<string, string>>;
}

/** The outcome of a git command that may fail without that being an error. */
export interface GitResult {
  readonly status: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Git in one directory. */
export class Git {
  constructor(
    /** Directory git runs in (the top of the work tree, once known). */
    readonly cwd: string,
  ) {}

  /** Runs `git <args>` and returns its output; throws GitError when it exits non-zero. */
  run(args: readonly string[], options: GitRunOptions = {}): string {
    return this.runBytes(args, options).toString('utf8');
  }

  runBytes(args: readonly string[], options: GitRunOptions = {}): Buffer {
    const r = this.attempt(args, options);
    if (r.status !== 0) {
      const lines = r.stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
      const first = (lines.find((l) => /^(fatal|error):/.test(l)) ?? lines[0] ?? `exit code ${r.status}`).replace(/^(fatal|error): /, '');
      throw new GitError(`git ${args[0]}: ${first}`, r.status, r.stderr);
    }
    return r.stdout;
  }

  /** Runs `git <args>`; a non-zero exit is returned, not thrown (git missing still throws). */
  attempt(args: readonly string[], options: GitRunOptions = {}): GitResult {
    const r = spawnSync('git', args, {
      cwd: this.cwd,
      input: options.input,
      maxBuffer: 1 << 30,
      // No pager, no prompt for credentials (a push that needs them fails instead of hanging),
      // no optional locks (a status running beside an editor's git never blocks it).
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', GIT_PAGER: 'cat', ...options.env },
    });
    if (r.error) throw new GitError(`cannot run git: ${r.error.message}`, -1, '');
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
  }
}

/** One entry of a tree listing (`git ls-tree -r`): a blob (file), link or submodule. */
export interface TreeEntry {
  /** `100644`, `100755`, `120000` (symlink) or `160000` (submodule). */
  readonly mode: string;
  readonly sha: string;
  /** From the top of the tree, `/`-separated. */
  readonly path: string;
}

/** Every entry under `tree` (a commit or tree), recursively, or under `folder` of it only. */
export function listTree(git: Git, tree: string, folder?: string): TreeEntry[] {
  const args = ['ls-tree', '-r', '-z', '--full-tree', tree];
  if (folder !== undefined) args.push('--', `${folder}/`);
  const entries: TreeEntry[] = [];
  for (const line of git.run(args).split('\0')) {
    // `<mode> SP <type> SP <object> TAB <path>`
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const [mode, , sha] = line.slice(0, tab).split(' ');
    entries.push({ mode, sha, path: line.slice(tab + 1) });
  }
  return entries;
}

/** The commit `ref` resolves to, or undefined when there is none. */
export function resolveRef(git: Git, ref: string): string | undefined {
  const r = git.attempt(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  return r.status === 0 ? r.stdout.toString('utf8').trim() : undefined;
}

/** Writes each content as a blob (one `git hash-object` for all); returns their ids in order. */
export function writeBlobs(git: Git, contents: readonly string[]): string[] {
  if (contents.length === 0) return [];
  // `--stdin-paths` takes one path a line; the contents go through files of a temp directory.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-blobs-'));
  try {
    const files = contents.map((content, i) => {
      const file = path.join(dir, String(i));
      fs.writeFileSync(file, content);
      return file;
    });
    const ids = git.run(['hash-object', '-w', '--no-filters', '--stdin-paths'], { input: `${files.join('\n')}\n` }).trim().split('\n');
    if (ids.length !== contents.length) throw new GitError(`git hash-object: ${ids.length} ids for ${contents.length} blobs`, 0, '');
    return ids;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
