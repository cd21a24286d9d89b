import { KubeObject, objectRef } from '../manifest/kube-object';
import { AuthorizationLayer, Identity, identityOf, identityRef, principalOf } from './authorization';
import { Workload } from './inventory';
import { Need, Party, SidecarNeed } from './needed-flows';
import { NetworkPolicyLayer, NetworkPolicyView, NetworkRule } from './network-policy';
import { Peer, peerRef } from './peers';
import { Connections } from './ports';
import { Resolver } from './resolve';
import { SidecarLayer, SidecarTarget } from './sidecar';

export const LAYERS = ['NetworkPolicy', 'AuthorizationPolicy', 'Sidecar-ServiceEntry'] as const;
export type LayerName = (typeof LAYERS)[number];

/** One layer's say on a need: `n/a` when no object of the environment governs it there. */
export interface LayerResult {
  readonly verdict: 'allow' | 'deny' | 'n/a';
  /** The objects that allow it, or why it is blocked and by what. */
  readonly detail: string;
}

const NA: LayerResult = { verdict: 'n/a', detail: '' };

/** How reports name a party. */
export function partyRef(p: Party): string {
  switch (p.kind) {
    case 'component': return `component ${p.name}`;
    case 'namespace': return `every pod of ${p.namespace}`;
    case 'pods': return `${p.what} (${p.namespace}/${Object.entries(p.labels).map(([k, v]) => `${k}=${v}`).join(',') || '*'})`;
    case 'addresses': return `${p.what} (${p.cidrs.join(', ') || 'no addresses'})`;
    case 'host': return p.host;
  }
}

/**
 * The identities a party calls with: its workloads' service accounts, the service account a need
 * gives pods outside (a gateway, a caller), or any identity of their namespace when it gives none.
 */
export function partyIdentities(party: Party, resolver: Resolver): Identity[] {
  if (party.kind === 'component') return resolver.workloads(party).map(identityOf);
  if (party.kind !== 'pods') return [{}];
  return [party.serviceAccount
    ? { principal: principalOf(party.namespace, party.serviceAccount), namespace: party.namespace }
    : { namespace: party.namespace }];
}

export function ruleRef(rule: NetworkRule): string {
  return `${objectRef(rule.policy.object)} ${rule.direction}[${rule.index}]`;
}

function names(policies: readonly { readonly object: KubeObject }[]): string {
  return [...new Set(policies.map((p) => objectRef(p.object)))].join(', ');
}

/** What the layers say about each need. */
export class NeedJudge {
  constructor(
    private readonly resolver: Resolver,
    private readonly network: NetworkPolicyLayer,
    private readonly authorization: AuthorizationLayer,
    private readonly sidecar: SidecarLayer,
    /** Whether to name the objects that allow a need (the report does; the check needs only what blocks). */
    private readonly detailed = true,
  ) {}

  judge(need: Need): Readonly<Record<LayerName, LayerResult>> {
    return {
      NetworkPolicy: this.networkLayer(need),
      AuthorizationPolicy: this.authorizationLayer(need),
      'Sidecar-ServiceEntry': this.sidecarLayer(need),
    };
  }

  private required(need: Need): Connections {
    return Connections.union((need.network?.ports ?? []).map((p) => Connections.ports(p.protocol, p.port)));
  }

  private networkLayer(need: Need): LayerResult {
    if (!need.network) return NA;
    const sources = this.resolver.peers(need.from);
    const destinations = this.resolver.peers(need.network.to);
    if (sources.length === 0) return { verdict: 'deny', detail: `no workload of ${partyRef(need.from)} among the objects` };
    if (destinations.length === 0) return { verdict: 'deny', detail: `${partyRef(need.network.to)}: nothing a NetworkPolicy can allow` };
    const required = this.required(need);
    const problems = new Grouped();
    const allowing = new Set<string>();
    for (const s of sources) {
      for (const d of destinations) {
        const flow = this.network.flow(s, d);
        if (this.detailed) for (const r of [...flow.egress.rules, ...flow.ingress.rules]) allowing.add(ruleRef(r));
        sideProblem(problems, 'egress', s, d, required, flow.egress.connections, flow.egress.selecting);
        sideProblem(problems, 'ingress', s, d, required, flow.ingress.connections, flow.ingress.selecting);
      }
    }
    if (!problems.isEmpty()) return { verdict: 'deny', detail: problems.toString() };
    return { verdict: 'allow', detail: allowing.size > 0 ? [...allowing].join(', ') : 'no NetworkPolicy selects either end' };
  }


