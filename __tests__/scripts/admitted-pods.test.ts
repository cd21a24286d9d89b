import { DEFAULT_PROXY_INIT_RESOURCES, DEFAULT_PROXY_RESOURCES } from '../../lib/config/overlay-schema';
import { admittedPod, SIMULATED_PROXY_IMAGE, Workload } from '../../scripts/admitted-pods';

const MESH = { proxy: { resources: DEFAULT_PROXY_RESOURCES, initResources: DEFAULT_PROXY_INIT_RESOURCES } };

function deployment(annotations: Record<string, string> = {}): Workload {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'agent', namespace: 'shop' },
    spec: {
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'agent' }, annotations },
        spec: {
          containers: [{ name: 'agent', image: 'ghcr.io/o/agent:1.0.0', securityContext: { runAsUser: 10001, runAsGroup: 10001 } }],
        },
      },
    },
  };
}

const VAULT = {
  'vault.hashicorp.com/agent-inject': 'true',
  'vault.hashicorp.com/agent-image': 'docker.io/hashicorp/vault:1.21.1',
  'vault.hashicorp.com/agent-run-as-same-user': 'true',
  'vault.hashicorp.com/agent-requests-ephemeral': '64Mi',
  'vault.hashicorp.com/agent-limits-ephemeral': '256Mi',
};

describe('admittedPod: a workload\'s pod as the injectors leave it', () => {
  test('GIVEN a plain Deployment THEN istio-validation runs first and istio-proxy beside the app, sized by mesh.proxy', () => {
    const pod = admittedPod(deployment(), MESH)!;
    expect(pod.metadata).toMatchObject({ name: 'agent-admitted', namespace: 'shop', labels: { 'app.kubernetes.io/name': 'agent' } });
    expect(pod.spec.initContainers!.map((c) => c.name)).toEqual(['istio-validation']);
    expect(pod.spec.containers.map((c) => c.name)).toEqual(['agent', 'istio-proxy']);
    expect(pod.spec.containers[1]).toMatchObject({ image: SIMULATED_PROXY_IMAGE, resources: DEFAULT_PROXY_RESOURCES });
    expect(pod.spec.initContainers![0].resources).toEqual(DEFAULT_PROXY_INIT_RESOURCES);
    expect(pod.spec.containers[1].securityContext).toMatchObject({ runAsUser: 1337, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
  });

  test('GIVEN Vault Agent and a native sidecar THEN the proxy starts before the appended vault-agent-init; the agent runs as the app', () => {
    const pod = admittedPod(deployment({ ...VAULT, 'sidecar.istio.io/nativeSidecar': 'true' }), MESH)!;
    expect(pod.spec.initContainers!.map((c) => [c.name, c.restartPolicy])).toEqual([
      ['istio-validation', undefined], ['istio-proxy', 'Always'], ['vault-agent-init', undefined],
    ]);
    expect(pod.spec.containers.map((c) => c.name)).toEqual(['agent', 'vault-agent']);
    expect(pod.spec.containers[1]).toMatchObject({
      image: 'docker.io/hashicorp/vault:1.21.1',
      securityContext: { runAsUser: 10001, runAsGroup: 10001, runAsNonRoot: true },
      resources: { requests: { 'ephemeral-storage': '64Mi' }, limits: { 'ephemeral-storage': '256Mi' } },
    });
  });

  test('GIVEN Vault Agent without a native sidecar THEN its init container runs while no proxy does (what the annotation prevents)', () => {
    const pod = admittedPod(deployment(VAULT), MESH)!;
    expect(pod.spec.initContainers!.map((c) => c.name)).toEqual(['istio-validation', 'vault-agent-init']);
    expect(pod.spec.containers.map((c) => c.name)).toEqual(['agent', 'istio-proxy', 'vault-agent']);
  });

  test('GIVEN an object without a pod template THEN there is no pod', () => {
    expect(admittedPod({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, MESH)).toBeUndefined();
  });
});
