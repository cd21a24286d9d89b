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
  /** jq paths into the object, for fields inside lists (every route's weight). @default none */
  readonly jqPathExpressions?: readonly string[];
}

/** What a HorizontalPodAutoscaler reads of its target. */
interface ScaleTargetRef {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly name?: string;
}

/** What Argo Rollouts reads of a Rollout's strategy: the objects its controller changes. */
interface RolloutStrategy {
  readonly canary?: {
    readonly stableService?: string;
    readonly canaryService?: string;
    readonly trafficRouting?: {
      readonly istio?: {
        readonly virtualService?: { readonly name?: string };
        readonly virtualServices?: readonly { readonly name?: string }[];
        readonly destinationRule?: { readonly name?: string };
      };
    };
  };
  readonly blueGreen?: { readonly activeService?: string; readonly previewService?: string };
}

/**
 * The fields of the Argo Rollouts controller, as its Istio traffic-management page lists them: it
 * sets each HTTP route's weights of the VirtualServices a canary names
 * (`.spec.http[].route[].weight`, the page's ignoreDifferences for Argo CD), adds each
 * ReplicaSet's `rollouts-pod-template-hash` to the DestinationRule's subset labels
 * (`.spec.subsets[].labels`), and points the selectors of the Services a strategy names
 * (blue-green's active and preview, a canary's stable and canary) at its ReplicaSets.
 */
function rolloutOwned(rollout: KubeObject): Omit<OwnedFields, 'namespace'>[] {
  const strategy = ((rollout.spec ?? {}) as { strategy?: RolloutStrategy }).strategy ?? {};
  const istio = strategy.canary?.trafficRouting?.istio;
  const virtualServices = [istio?.virtualService?.name, ...(istio?.virtualServices ?? []).map((v) => v.name)];
  const { canary, blueGreen } = strategy;
  const services = [canary?.stableService, canary?.canaryService, blueGreen?.activeService, blueGreen?.previewService];
  const named = (names: readonly (string | undefined)[]): string[] => names.filter((n): n is string => n !== undefined);
  return [
    ...named(virtualServices).map((name) => ({
      group: 'networking.istio.io', kind: 'VirtualService', name, jsonPointers: [], jqPathExpressions: ['.spec.http[].route[].weight'],
    })),
    ...named([istio?.destinationRule?.name]).map((name) => ({
      group: 'networking.istio.io', kind: 'DestinationRule', name, jsonPointers: [], jqPathExpressions: ['.spec.subsets[].labels'],
    })),
    ...named(services).map((name) => ({ group: '', kind: 'Service', name, jsonPointers: ['/spec/selector'] })),
  ];
}

/** What an autoscaler owns: the replica count of its target. */
function autoscalerOwned(hpa: KubeObject): Omit<OwnedFields, 'namespace'>[] {
  const target = (hpa.spec as { scaleTargetRef?: ScaleTargetRef } | undefined)?.scaleTargetRef;
  if (target?.apiVersion === undefined || target.kind === undefined || target.name === undefined) return [];
  return [{ group: apiGroupOf(target.apiVersion), kind: target.kind, name: target.name, jsonPointers: ['/spec/replicas'] }];
}

/**
 * The fields of the environment's objects that controllers change in the cluster, which a sync
 * must neither report as drift nor put back: the replica count of every workload an autoscaler
 * scales (the workload leaves it out, but a hand-written one might set it, and selfHeal would then
 * fight the autoscaler), and what Argo Rollouts sets while it rolls a component out (route weights,
 * subset labels, Service selectors). Only for objects the environment emits; sorted by namespace,
 * kind and name.
 */
export function controllerOwnedFields(objects: readonly KubeObject[]): OwnedFields[] {
  const emitted = new Set(objects.map((o) => `${apiGroupOf(o.apiVersion)}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`));
  const owned = new Map<string, OwnedFields>();
  for (const o of objects) {
    const group = apiGroupOf(o.apiVersion);
    const fields = group === 'autoscaling' && o.kind === 'HorizontalPodAutoscaler' ? autoscalerOwned(o)
      : group === 'argoproj.io' && o.kind === 'Rollout' ? rolloutOwned(o) : [];
    const namespace = o.metadata.namespace ?? '';
    for (const f of fields) {
      const key = `${f.group}/${f.kind}/${namespace}/${f.name}`;
      if (!emitted.has(key)) continue;
      const before = owned.get(key);
      const union = (a: readonly string[] = [], b: readonly string[] = []): string[] => [...new Set([...a, ...b])];
      const jq = union(before?.jqPathExpressions, f.jqPathExpressions);
      owned.set(key, {
        group: f.group,
        kind: f.kind,
        namespace,
        name: f.name,
        jsonPointers: union(before?.jsonPointers, f.jsonPointers),
        ...(jq.length > 0 ? { jqPathExpressions: jq } : {}),
      });
    }
  }
  return [...owned.values()].sort((a, b) => byCodePoint(a.namespace, b.namespace) || byCodePoint(a.kind, b.kind) || byCodePoint(a.name, b.name));
}