  private authorizationLayer(need: Need): LayerResult {
    if (!need.authorization) return NA;
    const destinations = this.resolver.workloads(need.to).filter((w) => w.mesh);
    if (destinations.length === 0) return NA;
    const ports = Connections.union((need.network?.ports ?? []).filter((p) => p.protocol === 'TCP').map((p) => Connections.ports('TCP', p.port)));
    const problems: string[] = [];
    const allowing = new Set<string>();
    const identities = partyIdentities(need.from, this.resolver);
    if (identities.length === 0) {
      return { verdict: 'deny', detail: `no workload of ${partyRef(need.from)} among the objects, so no identity to allow` };
    }
    for (const d of destinations) {
      for (const id of identities) {
        const v = this.authorization.verdict(id, d);
        if (this.detailed) for (const r of v.allowing) allowing.add(objectRef(r.policy.object));
        const missing = ports.subtract(v.connections);
        if (missing.isEmpty()) continue;
        const by = v.denying.length > 0
          ? `denied by ${names(v.denying.map((r) => r.policy))}`
          : `no rule of ${names(v.applying.filter((p) => p.action === 'ALLOW'))} allows it`;
        problems.push(`${identityRef(id)} may not call ${d.ref} on ${missing}: ${by}`);
      }
    }
    if (problems.length > 0) return { verdict: 'deny', detail: problems.join('; ') };
    return { verdict: 'allow', detail: allowing.size > 0 ? [...allowing].join(', ') : 'no AuthorizationPolicy applies' };
  }

  private clients(party: Party): readonly Workload[] {
    if (party.kind === 'namespace') return [...this.resolver.workloads(party), this.resolver.anyPod(party.namespace)];
    return this.resolver.workloads(party);
  }

  private targets(item: SidecarNeed): { targets: SidecarTarget[]; what: string } {
    if (item.kind === 'target') return { targets: [item.target], what: item.what };
    const targets = this.resolver.component(item.component)
      .flatMap((w) => this.resolver.servicesOf(w, item.port))
      .map(({ service, port }) => ({ namespace: service.namespace, host: service.host, port }));
    return { targets, what: `the Service of ${item.component} (to its port ${item.port})` };
  }

  private sidecarLayer(need: Need): LayerResult {
    if (need.sidecar.length === 0) return NA;
    const problems = new Grouped();
    const allowing = new Set<string>();
    let governed = false;
    for (const client of this.clients(need.from)) {
      for (const item of need.sidecar) {
        const { targets, what } = this.targets(item);
        if (targets.length === 0) {
          problems.add(`no Service selects the pods of ${item.kind === 'service-of' ? item.component : what} on that port`);
          continue;
        }
        const verdicts = targets.map((t) => this.sidecar.verdict(client, t));
        if (!verdicts.some((v) => v.governed)) continue;
        governed = true;
        const ok = verdicts.find((v) => v.allowed);
        if (ok) {
          if (this.detailed) allowing.add(objectRef(ok.sidecar!.object) + (ok.entry ? ` via ${objectRef(ok.entry.object)}` : ''));
          continue;
        }
        const sidecar = verdicts.find((v) => v.sidecar)!.sidecar!;
        problems.add(`${objectRef(sidecar.object)} (REGISTRY_ONLY) sends TCP to ${what} to the black hole: no egress host `
          + `${item.kind === 'target' && item.target.namespace === undefined ? 'imports a ServiceEntry for it' : 'names it'}`, client.ref);
      }
    }
    if (!problems.isEmpty()) return { verdict: 'deny', detail: problems.toString() };
    return governed ? { verdict: 'allow', detail: [...allowing].join(', ') } : NA;
  }
}

function sideProblem(
  problems: Grouped,
  direction: 'egress' | 'ingress',
  source: Peer,
  destination: Peer,
  required: Connections,
  allowed: Connections,
  selecting: readonly NetworkPolicyView[],
): void {
  const missing = required.subtract(allowed);
  if (missing.isEmpty()) return;
  const self = direction === 'egress' ? source : destination;
  const other = direction === 'egress' ? destination : source;
  problems.add(`no ${direction} rule of the policies selecting it allows ${missing} ${direction === 'egress' ? 'to' : 'from'} ${peerRef(other)}`,
    peerRef(self), selecting.map((p) => objectRef(p.object)));
}

/** Problems with the pods each is found for and the objects deciding it, one line per problem however many pods share it. */
class Grouped {
  private readonly byProblem = new Map<string, { pods: Set<string>; objects: Set<string> }>();

  add(problem: string, pod?: string, objects: readonly string[] = []): void {
    let entry = this.byProblem.get(problem);
    if (!entry) this.byProblem.set(problem, (entry = { pods: new Set(), objects: new Set() }));
    if (pod !== undefined) entry.pods.add(pod);
    for (const o of objects) entry.objects.add(o);
  }

  isEmpty(): boolean {
    return this.byProblem.size === 0;
  }

  toString(): string {
    return [...this.byProblem].map(([problem, { pods, objects }]) => (pods.size === 0 ? '' : `${listed([...pods])}: `) + problem
      + (objects.size === 0 ? '' : ` (${listed([...objects])})`)).join('; ');
  }
}

/** `a, b, c and 4 more`. */
function listed(items: readonly string[]): string {
  return items.length <= 3 ? items.join(', ') : `${items.slice(0, 3).join(', ')} and ${items.length - 3} more`;
}
