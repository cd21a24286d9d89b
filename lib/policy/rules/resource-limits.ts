import { withContainer, withInitContainer, workload } from '../fixtures';
import { PolicyDefinition } from '../policy-definition';

export const resourceLimits: PolicyDefinition = {
  id: 'resource-limits',
  kind: 'ResourceLimits',
  description: 'Every container and init container declares CPU, memory and ephemeral-storage requests and limits.',
  synthChecks: ['resource-limits'],
  parameters: () => undefined,
  rego: `# Ephemeral containers cannot declare resources: only these are judged.
resourced[c] {
  c := pod_spec.containers[_]
}

resourced[c] {
  c := pod_spec.initContainers[_]
}

violation[{"msg": msg}] {
  c := resourced[_]
  scope := {"requests", "limits"}[_]
  resource := {"cpu", "memory", "ephemeral-storage"}[_]
  not c.resources[scope][resource]
  msg := sprintf("%v: container %v has no %v %v", [subject, c.name, resource, trim_suffix(scope, "s")])
}`,
  cases: [
    { name: 'bounded-deployment', object: workload(), violations: 0 },
    { name: 'bounded-cronjob', object: workload({ kind: 'CronJob' }), violations: 0 },
    { name: 'unbounded-rollout', object: withContainer({ resources: {} }, 'Rollout'), violations: 6 },
    { name: 'no-resources', object: withContainer({ resources: {} }), violations: 6 },
    {
      name: 'memory-limit-missing',
      object: withContainer({
        resources: { requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '64Mi' }, limits: { cpu: '500m', 'ephemeral-storage': '256Mi' } },
      }, 'Pod'),
      violations: 1,
    },
    {
      name: 'ephemeral-storage-missing',
      object: withContainer({ resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } } }),
      violations: 2,
    },
    { name: 'unbounded-init-container', object: withInitContainer({ resources: {} }, 'Job'), violations: 6 },
  ],
};
