import { Finding } from '../checks/check';
import { ENVOY_STATS } from '../manifest/istio-proxy';
import { KubeObject, objectRef } from '../manifest/kube-object';
import { covers, namespaceNamed, selects } from '../manifest/label-selector';
import { PlatformModel } from '../model/platform-model';
import { Addresses } from './addresses';
import { AuthorizationLayer, Identity, identityOf, identityRef } from './authorization';
import { addTo, inventoryOf, Workload } from './inventory';
import { FLOW_RULES, Need, neededFlows, Party, viaEgressGateway } from './needed-flows';
import { LayerName, LayerResult, NeedJudge, partyIdentities, partyRef, ruleRef } from './needs-verdict';
import { networkEdges, NetworkEdge, networkPeers } from './network-matrix';
import { NetworkPolicyLayer } from './network-policy';
import { addressPeer, namespaceNameOf, Peer, peerRef, podsCover } from './peers';
import { Connections } from './ports';
import { addressesOf, Resolver } from './resolve';
import { RegistryEntry, SidecarLayer } from './sidecar';

/** The check id of the connectivity findings. */
export const CONNECTIVITY_CHECK = 'connectivity';

/** A need, and what each layer says about it. */
export interface NeedResult {
  readonly rule: string;
  readonly reason: string;
  readonly from: string;
  readonly to: string;
  readonly ports: string;
  readonly layers: Readonly<Record<LayerName, LayerResult>>;
  readonly blocked: boolean;
}

/**
 * Who may reach whom: one row per pair with connections the network layer allows (or, for hosts
 * outside the cluster, the mesh), with what each layer lets through and what no need explains.
 */
export interface FlowRow {
  readonly from: string;
  readonly to: string;
  /** What each layer allows of the flow; `n/a` where no object of the environment governs it. */
  readonly layers: Readonly<Record<LayerName, string>>;
  /** What all layers together allow. */
  readonly effective: string;
  /** The needs that explain it, `rule: reason`. */
  readonly neededBy: readonly string[];
  /** What the network or authorization layer allows that no need explains (empty: nothing). */
  readonly unexplained: string;
}

/** Everything the connectivity model computed for one environment. */
export interface ConnectivityReport {
  readonly environment: string;
  readonly workloads: readonly string[];
  readonly needs: readonly NeedResult[];
  readonly flows: readonly FlowRow[];
  readonly findings: readonly Finding[];
}

const NA = 'n/a';
const RULES = new Map(FLOW_RULES.map((r) => [r.id, r]));
/** What to do about lateral movement, in every such finding. */
const LATERAL_FIX = 'fix: declare the flow it serves (dependsOn, callers), or remove what allows it';

/** TCP `tcp`, every other protocol untouched: how a mesh layer (which sees TCP only) narrows a flow. */
function tcpMask(tcp: Connections): Connections {
  return Connections.protocol('SCTP').union(Connections.protocol('UDP')).union(tcp.intersect(Connections.protocol('TCP')));
}

/** The explicit TCP ports of a set, when there are few enough to list (none otherwise). */
function tcpPorts(c: Connections): readonly number[] {
  return c.portList('TCP', 64) ?? [];
}

function finding(object: string, message: string): Finding {
  return { check: CONNECTIVITY_CHECK, severity: 'error', object, message };
}

/**
 * The connectivity of one environment from its synthesized objects alone, judged against the
 * flows its model needs (FLOW_RULES): each need with each layer's verdict, the matrix of who may
 * reach whom through which layers, and the findings: a need blocked at some layer, and a flow
 * allowed that no need explains (lateral movement), at the NetworkPolicy layer, the
 * AuthorizationPolicy layer, or towards a host outside the cluster through the mesh.
 */
export function analyzeConnectivity(model: PlatformModel, objects: readonly KubeObject[]): ConnectivityReport {
  return new Analysis(model, objects, true).report();
}

/**
 * The findings of `analyzeConnectivity` alone, for the check that runs in every synth: the same
 * verdicts, without building the matrix's rows (what the other layers let through of each
 * network flow, the texts of every allowing object).
 */
