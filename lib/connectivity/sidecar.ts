import { KubeObject } from '../manifest/kube-object';
import { Labels, selects } from '../manifest/label-selector';
import { Addresses } from './addresses';
import { Inventory, Workload } from './inventory';

/** Where a client's sidecar sends a connection: a host (a Service's or a ServiceEntry's) or addresses, on a TCP port. */
export interface SidecarTarget {
  /** The namespace of the Service the host names; absent for hosts outside the cluster (ServiceEntries). */
  readonly namespace?: string;
  /** A host; `undefined` with a namespace: any Service of that namespace (its name is not known). */
  readonly host?: string;
  readonly addresses?: Addresses;
  readonly port: number;
}

export interface SidecarView {
  readonly object: KubeObject;
  readonly namespace: string;
  readonly workloadSelector?: Labels;
  /** `namespace/host` patterns with an optional port, per egress listener. */
  readonly egress: readonly { readonly hosts: readonly string[]; readonly port?: number }[];
  readonly registryOnly: boolean;
}

/** One host of a ServiceEntry on one port, with what makes it reachable. */
export interface RegistryEntry {
  readonly object: KubeObject;
  readonly namespace: string;
  readonly host: string;
  readonly addresses?: Addresses;
  readonly port: number;
  readonly exportTo: readonly string[];
}

export interface SidecarVerdict {
  /** Whether the workload's Sidecar decides (a sidecar, a Sidecar object in the input, TCP). */
  readonly governed: boolean;
  readonly allowed: boolean;
  readonly sidecar?: SidecarView;
  /** The ServiceEntry the connection is known by, when it is one. */
  readonly entry?: RegistryEntry;
}

type Json = Record<string, unknown>;

function sidecarView(object: KubeObject): SidecarView {
  const spec = (object.spec ?? {}) as Json;
  return {
    object,
    namespace: object.metadata.namespace ?? 'default',
    workloadSelector: (spec.workloadSelector as { labels?: Labels } | undefined)?.labels,
    egress: ((spec.egress ?? []) as { hosts?: string[]; port?: { number?: number } }[])
      .map((e) => ({ hosts: e.hosts ?? [], port: e.port?.number })),
    registryOnly: (spec.outboundTrafficPolicy as { mode?: string } | undefined)?.mode === 'REGISTRY_ONLY',
  };
}

function registryEntries(object: KubeObject): RegistryEntry[] {
  const spec = (object.spec ?? {}) as { hosts?: string[]; addresses?: string[]; ports?: { number: number }[]; exportTo?: string[] };
  const addresses = spec.addresses && spec.addresses.length > 0
    ? spec.addresses.reduce((all, a) => all.union(Addresses.cidr(a) ?? Addresses.NONE), Addresses.NONE)
    : undefined;
  return (spec.hosts ?? []).flatMap((host) => (spec.ports ?? []).map((p) => ({
    object,
    namespace: object.metadata.namespace ?? 'default',
    host,
    addresses,
    port: p.number,
    exportTo: spec.exportTo && spec.exportTo.length > 0 ? spec.exportTo : ['*'],
  })));
}

/** A Sidecar host pattern's DNS part matches `host`: `*`, `*.suffix` or exact. */
function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  return pattern === host;
}

/**
 * The Sidecar / ServiceEntry layer (Istio semantics) for clients with a sidecar: a workload's
 * Sidecar is the one of its namespace whose workloadSelector selects it, else the namespace's
 * Sidecar without one. With `REGISTRY_ONLY`, a TCP connection leaves only towards a host the
 * Sidecar imports (`namespace/host` of an egress listener, `.` its own namespace, `*` any, on the
 * listener's port if it names one) and that is visible there (a ServiceEntry's exportTo); any
 * other is sent to the black hole. UDP is not intercepted, and a workload without a Sidecar in the
 * input follows the mesh-wide default, which the input does not hold.
 */
export class SidecarLayer {
  readonly sidecars: readonly SidecarView[];
  readonly entries: readonly RegistryEntry[];
  private readonly ofWorkload = new Map<Workload, SidecarView | undefined>();

  constructor(inventory: Inventory) {
    this.sidecars = inventory.sidecars.map(sidecarView);
    this.entries = inventory.serviceEntries.flatMap(registryEntries);
  }

  sidecarOf(w: Workload): SidecarView | undefined {
    if (this.ofWorkload.has(w)) return this.ofWorkload.get(w);
    const own = this.sidecars.filter((s) => s.namespace === w.namespace);
    const found = own.find((s) => s.workloadSelector !== undefined && selects({ matchLabels: s.workloadSelector }, w.labels))
      ?? own.find((s) => s.workloadSelector === undefined);
    this.ofWorkload.set(w, found);
    return found;
  }

  /** Whether `sidecar` imports a host of `namespace` (any host when `host` is undefined) on `port`. */
  imports(sidecar: SidecarView, namespace: string, host: string | undefined, port: number): boolean {
    return sidecar.egress.some((listener) => (listener.port === undefined || listener.port === port) && listener.hosts.some((pattern) => {
      const slash = pattern.indexOf('/');
      const ns = slash === -1 ? '*' : pattern.slice(0, slash);
      const dns = slash === -1 ? pattern : pattern.slice(slash + 1);
      const nsOk = ns === '*' || (ns === '.' ? sidecar.namespace === namespace : ns === namespace);
      return nsOk && (host === undefined || hostMatches(dns, host));
    }));
  }

  /** The ServiceEntry hosts the workload's sidecar knows and may send to (visible to its namespace and imported). */
  reachableEntries(w: Workload): readonly RegistryEntry[] {
    const sidecar = this.sidecarOf(w);
    return this.entries.filter((e) => visible(e, w.namespace) && (!sidecar || this.imports(sidecar, e.namespace, e.host, e.port)));
  }

  verdict(w: Workload, target: SidecarTarget): SidecarVerdict {
    const sidecar = w.mesh ? this.sidecarOf(w) : undefined;
    if (!sidecar) return { governed: false, allowed: true };
    // The answer depends on the Sidecar and the client's namespace only: remembered for the thousand pods sharing one.
    const key = `${w.namespace}|${target.namespace ?? ''}|${target.host ?? ''}|${target.addresses?.toString() ?? ''}|${target.port}`;
    let bySidecar = this.verdicts.get(sidecar);
    if (!bySidecar) this.verdicts.set(sidecar, (bySidecar = new Map()));
    let found = bySidecar.get(key);
    if (!found) bySidecar.set(key, (found = this.judge(sidecar, w.namespace, target)));
    return found;
  }

  private readonly verdicts = new Map<SidecarView, Map<string, SidecarVerdict>>();

  private judge(sidecar: SidecarView, namespace: string, target: SidecarTarget): SidecarVerdict {
    const entry = this.entries.find((e) => e.port === target.port && visible(e, namespace)
      && (target.host !== undefined && target.namespace === undefined
        ? hostMatches(e.host, target.host)
        : target.addresses !== undefined && e.addresses !== undefined && e.addresses.contains(target.addresses))
      && this.imports(sidecar, e.namespace, e.host, e.port));
    if (entry) return { governed: true, allowed: true, sidecar, entry };
    const service = target.namespace !== undefined && this.imports(sidecar, target.namespace, target.host, target.port);
    return { governed: true, allowed: service || !sidecar.registryOnly, sidecar };
  }
}

function visible(e: RegistryEntry, namespace: string): boolean {
  return e.exportTo.some((x) => x === '*' || (x === '.' ? e.namespace === namespace : x === namespace));
}
