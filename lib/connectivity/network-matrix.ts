import { Addresses, partition } from './addresses';
import { isEmptySelector, namespaceNamed, selects } from './labels';
import { NetworkPolicyLayer, NetworkRule } from './network-policy';
import { addressPeer, ENTIRE_CLUSTER, namespaceNameOf, Peer, podsKey } from './peers';
import { Connections } from './ports';

/** A pair the network layer lets through, with the rules of each direction that do. */
export interface NetworkEdge {
  readonly from: Peer;
  readonly to: Peer;
  readonly connections: Connections;
  readonly egress: readonly NetworkRule[];
  readonly ingress: readonly NetworkRule[];
}

/** The ends of the network matrix beside the workloads: pods the input does not hold, and addresses. */
export interface MatrixPeers {
  /** One peer per distinct selection. */
  readonly pods: readonly Peer[];
  /** Parts of all addresses, each treated alike by every rule. */
  readonly addresses: readonly Peer[];
}

/**
 * The pods and addresses outside the input that the matrix has a row for: one per selection a
 * policy rule names (as netpol-analyzer's representative peers) and per `pods` given (a need's
 * ends), and the parts of all addresses that the rules' ipBlocks and `addresses` cut. A selection
 * that a workload of the input satisfies names that workload, and has no row of its own.
 */
export function networkPeers(layer: NetworkPolicyLayer, pods: readonly Peer[] = [], addresses: readonly Addresses[] = []): MatrixPeers {
  const selections = new Map<string, Peer>();
  const add = (p: Peer): void => {
    if (p.kind !== 'pods' || (isEmptySelector(p.namespaces) && isEmptySelector(p.pods))) return;
    const key = podsKey(p.namespaces, p.pods);
    if (!selections.has(key)) selections.set(key, p);
  };
  const blocks = [...addresses];
  for (const policy of layer.policies) {
    for (const rule of [...(policy.ingress ?? []), ...(policy.egress ?? [])]) {
      for (const entry of rule.peers ?? []) {
        if (entry.kind === 'addresses') blocks.push(entry.addresses);
        else add({ kind: 'pods', namespaces: entry.namespaces ?? namespaceNamed(policy.namespace), pods: entry.pods ?? {} });
      }
    }
  }
  for (const p of pods) add(p);
  const represented = (p: Peer): boolean => p.kind === 'pods' && !isEmptySelector(p.pods) && !isEmptySelector(p.namespaces)
    && (p.pods.matchExpressions ?? []).length === 0 && (p.namespaces.matchExpressions ?? []).length === 0
    && layer.workloadsMatching(p.pods).some((w) => selects(p.pods, w.labels) && selects(p.namespaces, w.namespaceLabels));
  return { pods: [...selections.values()].filter((p) => !represented(p)), addresses: partition(blocks).map(addressPeer) };
}

/**
 * Every pair of the matrix the network layer lets through: from each workload (and any other pod
 * of each of `governedNamespaces`) to what its egress rules could reach, and from pods and
 * addresses outside to what admits them. Candidates come from indexes, so that a thousand
 * workloads do not make a million pairs.
 */
export function networkEdges(layer: NetworkPolicyLayer, peers: MatrixPeers, governedNamespaces: ReadonlySet<string> = new Set()): NetworkEdge[] {
  const isGoverned = (p: Peer): boolean => p.kind === 'pods' && isEmptySelector(p.pods)
    && governedNamespaces.has(namespaceNameOf(p.namespaces) ?? '');
  const others: Peer[] = [...peers.pods, ENTIRE_CLUSTER, ...peers.addresses];
  const workloads = [...layer.workloadPeers.keys()];
  const workloadPeers = workloads.map((w) => layer.workloadPeers.get(w)!);
  const governed = [...workloadPeers, ...peers.pods.filter(isGoverned)];
  const all = [...workloadPeers, ...others];
  const edges: NetworkEdge[] = [];
  const seen = new Map<Peer, Set<Peer>>();
  const consider = (from: Peer, to: Peer): void => {
    if (from === to) return;
    let done = seen.get(from);
    if (!done) seen.set(from, (done = new Set()));
    if (done.has(to)) return;
    done.add(to);
    const flow = layer.flow(from, to);
    if (flow.connections.isEmpty()) return;
    edges.push({ from, to, connections: flow.connections, egress: flow.egress.rules, ingress: flow.ingress.rules });
  };
  for (const from of governed) {
    const candidates = layer.egressCandidates(from, workloads, others);
    for (const to of candidates === 'all' ? all : candidates) consider(from, to);
  }
  const ungoverned = others.filter((p) => !isGoverned(p));
  const admitted = layer.ingressCandidates(ungoverned);
  for (const from of ungoverned) {
    for (const w of admitted.get(from)!) consider(from, layer.workloadPeers.get(w)!);
    for (const to of governed) if (to.kind !== 'workload') consider(from, to);
  }
  return edges;
}