export function connectivityFindings(model: PlatformModel, objects: readonly KubeObject[]): readonly Finding[] {
  return new Analysis(model, objects, false).report().findings;
}

class Analysis {
  private readonly network: NetworkPolicyLayer;
  private readonly authorization: AuthorizationLayer;
  private readonly sidecar: SidecarLayer;
  private readonly resolver: Resolver;
  private readonly needs: readonly Need[];
  private readonly workloads: readonly Workload[];
  private readonly ownNamespaces: ReadonlySet<string>;
  private readonly findings: Finding[] = [];
  /** Needs by the workload they start from and the workload they end at, for explaining a flow without scanning every need. */
  private readonly needsFrom = new Map<Workload, Need[]>();
  private readonly needsTo = new Map<Workload, Need[]>();
  private readonly needsFromNamespace = new Map<string, Need[]>();

  constructor(
    private readonly model: PlatformModel,
    objects: readonly KubeObject[],
    /** Whether to build the matrix (rows and allowing objects), or the findings only. */
    private readonly detailed: boolean,
  ) {
    const inventory = inventoryOf(objects);
    this.network = new NetworkPolicyLayer(inventory);
    this.authorization = new AuthorizationLayer(inventory);
    this.sidecar = new SidecarLayer(inventory);
    this.resolver = new Resolver(inventory, model.namespace, (w) => this.network.workloadPeers.get(w)!);
    this.workloads = inventory.workloads;
    this.ownNamespaces = new Set(model.policy.namespaces);
    this.needs = neededFlows(model);
    for (const need of this.needs) {
      for (const w of this.resolver.workloads(need.from)) addTo(this.needsFrom, w, need);
      if (need.from.kind === 'namespace') addTo(this.needsFromNamespace, need.from.namespace, need);
      for (const w of this.resolver.workloads(need.to)) addTo(this.needsTo, w, need);
    }
  }

  report(): ConnectivityReport {
    // The network edges first: they fix the matrix's peers, which the needs' flows then share.
    const edges = this.networkEdges();
    const judge = new NeedJudge(this.resolver, this.network, this.authorization, this.sidecar, this.detailed);
    const needs = this.needs.map((need): NeedResult => {
      const layers = judge.judge(need);
      const blocked = Object.values(layers).some((l) => l.verdict === 'deny');
      const result: NeedResult = {
        rule: need.rule,
        reason: need.reason,
        from: partyRef(need.from),
        to: partyRef(need.to),
        ports: need.network ? Connections.union(need.network.ports.map((p) => Connections.ports(p.protocol, p.port))).toString() : NA,
        layers,
        blocked,
      };
      for (const [layer, l] of Object.entries(layers)) {
        if (l.verdict !== 'deny') continue;
        this.findings.push(finding(this.objectOf(need), `needed flow blocked at ${layer}: ${result.from} -> ${result.to} `
          + `(${result.ports}), ${need.rule}: ${need.reason}; ${l.detail}; fix: ${RULES.get(need.rule)?.fix ?? 'allow it'}`));
      }
      return result;
    });
    const blocked = this.findings.splice(0);
    const flows = [...this.networkRows(edges), ...this.authorizationRows(), ...this.hostRows()]
      .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
    return {
      environment: this.model.environment,
      workloads: this.workloads.map((w) => w.ref),
      needs,
      flows,
      findings: [...blocked, ...this.findings],
    };
  }

  /** The object a blocked need is reported on: the source's workload or namespace, else the destination's workload. */
  private objectOf(need: Need): string {
    if (need.from.kind === 'namespace') return `Namespace/${need.from.namespace}`;
    const w = this.resolver.workloads(need.from)[0] ?? this.resolver.workloads(need.to)[0];
    return w ? objectRef(w.object) : partyRef(need.from);
  }

  // ---- the network layer's matrix --------------------------------------------------------------

