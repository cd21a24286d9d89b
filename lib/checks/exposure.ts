/**
 * What a namespace, a Service or an Ingress exposes, and what isolates pods: Pod Security
 * admission labels, the default namespace, NodePort and open LoadBalancer Services, Services that
 * select no pod, Ingresses without TLS, pods no NetworkPolicy selects.
 */
import { KubeObject } from '../manifest/kube-object';
import { firstLabel, LabelIndex, LabelSelector, Labels, selects } from '../manifest/label-selector';
import { at, Check, indexOnce } from './check';
import { podCheck } from './pod-security';
import { podMetadataAt } from './pod-spec';
import { podsOfService } from './service-callers';

const PSA_LEVELS = ['privileged', 'baseline', 'restricted'];
const PSA_ENFORCE = 'pod-security.kubernetes.io/enforce';

export const namespacePodSecurity: Check = {
  id: 'namespace-pod-security',
  title: 'Pod Security admission enforced',
  description: 'Every Namespace enforces a Pod Security Standards level above privileged '
    + '(label pod-security.kubernetes.io/enforce: baseline or restricted).',
  severity: 'error',
  profile: 'generic',
  controls: ['nsa/pod-security', 'nsa/namespaces'],
  remediation: 'Label the Namespace pod-security.kubernetes.io/enforce: restricted (and pin enforce-version).',
  kinds: new Set(['Namespace']),
  inspect(object) {
    if (object.kind !== 'Namespace') return [];
    const level = object.metadata.labels?.[PSA_ENFORCE];
    if (level === undefined) return [at('metadata.labels', `no ${PSA_ENFORCE} label`)];
    if (!PSA_LEVELS.includes(level)) return [at(`metadata.labels["${PSA_ENFORCE}"]`, `${PSA_ENFORCE} is ${JSON.stringify(level)}, not a level`)];
    return level === 'privileged' ? [at(`metadata.labels["${PSA_ENFORCE}"]`, 'enforces the privileged level (no restriction)')] : [];
  },
};

export const namespaceRestricted: Check = {
  id: 'namespace-restricted',
  title: 'Namespaces enforce restricted',
  description: 'Every Namespace the platform creates enforces, audits and warns at the restricted level.',
  severity: 'error',
  profile: 'bulwark',
  controls: ['nsa/pod-security'],
  remediation: 'Label the Namespace pod-security.kubernetes.io/{enforce,audit,warn}: restricted.',
  kinds: new Set(['Namespace']),
  inspect(object) {
    if (object.kind !== 'Namespace') return [];
    return ['enforce', 'audit', 'warn'].filter((mode) => object.metadata.labels?.[`pod-security.kubernetes.io/${mode}`] !== 'restricted')
      .map((mode) => at(`metadata.labels["pod-security.kubernetes.io/${mode}"]`, `pod-security.kubernetes.io/${mode} is not restricted`));
  },
};

export const defaultNamespace: Check = {
  id: 'default-namespace',
  title: 'Not in the default namespace',
  description: 'No object lives in the default namespace, which has no boundary of its own (quota, policies, admission labels).',
  severity: 'error',
  profile: 'generic',
  controls: ['cis/5.7.4', 'nsa/namespaces'],
  remediation: 'Give the object a namespace of its own application.',
  inspect(object) {
    return object.metadata.namespace === 'default' ? [at('metadata.namespace', 'lives in the default namespace')] : [];
  },
};

interface ServiceSpecView {
  readonly type?: string;
  readonly loadBalancerSourceRanges?: readonly string[];
}

export const serviceNodePort: Check = {
  id: 'service-node-port',
  title: 'No NodePort Services',
  description: 'No Service is of type NodePort, which opens a port on every node, beside the ingress gateway and its policies.',
  severity: 'error',
  profile: 'generic',
  controls: ['nsa/network-policies'],
  remediation: 'Use a ClusterIP Service behind the ingress gateway (or an Ingress) instead.',
  kinds: new Set(['Service']),
  inspect(object) {
    return object.kind === 'Service' && (object.spec as ServiceSpecView | undefined)?.type === 'NodePort'
      ? [at('spec.type', 'Service of type NodePort')] : [];
  },
};

