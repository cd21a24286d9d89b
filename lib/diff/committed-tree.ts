/**
 * The rendered tree a commit holds, as sides of a diff: either a dist branch (the publisher's
 * layout: `environments/<env>/` and `bootstrap/<env>/`, DIST_BRANCH_LAYOUT) or a source commit's
 * synthesized folder (`dist/<env>/`, committed with the overlays). Read from git's object store.
 */
import { bootstrapPath, DIST_BRANCH_LAYOUT, environmentPath } from '../manifest/layout';
import { OUTPUT_FOLDERS, OutputKind } from '../manifest/output-kind';
import { hasPath, readFolder, Repository, resolveCommit, subfolders } from './git-tree';
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
export function committedTree(repo: Repository, ref: string, commit: string, distFolder: string): CommittedTree {
  const branch = hasPath(repo, commit, DIST_BRANCH_LAYOUT.environments) && hasPath(repo, commit, DIST_BRANCH_LAYOUT.metadata);
  if (branch) {
    return {
      ref,
      layout: 'dist-branch',
      environments: subfolders(repo, commit, DIST_BRANCH_LAYOUT.environments),
      against: (env) => `${ref}:${environmentPath(env)}/`,
      side: (env) => {
        const files = readFolder(repo, commit, environmentPath(env));
        // The Argo CD objects of dist/<env>/argocd/ are published to bootstrap/<env>/.
        for (const [rel, text] of readFolder(repo, commit, bootstrapPath(env))) {
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
    environments: subfolders(repo, commit, distFolder),
    against: (env) => `${ref}:${distFolder}/${env}/`,
    side: (env) => ({
      files: readFolder(repo, commit, `${distFolder}/${env}`),
      kinds: FOLDER_KINDS,
      where: (rel) => `${ref}:${distFolder}/${env}/${rel}`,
    }),
  };
}

/**
 * What to compare with when no ref is given: the dist branch (`branch`, local or as fetched from
 * origin, as in a CI checkout), else HEAD.
 */
export function defaultRef(repo: Repository, branch: string): string {
  for (const ref of [`refs/heads/${branch}`, `refs/remotes/origin/${branch}`]) {
    if (resolveCommit(repo, ref) !== undefined) return ref.replace(/^refs\/(heads|remotes)\//, '');
  }
  return 'HEAD';
}
