import { apiGroupOf, KubeObject } from '../manifest/kube-object';
import { byCodePoint } from '../util/order';

/** Fields of one object that another controller owns once it runs, for Argo CD's `ignoreDifferences`. */
export interface OwnedFields {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** JSON pointers into the object. */
  readonly jsonPointers: readonly string[];
}

/** What a HorizontalPodAutoscaler reads of its target. */
interface ScaleTargetRef {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly name?: string;
}

/**
 * The fields of the environment's objects that controllers change in the cluster, which a sync
 * must neither report as drift nor put back: the replica count of every workload an autoscaler
 * scales (the workload leaves it out, but a hand-written one might set it, and selfHeal would then
 * fight the autoscaler). Sorted by namespace, kind and name.
 */
export function controllerOwnedFields(objects: readonly KubeObject[]): OwnedFields[] {
  const emitted = new Set(objects.map((o) => `${apiGroupOf(o.apiVersion)}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`));
  const owned = new Map<string, OwnedFields>();
  for (const o of objects) {
    if (apiGroupOf(o.apiVersion) !== 'autoscaling' || o.kind !== 'HorizontalPodAutoscaler') continue;
    const target = (o.spec as { scaleTargetRef?: ScaleTargetRef } | undefined)?.scaleTargetRef;
    if (target?.apiVersion === undefined || target.kind === undefined || target.name === undefined) continue;
    const group = apiGroupOf(target.apiVersion);
    const namespace = o.metadata.namespace ?? '';
    const key = `${group}/${target.kind}/${namespace}/${target.name}`;
    if (!emitted.has(key) || owned.has(key)) continue;
    owned.set(key, {
      group,
      kind: target.kind,
      namespace,
      name: target.name,
      jsonPointers: ['/spec/replicas'],
    });
  }
  return [...owned.values()].sort((a, b) => byCodePoint(a.namespace, b.namespace) || byCodePoint(a.kind, b.kind) || byCodePoint(a.name, b.name));
}