export const serviceLoadBalancerSourceRanges: Check = {
  id: 'service-load-balancer-source-ranges',
  title: 'LoadBalancers limit their sources',
  description: 'A Service of type LoadBalancer names the source ranges it accepts (loadBalancerSourceRanges), '
    + 'so it is not open to the internet by default.',
  severity: 'error',
  profile: 'generic',
  controls: ['nsa/network-policies'],
  remediation: 'Set spec.loadBalancerSourceRanges to the networks that may connect (or front it with the ingress gateway).',
  kinds: new Set(['Service']),
  inspect(object) {
    const spec = object.spec as ServiceSpecView | undefined;
    return object.kind === 'Service' && spec?.type === 'LoadBalancer' && (spec.loadBalancerSourceRanges ?? []).length === 0
      ? [at('spec.loadBalancerSourceRanges', 'LoadBalancer Service without loadBalancerSourceRanges')] : [];
  },
};

export const serviceSelectsPods: Check = {
  id: 'service-selects-pods',
  title: 'Services select pods',
  description: 'A Service with a selector selects the pods of some workload among the manifests (a typo in a label leaves it without endpoints).',
  severity: 'error',
  profile: 'generic',
  controls: [],
  remediation: 'Make spec.selector match the pod template labels of the workload it fronts.',
  kinds: new Set(['Service']),
  inspect(object, all) {
    if (object.kind !== 'Service') return [];
    const pods = podsOfService(object, all);
    return pods !== undefined && pods.length === 0 ? [at('spec.selector', 'selects no pod of any workload in its namespace')] : [];
  },
};

interface IngressSpecView {
  readonly tls?: readonly { readonly hosts?: readonly string[] }[];
  readonly rules?: readonly { readonly host?: string }[];
}

export const ingressTls: Check = {
  id: 'ingress-tls',
  title: 'Ingress serves TLS',
  description: 'Every host an Ingress routes is covered by its tls section.',
  severity: 'error',
  profile: 'generic',
  controls: ['nsa/application-security'],
  remediation: 'Add spec.tls with the host and the Secret of its certificate (cert-manager can issue it).',
  kinds: new Set(['Ingress']),
  inspect(object) {
    if (object.kind !== 'Ingress') return [];
    const spec = (object.spec ?? {}) as IngressSpecView;
    if ((spec.tls ?? []).length === 0) return [at('spec.tls', 'Ingress without tls')];
    const covered = new Set((spec.tls ?? []).flatMap((t) => t.hosts ?? []));
    return (spec.rules ?? []).flatMap((r, i) => (r.host !== undefined && !covered.has(r.host)
      ? [at(`spec.rules[${i}].host`, `host ${r.host} is not covered by tls`)] : []));
  },
};

/** Per namespace: its NetworkPolicies' pod selectors, by their first label. */
const policySelectors = new WeakMap<readonly KubeObject[], Map<string, LabelIndex<LabelSelector>>>();

function policyIndex(all: readonly KubeObject[]): Map<string, LabelIndex<LabelSelector>> {
  const index = new Map<string, LabelIndex<LabelSelector>>();
  for (const o of all) {
    if (o.kind !== 'NetworkPolicy') continue;
    const selector = ((o.spec ?? {}) as { podSelector?: LabelSelector }).podSelector ?? {};
    const ns = o.metadata.namespace ?? '';
    let byLabel = index.get(ns);
    if (!byLabel) index.set(ns, (byLabel = new LabelIndex()));
    byLabel.add(firstLabel(selector), selector);
  }
  return index;
}

export const networkPolicyCoverage = podCheck({
  id: 'network-policy-coverage',
  title: 'Pods isolated by NetworkPolicy',
  description: 'Every pod is selected by a NetworkPolicy of its namespace, so a default deny and explicit allows govern its traffic.',
  controls: ['cis/5.3.2', 'nsa/network-policies'],
  remediation: 'Add a default-deny NetworkPolicy (podSelector: {}) to the namespace and allow the flows the pod needs.',
}, (pod, object, all) => {
  const { metadata, path } = podMetadataAt(pod, object);
  const labels: Labels = metadata.labels ?? {};
  const policies = indexOnce(policySelectors, all, policyIndex).get(object.metadata.namespace ?? '');
  if (policies !== undefined && policies.selecting(labels).some((selector) => selects(selector, labels))) return [];
  return [at(`${path}.labels`,
    `no NetworkPolicy in ${object.metadata.namespace ?? 'its namespace'} selects its pods`)];
});
