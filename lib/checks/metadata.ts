import { isClusterScoped, KubeObject, objectRef } from '../manifest/kube-object';
import { at, Check, groupBy, indexOnce } from './check';

export const REQUIRED_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/component',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/managed-by',
  'app.kubernetes.io/version',
] as const;

export const requiredLabels: Check = {
  id: 'required-labels',
  title: 'Recommended labels',
  description: 'Every object carries the app.kubernetes.io/* labels (name, instance, component, part-of, managed-by, version).',
  severity: 'error',
  profile: 'bulwark',
  controls: [],
  remediation: 'Let the construct label the object (ObjectMeta of the platform), or add the missing labels.',
  inspect(object) {
    const labels = object.metadata.labels ?? {};
    return REQUIRED_LABELS.filter((l) => !labels[l]).map((l) => at('metadata.labels', `missing label ${l}`));
  },
};

export const clusterScopedNamespace: Check = {
  id: 'cluster-scoped-namespace',
  title: 'No namespace on cluster-scoped kinds',
  description: 'Cluster-scoped objects (Namespace, ClusterRole, StorageClass, …) carry no metadata.namespace, which the API server ignores.',
  severity: 'error',
  profile: 'generic',
  controls: [],
  remediation: 'Remove metadata.namespace from the cluster-scoped object.',
  inspect(object) {
    return isClusterScoped(object) && object.metadata.namespace !== undefined
      ? [at('metadata.namespace', `cluster-scoped ${object.kind} must not set metadata.namespace`)] : [];
  },
};

export const explicitNamespace: Check = {
  id: 'explicit-namespace',
  title: 'Namespaces are explicit',
  description: 'Namespaced objects name their namespace, so where they land does not depend on the kubeconfig\'s context.',
  severity: 'error',
  profile: 'bulwark',
  controls: ['nsa/namespaces'],
  remediation: 'Set metadata.namespace.',
  inspect(object) {
    return !isClusterScoped(object) && object.metadata.namespace === undefined
      ? [at('metadata.namespace', 'namespaced object without metadata.namespace')] : [];
  },
};

/** Each object → the objects sharing its identity (itself included), built once per set. */
const twinsOf = new WeakMap<readonly KubeObject[], Map<KubeObject, KubeObject[]>>();

function identity(o: KubeObject): string {
  const slash = o.apiVersion.indexOf('/');
  return `${slash === -1 ? '' : o.apiVersion.slice(0, slash)}|${objectRef(o)}`;
}

function twinIndex(all: readonly KubeObject[]): Map<KubeObject, KubeObject[]> {
  const index = new Map<KubeObject, KubeObject[]>();
  for (const group of groupBy(all, identity).values()) for (const o of group) index.set(o, group);
  return index;
}

export const uniqueObjects: Check = {
  id: 'unique-objects',
  title: 'Unique objects',
  description: 'No two objects share API group, kind, namespace and name (the second silently replaces the first).',
  severity: 'error',
  profile: 'generic',
  controls: [],
  remediation: 'Rename one of the objects, or remove the duplicate.',
  inspect(object, all) {
    const twins = indexOnce(twinsOf, all, twinIndex).get(object) ?? [];
    // Once, on the last: the one that replaces the others when applied.
    return twins.length > 1 && twins[twins.length - 1] === object ? [at('metadata.name', `defined ${twins.length} times`)] : [];
  },
};
