import { celStringList } from '../cel';
import { TEST_REGISTRY, withContainer, withInitContainer, workload } from '../fixtures';
import { PolicyDefinition } from '../policy-definition';

export const allowedRegistries: PolicyDefinition = {
  id: 'allowed-registries',
  kind: 'AllowedRegistries',
  description: 'Every container image comes from an allowed registry prefix (policy.allowedRegistries).',
  parametersSchema: {
    type: 'object',
    properties: {
      registries: {
        type: 'array',
        minItems: 1,
        items: { type: 'string', pattern: '^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*/$' },
      },
    },
  },
  parameters: (policy) => ({ registries: [...policy.allowedRegistries] }),
  rego: `violation[{"msg": msg}] {
  c := containers[_]
  not allowed(c.image)
  msg := sprintf("%v: container %v image %v is not from an allowed registry (%v)", `
    + `[subject, c.name, c.image, concat(", ", input.parameters.registries)])
}

allowed(image) {
  startswith(image, input.parameters.registries[_])
}`,
  admission: {
    variables: (parameters) => [{ name: 'allowedRegistries', expression: celStringList((parameters?.registries ?? []) as string[]) }],
    validations: [{
      expression: 'variables.containers.all(c, variables.allowedRegistries.exists(r, c.image.startsWith(r)))',
      message: 'every container image must come from an allowed registry',
    }],
  },
  testParameters: { registries: [TEST_REGISTRY] },
  invalidParameters: [{ registries: ['ghcr.io/bulwark-platform'] }, { registries: [] }],
  cases: [
    { name: 'allowed-registry', object: workload(), violations: 0 },
    { name: 'docker-hub-image', object: withContainer({ image: 'docker.io/library/nginx:1.27.0' }), violations: 1 },
    { name: 'implicit-docker-hub', object: withContainer({ image: 'nginx:1.27.0' }, 'Pod'), violations: 1 },
    { name: 'rollout-from-docker-hub', object: withContainer({ image: 'docker.io/library/nginx:1.27.0' }, 'Rollout'), violations: 1 },
    { name: 'lookalike-registry', object: withContainer({ image: 'ghcr.io/bulwark-platform.evil.example/app:1.0.0' }), violations: 1 },
    { name: 'init-container-elsewhere', object: withInitContainer({ image: 'quay.io/someone/init:1.0.0' }, 'Job'), violations: 1 },
  ],
};
