import { FLOATING_TAG, PINNED_DIGEST_PATTERN, PINNED_TAG_PATTERN } from '../../util/image';
import { TEST_REGISTRY, withContainer } from '../fixtures';
import { PolicyDefinition } from '../policy-definition';

const withImage = (image: string, kind = 'Deployment') => withContainer({ image }, kind);

export const disallowLatest: PolicyDefinition = {
  id: 'disallow-latest',
  kind: 'DisallowLatest',
  description: 'Every image is pinned by tag or digest; "latest" and untagged images are rejected.',
  synthChecks: ['pinned-images'],
  parameters: () => undefined,
  rego: `violation[{"msg": msg}] {
  c := containers[_]
  not pinned(c.image)
  msg := sprintf("%v: container %v image %v is not pinned by tag or digest (latest is not a pin)", [subject, c.name, c.image])
}

pinned(image) {
  regex.match(${JSON.stringify(PINNED_DIGEST_PATTERN)}, image)
}

pinned(image) {
  regex.match(${JSON.stringify(PINNED_TAG_PATTERN)}, image)
  not endswith(image, ":${FLOATING_TAG}")
}`,
  admission: {
    validations: [{
      expression: `variables.containers.all(c, c.image.matches('${PINNED_DIGEST_PATTERN}') `
        + `|| (c.image.matches('${PINNED_TAG_PATTERN}') && !c.image.endsWith(':${FLOATING_TAG}')))`,
      message: 'every container image must be pinned by tag or digest, never latest',
    }],
  },
  cases: [
    { name: 'pinned-tag', object: withImage(`${TEST_REGISTRY}app:1.4.2`), violations: 0 },
    { name: 'pinned-digest', object: withImage(`${TEST_REGISTRY}app@sha256:${'0123456789abcdef'.repeat(4)}`, 'Pod'), violations: 0 },
    { name: 'registry-port-and-tag', object: withImage('registry.local:5000/app:2.0.0'), violations: 0 },
    { name: 'rollout-latest', object: withImage(`${TEST_REGISTRY}app:latest`, 'Rollout'), violations: 1 },
    { name: 'latest-tag', object: withImage(`${TEST_REGISTRY}app:latest`), violations: 1 },
    { name: 'untagged', object: withImage(`${TEST_REGISTRY}app`, 'StatefulSet'), violations: 1 },
    { name: 'registry-port-untagged', object: withImage('registry.local:5000/app', 'Pod'), violations: 1 },
  ],
};
