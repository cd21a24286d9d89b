/**
 * Reading files of a commit without checking it out: `git ls-tree` lists them, one
 * `git cat-file --batch` reads them all. Nothing is written, so a diff against any commit leaves
 * the working tree, the index and the temp directory alone.
 */
import { spawnSync } from 'child_process';

/** A git command that failed: its message is git's own first line, with what was asked. */
export class GitError extends Error {}

/** The repository of `cwd`: where git runs, and where `cwd` is inside it. */
export interface Repository {
  /** Directory git runs in. */
  readonly cwd: string;
  /** `cwd` relative to the top of the work tree, `/`-separated, ending in `/` (empty at the top). */
  readonly prefix: string;
}

function git(cwd: string, args: readonly string[], input?: string): Buffer {
  const r = spawnSync('git', args, { cwd, input, maxBuffer: 1 << 30, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } });
  if (r.error) throw new GitError(`cannot run git: ${r.error.message}`);
  if (r.status !== 0) {
    const first = r.stderr.toString('utf8').split('\n').find((l) => l.trim() !== '') ?? `exit code ${r.status}`;
    throw new GitError(`git ${args[0]}: ${first.replace(/^(fatal|error): /, '')}`);
  }
  return r.stdout;
}

/** The repository holding `cwd`, or undefined when it is in none. */
export function repositoryOf(cwd: string): Repository | undefined {
  try {
    return { cwd, prefix: git(cwd, ['rev-parse', '--show-prefix']).toString('utf8').trim() };
  } catch (e) {
    if (e instanceof GitError) return undefined;
    throw e;
  }
}

/** The commit `ref` names (a branch, tag, `HEAD~2`, a hash…), or undefined when it names none. */
export function resolveCommit(repo: Repository, ref: string): string | undefined {
  // A ref starting with `-` would be read as an option.
  if (ref === '' || ref.startsWith('-')) return undefined;
  const r = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: repo.cwd });
  return r.status === 0 ? r.stdout.toString('utf8').trim() : undefined;
}

/**
 * The files of `commit` under `folder` (a path from the top of the tree, `/`-separated, no
 * trailing slash), by path relative to it, as text. A folder the commit does not have is empty.
 */
export function readFolder(repo: Repository, commit: string, folder: string): Map<string, string> {
  const listing = git(repo.cwd, ['ls-tree', '-r', '-z', '--full-tree', commit, '--', `${folder}/`]).toString('utf8');
  const blobs: { rel: string; sha: string }[] = [];
  for (const entry of listing.split('\0')) {
    // `<mode> SP <type> SP <object> TAB <path>`
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [, type, sha] = entry.slice(0, tab).split(' ');
    const file = entry.slice(tab + 1);
    if (type === 'blob' && file.startsWith(`${folder}/`)) blobs.push({ rel: file.slice(folder.length + 1), sha });
  }
  const files = new Map<string, string>();
  if (blobs.length === 0) return files;
  const out = git(repo.cwd, ['cat-file', '--batch'], blobs.map((b) => `${b.sha}\n`).join(''));
  // Each answer: `<sha> blob <size>\n<content>\n`, in the order asked.
  let at = 0;
  for (const { rel, sha } of blobs) {
    const eol = out.indexOf(0x0a, at);
    const [answered, , size] = out.subarray(at, eol).toString('utf8').split(' ');
    if (answered !== sha || size === undefined) throw new GitError(`git cat-file: unexpected answer for ${folder}/${rel}`);
    const start = eol + 1;
    files.set(rel, out.subarray(start, start + Number(size)).toString('utf8'));
    at = start + Number(size) + 1;
  }
  return files;
}

/** Whether `commit` has `path` (a file or a folder) at the top of its tree. */
export function hasPath(repo: Repository, commit: string, path: string): boolean {
  return git(repo.cwd, ['ls-tree', '-z', '--full-tree', '--name-only', commit, '--', path]).length > 0;
}

/** The folders directly inside `folder` of `commit` (a path from the top of the tree), sorted. */
export function subfolders(repo: Repository, commit: string, folder: string): string[] {
  const listing = git(repo.cwd, ['ls-tree', '-z', '--full-tree', commit, '--', `${folder}/`]).toString('utf8');
  return listing.split('\0').flatMap((entry) => {
    const tab = entry.indexOf('\t');
    if (tab < 0 || entry.slice(0, tab).split(' ')[1] !== 'tree') return [];
    const name = entry.slice(tab + 1);
    return name.startsWith(`${folder}/`) ? [name.slice(folder.length + 1)] : [];
  }).sort();
}
