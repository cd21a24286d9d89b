/**
 * Where the kinds that run pods keep their pod spec, in the three forms the cluster-time guards
 * need: Gatekeeper match kinds, ValidatingAdmissionPolicy resource rules, and the Rego / CEL that
 * find the pod spec of a reviewed object. Kept in one file so the three can never disagree.
 */

/** A kind that runs pods, with its API group, version and resource name. */
export interface WorkloadKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly resource: string;
  /** Path of the pod spec inside the object, dot-separated. */
  readonly podSpecPath: string;
}

export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  { group: '', version: 'v1', kind: 'Pod', resource: 'pods', podSpecPath: 'spec' },
  { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', podSpecPath: 'spec.template.spec' },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', resource: 'statefulsets', podSpecPath: 'spec.template.spec' },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', resource: 'daemonsets', podSpecPath: 'spec.template.spec' },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', resource: 'replicasets', podSpecPath: 'spec.template.spec' },
  { group: 'batch', version: 'v1', kind: 'Job', resource: 'jobs', podSpecPath: 'spec.template.spec' },
  { group: 'batch', version: 'v1', kind: 'CronJob', resource: 'cronjobs', podSpecPath: 'spec.jobTemplate.spec.template.spec' },
];

function groupsOf<T>(key: (k: WorkloadKind) => T): { group: string; items: T[] }[] {
  const groups = [...new Set(WORKLOAD_KINDS.map((k) => k.group))];
  return groups.map((group) => ({ group, items: WORKLOAD_KINDS.filter((k) => k.group === group).map(key) }));
}

/** Gatekeeper `match.kinds` selecting every workload kind. */
export function gatekeeperWorkloadKinds(): { apiGroups: string[]; kinds: string[] }[] {
  return groupsOf((k) => k.kind).map(({ group, items }) => ({ apiGroups: [group], kinds: items }));
}

/** ValidatingAdmissionPolicy `matchConstraints.resourceRules` for creating and updating workloads. */
export function admissionWorkloadRules(): { apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[] }[] {
  return groupsOf((k) => k.resource).map(({ group, items }) => ({ apiGroups: [group], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: items }));
}

const TEMPLATE_KINDS = WORKLOAD_KINDS.filter((k) => k.podSpecPath === 'spec.template.spec').map((k) => k.kind);

/**
 * Rego shared by every template: `pod_spec` of the reviewed object and the set of its
 * `containers` (init and ephemeral containers included).
 */
export const REGO_POD_SPEC = `obj := input.review.object

template_kinds := {${TEMPLATE_KINDS.map((k) => JSON.stringify(k)).join(', ')}}

pod_spec = obj.spec {
  obj.kind == "Pod"
}

pod_spec = obj.spec.template.spec {
  template_kinds[obj.kind]
}

pod_spec = obj.spec.jobTemplate.spec.template.spec {
  obj.kind == "CronJob"
}

containers[c] {
  c := pod_spec.containers[_]
}

containers[c] {
  c := pod_spec.initContainers[_]
}

containers[c] {
  c := pod_spec.ephemeralContainers[_]
}

subject = sprintf("%v %v", [obj.kind, obj.metadata.name])`;

/**
 * CEL variables shared by every admission policy: `podSpec` and `containers` (init containers
 * included; ephemeral containers are a different type and only reachable through a subresource
 * these policies do not match).
 */
export const CEL_POD_SPEC_VARIABLES: readonly { readonly name: string; readonly expression: string }[] = [
  {
    name: 'podSpec',
    expression: "object.kind == 'Pod' ? object.spec : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)",
  },
  {
    name: 'containers',
    expression: 'variables.podSpec.containers + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : [])',
  },
];
