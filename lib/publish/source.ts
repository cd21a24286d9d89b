/**
 * The source side of a publish: the repository, its HEAD commit (what Argo CD calls the dry
 * commit) and whether the working tree is exactly that commit.
 */
import { Git, GitError, listTree, TreeEntry, workTreeOf } from '../util/git';
import { SourceCommit } from './hydrator';

/** A publish refused: its message says what, why and the fix. */
export class PublishError extends Error {}

/** The source commit with the dates the dist commit takes from it. */
export interface SourceRevision extends SourceCommit {
  /** The branch HEAD is on (`main`). */
  readonly branch: string;
  /** Author date in git's raw form, `<seconds> <zone>`. */
  readonly authorDate: string;
  /** Committer date in git's raw form. */
  readonly committerDate: string;
}

/** Git at the top of the work tree holding `cwd`; a PublishError when there is none. */
export function openRepository(cwd: string): Git {
  const workTree = workTreeOf(cwd);
  if (workTree === undefined) {
    throw new PublishError(`cannot publish: ${cwd} is not in a git work tree; publish commits the output of a commit to a branch of its `
      + 'repository: run it in a clone of the repository');
  }
  return workTree.git;
}

/** HEAD's commit, on a branch; a PublishError when HEAD is detached or has no commit yet. */
export function readHead(git: Git): SourceRevision {
  const symbolic = git.attempt(['symbolic-ref', '-q', 'HEAD']);
  const sha = git.attempt(['rev-parse', '--verify', '-q', 'HEAD^{commit}']).stdout.toString('utf8').trim();
  if (symbolic.status !== 0) {
    throw new PublishError(`cannot publish: HEAD is detached (at ${sha.slice(0, 7)}, on no branch); the dist branch is published from `
      + 'a commit of a branch, so that its source stays reachable: switch to the branch (git switch main), then publish');
  }
  const branch = symbolic.stdout.toString('utf8').trim().replace(/^refs\/heads\//, '');
  if (sha === '') {
    throw new PublishError(`cannot publish: branch ${branch} has no commit yet; the dist branch records the commit its output was `
      + 'rendered from: commit the overlays and dist/ first, then publish');
  }
  return readCommit(git, sha, branch);
}

/** A commit's author, dates and message, from the commit object itself (no mailmap, no config). */
function readCommit(git: Git, sha: string, branch: string): SourceRevision {
  const raw = git.run(['cat-file', 'commit', sha]);
  const split = raw.indexOf('\n\n');
  const headers = (split === -1 ? raw : raw.slice(0, split)).split('\n');
  const person = (field: string): RegExpExecArray => {
    const line = headers.find((h) => h.startsWith(`${field} `)) ?? '';
    const m = /^\S+ (.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(line);
    if (m === null) throw new GitError(`git cat-file: commit ${sha} has no readable ${field} line`, 0, '');
    return m;
  };
  const author = person('author');
  const committer = person('committer');
  // Argo CD reads `%B` trimmed; its references come from the message's trailers.
  const message = (split === -1 ? '' : raw.slice(split + 2)).trim();
  const trailers = git.run(['interpret-trailers', '--parse'], { input: `${message}\n` });
  return {
    sha,
    branch,
    author: `${author[1]} <${author[2]}>`,
    authorTime: Number(author[3]),
    authorDate: `${author[3]} ${author[4]}`,
    committerDate: `${committer[3]} ${committer[4]}`,
    message,
    trailers,
  };
}

/**
 * Refuses a working tree that differs from HEAD (changed, staged, untracked; ignored files do not
 * count): what is published must be exactly a commit.
 */
export function requireCleanWorkTree(git: Git): void {
  const status = git.run(['status', '--porcelain=v1', '-z', '--untracked-files=all']);
  const entries: string[] = [];
  const parts = status.split('\0');
  for (let i = 0; i < parts.length; i++) {
    const e = parts[i];
    if (e.length < 4) continue;
    entries.push(`${e.slice(0, 2).trim()} ${e.slice(3)}`);
    // A rename or copy is followed by its source path.
    if (e[0] === 'R' || e[0] === 'C') i++;
  }
  if (entries.length === 0) return;
  const shown = entries.slice(0, 5).join(', ');
  const more = entries.length > 5 ? ` and ${entries.length - 5} more` : '';
  throw new PublishError(`cannot publish: the working tree has changes that are not committed (${shown}${more}); the dist branch must `
    + 'hold the output of a commit: commit them (or stash them), then publish');
}

/** The files HEAD has under `folder` (from the top of the tree), by path. */
export function committedFiles(git: Git, folder: string): Map<string, TreeEntry> {
  return new Map(listTree(git, 'HEAD', { folder }).map((e) => [e.path, e]));
}
