/**
 * What an emitted file is. Every file a synth or a package writes under `<out>/<env>/` has one
 * kind, and its place in the tree is decided by that kind alone (this table), so that each
 * consumer takes what is its own by kind without knowing folder names: Helm and the GitOps
 * publisher take cluster objects, the e2e control plane takes API-server files, and a synth keeps
 * the packages of an environment it did not change.
 */
export type OutputKind =
  /** A Kubernetes object applied to the cluster: `<component>/<kind>-<name>.yaml`. */
  | 'object'
  /** Configuration the API server starts with (audit policy, encryption): `control-plane/<file>`. */
  | 'api-server'
  /** A document people read (compliance, connectivity): `report/<file>`. */
  | 'report'
  /** A packaging artifact built from the environment (the umbrella chart): `<file>.tgz`. */
  | 'package'
  /**
   * The environment's `kustomization.yaml`: its cluster objects in apply order, so that
   * `kubectl apply -k` and `kubectl kustomize` take the environment's folder as it is.
   */
  | 'kustomization'
  /**
   * Objects for the GitOps controller's namespace (Argo CD's AppProject and ApplicationSet):
   * `argocd/<kind>-<name>.yaml`. Cluster objects, but not the environment's own: never packaged
   * nor listed in its kustomization; the publisher puts them in the dist branch's bootstrap path.
   */
  | 'gitops';

/** The folder of each kind that has one (objects go to their component's folder). */
export const OUTPUT_FOLDERS: Readonly<Record<'api-server' | 'report' | 'gitops', string>> = {
  'api-server': 'control-plane',
  report: 'report',
  gitops: 'argocd',
};

/** The file name of the `kustomization` kind, at the root of the environment's folder. */
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

/** Folder names a component may not take: they hold other kinds. */
export const RESERVED_FOLDERS: ReadonlySet<string> = new Set(Object.values(OUTPUT_FOLDERS));

/**
 * The kind of the file at `rel`, a path relative to its environment's folder (`/`-separated,
 * as written by the emitter). A file that is none of these (something a user put there) is
 * `undefined`.
 */
export function outputKindOf(rel: string): OutputKind | undefined {
  const slash = rel.indexOf('/');
  if (slash === -1) {
    if (rel === KUSTOMIZATION_FILE) return 'kustomization';
    return rel.endsWith('.tgz') ? 'package' : undefined;
  }
  const folder = rel.slice(0, slash);
  if (folder === OUTPUT_FOLDERS['api-server']) return 'api-server';
  if (folder === OUTPUT_FOLDERS.report) return 'report';
  if (folder === OUTPUT_FOLDERS.gitops) return rel.indexOf('/', slash + 1) === -1 && rel.endsWith('.yaml') ? 'gitops' : undefined;
  return rel.indexOf('/', slash + 1) === -1 && rel.endsWith('.yaml') ? 'object' : undefined;
}
