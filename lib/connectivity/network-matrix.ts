import { isEmptySelector, LabelSelector, namespaceNamed, selects } from '../manifest/label-selector';
import { Addresses, partition } from './addresses';
import { NetworkPolicyLayer, NetworkRule } from './network-policy';
import { addressPeer, ENTIRE_CLUSTER, namespaceNameOf, Peer, podsKey } from './peers';
import { Connections } from './ports';

/** The selector of every pod: one object, so that what is computed about it is computed once. */
const ANY: LabelSelector = {};

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
  const represented = (p: Peer): boolean => p.kind === 'pods' && !isEmptySelector(p.pods) && !isEmptySelector(p.namespaces)
    && (p.pods.matchExpressions ?? []).length === 0 && (p.namespaces.matchExpressions ?? []).length === 0
    && layer.workloadsMatching(p.pods).some((w) => selects(p.pods, w.labels) && selects(p.namespaces, w.namespaceLabels));
  // The given pods first: a need's peer object is the matrix's, so that its flows are the matrix's.
  for (const p of pods) if (!represented(p)) add(p);
  const blocks = [...addresses];
  for (const policy of layer.policies) {
    for (const rule of [...(policy.ingress ?? []), ...(policy.egress ?? [])]) {
      for (const entry of rule.peers ?? []) {
        if (entry.kind === 'addresses') blocks.push(entry.addresses);
        else {
          const p: Peer = { kind: 'pods', namespaces: entry.namespaces ?? namespaceNamed(policy.namespace), pods: entry.pods ?? ANY };
          // Most entries name a workload of the input: no row of their own, and no key to compute.
          if (!represented(p)) add(p);
        }
      }
    }
  }
  return { pods: [...selections.values()], addresses: partition(blocks).map(addressPeer) };
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
  layer.withPeers(others);
  const workloadPeers = [...layer.workloadPeers.values()];
  const governed = [...workloadPeers, ...peers.pods.filter(isGoverned)];
  const all = [...workloadPeers, ...others];
  const edges: NetworkEdge[] = [];
  const consider = (from: Peer, to: Peer): void => {
    if (from === to) return;
    const egress = layer.verdict('egress', from, to);
    if (egress.connections.isEmpty()) return;
    const ingress = layer.verdict('ingress', from, to);
    const connections = egress.connections.intersect(ingress.connections);
    if (!connections.isEmpty()) edges.push({ from, to, connections, egress: egress.rules, ingress: ingress.rules });
  };
  for (const from of governed) {
    const reach = layer.reach(from, 'egress');
    for (const to of reach === 'all' ? all : reach) consider(from, to);
  }
  // Pods and addresses outside, whose egress nothing of the input governs: into what admits them (each pair once).
  const ungoverned = new Set(others.filter((p) => !isGoverned(p)));
  for (const to of governed) {
    const reach = layer.reach(to, 'ingress');
    for (const from of reach === 'all' ? ungoverned : reach) if (ungoverned.has(from)) consider(from, to);
  }
  return edges;
}
