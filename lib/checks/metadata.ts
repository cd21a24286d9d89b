import { isClusterScoped, KubeObject, objectRef } from '../manifest/kube-object';
import { Check, groupBy, indexOnce } from './check';

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
  description: 'Every object carries the app.kubernetes.io/* labels (name, instance, component, part-of, managed-by, version).',
  severity: 'error',
  inspect(object) {
    const labels = object.metadata.labels ?? {};
    return REQUIRED_LABELS.filter((l) => !labels[l]).map((l) => `missing label ${l}`);
  },
};

export const namespaceScope: Check = {
  id: 'namespace-scope',
  description: 'Cluster-scoped objects carry no namespace; namespaced objects name theirs explicitly.',
  severity: 'error',
  inspect(object) {
    const clusterScoped = isClusterScoped(object);
    if (clusterScoped && object.metadata.namespace !== undefined) return [`cluster-scoped ${object.kind} must not set metadata.namespace`];
    if (!clusterScoped && object.metadata.namespace === undefined) return ['namespaced object without metadata.namespace'];
    return [];
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
  description: 'No two objects share API group, kind, namespace and name.',
  severity: 'error',
  inspect(object, all) {
    const twins = indexOnce(twinsOf, all, twinIndex).get(object) ?? [];
    return twins.length > 1 && twins[0] === object ? [`defined ${twins.length} times`] : [];
  },
};

export const noSecretData: Check = {
  id: 'no-plaintext-secrets',
  description: 'No Secret with data lands in dist/: secrets come from the secret store at run time.',
  severity: 'error',
  kinds: new Set(['Secret']),
  inspect(object) {
    if (object.kind !== 'Secret') return [];
    const hasData = ['data', 'stringData'].some((f) => Object.keys((object[f] as object | undefined) ?? {}).length > 0);
    return hasData ? ['Secret carries data; deliver it through the secret store instead'] : [];
  },
};