  /** Every pair the network layer lets through: over the rules' peers and the needs' (pods, addresses, any pod of each own namespace). */
  private networkEdges(): NetworkEdge[] {
    const pods: Peer[] = [...this.ownNamespaces].map((ns) => this.resolver.namespacePeer(ns));
    const addresses: Addresses[] = [];
    for (const need of this.needs) {
      for (const party of [need.from, need.to, ...(need.network ? [need.network.to] : [])]) {
        if (party.kind === 'pods') pods.push(this.resolver.podsPeerOf(party.namespace, party.labels));
        if (party.kind === 'addresses' && !addresses.includes(addressesOf(party))) addresses.push(addressesOf(party));
      }
    }
    const peers = networkPeers(this.network, pods, addresses);
    this.resolver.useAddressParts(peers.addresses);
    return networkEdges(this.network, peers, this.ownNamespaces);
  }

  /** Whether a need's party stands for all of `peer`. */
  private partyCovers(party: Party, peer: Peer): boolean {
    switch (party.kind) {
      case 'component':
      case 'namespace':
        if (peer.kind === 'workload') return this.resolver.includes(party, peer.workload);
        return party.kind === 'namespace' && peer.kind === 'pods' && covers(namespaceNamed(party.namespace), peer.namespaces);
      case 'pods': {
        const own = this.resolver.podsPeerOf(party.namespace, party.labels) as Peer & { kind: 'pods' };
        if (peer.kind === 'workload') return selects(own.namespaces, peer.workload.namespaceLabels) && selects(own.pods, peer.workload.labels);
        return peer.kind === 'pods' && (peer === own || podsCover(own, peer));
      }
      case 'addresses': return peer.kind === 'addresses' && addressesOf(party).contains(peer.addresses);
      case 'host': return false;
    }
  }

  private candidateNeeds(from: Peer, to: Peer): readonly (readonly Need[])[] {
    const none: readonly Need[] = [];
    if (to.kind === 'workload') return [this.needsTo.get(to.workload) ?? none];
    if (from.kind === 'workload') return [this.needsFrom.get(from.workload) ?? none, this.needsFromNamespace.get(from.workload.namespace) ?? none];
    const ns = from.kind === 'pods' ? namespaceNameOf(from.namespaces) : undefined;
    return [ns !== undefined ? this.needsFromNamespace.get(ns) ?? none : none];
  }

  /**
   * The needs by the network peers they start from and go to, exactly (the peers resolve to the
   * matrix's own objects); a pair it does not hold may still be explained by coverage, see below.
   */
  private explanations?: Map<Peer, Map<Peer, Need[]>>;

  private exactly(from: Peer, to: Peer): readonly Need[] | undefined {
    if (!this.explanations) {
      this.explanations = new Map();
      for (const n of this.needs) {
        if (!n.network) continue;
        const destinations = this.resolver.peers(n.network.to);
        for (const s of this.resolver.peers(n.from)) {
          let row = this.explanations.get(s);
          if (!row) this.explanations.set(s, (row = new Map()));
          for (const d of destinations) addTo(row, d, n);
        }
      }
    }
    return this.explanations.get(from)?.get(to);
  }

  /** The connections needs explain between two network peers, and which needs. */
  private explainedNetwork(from: Peer, to: Peer): { connections: Connections; needs: Need[] } {
    const exact = this.exactly(from, to);
    if (exact) return { connections: Connections.union(exact.map((n) => this.portsOf(n))), needs: [...exact] };
    // A peer narrower than a need's ends (a rule's selection within a need's pods or namespace).
    const needs: Need[] = [];
    let connections = Connections.NONE;
    for (const list of this.candidateNeeds(from, to)) {
      for (const n of list) {
        if (!n.network || !this.partyCovers(n.from, from) || !this.partyCovers(n.network.to, to)) continue;
        needs.push(n);
        connections = connections.union(this.portsOf(n));
      }
    }
    return { connections, needs };
  }

  /** The principals a need's source calls with (remembered per need). */
  private principalsOf(need: Need): ReadonlySet<string> {
    let found = this.needPrincipals.get(need);
    if (!found) {
      found = new Set(partyIdentities(need.from, this.resolver).flatMap((x) => (x.principal === undefined ? [] : [x.principal])));
      this.needPrincipals.set(need, found);
    }
    return found;
  }

