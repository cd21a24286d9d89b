import { NAMESPACE_NAME_LABEL, namespaceNamed } from '../manifest/label-selector';
import { Addresses } from './addresses';
import { addTo, Inventory, ServiceView, Workload } from './inventory';
import { Party } from './needed-flows';
import { addressPeer, Peer, podsPeer } from './peers';

/**
 * The objects a need's parties stand for, in the synthesized set: a component is its workloads in
 * the environment's namespace; a namespace is its workloads and any other pod of it; pods and
 * addresses outside are peers matched by selector or range.
 */
const partyAddresses = new WeakMap<Party, Addresses>();

/** The addresses a party names (none for a host or pods); remembered, since a thousand needs share one party. */
export function addressesOf(party: Party): Addresses {
  let found = partyAddresses.get(party);
  if (!found) {
    const cidrs = party.kind === 'addresses' ? party.cidrs : [];
    found = cidrs.reduce((all, c) => all.union(Addresses.cidr(c) ?? Addresses.NONE), Addresses.NONE);
    partyAddresses.set(party, found);
  }
  return found;
}

export class Resolver {
  private readonly byName = new Map<string, Workload[]>();
  private readonly byNamespace = new Map<string, Workload[]>();
  private readonly namespacePeers = new Map<string, Peer>();
  private readonly podsPeers = new Map<string, Peer>();
  /** Services by `namespace|key=value` of their selector's first label, to find a workload's without scanning them all. */
  private readonly servicesByLabel = new Map<string, ServiceView[]>();

  constructor(
    private readonly inventory: Inventory,
    /** The environment's own namespace, where its components run. */
    private readonly namespace: string,
    private readonly workloadPeer: (w: Workload) => Peer,
  ) {
    for (const w of inventory.workloads) {
      addTo(this.byName, `${w.namespace}/${w.name}`, w);
      addTo(this.byNamespace, w.namespace, w);
    }
    for (const svc of inventory.services) {
      const first = Object.keys(svc.selector).sort()[0];
      if (first === undefined) continue;
      const key = `${svc.namespace}|${first}=${svc.selector[first]}`;
      addTo(this.servicesByLabel, key, svc);
    }
  }

  /** The workloads of a component (or of a namespace, with `anyPod`: also a stand-in for its other pods). */
  /** The workloads of the component named `name`. */
  component(name: string): readonly Workload[] {
    return this.byName.get(`${this.namespace}/${name}`) ?? [];
  }

  workloads(party: Party): readonly Workload[] {
    let found = this.ofParty.get(party);
    if (!found) {
      found = party.kind === 'component' ? this.byName.get(`${this.namespace}/${party.name}`) ?? []
        : party.kind === 'namespace' ? this.byNamespace.get(party.namespace) ?? [] : [];
      this.ofParty.set(party, found);
    }
    return found;
  }

  private readonly ofParty = new Map<Party, readonly Workload[]>();
  private readonly memberSets = new Map<Party, ReadonlySet<Workload>>();

  /** Whether `w` is one of the party's workloads. */
  includes(party: Party, w: Workload): boolean {
    let set = this.memberSets.get(party);
    if (!set) this.memberSets.set(party, (set = new Set(this.workloads(party))));
    return set.has(w);
  }

  /** A pod of the namespace that is none of its workloads (a tenant's, a later one): judged by the policies that select every pod. */
  anyPod(namespace: string): Workload {
    const namespaceLabels = this.inventory.namespaces.get(namespace) ?? { [NAMESPACE_NAME_LABEL]: namespace };
    return {
      ref: `${namespace}/[any other pod]`,
      kind: 'Pod',
      name: '[any other pod]',
      namespace,
      labels: {},
      namespaceLabels,
      serviceAccount: 'default',
      ports: [],
      mesh: namespaceLabels['istio-injection'] === 'enabled' || namespaceLabels['istio.io/rev'] !== undefined,
      object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    };
  }

