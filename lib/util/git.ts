/**
 * Git, run synchronously in one repository, plumbing only: nothing here checks a branch out or
 * touches the working tree or the repository's index. The publisher writes the dist branch with
 * it (lib/publish/), the diff reads commits with it (lib/diff/): trees are listed by
 * `git ls-tree`, blobs read by one `git cat-file --batch` and written by one `git hash-object`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A git command that failed: git's own message, with the command that was asked. */
export class GitError extends Error {
  constructor(
    message: string,
    /** git's exit code. @default -1: git did not run, or did not say */
    readonly status = -1,
    /** git's standard error, whole. @default empty */
    readonly stderr = '',
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
    if (r.error) throw new GitError(`cannot run git: ${r.error.message}`);
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
  }
}

/** The work tree holding a directory. */
export interface WorkTree {
  /** Git at the top of the work tree. */
  readonly git: Git;
  /** The directory relative to the top, `/`-separated, ending in `/` (empty at the top). */
  readonly prefix: string;
}

/** The work tree holding `cwd`, or undefined when it is in none (a bare repository or `.git` has none). */
export function workTreeOf(cwd: string): WorkTree | undefined {
  const r = new Git(cwd).attempt(['rev-parse', '--show-toplevel', '--show-prefix']);
  const [top = '', prefix = ''] = r.stdout.toString('utf8').split('\n');
  return r.status === 0 && top !== '' ? { git: new Git(top), prefix } : undefined;
}

/** The commit `ref` names (a branch, tag, `HEAD~2`, a hash…), or undefined when it names none. */
export function resolveCommit(git: Git, ref: string): string | undefined {
  // A ref starting with `-` would be read as an option.
  if (ref === '' || ref.startsWith('-')) return undefined;
  const r = git.attempt(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  return r.status === 0 ? r.stdout.toString('utf8').trim() : undefined;
}

/** A file, link or submodule of a tree, as the dist branch's index takes it. */
export interface TreeEntry {
  /** `100644`, `100755`, `120000` (symlink) or `160000` (submodule). */
  readonly mode: string;
  readonly sha: string;
  /** From the top of the tree, `/`-separated. */
  readonly path: string;
}

/** One entry of a tree listing (`git ls-tree`). */
export interface ListedEntry extends TreeEntry {
  /** `blob` (a file or link), `tree` (a folder: only when not recursive) or `commit` (a submodule). */
  readonly type: string;
}

export interface ListTreeOptions {
  /** Only what is under this folder (from the top of the tree, `/`-separated, no trailing slash). @default the whole tree */
  readonly folder?: string;
  /** Into subfolders, listing no folders (`-r`); else the folder's own entries. @default true */
  readonly recursive?: boolean;
}

/** The entries of `tree` (a commit or tree), paths from its top; a folder it does not have lists none. */
export function listTree(git: Git, tree: string, options: ListTreeOptions = {}): ListedEntry[] {
  const { folder, recursive = true } = options;
  const args = ['ls-tree', ...(recursive ? ['-r'] : []), '-z', '--full-tree', tree];
  if (folder !== undefined) args.push('--', `${folder}/`);
  const entries: ListedEntry[] = [];
  for (const line of git.run(args).split('\0')) {
    // `<mode> SP <type> SP <object> TAB <path>`
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type, sha] = line.slice(0, tab).split(' ');
    const file = line.slice(tab + 1);
    // A pathspec may match more than the folder (`*` in a name): keep what is inside it.
    if (folder === undefined || file.startsWith(`${folder}/`)) entries.push({ mode, type, sha, path: file });
  }
  return entries;
}

/** The contents of blobs, as text, in the order given (one `git cat-file --batch` for all). */
export function readBlobs(git: Git, blobs: readonly Pick<TreeEntry, 'sha' | 'path'>[]): string[] {
  if (blobs.length === 0) return [];
  const out = git.runBytes(['cat-file', '--batch'], { input: blobs.map((b) => `${b.sha}\n`).join('') });
  // Each answer: `<sha> blob <size>\n<content>\n`, in the order asked.
  let at = 0;
  return blobs.map(({ sha, path: file }) => {
    const eol = out.indexOf(0x0a, at);
    const [answered, , size] = out.subarray(at, eol).toString('utf8').split(' ');
    if (answered !== sha || size === undefined) throw new GitError(`git cat-file: unexpected answer for ${file}`);
    const start = eol + 1;
    at = start + Number(size) + 1;
    return out.subarray(start, start + Number(size)).toString('utf8');
  });
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
