import { covers, isEmptySelector, LabelSelector, NAMESPACE_NAME_LABEL, selectorKey, selectorText } from '../manifest/label-selector';
import { Addresses } from './addresses';
import { Workload } from './inventory';

/**
 * One end of a flow at the network layer: a workload of the input, pods the input does not hold
 * (selected by namespace and pod labels: the cluster DNS, istiod, a gateway, any pod of a tenant
 * namespace), or addresses outside the cluster.
 */
export type Peer =
  | { readonly kind: 'workload'; readonly workload: Workload }
  | { readonly kind: 'pods'; readonly namespaces: LabelSelector; readonly pods: LabelSelector }
  | { readonly kind: 'addresses'; readonly addresses: Addresses };

export const workloadPeer = (workload: Workload): Peer => ({ kind: 'workload', workload });
export const podsPeer = (namespaces: LabelSelector, pods: LabelSelector): Peer => ({ kind: 'pods', namespaces, pods });
export const addressPeer = (addresses: Addresses): Peer => ({ kind: 'addresses', addresses });

/** Every pod of every namespace. */
export const ENTIRE_CLUSTER = podsPeer({}, {});

const names = new WeakMap<LabelSelector, string | null>();

/** The one namespace a selector names by its name label alone, if it does (remembered per selector). */
export function namespaceNameOf(selector: LabelSelector): string | undefined {
  let name = names.get(selector);
  if (name === undefined) {
    const keys = Object.keys(selector.matchLabels ?? {});
    name = keys.length === 1 && keys[0] === NAMESPACE_NAME_LABEL && (selector.matchExpressions ?? []).length === 0
      ? selector.matchLabels![NAMESPACE_NAME_LABEL]
      : null;
    names.set(selector, name);
  }
  return name ?? undefined;
}

/**
 * How the matrix names a peer, the way np-guard's netpol-analyzer does: `ns/name[Kind]`,
 * `ns/[pod with {k=v}]`, `[namespace with {k=v}]/[all pods]`, `entire-cluster`, `10.0.0.0-10.0.0.255`.
 */
export function peerRef(p: Peer): string {
  switch (p.kind) {
    case 'workload': return p.workload.ref;
    case 'addresses': return p.addresses.toString();
    case 'pods': {
      if (isEmptySelector(p.namespaces) && isEmptySelector(p.pods)) return 'entire-cluster';
      const name = namespaceNameOf(p.namespaces);
      const ns = name ?? (isEmptySelector(p.namespaces) ? '[all namespaces]' : `[namespace with {${selectorText(p.namespaces)}}]`);
      return `${ns}/${isEmptySelector(p.pods) ? '[all pods]' : `[pod with {${selectorText(p.pods)}}]`}`;
    }
  }
}

/** One key per distinct set of pods (selectors compared by meaning, not spelling). */
export function podsKey(namespaces: LabelSelector, pods: LabelSelector): string {
  return `${selectorKey(namespaces)}/${selectorKey(pods)}`;
}

/** Pods chosen by namespace and pod selectors. */
export interface Selection {
  readonly namespaces: LabelSelector;
  readonly pods: LabelSelector;
}

/** Whether every pod `inner` stands for is also one of `outer`'s. */
export function podsCover(outer: Selection, inner: Selection): boolean {
  return covers(outer.namespaces, inner.namespaces) && covers(outer.pods, inner.pods);
}
