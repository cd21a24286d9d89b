import { KubeObject } from '../manifest/kube-object';
import { Addresses } from './addresses';
import { addTo, Inventory, namespaceLabelsOf, protocolOf, Workload } from './inventory';
import { covers, isEmptySelector, LabelSelector, namespaceNamed, selects } from './labels';
import { namespaceNameOf, Peer } from './peers';
import { Connections, Protocol } from './ports';

type RulePeer =
  | { readonly kind: 'pods'; readonly namespaces?: LabelSelector; readonly pods?: LabelSelector }
  | { readonly kind: 'addresses'; readonly addresses: Addresses };

interface RulePort {
  readonly protocol: Protocol;
  readonly port?: number | string;
  readonly endPort?: number;
}

/** One ingress or egress rule; no peers: every peer; no ports: every port. */
export interface NetworkRule {
  readonly policy: NetworkPolicyView;
  readonly direction: Direction;
  readonly index: number;
  readonly peers?: readonly RulePeer[];
  readonly ports?: readonly RulePort[];
}

export type Direction = 'ingress' | 'egress';

/** A NetworkPolicy as the layer reads it; a direction's rules are absent when its policyTypes leave it out. */
export interface NetworkPolicyView {
  readonly object: KubeObject;
  readonly namespace: string;
  readonly podSelector: LabelSelector;
  readonly ingress?: readonly NetworkRule[];
  readonly egress?: readonly NetworkRule[];
  /** Whether a rule names a port by name (resolved against the destination's pods). */
  readonly namedPorts: boolean;
}

/** What one direction of the network layer says about a flow: the rules allowing it, and the policies that could have. */
export interface DirectionVerdict {
  readonly connections: Connections;
  /** The policies selecting the pod in this direction; none: the direction is open (no policy isolates it). */
  readonly selecting: readonly NetworkPolicyView[];
  readonly rules: readonly NetworkRule[];
}

type Json = Record<string, unknown>;

/** What one policy's rules of a direction allow with one peer, and which rules. */
interface PolicyAnswer {
  connections: Connections;
  readonly rules: NetworkRule[];
}

function viewOf(object: KubeObject): NetworkPolicyView {
  const spec = (object.spec ?? {}) as Json;
  const namespace = object.metadata.namespace ?? 'default';
  const types = (spec.policyTypes as string[] | undefined) ?? ['Ingress', ...(spec.egress !== undefined ? ['Egress'] : [])];
  const view: { -readonly [K in keyof NetworkPolicyView]: NetworkPolicyView[K] } = {
    object,
    namespace,
    podSelector: (spec.podSelector ?? {}) as LabelSelector,
    namedPorts: false,
  };
  const rules = (direction: Direction): NetworkRule[] => ((spec[direction] ?? []) as Json[]).map((r, index) => {
    const peers = r[direction === 'ingress' ? 'from' : 'to'] as Json[] | undefined;
    const ports = r.ports as { protocol?: string; port?: number | string; endPort?: number }[] | undefined;
    return {
      policy: view,
      direction,
      index,
      peers: peers && peers.length > 0 ? peers.map(rulePeer) : undefined,
      ports: ports && ports.length > 0 ? ports.map((p) => ({ protocol: protocolOf(p.protocol), port: p.port, endPort: p.endPort })) : undefined,
    };
  });
  if (types.includes('Ingress')) view.ingress = rules('ingress');
  if (types.includes('Egress')) view.egress = rules('egress');
  view.namedPorts = [...(view.ingress ?? []), ...(view.egress ?? [])].some((r) => (r.ports ?? []).some((p) => typeof p.port === 'string'));
  return view;
}

function rulePeer(p: Json): RulePeer {
  const block = p.ipBlock as { cidr: string; except?: string[] } | undefined;
  if (block) {
    const base = Addresses.cidr(block.cidr) ?? Addresses.NONE;
    const except = (block.except ?? []).reduce((all, c) => all.union(Addresses.cidr(c) ?? Addresses.NONE), Addresses.NONE);
    return { kind: 'addresses', addresses: base.subtract(except) };
  }
  return { kind: 'pods', namespaces: p.namespaceSelector as LabelSelector | undefined, pods: p.podSelector as LabelSelector | undefined };
}

