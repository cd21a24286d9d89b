/**
 * Writes the dist branch with git plumbing only: the new tree is built in a temporary index
 * from the branch's tree and the published blobs (`update-index --index-info`, `write-tree`),
 * committed with `commit-tree`, and the branch moves last, by compare-and-swap (`update-ref
 * <ref> <new> <old>`, or a non-force push). Every object exists before the ref moves, so a
 * publish killed at any point leaves the branch as it was; a publish that lost a race to another
 * rebuilds its tree on the new tip and tries again.
 *
 * The dist commit is a function of the source commit and the branch's previous commit: the
 * committer is fixed (not the user's git config), its dates are the source commit's, and it is
 * not signed, so two clones publishing the same commit onto the same tip make the same commit.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bootstrapPath, DIST_BRANCH_LAYOUT, environmentPath } from '../manifest/layout';
import { toYaml } from '../manifest/yaml-emitter';
import { Git, GitError, listTree, readBlobs, resolveCommit, TreeEntry, writeBlobs } from '../util/git';
import { byCodePoint } from '../util/order';
import { commitMessage, GITATTRIBUTES, metadataText, pathMetadata, readmeText, sourceMetadata } from './hydrator';
import { PublishError, SourceRevision } from './source';

/** A file of the source commit to publish: its blob is in the repository already. */
export interface PublishedBlob {
  /** Path inside its folder of the dist branch, `/`-separated. */
  readonly rel: string;
  readonly mode: string;
  readonly sha: string;
}

/** A file of an environment's Argo CD objects, with the kind of its object. */
export interface BootstrapBlob extends PublishedBlob {
  readonly kind: string;
}

/** What one environment publishes. */
export interface EnvironmentOutput {
  readonly environment: string;
  /** Into `environments/<env>/`: its cluster objects and kustomization. */
  readonly manifests: readonly PublishedBlob[];
  /** Into `bootstrap/<env>/`: its Argo CD objects (none when it has none). */
  readonly bootstrap: readonly BootstrapBlob[];
  /** The commands that reproduce the environment's files from the source commit. */
  readonly commands: readonly string[];
}

/** Who the dist commits are by. */
export interface Identity {
  readonly name: string;
  readonly email: string;
}

/**
 * The author and committer of dist commits: fixed, so that the commit (not only its tree) is the
 * same whoever publishes; the source commit's author is credited in its message.
 */
export const PUBLISHER: Identity = { name: 'Bulwark publisher', email: 'publisher@bulwark.invalid' };

export interface PublishOptions {
  readonly git: Git;
  readonly source: SourceRevision;
  /** The repository Argo CD reads (the overlays' `gitops.repoURL`). */
  readonly repoURL: string;
  /** In the order to report them. */
  readonly environments: readonly EnvironmentOutput[];
  /** The branch to write: the synced branch, or a staging one (Argo CD's `hydrateTo`). */
  readonly branch: string;
  /**
   * The synced branch, when `branch` is a staging one: a staging branch that does not exist yet
   * starts from it (as Argo CD's commit server does). @default a new branch starts empty
   */
  readonly startFrom?: string;
  /** Push to this remote's `branch` instead of moving only the local one. @default none: local only */
  readonly remote?: string;
  /** Names the tool in the README and the commit message. */
  readonly generator: string;
  /** @default PUBLISHER */
  readonly identity?: Identity;
  /** Attempts when another publish moves the branch meanwhile. @default 5 */
  readonly attempts?: number;
  /**
   * Called once the objects are written, right before the branch (or the remote) is asked to
   * move, with the attempt number from 1: a test kills or races the publish here.
   * @default nothing is called
   */
  readonly beforeUpdate?: (attempt: number) => void;
  /** Told when an attempt lost a race and the publish starts again on the new tip. @default silent */
  readonly onRetry?: (message: string) => void;
}

/** What happened to one environment's paths. */
export interface EnvironmentChange {
  readonly environment: string;
  /** Its `environments/<env>/` or `bootstrap/<env>/` files differ from the branch's. */
  readonly changed: boolean;
  /** Files in `environments/<env>/`, metadata and README included. */
  readonly files: number;
  /** Files in `bootstrap/<env>/`. */
  readonly bootstrapFiles: number;
}

export interface PublishResult {
  /**
   * The commit the branch moved to: a new one, or (with `remote`) the local branch pushed as it
   * is to a remote without the branch; undefined when the branch already held this output.
   */
  readonly commit?: string;
  /** The branch's commit before (undefined: it did not exist). */
  readonly previous?: string;
  readonly environments: readonly EnvironmentChange[];
  /** Attempts made (more than one after a lost race). */
  readonly attempts: number;
  /** With `remote`: the local branch was left as it was because it is not an ancestor of the pushed commit. */
  readonly localBranchKept?: boolean;
}

