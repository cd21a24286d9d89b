import { KubeObject } from '../manifest/kube-object';
import { covers, firstLabel, isEmptySelector, LabelIndex, LabelSelector, namespaceNamed, selects } from '../manifest/label-selector';
import { Addresses } from './addresses';
import { addTo, Inventory, namespaceLabelsOf, protocolOf, Workload } from './inventory';
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

/** The policies of a direction that could select a peer, and those that certainly do. */
interface Selection {
  readonly possible: readonly NetworkPolicyView[];
  readonly certain: readonly NetworkPolicyView[];
}

const NO_SELECTION: Selection = { possible: [], certain: [] };
const OPEN: DirectionVerdict = { connections: Connections.ALL, selecting: [], rules: [] };

/** What a peer's policies of a direction allow with each peer of the matrix, as verdicts; `none` for any other. */
interface Allowances {
  readonly byPeer: ReadonlyMap<Peer, DirectionVerdict>;
  readonly none: DirectionVerdict;
}

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
  private readonly byNamespace = new Map<string, LabelIndex<NetworkPolicyView>>();
  private readonly selecting = new Map<Workload, Record<Direction, Selection>>();
  private readonly workloadsByLabel = new LabelIndex<Workload>();
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
      if (!index) this.byNamespace.set(p.namespace, (index = new LabelIndex()));
      index.add(firstLabel(p.podSelector), p);
      addTo(this.inNamespace, p.namespace, p);
    });
    for (const w of inventory.workloads) {
      this.workloadPeers.set(w, { kind: 'workload', workload: w });
      for (const k in w.labels) this.workloadsByLabel.add([k, w.labels[k]], w);
    }
  }

  /** Whether the namespace has policies of its own (its hypothetical pods are then judged by them). */
  hasPolicies(namespace: string): boolean {
    return this.byNamespace.has(namespace);
  }

  /** The policies selecting a workload, by direction (for a workload, the possible ones are the certain ones). */
  private selectingPolicies(w: Workload): Record<Direction, Selection> {
    let found = this.selecting.get(w);
    if (found) return found;
    const ingress: NetworkPolicyView[] = [];
    const egress: NetworkPolicyView[] = [];
    const index = this.byNamespace.get(w.namespace);
    if (index) {
      const candidates = index.selecting(w.labels).sort((a, b) => this.position.get(a)! - this.position.get(b)!);
      for (const p of candidates) {
        if (!selects(p.podSelector, w.labels)) continue;
        if (p.ingress) ingress.push(p);
        if (p.egress) egress.push(p);
      }
    }
    found = { ingress: { possible: ingress, certain: ingress }, egress: { possible: egress, certain: egress } };
    this.selecting.set(w, found);
    return found;
  }

  /**
   * The policies of `direction` selecting `peer`, and whether the direction is governed at all. Pods
   * of a namespace with policies that the input does not hold (any pod of a tenant namespace) are
   * governed by every policy there that could select them, and allowed what the policies that
   * certainly select them allow.
   */
  private selection(peer: Peer, direction: Direction): Selection {
    if (peer.kind === 'workload') return this.selectingPolicies(peer.workload)[direction];
    if (peer.kind !== 'pods') return NO_SELECTION;
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
    // Numbered ports do not depend on the destination: computed once per rule.
    if (!rule.ports.some((p) => typeof p.port === 'string')) {
      let known = this.numbered.get(rule);
      if (!known) this.numbered.set(rule, (known = this.portsFor(rule, destination)));
      return known;
    }
    return this.portsFor(rule, destination);
  }

  private readonly numbered = new Map<NetworkRule, Connections>();

  private portsFor(rule: NetworkRule, destination: Peer): Connections {
    return Connections.union(rule.ports!.map((p) => {
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
    if (this.universe.has(self) && this.universe.has(other)) return this.fromAllowances(direction, self, other);
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

  // ---- the matrix: what each peer's policies allow with every peer, rule by rule ----------------

  /** The peers of the matrix: every workload, and the pods and addresses outside the input given by withPeers. */
  private readonly universe = new Set<Peer>();
  private workloadList: readonly Peer[] = [];
  private outside: readonly Peer[] = [];
  /** Pods outside the input by the one namespace their selector names ('' for any other selector). */
  private readonly outsideByNamespace = new Map<string, Peer[]>();
  private readonly entryTargets = new Map<RulePeer, readonly Peer[]>();
  private readonly allowed = new Map<Peer, Record<Direction, Allowances | 'open' | undefined>>();

  /**
   * Sets the pods and addresses outside the input that the matrix has rows for (networkPeers): from
   * then on, what a peer's policies allow is computed rule by rule, once per peer, for every peer of
   * the matrix (a rule's targets once per rule entry), instead of once per pair.
   */
  withPeers(outside: readonly Peer[]): void {
    if (this.universe.size > 0) throw new Error('NetworkPolicyLayer.withPeers: the matrix has its peers already');
    this.workloadList = [...this.workloadPeers.values()];
    this.outside = outside;
    for (const p of [...this.workloadList, ...outside]) this.universe.add(p);
    for (const p of outside) if (p.kind === 'pods') addTo(this.outsideByNamespace, namespaceNameOf(p.namespaces) ?? '', p);
  }

  /** The peers of the matrix one rule entry selects (remembered: a namespace-wide policy's entries serve every pod). */
  private targetsOf(rule: NetworkRule, entry: RulePeer): readonly Peer[] {
    const found = this.entryTargets.get(entry);
    if (found) return found;
    const out: Peer[] = [];
    const consider = (p: Peer): void => {
      if (this.peerSelects(rule, entry, p)) out.push(p);
    };
    if (entry.kind === 'addresses') {
      for (const p of this.outside) if (p.kind === 'addresses') consider(p);
    } else {
      const label = firstLabel(entry.pods);
      if (label === undefined) for (const p of this.workloadList) consider(p);
      else for (const w of this.workloadsByLabel.get(label[0], label[1])) consider(this.workloadPeers.get(w)!);
      const name = namespaceNameOf(entry.namespaces ?? namespaceNamed(rule.policy.namespace));
      if (name === undefined) {
        for (const p of this.outside) if (p.kind === 'pods') consider(p);
      } else {
        for (const p of this.outsideByNamespace.get(name) ?? []) consider(p);
        for (const p of this.outsideByNamespace.get('') ?? []) consider(p);
      }
    }
    this.entryTargets.set(entry, out);
    return out;
  }

  /** What `self`'s policies of `direction` allow with each peer of the matrix; `open` when none selects it. */
  private allowances(self: Peer, direction: Direction): Allowances | 'open' {
    let entry = this.allowed.get(self);
    if (!entry) this.allowed.set(self, (entry = { ingress: undefined, egress: undefined }));
    const known = entry[direction];
    if (known) return known;
    const { possible, certain } = this.selection(self, direction);
    if (possible.length === 0) return (entry[direction] = 'open');
    const map = new Map<Peer, { connections: Connections; selecting: readonly NetworkPolicyView[]; rules: NetworkRule[] }>();
    for (const p of certain) {
      for (const rule of p[direction]!) {
        const targets = !rule.peers ? this.universe
          : rule.peers.length === 1 ? this.targetsOf(rule, rule.peers[0])
            : new Set(rule.peers.flatMap((e) => this.targetsOf(rule, e)));
        for (const t of targets) {
          const allowed = this.ruleConnections(rule, direction === 'egress' ? t : self);
          if (allowed.isEmpty()) continue;
          const answer = map.get(t);
          if (answer) {
            answer.connections = answer.connections.union(allowed);
            answer.rules.push(rule);
          } else map.set(t, { connections: allowed, selecting: possible, rules: [rule] });
        }
      }
    }
    return (entry[direction] = { byPeer: map, none: { connections: Connections.NONE, selecting: possible, rules: [] } });
  }

  private fromAllowances(direction: Direction, self: Peer, other: Peer): DirectionVerdict {
    const allowances = this.allowances(self, direction);
    if (allowances === 'open') return OPEN;
    return allowances.byPeer.get(other) ?? allowances.none;
  }

  /** The peers of the matrix `self`'s policies of `direction` allow something with; `all` when none selects it. */
  reach(self: Peer, direction: Direction): Iterable<Peer> | 'all' {
    const allowances = this.allowances(self, direction);
    return allowances === 'open' ? 'all' : allowances.byPeer.keys();
  }

  /** The workloads a pod selector could select (by its first label; all of them when it has none). */
  workloadsMatching(selector: LabelSelector): readonly Workload[] {
    const label = firstLabel(selector);
    return label === undefined ? this.inventory.workloads : this.workloadsByLabel.get(label[0], label[1]);
  }
}