const indexKeys = new WeakMap<LabelSelector, string | undefined>();

/** A selector's first matchLabels pair, the key its policies and peers are indexed by. */
function indexKey(selector: LabelSelector | undefined): string | undefined {
  if (!selector) return undefined;
  if (indexKeys.has(selector)) return indexKeys.get(selector);
  const keys = Object.keys(selector.matchLabels ?? {}).sort();
  const key = keys.length > 0 ? `${keys[0]}=${selector.matchLabels![keys[0]]}` : undefined;
  indexKeys.set(selector, key);
  return key;
}

/** Lists under a key, built once. */
class Index<T> {
  private readonly byKey = new Map<string, T[]>();
  readonly unkeyed: T[] = [];
  add(key: string | undefined, item: T): void {
    if (key === undefined) this.unkeyed.push(item);
    else addTo(this.byKey, key, item);
  }
  get(key: string): readonly T[] {
    return this.byKey.get(key) ?? [];
  }
}

/**
 * The NetworkPolicy layer (Kubernetes semantics): a pod selected by no policy of a direction is
 * open in that direction; otherwise what the rules of its selecting policies allow, unioned. A
 * flow is allowed where the source's egress and the destination's ingress both allow it. Named
 * ports resolve against the destination pod's container ports (with the rule's protocol), ipBlocks
 * select addresses outside the cluster only, and pods outside the input are matched by selector:
 * a rule selects them when its selectors cover theirs.
 */
export class NetworkPolicyLayer {
  readonly policies: readonly NetworkPolicyView[];
  private readonly byNamespace = new Map<string, Index<NetworkPolicyView>>();
  private readonly selecting = new Map<Workload, { ingress: NetworkPolicyView[]; egress: NetworkPolicyView[] }>();
  private readonly workloadsByLabel = new Index<Workload>();
  private readonly position = new Map<NetworkPolicyView, number>();
  private readonly inNamespace = new Map<string, NetworkPolicyView[]>();
  private readonly selectionOfPods = new Map<Peer, Record<Direction, { possible: NetworkPolicyView[]; certain: NetworkPolicyView[] }>>();
  /** One Peer object per workload, so that sets of peers compare by identity. */
  readonly workloadPeers = new Map<Workload, Peer>();

  constructor(private readonly inventory: Inventory) {
    this.policies = inventory.networkPolicies.map(viewOf);
    this.policies.forEach((p, i) => {
      this.position.set(p, i);
      let index = this.byNamespace.get(p.namespace);
      if (!index) this.byNamespace.set(p.namespace, (index = new Index()));
      index.add(indexKey(p.podSelector), p);
      addTo(this.inNamespace, p.namespace, p);
    });
    for (const w of inventory.workloads) {
      this.workloadPeers.set(w, { kind: 'workload', workload: w });
      for (const [k, v] of Object.entries(w.labels)) this.workloadsByLabel.add(`${k}=${v}`, w);
    }
  }

  /** Whether the namespace has policies of its own (its hypothetical pods are then judged by them). */
  hasPolicies(namespace: string): boolean {
    return this.byNamespace.has(namespace);
  }

  private selectingPolicies(w: Workload): { ingress: NetworkPolicyView[]; egress: NetworkPolicyView[] } {
    let found = this.selecting.get(w);
    if (found) return found;
    found = { ingress: [], egress: [] };
    const index = this.byNamespace.get(w.namespace);
    if (index) {
      const candidates = [...new Set([...index.unkeyed, ...Object.entries(w.labels).flatMap(([k, v]) => index.get(`${k}=${v}`))])]
        .sort((a, b) => this.position.get(a)! - this.position.get(b)!);
      for (const p of candidates) {
        if (!selects(p.podSelector, w.labels)) continue;
        if (p.ingress) found.ingress.push(p);
        if (p.egress) found.egress.push(p);
      }
    }
    this.selecting.set(w, found);
    return found;
  }

