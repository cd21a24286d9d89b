import { KubeObject } from '../manifest/kube-object';
import { podTemplateOf } from '../manifest/workload-kinds';
import { Check, groupBy, indexOnce } from './check';

type Labels = Readonly<Record<string, string>>;

/** A Kubernetes label selector: `matchLabels` and `matchExpressions`, all of which must hold. */
interface LabelSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

/** Whether `selector` selects an object labelled `labels` (an empty selector selects everything). */
export function selects(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return byLabel && (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In': return key in labels && values.includes(labels[key]);
      case 'NotIn': return !(key in labels) || !values.includes(labels[key]);
      case 'Exists': return key in labels;
      case 'DoesNotExist': return !(key in labels);
      default: return false;
    }
  });
}

/** What a namespace holds that decides who may call a Service: its pods, network policies and mesh policies. */
interface NamespaceIndex {
  readonly podLabels: readonly Labels[];
  readonly networkPolicies: readonly KubeObject[];
  readonly authorizationPolicies: readonly KubeObject[];
}

const namespaces = new WeakMap<readonly KubeObject[], Map<string, NamespaceIndex>>();

function namespaceIndex(all: readonly KubeObject[]): Map<string, NamespaceIndex> {
  const byNamespace = groupBy(all, (o) => o.metadata.namespace ?? '');
  const index = new Map<string, NamespaceIndex>();
  for (const [namespace, objects] of byNamespace) {
    index.set(namespace, {
      podLabels: objects.flatMap((o) => {
        if (o.kind === 'Pod') return [o.metadata.labels ?? {}];
        const template = podTemplateOf(o) as { metadata?: { labels?: Labels } } | undefined;
        return template ? [template.metadata?.labels ?? {}] : [];
      }),
      networkPolicies: objects.filter((o) => o.kind === 'NetworkPolicy'),
      authorizationPolicies: objects.filter((o) => o.kind === 'AuthorizationPolicy'),
    });
  }
  return index;
}

interface NetworkPolicySpec {
  readonly podSelector?: LabelSelector;
  readonly policyTypes?: readonly string[];
  readonly ingress?: readonly unknown[];
}

/**
 * Whether network policy lets anything reach a pod: it is open while no policy isolates its
 * ingress, and once one does, only an ingress rule of a policy that selects it lets a caller in.
 */
function networkAdmitsSomeone(policies: readonly KubeObject[], pod: Labels): boolean {
  const isolating = policies.map((p) => (p.spec ?? {}) as NetworkPolicySpec)
    .filter((spec) => selects(spec.podSelector, pod) && (spec.policyTypes ?? ['Ingress']).includes('Ingress'));
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
function meshAdmitsSomeone(policies: readonly KubeObject[], pod: Labels): boolean {
  const allows = policies.map((p) => (p.spec ?? {}) as AuthorizationPolicySpec)
    .filter((spec) => (spec.action ?? 'ALLOW') === 'ALLOW' && selects(spec.selector, pod));
  return allows.length === 0 || allows.some((spec) => (spec.rules ?? []).length > 0);
}

export const servicesHaveCallers: Check = {
  id: 'services-have-callers',
  description: 'Every Service has a caller its pods\' NetworkPolicy and AuthorizationPolicy admit (no Service nothing may call).',
  severity: 'error',
  kinds: new Set(['Service']),
  inspect(object, all) {
    const spec = (object.spec ?? {}) as { selector?: Labels; type?: string };
    // Without a selector (or with an empty one) the Service's endpoints are not its pods: nothing to judge.
    if (object.kind !== 'Service' || !spec.selector || Object.keys(spec.selector).length === 0 || spec.type === 'ExternalName') return [];
    const ns = indexOnce(namespaces, all, namespaceIndex).get(object.metadata.namespace ?? '');
    const pods = (ns?.podLabels ?? []).filter((labels) => selects({ matchLabels: spec.selector }, labels));
    if (!ns || pods.length === 0) return [];
    const blocked = [
      ...(pods.some((pod) => networkAdmitsSomeone(ns.networkPolicies, pod)) ? [] : ['no NetworkPolicy admits any caller to its pods']),
      ...(pods.some((pod) => meshAdmitsSomeone(ns.authorizationPolicies, pod)) ? [] : ['no AuthorizationPolicy rule allows any caller']),
    ];
    return blocked.length === 0 ? [] : [
      `nothing may call the Service: ${blocked.join(', and ')}; declare its callers (a component's dependsOn, `
        + 'components.<name>.callers, a public host) or do not emit it',
    ];
  },
};
