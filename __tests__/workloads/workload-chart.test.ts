import { parseOverlay } from '../../lib/config/load-overlay';
import { KubeObject } from '../../lib/manifest/kube-object';
import { PlatformModel } from '../../lib/model/platform-model';
import { synthEnvironment } from '../../lib/synth/synth-environment';
import { modelOf, overlayText } from '../helpers';

/** The cluster DNS Service, among every namespace Sidecar's egress hosts (DNS over TCP goes through the proxy). */
const CLUSTER_DNS = 'kube-system/kube-dns.kube-system.svc.cluster.local';

/** Every object of the environment, by component folder. */
function folders(model: PlatformModel): Map<string, readonly KubeObject[]> {
  return new Map(synthEnvironment(model).map((c) => [c.component, c.objects]));
}

function find(objects: readonly KubeObject[] | undefined, kind: string, name?: string): KubeObject | undefined {
  return objects?.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}

type Egress = { to: unknown[]; ports: { protocol: string; port: number | string }[] };
const egressOf = (objects: readonly KubeObject[] | undefined): Egress[] =>
  ((find(objects, 'NetworkPolicy')?.spec as { egress?: Egress[] } | undefined)?.egress ?? []);

describe('WorkloadChart: what a pod needs besides its dependencies, from the model', () => {
  test('a vault-agent pod may reach Vault on its port, through the mesh by a ServiceEntry; no other pod may', () => {
    const staging = folders(modelOf('staging'));
    const toVault = { to: [{ ipBlock: { cidr: '10.41.0.0/24' } }], ports: [{ protocol: 'TCP', port: 8200 }] };
    expect(egressOf(staging.get('agent'))).toContainEqual(toVault);
    for (const other of ['backend', 'frontend', 'mcp', 'podinfo']) expect(egressOf(staging.get(other))).not.toContainEqual(toVault);
    expect(find(staging.get('security'), 'ServiceEntry', 'vault')?.spec).toEqual({
      hosts: ['vault.staging.bulwark.internal'],
      ports: [{ number: 8200, name: 'tls-8200', protocol: 'TLS' }],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
      exportTo: ['.'],
    });
    // The injector is told which Vault, which auth mount and which (allowed, pinned) image.
    const annotations = (find(staging.get('agent'), 'Deployment')!.spec as { template: { metadata: { annotations: Record<string, string> } } })
      .template.metadata.annotations;
    expect(annotations).toMatchObject({
      'vault.hashicorp.com/service': 'https://vault.staging.bulwark.internal:8200',
      'vault.hashicorp.com/auth-path': 'auth/kubernetes-staging',
      'vault.hashicorp.com/agent-image': 'docker.io/hashicorp/vault:1.21.1',
      // Its containers, like every other, bound their ephemeral storage (the namespace's defaults).
      'vault.hashicorp.com/agent-requests-ephemeral': '64Mi',
      'vault.hashicorp.com/agent-limits-ephemeral': '256Mi',
    });
  });

  test('csi and external-secrets delivery need no flow from the pod to Vault (the node\'s provider and the operator call it)', () => {
    const dev = folders(modelOf('dev'));
    expect(find(dev.get('security'), 'ServiceEntry', 'vault')).toBeUndefined();
    const prod = folders(modelOf('prod'));
    expect(egressOf(prod.get('mcp')).some((e) => e.ports.some((p) => p.port === 8200))).toBe(false);
    expect(find(prod.get('mcp'), 'SecretProviderClass')?.spec).toMatchObject({ parameters: { vaultKubernetesMountPath: 'kubernetes-prod' } });
  });

  test('an in-cluster Vault: egress to its pods, and its Service among the namespace sidecars\' egress hosts instead of a ServiceEntry', () => {
    const text = overlayText('staging').replace('https://vault.staging.bulwark.internal:8200', 'https://vault.vault.svc:8200')
      .replace(/    network: .*\n      cidrs: \[10\.41\.0\.0\/24\]\n/, '    network: { namespace: vault, podLabels: { app.kubernetes.io/name: vault } }\n');
    const staging = folders(modelOf(parseOverlay('overlays/staging.yaml', text)));
    expect(egressOf(staging.get('agent'))).toContainEqual({
      to: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'vault' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'vault' } },
      }],
      ports: [{ protocol: 'TCP', port: 8200 }],
    });
    expect(find(staging.get('security'), 'ServiceEntry', 'vault')).toBeUndefined();
    expect((find(staging.get('baseline'), 'Sidecar')?.spec as { egress: { hosts: string[] }[] }).egress[0].hosts)
      .toEqual(['./*', 'istio-system/*', CLUSTER_DNS, 'default/kubernetes.default.svc.cluster.local', 'vault/vault.vault.svc.cluster.local',
        'observability/jaeger-collector.observability.svc.cluster.local']);
  });

  test('the pods of components whose service account holds permissions, and only they, may reach the API server', () => {
    // GIVEN dev, where agent and mcp hold grants and backend, frontend and podinfo hold none
    const dev = folders(modelOf('dev'));
    const toApiServer = { to: [{ ipBlock: { cidr: '172.18.0.0/16' } }], ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] };
    // THEN their NetworkPolicies allow the endpoints' addresses on the Service's and the endpoints' ports
    for (const granted of ['agent', 'mcp']) {
      expect(find(dev.get(granted), 'Role')).toBeDefined();
      expect(egressOf(dev.get(granted))).toContainEqual(toApiServer);
    }
    for (const other of ['backend', 'frontend', 'podinfo']) {
      expect(find(dev.get(other), 'Role')).toBeUndefined();
      expect(egressOf(dev.get(other)).some((e) => e.ports.some((p) => p.port === 6443))).toBe(false);
    }
    // AND the namespace's sidecars may route to the kubernetes Service (REGISTRY_ONLY drops what they do not know)
    const hosts = (objects: readonly KubeObject[] | undefined) =>
      (find(objects, 'Sidecar')?.spec as { egress: { hosts: string[] }[] }).egress[0].hosts;
    expect(hosts(dev.get('baseline'))).toEqual(['./*', 'istio-system/*', CLUSTER_DNS, 'default/kubernetes.default.svc.cluster.local']);
    // AND a tenant's namespace, where the platform grants nothing, does not
    expect(hosts(folders(modelOf('staging')).get('tenant-team-a'))).toEqual(['./*', 'istio-system/*', CLUSTER_DNS]);
  });

  test('a Service exists only for a component something may call: none for the agent, prod\'s podinfo for its overlay callers', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const objects = folders(modelOf(env));
      expect([env, find(objects.get('agent'), 'Service'), find(objects.get('agent'), 'DestinationRule')]).toEqual([env, undefined, undefined]);
      expect([env, find(objects.get('backend'), 'Service')?.metadata.name]).toEqual([env, 'backend']);
    }
    const podinfo = folders(modelOf('prod')).get('podinfo');
    expect(find(podinfo, 'Service')).toBeDefined();
    const ingress = (find(podinfo, 'NetworkPolicy')!.spec as { ingress: { from: { namespaceSelector: unknown }[] }[] }).ingress;
    expect(ingress.map((rule) => rule.from[0].namespaceSelector)).toEqual([
      { matchLabels: { 'kubernetes.io/metadata.name': 'flagger' } },
      { matchLabels: { 'kubernetes.io/metadata.name': 'smoke-tests' } },
    ]);
    expect((find(podinfo, 'AuthorizationPolicy')!.spec as { rules: unknown[] }).rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/flagger/sa/flagger-loadtester', 'cluster.local/ns/smoke-tests/sa/smoke-tests'] } }],
    }]);
  });

  test('the catalog\'s settings file: podinfo and the agent read theirs from a read-only mount, the others from env only', () => {
    const dev = folders(modelOf('dev'));
    const pod = (name: string) => (find(dev.get(name), 'Deployment')!.spec as {
      template: { spec: { containers: { args?: string[]; volumeMounts: { mountPath: string; readOnly?: boolean }[] }[] } };
    }).template.spec.containers[0];
    expect(pod('podinfo').args).toContain('--config-path=/etc/podinfo');
    expect(pod('podinfo').volumeMounts).toContainEqual({ name: 'config-file', mountPath: '/etc/podinfo', readOnly: true });
    expect(pod('agent').volumeMounts).toContainEqual({ name: 'config-file', mountPath: '/etc/agent', readOnly: true });
    for (const other of ['backend', 'frontend', 'mcp']) {
      expect(pod(other).volumeMounts.some((m) => m.readOnly)).toBe(false);
      expect(find(dev.get(other), 'ConfigMap', `${other}-config-file`)).toBeUndefined();
    }
  });
});
