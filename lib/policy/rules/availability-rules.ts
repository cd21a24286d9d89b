/**
 * Rules on how workloads stay available: enough replicas in a guarded namespace
 * (policy.minReplicas, for Deployments, StatefulSets, Rollouts and their HorizontalPodAutoscalers)
 * and health checks on every long-running container.
 */
import { AUTOSCALED_BY_ANNOTATION } from '../../manifest/labels';
import { AdmittedKind, WORKLOAD_KINDS } from '../../manifest/workload-kinds';
import { compliantContainer, compliantPodSpec, TEST_LABELS, TEST_NAMESPACE, without, workload } from '../fixtures';
import { JsonObject, PolicyDefinition } from '../policy-definition';

const kinds = (...names: string[]): AdmittedKind[] => WORKLOAD_KINDS.filter((k) => names.includes(k.kind));
const HPA: AdmittedKind = { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers' };
/** The kinds whose `spec.replicas` is how many pods they keep. */
const SCALED = ['Deployment', 'StatefulSet', 'Rollout'];

/** A workload of `kind` asking for `replicas` (none: left to an autoscaler). */
function scaled(kind: string, replicas?: number): JsonObject {
  const o = workload({ kind });
  return replicas === undefined ? o : { ...o, spec: { ...(o.spec as JsonObject), replicas } };
}

function hpa(minReplicas?: number): JsonObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: TEST_NAMESPACE, labels: { ...TEST_LABELS } },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      maxReplicas: 6,
      ...(minReplicas === undefined ? {} : { minReplicas }),
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    },
  };
}

export const replicaMinimum: PolicyDefinition = {
  id: 'replica-minimum',
  kind: 'ReplicaMinimum',
  description: 'Deployments, StatefulSets and Rollouts ask for at least policy.minReplicas replicas (or none: switched off), and autoscalers '
    + `keep at least that many (a workload annotated ${AUTOSCALED_BY_ANNOTATION} is its autoscaler's to judge).`,
  targets: [...kinds(...SCALED), HPA],
  parametersSchema: { type: 'object', properties: { minReplicas: { type: 'integer', minimum: 1 } } },
  parameters: (policy) => ({ minReplicas: policy.minReplicas }),
  rego: `scaled_kinds := {${SCALED.map((k) => JSON.stringify(k)).join(', ')}}

violation[{"msg": msg}] {
  scaled_kinds[obj.kind]
  not obj.metadata.annotations[${JSON.stringify(AUTOSCALED_BY_ANNOTATION)}]
  obj.spec.replicas > 0
  obj.spec.replicas < input.parameters.minReplicas
  msg := sprintf("%v asks for %v replicas, fewer than the minimum %v", [subject, obj.spec.replicas, input.parameters.minReplicas])
}

violation[{"msg": msg}] {
  obj.kind == "HorizontalPodAutoscaler"
  min := object.get(obj.spec, "minReplicas", 1)
  min < input.parameters.minReplicas
  msg := sprintf("%v keeps %v replicas at the least, fewer than the minimum %v", [subject, min, input.parameters.minReplicas])
}`,
  admission: {
    variables: (parameters) => [{ name: 'minReplicas', expression: String((parameters as { minReplicas?: number } | undefined)?.minReplicas ?? 1) }],
    validations: [
      {
        expression: 'object.kind == \'HorizontalPodAutoscaler\' || !has(object.spec.replicas) || object.spec.replicas == 0 '
          + `|| (has(object.metadata.annotations) && '${AUTOSCALED_BY_ANNOTATION}' in object.metadata.annotations) `
          + '|| object.spec.replicas >= variables.minReplicas',
        message: 'workloads ask for at least policy.minReplicas replicas',
      },
      {
        expression: 'object.kind != \'HorizontalPodAutoscaler\' '
          + '|| (has(object.spec.minReplicas) ? object.spec.minReplicas : 1) >= variables.minReplicas',
        message: 'autoscalers keep at least policy.minReplicas replicas',
      },
    ],
  },
  testParameters: { minReplicas: 2 },
  invalidParameters: [{ minReplicas: 0 }],
  cases: [
    { name: 'two-replicas', object: scaled('Deployment', 2), violations: 0 },
    { name: 'autoscaled', object: scaled('Rollout'), violations: 0 },
    { name: 'switched-off', object: scaled('Deployment', 0), violations: 0 },
    {
      name: 'autoscaled-defaulted-to-one',
      object: (() => {
        const o = scaled('Deployment', 1);
        return { ...o, metadata: { ...(o.metadata as JsonObject), annotations: { [AUTOSCALED_BY_ANNOTATION]: 'HorizontalPodAutoscaler/web' } } };
      })(),
      violations: 0,
    },
    { name: 'hpa-of-two', object: hpa(2), violations: 0 },
    { name: 'one-replica', object: scaled('Deployment', 1), violations: 1 },
    { name: 'one-replica-statefulset', object: scaled('StatefulSet', 1), violations: 1 },
    { name: 'hpa-of-one', object: hpa(), violations: 1 },
  ],
};

/** A workload of `kind` whose container has no liveness probe. */
const unprobed = (kind: string): JsonObject =>
  workload({ kind, podSpec: compliantPodSpec({ containers: [without(compliantContainer(), 'livenessProbe')] }) });

/** The kinds that run long-lived pods from a template (Pods are judged where they come from; Jobs end). */
const LONG_RUNNING = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Rollout'];

export const healthChecks: PolicyDefinition = {
  id: 'health-checks',
  kind: 'HealthChecks',
  description: 'Every container of a long-running workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Rollout) declares liveness and '
    + 'readiness probes.',
  targets: kinds(...LONG_RUNNING),
  synthChecks: ['probes'],
  parameters: () => undefined,
  rego: `violation[{"msg": msg}] {
  c := pod_spec.containers[_]
  probe := {"livenessProbe", "readinessProbe"}[_]
  not c[probe]
  msg := sprintf("%v: container %v has no %v", [subject, c.name, probe])
}`,
  admission: {
    validations: [{
      expression: 'variables.podSpec.containers.all(c, has(c.livenessProbe) && has(c.readinessProbe))',
      message: 'containers of long-running workloads declare liveness and readiness probes',
    }],
  },
  cases: [
    { name: 'probed-deployment', object: workload(), violations: 0 },
    { name: 'probed-daemonset', object: workload({ kind: 'DaemonSet' }), violations: 0 },
    { name: 'no-liveness', object: unprobed('Deployment'), violations: 1 },
    {
      name: 'sidecar-without-probes',
      object: workload({
        kind: 'StatefulSet',
        podSpec: compliantPodSpec({ containers: [compliantContainer(), without(compliantContainer('sidecar'), 'livenessProbe', 'readinessProbe')] }),
      }),
      violations: 2,
    },
    { name: 'job-without-probes', object: unprobed('Job'), violations: 0 },
  ],
};
