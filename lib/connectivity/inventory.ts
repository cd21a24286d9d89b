import { KubeObject } from '../manifest/kube-object';
import { Labels, NAMESPACE_NAME_LABEL } from '../manifest/label-selector';
import { POD_KINDS, podSpecOf, podTemplateOf } from '../manifest/workload-kinds';
import { Protocol, PROTOCOLS } from './ports';

/** A port a container listens on. */
export interface ContainerPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
}

/** The pods of one workload object, as every layer sees them. */
export interface Workload {
  /** `namespace/name[Kind]`: how the matrix (and netpol-analyzer) names it. */
  readonly ref: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** Labels of its pods. */
  readonly labels: Labels;
  readonly namespaceLabels: Labels;
  readonly serviceAccount: string;
  /** Ports of its containers (init containers serve nothing). */
  readonly ports: readonly ContainerPort[];
  /** Whether its pods run an Istio sidecar: injection on in the namespace or the pod, and not off in the pod. */
  readonly mesh: boolean;
  readonly object: KubeObject;
}

/** A Service: the name a client's sidecar knows a workload by. */
export interface ServiceView {
  readonly name: string;
  readonly namespace: string;
  readonly host: string;
  readonly selector: Labels;
  readonly ports: readonly { readonly port: number; readonly targetPort: number | string; readonly protocol: Protocol }[];
  readonly object: KubeObject;
}

/** What the layers read of the synthesized objects, indexed once. */
export interface Inventory {
  readonly workloads: readonly Workload[];
  readonly namespaces: ReadonlyMap<string, Labels>;
  readonly services: readonly ServiceView[];
  readonly networkPolicies: readonly KubeObject[];
  readonly authorizationPolicies: readonly KubeObject[];
  readonly sidecars: readonly KubeObject[];
  readonly serviceEntries: readonly KubeObject[];
}

type Json = Record<string, unknown>;

/** Appends `item` to the list under `key`, creating it (in place: these lists grow to thousands). */
export function addTo<K, T>(map: Map<K, T[]>, key: K, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

const INJECT = 'sidecar.istio.io/inject';

/** The labels of a namespace: its object's, or only its name label when the input does not hold it. */
export function namespaceLabelsOf(inventory: Pick<Inventory, 'namespaces'>, namespace: string): Labels {
  return inventory.namespaces.get(namespace) ?? { [NAMESPACE_NAME_LABEL]: namespace };
}

export function protocolOf(value: unknown): Protocol {
  return PROTOCOLS.includes(value as Protocol) ? (value as Protocol) : 'TCP';
}

function inMesh(namespaceLabels: Labels, podLabels: Labels, annotations: Labels, hostNetwork: boolean): boolean {
  const pod = podLabels[INJECT] ?? annotations[INJECT];
  if (hostNetwork || pod === 'false') return false;
  return pod === 'true' || namespaceLabels['istio-injection'] === 'enabled' || namespaceLabels['istio.io/rev'] !== undefined;
}

function workloadOf(o: KubeObject, namespaces: ReadonlyMap<string, Labels>): Workload | undefined {
  const spec = podSpecOf(o) as Json | undefined;
  if (!spec) return undefined;
  const meta = (o.kind === 'Pod' ? o.metadata : (podTemplateOf(o) as { metadata?: Json } | undefined)?.metadata ?? {}) as {
    labels?: Labels;
    annotations?: Labels;
  };
  const namespace = o.metadata.namespace ?? 'default';
  const namespaceLabels = namespaces.get(namespace) ?? { [NAMESPACE_NAME_LABEL]: namespace };
  const labels = meta.labels ?? {};
  const containers = (spec.containers ?? []) as { ports?: { name?: string; containerPort: number; protocol?: string }[] }[];
  return {
    ref: `${namespace}/${o.metadata.name}[${o.kind}]`,
    kind: o.kind,
    name: o.metadata.name,
    namespace,
    labels,
    namespaceLabels,
    serviceAccount: (spec.serviceAccountName as string | undefined) ?? 'default',
    ports: containers.flatMap((c) => (c.ports ?? []).map((p) => ({ name: p.name, port: p.containerPort, protocol: protocolOf(p.protocol) }))),
    mesh: inMesh(namespaceLabels, labels, meta.annotations ?? {}, spec.hostNetwork === true),
    object: o,
  };
}

function serviceOf(o: KubeObject): ServiceView | undefined {
  const spec = (o.spec ?? {}) as { selector?: Labels; type?: string; ports?: { port: number; targetPort?: number | string; protocol?: string }[] };
  if (spec.type === 'ExternalName') return undefined;
  const namespace = o.metadata.namespace ?? 'default';
  return {
    name: o.metadata.name,
    namespace,
    host: `${o.metadata.name}.${namespace}.svc.cluster.local`,
    selector: spec.selector ?? {},
    ports: (spec.ports ?? []).map((p) => ({ port: p.port, targetPort: p.targetPort ?? p.port, protocol: protocolOf(p.protocol) })),
    object: o,
  };
}

/** The inventory of a synthesized object set: workloads, Services, and the policy objects of every layer. */
export function inventoryOf(objects: readonly KubeObject[]): Inventory {
  // One pass over the objects: reading them is the cost at a thousand services.
  const byKind = new Map<string, KubeObject[]>();
  for (const o of objects) addTo(byKind, o.kind, o);
  const ofKind = (kind: string): KubeObject[] => byKind.get(kind) ?? [];
  const namespaces = new Map<string, Labels>();
  for (const o of ofKind('Namespace')) namespaces.set(o.metadata.name, { ...(o.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: o.metadata.name });
  const workloads: Workload[] = [];
  for (const kind of POD_KINDS) for (const o of ofKind(kind)) {
    const w = workloadOf(o, namespaces);
    if (w) workloads.push(w);
  }
  return {
    workloads,
    namespaces,
    services: ofKind('Service').flatMap((o) => serviceOf(o) ?? []),
    networkPolicies: ofKind('NetworkPolicy'),
    authorizationPolicies: ofKind('AuthorizationPolicy'),
    sidecars: ofKind('Sidecar'),
    serviceEntries: ofKind('ServiceEntry'),
  };
}