  private readonly needPrincipals = new Map<Need, ReadonlySet<string>>();

  /** The connections a need asks of the network layer. */
  private portsOf(need: Need): Connections {
    let found = this.needPorts.get(need);
    if (!found) this.needPorts.set(need, (found = Connections.union((need.network?.ports ?? []).map((p) => Connections.ports(p.protocol, p.port)))));
    return found;
  }

  private readonly needPorts = new Map<Need, Connections>();

  /** Pods outside the input whose identity a need gives (a gateway, an area's caller), one entry per distinct pods. */
  private identifiedPods(): readonly { party: Party & { kind: 'pods' }; id: Identity }[] {
    if (!this.identified) {
      const byKey = new Map<string, { party: Party & { kind: 'pods' }; id: Identity }>();
      for (const { from } of this.needs) {
        if (from.kind !== 'pods' || !from.serviceAccount) continue;
        const key = `${from.namespace}/${JSON.stringify(Object.entries(from.labels).sort())}/${from.serviceAccount}`;
        if (!byKey.has(key)) byKey.set(key, { party: from, id: partyIdentities(from, this.resolver)[0] });
      }
      this.identified = [...byKey.values()];
    }
    return this.identified;
  }

  private identified?: readonly { party: Party & { kind: 'pods' }; id: Identity }[];

  private identityOfPeer(p: Peer): Identity {
    if (p.kind === 'workload') return identityOf(p.workload);
    if (p.kind !== 'pods') return {};
    return this.identifiedPods().find(({ party }) => this.partyCovers(party, p))?.id ?? { namespace: namespaceNameOf(p.namespaces) };
    return {};
  }

  /** What the destination's AuthorizationPolicy allows of a network flow (TCP; `undefined`: not governed). */
  private authorizationOf(from: Peer, to: Peer): Connections | undefined {
    if (to.kind !== 'workload' || !to.workload.mesh) return undefined;
    return this.authorization.verdict(this.identityOfPeer(from), to.workload).connections;
  }

  /**
   * What the source's Sidecar lets out of a network flow (TCP ports; `undefined`: not governed). A
   * flow to addresses no ServiceEntry lists is one the application makes by host name (Vault, the
   * API server's Service), which the rows of hosts and the needs judge: not this row's.
   */
  private sidecarOf(from: Peer, to: Peer, connections: Connections): Connections | undefined {
    if (from.kind !== 'workload' || !from.workload.mesh || !this.sidecar.sidecarOf(from.workload)) return undefined;
    if (to.kind === 'addresses' && !this.sidecar.entries.some((e) => e.addresses !== undefined && !e.addresses.intersect(to.addresses).isEmpty())) {
      return undefined;
    }
    const ports = to.kind === 'workload'
      ? tcpPorts(connections).filter((p) => to.workload.ports.some((c) => c.port === p && c.protocol === 'TCP'))
      : tcpPorts(connections);
    const allowed = ports.filter((port) => {
      if (to.kind === 'workload') {
        return this.resolver.servicesOf(to.workload, port).some(({ service, port: servicePort }) =>
          this.sidecar.verdict(from.workload, { namespace: service.namespace, host: service.host, port: servicePort }).allowed);
      }
      if (to.kind === 'addresses') return this.sidecar.verdict(from.workload, { addresses: to.addresses, port }).entry !== undefined;
      const ns = namespaceNameOf(to.namespaces);
      return ns !== undefined && this.sidecar.verdict(from.workload, { namespace: ns, port }).allowed;
    });
    return Connections.union(allowed.map((p) => Connections.ports('TCP', p)));
  }