  /** The network peers a party stands for (empty when it names nothing of the input). */
  peers(party: Party): readonly Peer[] {
    let found = this.peersOfParty.get(party);
    if (!found) this.peersOfParty.set(party, (found = this.peersOf(party)));
    return found;
  }

  private readonly peersOfParty = new Map<Party, readonly Peer[]>();

  private peersOf(party: Party): readonly Peer[] {
    switch (party.kind) {
      case 'component': return this.workloads(party).map(this.workloadPeer);
      case 'namespace': return [...this.workloads(party).map(this.workloadPeer), this.namespacePeer(party.namespace)];
      case 'pods': return [this.podsPeerOf(party.namespace, party.labels)];
      case 'addresses': {
        const addresses = addressesOf(party);
        if (addresses.isEmpty()) return [];
        // The matrix's parts of the addresses, when it has them: flows to those are computed once, rule by rule.
        const parts = this.addressParts.filter((p) => p.kind === 'addresses' && addresses.contains(p.addresses));
        return parts.length > 0 ? parts : [addressPeer(addresses)];
      }
      case 'host': return [];
    }
  }

  /** The parts of all addresses the network matrix has rows for (set before any party's peers are asked). */
  useAddressParts(parts: readonly Peer[]): void {
    this.addressParts = parts;
  }

  private addressParts: readonly Peer[] = [];

  /** Any pod of a namespace, as a network peer (one object per namespace). */
  namespacePeer(namespace: string): Peer {
    let peer = this.namespacePeers.get(namespace);
    if (!peer) this.namespacePeers.set(namespace, (peer = podsPeer(namespaceNamed(namespace), {})));
    return peer;
  }

  podsPeerOf(namespace: string, labels: Readonly<Record<string, string>>): Peer {
    // The model's label maps are long-lived objects: looked up by identity first, by content once per map.
    const known = this.podsPeerByLabels.get(labels);
    if (known?.namespace === namespace) return known.peer;
    const peer = this.podsPeerByContent(namespace, labels);
    this.podsPeerByLabels.set(labels, { namespace, peer });
    return peer;
  }

  private readonly podsPeerByLabels = new WeakMap<object, { namespace: string; peer: Peer }>();

  private podsPeerByContent(namespace: string, labels: Readonly<Record<string, string>>): Peer {
    const key = `${namespace}/${JSON.stringify(Object.entries(labels).sort())}`;
    let peer = this.podsPeers.get(key);
    if (!peer) this.podsPeers.set(key, (peer = podsPeer(namespaceNamed(namespace), { matchLabels: labels })));
    return peer;
  }

  /** The Services of `w`'s namespace that select it and send `port` (its container port) on: how a client's sidecar knows it. */
  servicesOf(w: Workload, port: number): readonly { service: ServiceView; port: number }[] {
    let byPort = this.services.get(w);
    if (!byPort) this.services.set(w, (byPort = new Map()));
    let found = byPort.get(port);
    if (!found) byPort.set(port, (found = this.servicesSending(w, port)));
    return found;
  }

  private readonly services = new Map<Workload, Map<number, readonly { service: ServiceView; port: number }[]>>();

  private servicesSending(w: Workload, port: number): { service: ServiceView; port: number }[] {
    const found: { service: ServiceView; port: number }[] = [];
    const seen = new Set<ServiceView>();
    for (const k in w.labels) {
      for (const s of this.servicesByLabel.get(`${w.namespace}|${k}=${w.labels[k]}`) ?? []) {
        if (seen.has(s)) continue;
        seen.add(s);
        if (!Object.entries(s.selector).every(([key, v]) => w.labels[key] === v)) continue;
        for (const p of s.ports) {
          const target = typeof p.targetPort === 'number' ? p.targetPort : w.ports.find((c) => c.name === p.targetPort)?.port;
          if (target === port) found.push({ service: s, port: p.port });
        }
      }
    }
    return found;
  }
}