  /**
   * The policies of `direction` selecting `peer`, and whether the direction is governed at all. Pods
   * of a namespace with policies that the input does not hold (any pod of a tenant namespace) are
   * governed by every policy there that could select them, and allowed what the policies that
   * certainly select them allow.
   */
  private selection(peer: Peer, direction: Direction): { possible: readonly NetworkPolicyView[]; certain: readonly NetworkPolicyView[] } {
    if (peer.kind === 'workload') {
      const policies = this.selectingPolicies(peer.workload)[direction];
      return { possible: policies, certain: policies };
    }
    if (peer.kind !== 'pods') return { possible: [], certain: [] };
    let found = this.selectionOfPods.get(peer);
    if (!found) {
      const namespace = namespaceNameOf(peer.namespaces);
      const inNamespace = namespace === undefined ? [] : this.inNamespace.get(namespace) ?? [];
      const of = (d: Direction): { possible: NetworkPolicyView[]; certain: NetworkPolicyView[] } => {
        const possible = inNamespace.filter((p) => p[d] !== undefined);
        return { possible, certain: possible.filter((p) => covers(p.podSelector, peer.pods)) };
      };
      this.selectionOfPods.set(peer, (found = { ingress: of('ingress'), egress: of('egress') }));
    }
    return found[direction];
  }

  /** Whether `direction` of `peer` is isolated by some policy (else open). */
  governs(peer: Peer, direction: Direction): boolean {
    return this.selection(peer, direction).possible.length > 0;
  }

  /** Whether a rule's peer entry selects `peer`. */
  private peerSelects(rule: NetworkRule, entry: RulePeer, peer: Peer): boolean {
    if (entry.kind === 'addresses') return peer.kind === 'addresses' && entry.addresses.contains(peer.addresses);
    if (peer.kind === 'addresses') return false;
    const namespaces = entry.namespaces ?? namespaceNamed(rule.policy.namespace);
    if (peer.kind === 'workload') {
      const w = peer.workload;
      return selects(namespaces, w.namespaceLabels) && (entry.pods === undefined || selects(entry.pods, w.labels));
    }
    const name = namespaceNameOf(peer.namespaces);
    const nsOk = name !== undefined ? selects(namespaces, namespaceLabelsOf(this.inventory, name)) : covers(namespaces, peer.namespaces);
    return nsOk && (entry.pods === undefined || covers(entry.pods, peer.pods));
  }

  /** The connections a rule allows towards `destination` (named ports resolved against its pods). */
  private ruleConnections(rule: NetworkRule, destination: Peer): Connections {
    if (!rule.ports) return Connections.ALL;
    return Connections.union(rule.ports.map((p) => {
      if (p.port === undefined) return Connections.protocol(p.protocol);
      if (typeof p.port === 'number') return Connections.ports(p.protocol, p.port, p.endPort ?? p.port);
      if (destination.kind === 'pods') return Connections.named(p.protocol, p.port);
      if (destination.kind === 'addresses') return Connections.NONE;
      const named = destination.workload.ports.find((c) => c.name === p.port && c.protocol === p.protocol);
      return named ? Connections.ports(p.protocol, named.port) : Connections.NONE;
    }));
  }

  /** What `direction` of `self`'s policies allows with `other` (the source's egress, the destination's ingress). */
  verdict(direction: Direction, source: Peer, destination: Peer): DirectionVerdict {
    const self = direction === 'egress' ? source : destination;
    const other = direction === 'egress' ? destination : source;
    const { possible, certain } = this.selection(self, direction);
    if (possible.length === 0) return { connections: Connections.ALL, selecting: [], rules: [] };
    let connections = Connections.NONE;
    const rules: NetworkRule[] = [];
    for (const p of certain) {
      const allowed = this.policyAllows(p, direction, other, destination);
      connections = connections.union(allowed.connections);
      rules.push(...allowed.rules);
    }
    return { connections, selecting: possible, rules };
  }

  /**
   * What one policy's rules of `direction` allow with `other`, towards `destination` (whose pods
   * resolve named ports): remembered, since a namespace-wide policy (DNS, istiod) answers the same
   * question for every pod of its namespace.
   */
  private policyAllows(policy: NetworkPolicyView, direction: Direction, other: Peer, destination: Peer): PolicyAnswer {
    // A policy of one workload answers each question once: only namespace-wide ones are worth remembering.
    if (!isEmptySelector(policy.podSelector)) return this.rulesAllow(policy, direction, other, destination);
    let byOther = this.remembered.get(policy)?.[direction];
    if (!byOther) {
      const entry = this.remembered.get(policy) ?? { ingress: new Map(), egress: new Map() };
      this.remembered.set(policy, entry);
      byOther = entry[direction];
    }
    let byDestination = byOther.get(other);
    if (!byDestination) byOther.set(other, (byDestination = new Map()));
    // Only named ports make the answer depend on the destination's pods.
    const key = policy.namedPorts ? destination : undefined;
    let found = byDestination.get(key);
    if (!found) byDestination.set(key, (found = this.rulesAllow(policy, direction, other, destination)));
    return found;
  }

