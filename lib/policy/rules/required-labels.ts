import { TEST_LABELS, workload } from '../fixtures';
import { PolicyDefinition } from '../policy-definition';

export const requiredLabels: PolicyDefinition = {
  id: 'required-labels',
  kind: 'RequiredLabels',
  description: 'Workloads carry the required labels (policy.requiredLabels) with non-empty values.',
  synthChecks: ['required-labels'],
  parametersSchema: {
    type: 'object',
    properties: {
      labels: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
    },
  },
  parameters: (policy) => ({ labels: [...policy.requiredLabels] }),
  rego: `violation[{"msg": msg, "details": {"missing": missing}}] {
  provided := {key | value := obj.metadata.labels[key]; value != ""}
  required := {key | key := input.parameters.labels[_]}
  missing := required - provided
  count(missing) > 0
  msg := sprintf("%v is missing the required labels %v", [subject, sort(missing)])
}`,
  testParameters: { labels: Object.keys(TEST_LABELS) },
  invalidParameters: [{ labels: 'app.kubernetes.io/name' }],
  cases: [
    { name: 'deployment-with-labels', object: workload(), violations: 0 },
    { name: 'pod-with-labels', object: workload({ kind: 'Pod' }), violations: 0 },
    { name: 'deployment-without-labels', object: workload({ labels: {} }), violations: 1 },
    { name: 'rollout-without-labels', object: workload({ kind: 'Rollout', labels: {} }), violations: 1 },
    { name: 'cronjob-missing-part-of', object: workload({ kind: 'CronJob', labels: { 'app.kubernetes.io/name': 'web' } }), violations: 1 },
    { name: 'pod-with-empty-label', object: workload({ kind: 'Pod', labels: { ...TEST_LABELS, 'app.kubernetes.io/part-of': '' } }), violations: 1 },
  ],
};
