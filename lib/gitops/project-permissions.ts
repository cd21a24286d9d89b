import { ClusterConfig } from '../config/overlay-schema';
import { apiGroupOf, isClusterScoped, KubeObject } from '../manifest/kube-object';
import { byCodePoint } from '../util/order';

/** An API group and kind, as Argo CD's resource allow-lists name them (`""` is the core group). */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** A cluster and namespace an Application of the project may deploy to. */
export interface ProjectDestination {
  readonly server: string;
  readonly namespace: string;
}

/** What an environment's AppProject allows: exactly what the environment's objects are and where they go. */
export interface ProjectPermissions {
  /** The kinds of its cluster-scoped objects, sorted by group, then kind. */
  readonly clusterResources: readonly GroupKind[];
  /** The kinds of its namespaced objects, sorted by group, then kind. */
  readonly namespacedResources: readonly GroupKind[];
  /** Every cluster × every namespace its namespaced objects are in, sorted by server, then namespace. */
  readonly destinations: readonly ProjectDestination[];
}

/**
 * The permissions of the objects given, on the clusters given: nothing is allowed that the
 * environment does not emit, so a commit to the dist branch cannot create a kind (a
 * ClusterRoleBinding, a webhook) or reach a namespace that the synthesized platform does not have.
 */
export function projectPermissions(objects: readonly KubeObject[], clusters: readonly ClusterConfig[]): ProjectPermissions {
  const cluster = new Map<string, GroupKind>();
  const namespaced = new Map<string, GroupKind>();
  const namespaces = new Set<string>();
  for (const o of objects) {
    const groupKind = { group: apiGroupOf(o.apiVersion), kind: o.kind };
    const key = `${groupKind.group}/${groupKind.kind}`;
    if (isClusterScoped(o)) {
      cluster.set(key, groupKind);
    } else {
      namespaced.set(key, groupKind);
      if (o.metadata.namespace !== undefined) namespaces.add(o.metadata.namespace);
    }
  }
  const byGroupKind = (a: GroupKind, b: GroupKind): number => byCodePoint(a.group, b.group) || byCodePoint(a.kind, b.kind);
  const servers = [...new Set(clusters.map((c) => c.server))].sort(byCodePoint);
  return {
    clusterResources: [...cluster.values()].sort(byGroupKind),
    namespacedResources: [...namespaced.values()].sort(byGroupKind),
    destinations: servers.flatMap((server) => [...namespaces].sort(byCodePoint).map((namespace) => ({ server, namespace }))),
  };
}
