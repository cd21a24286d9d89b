import { isPinnedImage } from '../util/image';
import { Check } from './check';
import { allContainers, POD_KINDS, podSpecOf } from './pod-spec';

export const readOnlyRootFilesystem: Check = {
  id: 'read-only-root-filesystem',
  description: 'Containers run with a read-only root filesystem; writable paths are explicit emptyDirs.',
  severity: 'error',
  kinds: POD_KINDS,
  inspect(object) {
    const pod = podSpecOf(object);
    if (!pod) return [];
    return allContainers(pod).filter((c) => c.securityContext?.readOnlyRootFilesystem !== true)
      .map((c) => `container ${c.name} must set readOnlyRootFilesystem: true`);
  },
};

export const resourceLimits: Check = {
  id: 'resource-limits',
  description: 'Containers declare CPU, memory and ephemeral-storage requests and limits.',
  severity: 'error',
  kinds: POD_KINDS,
  inspect(object) {
    const pod = podSpecOf(object);
    if (!pod) return [];
    const problems: string[] = [];
    for (const c of allContainers(pod)) {
      for (const scope of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory', 'ephemeral-storage']) {
          if (c.resources?.[scope]?.[resource] === undefined) problems.push(`container ${c.name} has no ${resource} ${scope.slice(0, -1)}`);
        }
      }
    }
    return problems;
  },
};

export const pinnedImages: Check = {
  id: 'pinned-images',
  description: 'Images are pinned by tag or digest; "latest" and untagged images are rejected.',
  severity: 'error',
  kinds: POD_KINDS,
  inspect(object) {
    const pod = podSpecOf(object);
    if (!pod) return [];
    return allContainers(pod).filter((c) => !isPinnedImage(c.image ?? ''))
      .map((c) => `container ${c.name} image ${JSON.stringify(c.image ?? '')} is not pinned`);
  },
};

export const probes: Check = {
  id: 'probes',
  description: 'Long-running containers declare liveness and readiness probes.',
  severity: 'error',
  kinds: POD_KINDS,
  inspect(object) {
    const pod = podSpecOf(object);
    if (!pod || object.kind === 'Job' || object.kind === 'CronJob') return [];
    return (pod.containers ?? []).flatMap((c) => [
      ...(c.livenessProbe === undefined ? [`container ${c.name} has no livenessProbe`] : []),
      ...(c.readinessProbe === undefined ? [`container ${c.name} has no readinessProbe`] : []),
    ]);
  },
};