  private networkRows(edges: readonly NetworkEdge[]): FlowRow[] {
    return edges.flatMap(({ from, to, connections, egress, ingress }) => {
      const explained = this.explainedNetwork(from, to);
      const unexplained = connections.subtract(explained.connections);
      if (!unexplained.isEmpty()) {
        const rules = [...egress, ...ingress];
        const policy = rules[0];
        this.findings.push(finding(policy ? objectRef(policy.policy.object) : peerRef(from), `lateral movement at NetworkPolicy: ${peerRef(from)} -> `
          + `${peerRef(to)} is allowed ${unexplained} that no needed flow explains `
          + `(by ${rules.map(ruleRef).join(', ') || 'no policy: the pods are not isolated'}); ${LATERAL_FIX}`));
      }
      if (!this.detailed) return [];
      const authorization = this.authorizationOf(from, to);
      const sidecar = this.sidecarOf(from, to, connections);
      // The proxy serves its own stats port outside the interception: no AuthorizationPolicy governs it.
      const governed = authorization ? tcpMask(authorization.union(Connections.ports('TCP', ENVOY_STATS.port))) : Connections.ALL;
      const effective = connections.intersect(governed)
        .intersect(sidecar ? tcpMask(sidecar) : Connections.ALL);
      return [{
        from: peerRef(from),
        to: peerRef(to),
        layers: {
          NetworkPolicy: connections.toString(),
          AuthorizationPolicy: authorization ? authorization.intersect(connections).toString() : NA,
          'Sidecar-ServiceEntry': sidecar ? sidecar.toString() : NA,
        },
        effective: effective.toString(),
        neededBy: [...new Set(explained.needs.map((n) => `${n.rule}: ${n.reason}`))],
        unexplained: unexplained.isEmpty() ? '' : unexplained.toString(),
      }];
    });
  }

  // ---- the authorization layer ------------------------------------------------------------------