/** Publishes the environments onto `branch`; see the file comment. */
export function publish(options: PublishOptions): PublishResult {
  const attempts = options.attempts ?? 5;
  const { git, branch } = options;
  for (let attempt = 1; ; attempt++) {
    const tips = options.remote === undefined ? localTips(options) : remoteTips(options);
    const plan = planTree(options, tips.base);
    const result = { previous: tips.current, environments: plan.environments, attempts: attempt };
    // Unchanged: nothing to commit; but a local branch the remote does not have yet is pushed as it is.
    const commit = plan.changed ? commitTree(options, writeTree(git, plan.entries), tips.base) : tips.unpushed;
    if (commit === undefined) return result;
    options.beforeUpdate?.(attempt);
    const moved = options.remote === undefined ? moveLocal(git, branch, commit, tips.current) : pushRemote(options, commit);
    if (moved) {
      const localBranchKept = options.remote === undefined ? undefined : !followLocal(git, branch, commit);
      return { ...result, commit, localBranchKept };
    }
    const where = options.remote === undefined ? branch : `${options.remote}/${branch}`;
    if (attempt >= attempts) {
      throw new PublishError(`cannot publish: ${where} moved ${attempts} times while this publish was writing it (other publishes kept `
        + 'winning the race); nothing was changed by this one: publish again');
    }
    options.onRetry?.(`${where} moved while publishing (another publish won the race): publishing again onto its new tip`);
    sleep(20 * attempt);
  }
}

/** The commits the publish starts from. */
interface Tips {
  /** The branch being written, where it is written (local, or the remote's), when it exists. */
  readonly current?: string;
  /** The commit the new one follows: `current`, else where a new branch starts. */
  readonly base?: string;
  /** The local branch, when the remote does not have the branch yet: pushed even if nothing changed. */
  readonly unpushed?: string;
}

function localTips({ git, branch, startFrom }: PublishOptions): Tips {
  const current = resolveCommit(git, `refs/heads/${branch}`);
  return { current, base: current ?? (startFrom === undefined ? undefined : resolveCommit(git, `refs/heads/${startFrom}`)) };
}

/**
 * The remote's tips (`ls-remote`), fetched into its remote-tracking refs. A branch the remote
 * does not have yet starts from the local branch of that name, so that a history published
 * locally is pushed as it is; else from the remote's synced branch.
 */