  private rulesAllow(policy: NetworkPolicyView, direction: Direction, other: Peer, destination: Peer): PolicyAnswer {
    const found: PolicyAnswer = { connections: Connections.NONE, rules: [] };
    for (const rule of policy[direction]!) {
      if (rule.peers && !rule.peers.some((entry) => this.peerSelects(rule, entry, other))) continue;
      const allowed = this.ruleConnections(rule, destination);
      if (allowed.isEmpty()) continue;
      found.connections = found.connections.union(allowed);
      found.rules.push(rule);
    }
    return found;
  }

  private readonly remembered = new Map<NetworkPolicyView, Record<Direction, Map<Peer, Map<Peer | undefined, PolicyAnswer>>>>();
  private readonly flows = new Map<Peer, Map<Peer, { connections: Connections; egress: DirectionVerdict; ingress: DirectionVerdict }>>();

  /** What the network layer allows from `source` to `destination`: both directions' verdicts and their intersection (remembered). */
  flow(source: Peer, destination: Peer): { connections: Connections; egress: DirectionVerdict; ingress: DirectionVerdict } {
    let byDestination = this.flows.get(source);
    if (!byDestination) this.flows.set(source, (byDestination = new Map()));
    let found = byDestination.get(destination);
    if (!found) {
      const egress = this.verdict('egress', source, destination);
      const ingress = this.verdict('ingress', source, destination);
      found = { connections: egress.connections.intersect(ingress.connections), egress, ingress };
      byDestination.set(destination, found);
    }
    return found;
  }

  /** The workloads a pod selector could select (by its first label; all of them when it has none). */
  workloadsMatching(selector: LabelSelector): readonly Workload[] {
    const key = indexKey(selector);
    return key === undefined ? this.inventory.workloads : this.workloadsByLabel.get(key);
  }

  /**
   * The workloads whose ingress rules could admit one of `peers` (pods or addresses the input
   * does not hold), by peer: judged rule entry by entry rather than flow by flow, since most
   * workloads admit only pods of their own namespace. A workload open for ingress admits them all.
   */
  ingressCandidates(peers: readonly Peer[]): Map<Peer, Workload[]> {
    const out = new Map<Peer, Workload[]>(peers.map((p) => [p, []]));
    for (const w of this.inventory.workloads) {
      const policies = this.selectingPolicies(w).ingress;
      for (const peer of peers) {
        const admits = policies.length === 0 || policies.some((p) => p.ingress!.some((rule) => !rule.peers
          || rule.peers.some((entry) => this.peerSelects(rule, entry, peer))));
        if (admits) out.get(peer)!.push(w);
      }
    }
    return out;
  }

  /**
   * Peers a source's egress rules could reach, among `candidates` (an index lookup for pod
   * selectors, so that a thousand workloads do not make a thousand-squared pairs); every
   * candidate when the source's egress is open.
   */
  egressCandidates(source: Peer, workloads: readonly Workload[], others: readonly Peer[]): readonly Peer[] | 'all' {
    const { possible, certain } = this.selection(source, 'egress');
    if (possible.length === 0) return 'all';
    const out = new Set<Peer>();
    let everyWorkload = false;
    for (const p of certain) {
      for (const rule of p.egress!) {
        if (!rule.peers) return 'all';
        for (const entry of rule.peers) {
          if (entry.kind !== 'pods') continue;
          const key = indexKey(entry.pods);
          if (key === undefined) everyWorkload = true;
          else for (const w of this.workloadsByLabel.get(key)) out.add(this.workloadPeers.get(w)!);
        }
      }
    }
    const peers: Peer[] = everyWorkload ? workloads.map((w) => this.workloadPeers.get(w)!) : [...out];
    return [...new Set([...peers, ...others])];
  }
}