  /** Identities to ask each workload's AuthorizationPolicies about: the workloads', the needs', and those the policies name. */
  private knownIdentities(): Map<string, { id: Identity; refs: string[] }> {
    const known = new Map<string, { id: Identity; refs: string[] }>();
    const add = (id: Identity, ref: string): void => {
      const key = identityRef(id);
      const entry = known.get(key);
      if (entry) entry.refs.push(ref);
      else known.set(key, { id, refs: [ref] });
    };
    for (const w of this.workloads) add(identityOf(w), w.ref);
    for (const need of this.needs) {
      const f = need.from;
      if (f.kind === 'pods' && f.serviceAccount) add(partyIdentities(f, this.resolver)[0], peerRef(this.resolver.podsPeerOf(f.namespace, f.labels)));
    }
    for (const p of this.authorization.policies) {
      for (const rule of p.rules) for (const s of rule.from ?? []) for (const principal of s.principals ?? []) {
        const m = /^cluster\.local\/ns\/([^/]+)\/sa\/([^/*]+)$/.exec(principal);
        if (m && !known.has(principal)) add({ principal, namespace: m[1] }, principal);
      }
    }
    add({}, identityRef({}));
    return known;
  }

  /**
   * AuthorizationPolicy allowances that no need explains, for identities whose pods the network
   * layer cannot name (flows the network layer names are judged in their row): a finding each.
   */
  private authorizationRows(): FlowRow[] {
    const known = this.knownIdentities();
    const rows: FlowRow[] = [];
    for (const w of this.workloads.filter((x) => x.mesh)) {
      const listening = Connections.union(w.ports.filter((p) => p.protocol === 'TCP').map((p) => Connections.ports('TCP', p.port)));
      const candidates = this.authorization.candidates(w);
      const ids = candidates === 'all' ? [...known.values()] : [...candidates].flatMap((p) => known.get(p) ?? []);
      for (const { id, refs } of ids) {
        const v = this.authorization.verdict(id, w);
        const allowed = v.connections.intersect(listening);
        if (allowed.isEmpty()) continue;
        const principal = id.principal;
        const needs = (this.needsTo.get(w) ?? []).filter((n) => n.authorization && principal !== undefined && this.principalsOf(n).has(principal));
        const explained = Connections.union(needs.map((n) => this.portsOf(n))).intersect(Connections.protocol('TCP'));
        const unexplained = allowed.subtract(explained);
        if (!unexplained.isEmpty()) {
          const by = v.allowing.map((r) => objectRef(r.policy.object)).join(', ') || 'no ALLOW policy applies';
          const object = objectRef((v.allowing[0]?.policy ?? v.applying[0])?.object ?? w.object);
          this.findings.push(finding(object, `lateral movement at AuthorizationPolicy: ${identityRef(id)} may call ${w.ref} on ${unexplained} `
            + `that no needed flow explains (by ${by}); ${LATERAL_FIX}`));
        }
        if (!this.detailed || refs.some((r) => !r.startsWith('cluster.local/') && !r.startsWith('['))) continue;
        rows.push({
          from: identityRef(id),
          to: w.ref,
          layers: { NetworkPolicy: NA, AuthorizationPolicy: allowed.toString(), 'Sidecar-ServiceEntry': NA },
          effective: allowed.toString(),
          neededBy: needs.map((n) => `${n.rule}: ${n.reason}`),
          unexplained: unexplained.isEmpty() ? '' : unexplained.toString(),
        });
      }
    }
    return rows;
  }

  // ---- hosts outside the cluster, through the mesh -------------------------------------------------

  /** Where the network layer must let a connection to a ServiceEntry host go: the egress gateway, its addresses, or the model's. */
  private routeOf(entry: RegistryEntry): { to: Peer; port: number } | { to: Peer; port: number; via: string } {
    const endpoint = this.model.externalEndpoints.find((e) => e.hosts.includes(entry.host));
    const { mesh, vault } = this.model;
    if (endpoint && viaEgressGateway(endpoint)) {
      return { to: this.resolver.podsPeerOf(mesh.namespace, mesh.egressGateway.labels), port: mesh.egressGateway.port, via: 'the egress gateway' };
    }
    if (entry.addresses) return { to: addressPeer(entry.addresses), port: entry.port };
    const cidrs = endpoint?.cidrs ?? (vault && vault.host === entry.host && 'cidrs' in vault.network ? vault.network.cidrs : []);
    const addresses = cidrs.reduce((all, c) => all.union(Addresses.cidr(c) ?? Addresses.NONE), Addresses.NONE);
    return { to: addressPeer(addresses.isEmpty() ? Addresses.ALL : addresses), port: entry.port };
  }

  /** Hosts outside the cluster each mesh workload can reach: its Sidecar lets the connection out and the network layer lets its route through. */
  private hostRows(): FlowRow[] {
    const rows: FlowRow[] = [];
    for (const w of this.workloads.filter((x) => x.mesh && this.sidecar.sidecarOf(x))) {
      const from = this.network.workloadPeers.get(w)!;
      for (const entry of this.sidecar.reachableEntries(w)) {
        const route = this.routeOf(entry);
        const network = this.network.flow(from, route.to).connections;
        if (!network.has('TCP', route.port)) continue;
        const needs = (this.needsFrom.get(w) ?? []).filter((n) => n.sidecar.some((s) => s.kind === 'target' && s.target.port === entry.port
          && (s.target.host === entry.host || (s.target.addresses !== undefined && entry.addresses?.contains(s.target.addresses)))));
        const to = `${entry.host}:${entry.port}`;
        if (needs.length === 0) {
          this.findings.push(finding(objectRef(entry.object), `lateral movement through the mesh: ${w.ref} may reach ${to} `
            + `(${objectRef(entry.object)}, imported by ${objectRef(this.sidecar.sidecarOf(w)!.object)}; the network layer lets it through `
            + `${'via' in route ? route.via : `to ${peerRef(route.to)}`}) and no needed flow explains it; ${LATERAL_FIX}`));
        }
        rows.push({
          from: w.ref,
          to,
          layers: {
            NetworkPolicy: `${'via' in route ? `via ${route.via}: ` : ''}TCP ${route.port}`,
            AuthorizationPolicy: NA,
            'Sidecar-ServiceEntry': `TCP ${entry.port} (${objectRef(entry.object)})`,
          },
          effective: `TCP ${entry.port}`,
          neededBy: needs.map((n) => `${n.rule}: ${n.reason}`),
          unexplained: needs.length === 0 ? `TCP ${entry.port}` : '',
        });
      }
    }
    return rows;
  }
}
