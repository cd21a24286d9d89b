import { KubeObject } from '../manifest/kube-object';
import { firstLabel, LabelIndex, LabelSelector, Labels, selects } from '../manifest/label-selector';
import { podTemplateOf } from '../manifest/workload-kinds';
import { at, Check, groupBy, indexOnce } from './check';

/** What a namespace holds that decides who may call a Service: its pods, network policies and mesh policies, indexed by label. */
interface NamespaceIndex {
  readonly podLabels: readonly Labels[];
  /** The pods, by each of their labels. */
  readonly podsByLabel: LabelIndex<Labels>;
  /** The NetworkPolicies that isolate ingress, by their pod selector's first label. */
  readonly isolating: LabelIndex<NetworkPolicySpec>;
  /** The ALLOW AuthorizationPolicies, by their selector's first label. */
  readonly allows: LabelIndex<AuthorizationPolicySpec>;
  /** Whether a pod (by its labels object) is admitted by each layer: the answers, once per pod. */
  readonly admitted: Map<Labels, { readonly network: boolean; readonly mesh: boolean }>;
}

const namespaces = new WeakMap<readonly KubeObject[], Map<string, NamespaceIndex>>();

function namespaceIndex(all: readonly KubeObject[]): Map<string, NamespaceIndex> {
  const byNamespace = groupBy(all, (o) => o.metadata.namespace ?? '');
  const index = new Map<string, NamespaceIndex>();
  for (const [namespace, objects] of byNamespace) {
    const podLabels = objects.flatMap((o) => {
      if (o.kind === 'Pod') return [o.metadata.labels ?? {}];
      const template = podTemplateOf(o) as { metadata?: { labels?: Labels } } | undefined;
      return template ? [template.metadata?.labels ?? {}] : [];
    });
    const podsByLabel = new LabelIndex<Labels>();
    for (const labels of podLabels) for (const k in labels) podsByLabel.add([k, labels[k]], labels);
    const isolating = new LabelIndex<NetworkPolicySpec>();
    const allows = new LabelIndex<AuthorizationPolicySpec>();
    for (const o of objects) {
      if (o.kind === 'NetworkPolicy') {
        const spec = (o.spec ?? {}) as NetworkPolicySpec;
        if ((spec.policyTypes ?? ['Ingress']).includes('Ingress')) isolating.add(firstLabel(spec.podSelector), spec);
      } else if (o.kind === 'AuthorizationPolicy') {
        const spec = (o.spec ?? {}) as AuthorizationPolicySpec;
        if ((spec.action ?? 'ALLOW') === 'ALLOW') allows.add(firstLabel(spec.selector), spec);
      }
    }
    index.set(namespace, { podLabels, podsByLabel, isolating, allows, admitted: new Map() });
  }
  return index;
}

/** `selector` selects `labels`; an absent selector selects every pod. */
const selectsPod = (selector: LabelSelector | undefined, labels: Labels): boolean => selector === undefined || selects(selector, labels);

interface NetworkPolicySpec {
  readonly podSelector?: LabelSelector;
  readonly policyTypes?: readonly string[];
  readonly ingress?: readonly unknown[];
}

/**
 * Whether network policy lets anything reach a pod: it is open while no policy isolates its
 * ingress, and once one does, only an ingress rule of a policy that selects it lets a caller in.
 */
function networkAdmitsSomeone(ns: NamespaceIndex, pod: Labels): boolean {
  const isolating = ns.isolating.selecting(pod).filter((spec) => selectsPod(spec.podSelector, pod));
  return isolating.length === 0 || isolating.some((spec) => (spec.ingress ?? []).length > 0);
}

interface AuthorizationPolicySpec {
  readonly selector?: LabelSelector;
  readonly action?: string;
  readonly rules?: readonly unknown[];
}

/**
 * Whether the mesh lets any request reach a pod: allowed while no ALLOW policy applies to it, and
 * once one does (a namespace's allow-nothing default included), only an ALLOW rule lets one in.
 */
function meshAdmitsSomeone(ns: NamespaceIndex, pod: Labels): boolean {
  const allows = ns.allows.selecting(pod).filter((spec) => selectsPod(spec.selector, pod));
  return allows.length === 0 || allows.some((spec) => (spec.rules ?? []).length > 0);
}

/** Both layers' answers for one pod, computed once per pod (Services often share their pods). */
function admitted(ns: NamespaceIndex, pod: Labels): { readonly network: boolean; readonly mesh: boolean } {
  let found = ns.admitted.get(pod);
  if (!found) ns.admitted.set(pod, (found = { network: networkAdmitsSomeone(ns, pod), mesh: meshAdmitsSomeone(ns, pod) }));
  return found;
}

const serviceSelectors = new WeakMap<Labels, LabelSelector>();

/** A Service's selector as a label selector, one object per Service (the selector's compiled form is cached by object). */
function selectorOf(labels: Labels): LabelSelector {
  let found = serviceSelectors.get(labels);
  if (!found) serviceSelectors.set(labels, (found = { matchLabels: labels }));
  return found;
}

/**
 * The pod label sets (of Pods and workloads' pod templates) a Service selects among `all`;
 * undefined for a Service whose endpoints are not pods (no or an empty selector, ExternalName).
 */
export function podsOfService(service: KubeObject, all: readonly KubeObject[]): readonly Labels[] | undefined {
  const spec = (service.spec ?? {}) as { selector?: Labels; type?: string };
  if (!spec.selector || Object.keys(spec.selector).length === 0 || spec.type === 'ExternalName') return undefined;
  const ns = indexOnce(namespaces, all, namespaceIndex).get(service.metadata.namespace ?? '');
  if (!ns) return [];
  const selector = selectorOf(spec.selector);
  return ns.podsByLabel.selectable(selector, ns.podLabels).filter((labels) => selects(selector, labels));
}

export const servicesHaveCallers: Check = {
  id: 'services-have-callers',
  title: 'Services have callers',
  description: 'Every Service has a caller its pods\' NetworkPolicy and AuthorizationPolicy admit (no Service nothing may call).',
  severity: 'error',
  profile: 'bulwark',
  controls: ['nsa/network-policies'],
  remediation: 'Declare the Service\'s callers (a component\'s dependsOn, components.<name>.callers, a public host) or do not emit it.',
  kinds: new Set(['Service']),
  inspect(object, all) {
    if (object.kind !== 'Service') return [];
    const pods = podsOfService(object, all);
    if (pods === undefined || pods.length === 0) return [];
    const ns = indexOnce(namespaces, all, namespaceIndex).get(object.metadata.namespace ?? '')!;
    const blocked = [
      ...(pods.some((pod) => admitted(ns, pod).network) ? [] : ['no NetworkPolicy admits any caller to its pods']),
      ...(pods.some((pod) => admitted(ns, pod).mesh) ? [] : ['no AuthorizationPolicy rule allows any caller']),
    ];
    return blocked.length === 0 ? [] : [at('spec.selector', `nothing may call the Service: ${blocked.join(', and ')}; declare its callers `
      + '(a component\'s dependsOn, components.<name>.callers, a public host) or do not emit it')];
  },
};
