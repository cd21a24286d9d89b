/**
 * Where the kinds that run pods keep their pod spec: the one table that the checks (podSpecOf),
 * the cluster-time guards (Gatekeeper match kinds, ValidatingAdmissionPolicy resource rules, the
 * Rego / CEL that find the pod spec of a reviewed object) and the e2e run (pod templates) read, so
 * that they can never disagree.
 */

/** A kind an admission rule judges, with its API group, version and resource name. */
export interface AdmittedKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly resource: string;
}

/** A kind that runs pods. */
export interface WorkloadKind extends AdmittedKind {
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
  // Argo Rollouts' Deployment: the same pod template, at the same path (a Rollout with workloadRef has
  // none: its Deployment's, and the ReplicaSets' pods, are what the guards judge).
  { group: 'argoproj.io', version: 'v1alpha1', kind: 'Rollout', resource: 'rollouts', podSpecPath: 'spec.template.spec' },
];

/** Every kind that runs pods. */
export const POD_KINDS: ReadonlySet<string> = new Set(WORKLOAD_KINDS.map((k) => k.kind));

const POD_SPEC_KEYS: ReadonlyMap<string, readonly string[]> = new Map(WORKLOAD_KINDS.map((k) => [k.kind, k.podSpecPath.split('.')]));

/** `value[keys[0]][keys[1]]…`, or undefined where a step is not an object. */
function at(value: unknown, keys: readonly string[], length = keys.length): unknown {
  let v = value;
  for (let i = 0; i < length; i++) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[keys[i]] : undefined;
  return v;
}

/** The pod spec an object runs, wherever its kind keeps it; undefined for objects without pods. */
export function podSpecOf(o: { readonly kind: string }): unknown {
  // Called by several checks for every object: no allocation on this path.
  const keys = POD_SPEC_KEYS.get(o.kind);
  return keys === undefined ? undefined : at(o, keys);
}

/** Path of the pod template (`metadata` + `spec`) of a kind that has one, dot-separated; undefined for Pod. */
export function podTemplatePath(k: WorkloadKind): string | undefined {
  return k.podSpecPath === 'spec' ? undefined : k.podSpecPath.replace(/\.spec$/, '');
}

/** The pod template of a workload object (all but Pods), or undefined. */
export function podTemplateOf(o: { readonly kind: string }): unknown {
  const keys = POD_SPEC_KEYS.get(o.kind);
  return keys === undefined || keys.length === 1 ? undefined : at(o, keys, keys.length - 1);
}

function groupsOf<T>(targets: readonly AdmittedKind[], key: (k: AdmittedKind) => T): { group: string; versions: string[]; items: T[] }[] {
  const groups = [...new Set(targets.map((k) => k.group))];
  return groups.map((group) => {
    const kinds = targets.filter((k) => k.group === group);
    return { group, versions: [...new Set(kinds.map((k) => k.version))], items: kinds.map(key) };
  });
}

/** Gatekeeper `match.kinds` selecting `targets` (every workload kind by default). */
export function gatekeeperWorkloadKinds(targets: readonly AdmittedKind[] = WORKLOAD_KINDS): { apiGroups: string[]; kinds: string[] }[] {
  return groupsOf(targets, (k) => k.kind).map(({ group, items }) => ({ apiGroups: [group], kinds: items }));
}

/** ValidatingAdmissionPolicy `matchConstraints.resourceRules` for creating and updating `targets` (every workload kind by default). */
export function admissionWorkloadRules(
  targets: readonly AdmittedKind[] = WORKLOAD_KINDS,
): { apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[] }[] {
  return groupsOf(targets, (k) => k.resource).map(({ group, versions, items }) => ({
    apiGroups: [group],
    apiVersions: versions,
    operations: ['CREATE', 'UPDATE'],
    resources: items,
  }));
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
    expression: "object.kind == 'Pod' ? object.spec : "
      + "(object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)",
  },
  {
    name: 'containers',
    expression: 'variables.podSpec.containers + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : [])',
  },
];