function remoteTips({ git, branch, startFrom, remote }: PublishOptions): Tips {
  const wanted = [branch, ...(startFrom === undefined ? [] : [startFrom])];
  const ls = git.attempt(['ls-remote', '--heads', remote!, ...wanted.map((b) => `refs/heads/${b}`)], { env: { LC_ALL: 'C' } });
  if (ls.status !== 0) {
    const reason = ls.stderr.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? `exit code ${ls.status}`;
    throw new PublishError(`cannot publish: cannot read the branches of remote ${remote} (${reason}); nothing was written: check the `
      + `network and your access to ${remote} (git ls-remote ${remote}), then publish again`);
  }
  const listing = ls.stdout.toString('utf8');
  const tips = new Map<string, string>();
  for (const line of listing.split('\n')) {
    const [sha, ref] = line.split('\t');
    if (ref !== undefined) tips.set(ref.replace(/^refs\/heads\//, ''), sha);
  }
  const present = wanted.filter((b) => tips.has(b));
  if (present.length > 0) {
    const refspecs = present.map((b) => `+refs/heads/${b}:refs/remotes/${remote}/${b}`);
    git.run(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', remote!, ...refspecs]);
  }
  const current = tips.get(branch);
  const local = current === undefined ? resolveCommit(git, `refs/heads/${branch}`) : undefined;
  return { current, base: current ?? local ?? (startFrom === undefined ? undefined : tips.get(startFrom)), unpushed: local };
}

/** The new tree's entries, and whether they differ from the base's. */
interface TreePlan {
  readonly entries: readonly TreeEntry[];
  readonly changed: boolean;
  readonly environments: readonly EnvironmentChange[];
}

const L = DIST_BRANCH_LAYOUT;

/**
 * The base tree without the paths this publish owns (the root metadata and .gitattributes,
 * `bootstrap/`, `environments/<env>/` of each environment published), plus what it publishes.
 * An environment whose files are unchanged keeps its metadata and README (they name the commit
 * that last changed it, as Argo CD's hydrator leaves an unchanged path); so does the root, when
 * nothing else changed: then there is nothing to commit.
 */
function planTree(options: PublishOptions, base: string | undefined): TreePlan {
  const { git, source, repoURL, environments, generator } = options;
  const baseEntries = base === undefined ? [] : listTree(git, base);
  const byPath = new Map(baseEntries.map((e) => [e.path, e]));
  const envPaths = environments.map((e) => environmentPath(e.environment));
  const owned = (p: string): boolean => p === L.metadata || p === L.gitattributes || p === L.bootstrap || p === L.environments
    || p.startsWith(`${L.bootstrap}/`) || envPaths.some((e) => p === e || p.startsWith(`${e}/`));
  const entries: TreeEntry[] = baseEntries.filter((e) => !owned(e.path));

  const generated: { path: string; content: string }[] = [];
  const changes: EnvironmentChange[] = [];
  for (const env of environments) {
    const dir = environmentPath(env.environment);
    const manifests = env.manifests.map((b) => ({ mode: b.mode, sha: b.sha, path: `${dir}/${b.rel}` }));
    const boot = env.bootstrap.map((b) => ({ mode: b.mode, sha: b.sha, path: `${bootstrapPath(env.environment)}/${b.rel}` }));
    const ownMeta = new Set([`${dir}/${L.metadata}`, `${dir}/${L.readme}`]);
    const before = baseEntries.filter((e) => e.path.startsWith(`${dir}/`) && !ownMeta.has(e.path));
    const bootBefore = baseEntries.filter((e) => e.path.startsWith(`${bootstrapPath(env.environment)}/`));
    const kept = [...ownMeta].map((p) => byPath.get(p));
    const manifestsChanged = !sameEntries(before, manifests) || kept.some((e) => e === undefined)
      || !describesPath(git, kept[0]!, repoURL, env.commands);
    entries.push(...manifests, ...boot);
    if (manifestsChanged) {
      const metadata = pathMetadata(repoURL, source.sha, env.commands);
      generated.push({ path: `${dir}/${L.metadata}`, content: metadataText(metadata) });
      generated.push({ path: `${dir}/${L.readme}`, content: readmeText(metadata, generator) });
    } else {
      entries.push(...kept.map((e) => e!));
    }
    changes.push({
      environment: env.environment,
      changed: manifestsChanged || !sameEntries(bootBefore, boot),
      files: manifests.length + 2,
      bootstrapFiles: boot.length,
    });
  }
  // Without Argo CD objects there is nothing to bootstrap: no kustomization of nothing.
  if (environments.some((e) => e.bootstrap.length > 0)) {
    generated.push({ path: `${L.bootstrap}/${L.kustomization}`, content: bootstrapKustomization(environments, generator) });
  }
  generated.push({ path: L.gitattributes, content: GITATTRIBUTES });
  const rootMetadata = { path: L.metadata, content: metadataText(sourceMetadata(repoURL, source)) };

  const ids = writeBlobs(git, [...generated, rootMetadata].map((g) => g.content));
  entries.push(...generated.map((g, i) => ({ mode: '100644', sha: ids[i], path: g.path })));
  const previousRoot = byPath.get(L.metadata);
  const changed = !sameEntries(baseEntries, previousRoot === undefined ? entries : [...entries, previousRoot]);
  entries.push({ mode: '100644', sha: ids[ids.length - 1], path: L.metadata });
  return { entries, changed, environments: changes };
}

/** The metadata blob names this repository and these commands (else it is written anew, as if the path changed). */
function describesPath(git: Git, metadata: TreeEntry, repoURL: string, commands: readonly string[]): boolean {
  try {
    const m = JSON.parse(readBlobs(git, [metadata])[0]) as { repoURL?: unknown; commands?: unknown };
    return m.repoURL === repoURL && JSON.stringify(m.commands ?? []) === JSON.stringify(commands);
  } catch {
    return false;
  }
}

function sameEntries(a: readonly TreeEntry[], b: readonly TreeEntry[]): boolean {
  if (a.length !== b.length) return false;
  const key = (e: TreeEntry): string => `${e.mode} ${e.sha} ${e.path}`;
  const set = new Set(a.map(key));
  return b.every((e) => set.has(key(e)));
}

/** Kinds applied first, in this order; the rest follow (a Project must exist before its Applications). */
const BOOTSTRAP_ORDER = ['AppProject', 'ApplicationSet'];

/**
 * `bootstrap/kustomization.yaml`: every environment's Argo CD objects, AppProjects first, then
 * ApplicationSets, each kind by environment and file, so that `kubectl apply -k bootstrap` starts
 * everything. It names no commit, so that it changes only when the objects do.
 */
function bootstrapKustomization(environments: readonly EnvironmentOutput[], generator: string): string {
  const rank = (kind: string): number => (BOOTSTRAP_ORDER.includes(kind) ? BOOTSTRAP_ORDER.indexOf(kind) : BOOTSTRAP_ORDER.length);
  const files = environments.flatMap((env) => env.bootstrap.map((b) => ({ kind: b.kind, rel: `${env.environment}/${b.rel}` })));
  const resources = files.sort((a, b) => rank(a.kind) - rank(b.kind) || byCodePoint(a.rel, b.rel)).map((f) => f.rel);
  const header = `# Generated by ${generator}: the Argo CD objects of every environment (kubectl apply -k ${L.bootstrap}). Do not edit.\n`;
  return header + toYaml({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    sortOptions: { order: 'fifo' },
    resources,
  });
}

/** The tree of `entries`, built in a temporary index (the repository's own index is never touched). */
function writeTree(git: Git, entries: readonly TreeEntry[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-publish-'));
  try {
    const env = { GIT_INDEX_FILE: path.join(dir, 'index') };
    const input = entries.map((e) => `${e.mode} ${e.sha}\t${e.path}\0`).join('');
    git.run(['update-index', '-z', '--index-info'], { input, env });
    return git.run(['write-tree'], { env }).trim();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function commitTree(options: PublishOptions, tree: string, parent: string | undefined): string {
  const { git, source } = options;
  const who = options.identity ?? PUBLISHER;
  const metadata = sourceMetadata(options.repoURL, source);
  const args = ['commit-tree', '--no-gpg-sign', tree, ...(parent === undefined ? [] : ['-p', parent]), '-F', '-'];
  return git.run(args, {
    input: commitMessage(metadata, options.generator),
    env: {
      GIT_AUTHOR_NAME: who.name,
      GIT_AUTHOR_EMAIL: who.email,
      GIT_AUTHOR_DATE: source.authorDate,
      GIT_COMMITTER_NAME: who.name,
      GIT_COMMITTER_EMAIL: who.email,
      GIT_COMMITTER_DATE: source.committerDate,
    },
  }).trim();
}

/** Moves the local branch from `previous` (undefined: it must not exist) to `commit`; false when it moved meanwhile. */
function moveLocal(git: Git, branch: string, commit: string, previous: string | undefined): boolean {
  const old = previous ?? '0'.repeat(commit.length);
  const r = git.attempt(['update-ref', '-m', `publish: ${commit.slice(0, 7)}`, `refs/heads/${branch}`, commit, old]);
  if (r.status === 0) return true;
  const now = resolveCommit(git, `refs/heads/${branch}`);
  // Moved by someone else, or locked by another publish that is moving it right now: try again.
  if (now !== previous || /lock/i.test(r.stderr)) return false;
  throw new GitError(`git update-ref: ${r.stderr.trim()}`, r.status, r.stderr);
}

/**
 * Pushes `commit` to the remote's branch, never forced: a remote that moved since it was read
 * refuses it (not a fast-forward), and the publish starts again from the remote's new tip.
 */
function pushRemote(options: PublishOptions, commit: string): boolean {
  const { git, remote, branch } = options;
  const r = git.attempt(['push', '--porcelain', '--no-verify', remote!, `${commit}:refs/heads/${branch}`], { env: { LC_ALL: 'C' } });
  if (r.status === 0) return true;
  const out = r.stdout.toString('utf8');
  // `[rejected]`: not a fast-forward any more (the remote moved); a ref lock: another push is moving it.
  if (out.split('\n').some((l) => l.startsWith('!') && /\[rejected\]|\[remote rejected\].*lock/.test(l))) return false;
  const reason = [...out.split('\n'), ...r.stderr.split('\n')].map((l) => l.trim()).find((l) => /^(!|fatal:|error:)/.test(l)) ?? `exit code ${r.status}`;
  throw new PublishError(`cannot publish: git push to ${remote} failed (${reason}); the commit ${commit.slice(0, 7)} is written but `
    + `${remote}/${branch} is unchanged: fix the access to ${remote}, then publish again`);
}

/**
 * After a push, the local branch follows the pushed commit when it is missing or an ancestor of
 * it; a local branch with commits of its own is left as it was (returns false).
 */
function followLocal(git: Git, branch: string, commit: string): boolean {
  const local = resolveCommit(git, `refs/heads/${branch}`);
  if (local === commit) return true;
  if (local !== undefined && git.attempt(['merge-base', '--is-ancestor', local, commit]).status !== 0) return false;
  return git.attempt(['update-ref', `refs/heads/${branch}`, commit, local ?? '0'.repeat(commit.length)]).status === 0;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
