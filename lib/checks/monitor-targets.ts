import { ENVOY_STATS, injectsSidecar } from '../manifest/istio-proxy';
import { KubeObject } from '../manifest/kube-object';
import { LabelIndex, LabelSelector, Labels, selects } from '../manifest/label-selector';
import { podTemplateOf } from '../manifest/workload-kinds';
import { at, Check, groupBy, indexOnce, Violation } from './check';

/** A monitor's endpoint: its port by name (a PodMonitor's also by number). */
interface Endpoint {
  readonly port?: string;
  readonly portNumber?: number;
}

/** The fields of a ServiceMonitor or PodMonitor the check reads. */
interface MonitorSpec {
  readonly selector?: LabelSelector;
  readonly namespaceSelector?: { readonly any?: boolean; readonly matchNames?: readonly string[] };
  /** ServiceMonitor. */
  readonly endpoints?: readonly Endpoint[];
  /** PodMonitor. */
  readonly podMetricsEndpoints?: readonly Endpoint[];
}

/** A scrape target: its labels and the names (and numbers) of its ports. */
interface Target {
  readonly namespace: string;
  readonly labels: Labels;
  readonly ports: ReadonlySet<string | number>;
}

/** A namespace's targets of one kind, and the same by each of their labels. */
interface NamespaceTargets {
  readonly all: readonly Target[];
  readonly byLabel: LabelIndex<Target>;
}

interface Targets {
  readonly services: ReadonlyMap<string, NamespaceTargets>;
  readonly pods: ReadonlyMap<string, NamespaceTargets>;
}

function namespaceTargets(all: readonly Target[]): NamespaceTargets {
  const byLabel = new LabelIndex<Target>();
  for (const t of all) for (const k in t.labels) byLabel.add([k, t.labels[k]], t);
  return { all, byLabel };
}

const targetsOf = new WeakMap<readonly KubeObject[], Targets>();

interface PodSpec {
  readonly containers?: readonly { readonly ports?: readonly { readonly name?: string; readonly containerPort?: number }[] }[];
}

/** The names and numbers of a pod's container ports. */
function podPorts(spec: PodSpec | undefined): (string | number)[] {
  return (spec?.containers ?? []).flatMap((c) => (c.ports ?? []).flatMap((p) => [p.name, p.containerPort]))
    .filter((p): p is string | number => p !== undefined);
}

/** The Services and pods (workloads' templates, the injected proxy's port included) of each namespace. */
function indexTargets(all: readonly KubeObject[]): Targets {
  const namespaceLabels = new Map(all.filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.name, o.metadata.labels ?? {}]));
  const byNamespace = groupBy(all, (o) => o.metadata.namespace ?? '');
  const services = new Map<string, NamespaceTargets>();
  const pods = new Map<string, NamespaceTargets>();
  for (const [namespace, objects] of byNamespace) {
    services.set(namespace, namespaceTargets(objects.filter((o) => o.kind === 'Service').map((o) => ({
      namespace,
      labels: o.metadata.labels ?? {},
      ports: new Set(((o.spec as { ports?: readonly { name?: string }[] } | undefined)?.ports ?? []).flatMap((p) => (p.name ? [p.name] : []))),
    }))));
    pods.set(namespace, namespaceTargets(objects.flatMap((o): Target[] => {
      const template = (o.kind === 'Pod' ? o : podTemplateOf(o)) as { metadata?: { labels?: Labels }; spec?: PodSpec } | undefined;
      if (!template) return [];
      const labels = template.metadata?.labels ?? {};
      const injected = injectsSidecar(namespaceLabels.get(namespace) ?? {}, labels) ? [ENVOY_STATS.portName, ENVOY_STATS.port] : [];
      return [{ namespace, labels, ports: new Set([...podPorts(template.spec), ...injected]) }];
    })));
  }
  return { services, pods };
}

/** The namespaces a monitor looks in (its own unless namespaceSelector says), and `any` for every namespace of the set. */
function namespacesOf(object: KubeObject, spec: MonitorSpec, all: ReadonlyMap<string, unknown>): string[] {
  if (spec.namespaceSelector?.any) return [...all.keys()];
  return spec.namespaceSelector?.matchNames ? [...spec.namespaceSelector.matchNames] : [object.metadata.namespace ?? ''];
}

function describeSelector(selector: LabelSelector | undefined): string {
  const labels = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const expressions = (selector?.matchExpressions ?? []).map((e) => `${e.key} ${e.operator}${e.values ? ` (${e.values.join(', ')})` : ''}`);
  return [...labels, ...expressions].join(', ') || 'everything';
}

/**
 * A ServiceMonitor must select a Service and name ports those Services have, a PodMonitor pods and
 * their ports: Prometheus silently discovers no target otherwise, and nobody learns that a
 * component is not scraped until an alert that should have fired did not.
 */
export const monitorsSelectTargets: Check = {
  id: 'monitors-select-targets',
  title: 'Monitors select targets',
  description: 'Every ServiceMonitor selects a Service, every PodMonitor a pod, and each of their endpoints names a port the selected ones '
    + 'have.',
  severity: 'error',
  profile: 'generic',
  controls: [],
  remediation: 'Select the labels of the Services (pods) to scrape and name one of their ports, or do not emit the monitor.',
  kinds: new Set(['ServiceMonitor', 'PodMonitor']),
  inspect(object, all) {
    if (object.kind !== 'ServiceMonitor' && object.kind !== 'PodMonitor') return [];
    const spec = (object.spec ?? {}) as MonitorSpec;
    const index = indexOnce(targetsOf, all, indexTargets);
    const service = object.kind === 'ServiceMonitor';
    const byNamespace = service ? index.services : index.pods;
    const namespaces = namespacesOf(object, spec, byNamespace);
    const selector = spec.selector;
    const selected = namespaces.flatMap((ns) => {
      const targets = byNamespace.get(ns);
      return targets ? targets.byLabel.selectable(selector, targets.all) : [];
    }).filter((t) => selector === undefined || selects(selector, t.labels));
    const what = service ? 'Service' : 'pod';
    if (selected.length === 0) {
      const where = namespaces.join(', ') || 'no namespace';
      return [at('spec.selector', `selects no ${what}: none in ${where} carries ${describeSelector(spec.selector)}; `
        + `fix: select the labels of the ${what}s to scrape, or do not emit the monitor`)];
    }
    const endpoints: readonly Endpoint[] = service ? spec.endpoints ?? [] : spec.podMetricsEndpoints ?? [];
    const list = service ? 'endpoints' : 'podMetricsEndpoints';
    return endpoints.flatMap((e, i): Violation[] => {
      const port = e.port ?? e.portNumber;
      if (port === undefined || selected.some((t) => t.ports.has(port))) return [];
      const known = [...new Set(selected.flatMap((t) => [...t.ports]))].join(', ');
      return [at(`spec.${list}[${i}].port`, `endpoint ${i} names port ${JSON.stringify(port)}, `
        + `which no selected ${what} has (they have: ${known || 'no ports'}); `
        + `fix: name one of their ports, or give the ${what} the port`)];
    });
  },
};
