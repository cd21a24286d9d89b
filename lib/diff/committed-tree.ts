/**
 * The rendered tree a commit holds, as sides of a diff: either a dist branch (the publisher's
 * layout: `environments/<env>/` and `bootstrap/<env>/`, DIST_BRANCH_LAYOUT) or a source commit's
 * synthesized folder (`dist/<env>/`, committed with the overlays). Read from git's object store.
 */
import { bootstrapPath, DIST_BRANCH_LAYOUT, environmentPath } from '../manifest/layout';
import { OUTPUT_FOLDERS, OutputKind } from '../manifest/output-kind';
import { Git, listTree, readBlobs, resolveCommit } from '../util/git';
import { EnvironmentSide } from './tree-diff';

export interface CommittedTree {
  /** The ref as given (`dist`, `origin/dist`, `HEAD~1`): how the output names it. */
  readonly ref: string;
  /** Which layout the commit has. */
  readonly layout: 'dist-branch' | 'dist-folder';
  /** The environments it holds, sorted. */
  readonly environments: readonly string[];
  /** One environment's files (none when the commit does not have it). */
  side(environment: string): EnvironmentSide;
  /** Where an environment is, for the output: `dist:environments/dev/`, `HEAD:dist/dev/`. */
  against(environment: string): string;
}

/** Every kind a synthesized folder holds; the dist branch holds its objects and kustomization only. */
const FOLDER_KINDS: readonly OutputKind[] = ['object', 'gitops', 'kustomization', 'api-server', 'report'];
const BRANCH_KINDS: readonly OutputKind[] = ['object', 'gitops', 'kustomization'];

/**
 * The tree of `commit` (named `ref`): the dist branch layout when it has one (an `environments/`
 * folder beside a `hydrator.metadata`), else `distFolder` (a path from the top of the work tree).
 */
export function committedTree(git: Git, ref: string, commit: string, distFolder: string): CommittedTree {
  const branch = hasPath(git, commit, DIST_BRANCH_LAYOUT.environments) && hasPath(git, commit, DIST_BRANCH_LAYOUT.metadata);
  if (branch) {
    return {
      ref,
      layout: 'dist-branch',
      environments: subfolders(git, commit, DIST_BRANCH_LAYOUT.environments),
      against: (env) => `${ref}:${environmentPath(env)}/`,
      side: (env) => {
        const files = readFolder(git, commit, environmentPath(env));
        // The Argo CD objects of dist/<env>/argocd/ are published to bootstrap/<env>/.
        for (const [rel, text] of readFolder(git, commit, bootstrapPath(env))) {
          if (!rel.includes('/')) files.set(`${OUTPUT_FOLDERS.gitops}/${rel}`, text);
        }
        const gitops = `${OUTPUT_FOLDERS.gitops}/`;
        return {
          files,
          kinds: BRANCH_KINDS,
          where: (rel) => rel.startsWith(gitops)
            ? `${ref}:${bootstrapPath(env)}/${rel.slice(gitops.length)}`
            : `${ref}:${environmentPath(env)}/${rel}`,
        };
      },
    };
  }
  return {
    ref,
    layout: 'dist-folder',
    environments: subfolders(git, commit, distFolder),
    against: (env) => `${ref}:${distFolder}/${env}/`,
    side: (env) => ({
      files: readFolder(git, commit, `${distFolder}/${env}`),
      kinds: FOLDER_KINDS,
      where: (rel) => `${ref}:${distFolder}/${env}/${rel}`,
    }),
  };
}

/**
 * What to compare with when no ref is given: the dist branch (`branch`, local or as fetched from
 * origin, as in a CI checkout), else HEAD.
 */
export function defaultRef(git: Git, branch: string): string {
  for (const ref of [`refs/heads/${branch}`, `refs/remotes/origin/${branch}`]) {
    if (resolveCommit(git, ref) !== undefined) return ref.replace(/^refs\/(heads|remotes)\//, '');
  }
  return 'HEAD';
}

/**
 * The files of `commit` under `folder` (a path from the top of the tree, `/`-separated, no
 * trailing slash), by path relative to it, as text. A folder the commit does not have is empty.
 */
function readFolder(git: Git, commit: string, folder: string): Map<string, string> {
  const blobs = listTree(git, commit, { folder }).filter((e) => e.type === 'blob');
  const texts = readBlobs(git, blobs);
  return new Map(blobs.map((b, i) => [b.path.slice(folder.length + 1), texts[i]]));
}

/** Whether `commit` has `path` (a file or a folder) at the top of its tree. */
function hasPath(git: Git, commit: string, path: string): boolean {
  return git.runBytes(['ls-tree', '-z', '--full-tree', '--name-only', commit, '--', path]).length > 0;
}

/** The folders directly inside `folder` of `commit` (a path from the top of the tree), sorted. */
function subfolders(git: Git, commit: string, folder: string): string[] {
  return listTree(git, commit, { folder, recursive: false }).filter((e) => e.type === 'tree')
    .map((e) => e.path.slice(folder.length + 1)).sort();
}
