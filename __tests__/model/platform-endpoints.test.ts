import { parseOverlay } from '../../lib/config/load-overlay';
import { callsVaultFromPod } from '../../lib/model/platform-endpoints';
import { configErrors, modelOf, overlayText } from '../helpers';

/** The model of the fixture overlay `env` with `search` replaced (the fixture must change). */
function modelFrom(env: string, search: string | RegExp, replacement: string) {
  const text = overlayText(env);
  const changed = text.replace(search, replacement);
  if (changed === text) throw new Error(`fixture did not change: ${search}`);
  return () => modelOf(parseOverlay(`overlays/${env}.yaml`, changed));
}

const STAGING_VAULT_NETWORK = /    network: .*\n      cidrs: \[10\.41\.0\.0\/24\]\n/;

describe('Vault as the pods that call it reach it', () => {
  test('a vault-agent component calls Vault from its pod; csi and external-secrets components do not', () => {
    const prod = modelOf('prod');
    expect(prod.components.filter(callsVaultFromPod).map((c) => c.name)).toEqual(['agent']);
    expect(prod.components.find((c) => c.name === 'mcp')?.secretDelivery).toBe('csi');
    expect(prod.vault).toEqual({
      host: 'vault.prod.bulwark.internal',
      port: 8200,
      network: { cidrs: ['10.51.0.0/24'] },
      agentImage: 'docker.io/hashicorp/vault:1.21.1',
    });
    expect(modelOf('dev').vault).toBeUndefined();
  });

  test('resolves an in-cluster Vault to its namespace and pods, on the server\'s port (443 when it names none)', () => {
    const inCluster = (server: string) => modelOf(parseOverlay('overlays/staging.yaml', overlayText('staging')
      .replace('https://vault.staging.bulwark.internal:8200', server)
      .replace(STAGING_VAULT_NETWORK, '    network: { namespace: vault, podLabels: { app.kubernetes.io/name: vault } }\n')));
    expect(inCluster('https://vault.vault.svc:8200').vault).toEqual({
      host: 'vault.vault.svc',
      port: 8200,
      network: { namespace: 'vault', podLabels: { 'app.kubernetes.io/name': 'vault' } },
      agentImage: 'docker.io/hashicorp/vault:1.21.1',
    });
    expect(inCluster('https://vault.vault.svc.cluster.local').vault).toMatchObject({ port: 443 });
  });

  test('fails on an in-cluster Vault whose server is not a Service of its namespace', () => {
    const errors = configErrors(modelFrom('staging', STAGING_VAULT_NETWORK, '    network: { namespace: vault, podLabels: { app: vault } }\n'));
    expect(errors).toEqual([
      'overlays/staging.yaml:20:13: secretStore.vault.server: Vault runs in namespace vault, but the server is not a Service of that namespace; '
        + 'received "vault.staging.bulwark.internal"; allowed: a Service host <name>.vault.svc (optionally .cluster.local); '
        + 'fix: use https://vault.vault.svc:8200, or network: {cidrs} when Vault is reached outside the cluster',
    ]);
  });

  test('fails on a vault-agent component when nothing says where Vault listens', () => {
    expect(configErrors(modelFrom('staging', STAGING_VAULT_NETWORK, ''))).toEqual([
      'overlays/staging.yaml:20:5: secretStore.vault: Vault Agent calls Vault from the pods of agent, but nothing says where Vault listens, '
        + 'so no policy can allow it; received no network; '
        + 'allowed: network: {cidrs} when Vault runs outside the cluster, or network: {namespace, podLabels} inside it; '
        + 'fix: add secretStore.vault.network, e.g. network: { cidrs: [10.40.8.0/24] } (the Vault servers\' addresses)',
    ]);
  });

  test('fails on a Vault network both outside and inside the cluster, and on one naming neither', () => {
    const both = '    network: { cidrs: [10.41.0.0/24], namespace: vault, podLabels: { app: vault } }\n';
    expect(configErrors(modelFrom('staging', STAGING_VAULT_NETWORK, both))).toEqual([
      'overlays/staging.yaml:24:14: secretStore.vault.network: '
        + 'Vault is placed both outside the cluster (cidrs) and inside it (namespace, podLabels); '
        + 'received ["cidrs","namespace","podLabels"]; '
        + 'allowed: cidrs (Vault outside the cluster), or namespace and podLabels (Vault in the cluster); '
        + 'fix: keep cidrs when Vault runs outside the cluster, or namespace and podLabels when it runs inside',
    ]);
    expect(configErrors(modelFrom('staging', STAGING_VAULT_NETWORK, '    network: { namespace: vault }\n'))).toEqual([
      'overlays/staging.yaml:24:14: secretStore.vault.network: network names no cidrs and no podLabels; received {"namespace":"vault"}; '
        + 'allowed: cidrs (Vault outside the cluster), or namespace and podLabels (Vault in the cluster); fix: add podLabels, or cidrs instead',
    ]);
  });

  test('fails when the Vault Agent image is not on the allowed registries (the injector adds it to the pod)', () => {
    const hashicorp = '    - docker.io/hashicorp/      # the Vault Agent the injector adds to vault-agent pods\n';
    const errors = configErrors(modelFrom('staging', hashicorp, ''));
    expect(errors).toEqual([
      'overlays/staging.yaml:26:17: secretStore.vault.agentImage: the Vault Agent injector adds containers of this image to the pods of agent; '
        + 'the cluster policy would reject them; received "docker.io/hashicorp/vault:1.21.1"; '
        + 'allowed: an image starting with ghcr.io/bulwark-platform/, ghcr.io/stefanprodan/, docker.io/istio/; '
        + 'fix: add docker.io/hashicorp/ to policy.allowedRegistries, or set secretStore.vault.agentImage to a pinned mirror on an allowed registry',
    ]);
  });

  test('without allowedRegistries, the default list holds the agent image\'s repository when a pod runs Vault Agent', () => {
    const model = modelFrom('staging', /\n  allowedRegistries:\n(    - .*\n)+/, '\n')();
    expect(model.policy.allowedRegistries)
      .toEqual(['docker.io/hashicorp/', 'docker.io/istio/', 'ghcr.io/bulwark-platform/', 'ghcr.io/stefanprodan/']);
    expect(modelOf('dev').policy.allowedRegistries).not.toContain('docker.io/hashicorp/');
  });
});

describe('the API server as the service accounts granted permissions reach it', () => {
  test('resolves the endpoints\' ranges, on 443 and 6443 unless the overlay names its ports', () => {
    expect(modelOf('prod').apiServer).toEqual({ cidrs: ['172.16.1.0/28'], ports: [443, 6443] });
    expect(modelFrom('dev', '  ports: [443, 6443]\n', '  ports: [8443]\n')().apiServer).toEqual({ cidrs: ['172.18.0.0/16'], ports: [8443] });
  });

  test('fails on each component holding permissions when nothing says where the API server listens', () => {
    const errors = configErrors(modelFrom('dev', /\n# kind: the control-plane node[\s\S]*$/, '\n'));
    const message = 'the service account holds permissions, but nothing says where the API server listens, so no policy can let the pod call it; '
      + 'received no apiServer.cidrs; allowed: apiServer: {cidrs, ports} (ports default to 443 and 6443); '
      + 'fix: add apiServer: { cidrs: [<the API server endpoints\' range>] } '
      + '(kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes), or remove the permissions';
    expect(errors).toEqual([
      `overlays/dev.yaml:85:5: components.agent.permissions: ${message}`,
      `overlays/dev.yaml:101:5: components.mcp.permissions: ${message}`,
    ]);
  });
});

describe('callers that are not platform components', () => {
  const CALLERS = /    callers:\n(      - [\s\S]*?\n)(?=\n|# )/;
  const oneCaller = (namespace: string, podLabels = '{ app: runner }') => '    callers:\n'
    + `      - { namespace: ${namespace}, podLabels: ${podLabels}, serviceAccount: runner, reason: runs the smoke tests of podinfo }\n`;

  test('become inbound flows of the component, with their reasons, beside its dependents', () => {
    const podinfo = modelOf('prod').components.find((c) => c.name === 'podinfo')!;
    expect(podinfo.calledBy).toEqual([]);
    expect(podinfo.inboundFlows).toEqual([
      {
        namespace: 'flagger',
        podLabels: { app: 'loadtester' },
        serviceAccount: 'flagger-loadtester',
        reason: 'canary analysis - Flagger\'s load tester drives traffic at podinfo and runs its acceptance checks during a rollout',
      },
      {
        namespace: 'smoke-tests',
        podLabels: { 'app.kubernetes.io/name': 'smoke-tests' },
        serviceAccount: 'smoke-tests',
        reason: 'post-deploy smoke tests call podinfo\'s /healthz, /readyz and /version endpoints',
      },
    ]);
  });

  test('fails on a caller in the environment\'s own namespace (a component there uses dependsOn)', () => {
    expect(configErrors(modelFrom('prod', CALLERS, oneCaller('bulwark-prod')))).toEqual([
      'overlays/prod.yaml:159:22: components.podinfo.callers[0].namespace: the caller runs in the environment\'s own namespace, '
        + 'where every workload is a component; received "bulwark-prod"; '
        + 'allowed: a namespace other than bulwark-prod, bulwark-prod-team-a, bulwark-prod-team-b; '
        + 'fix: make it a component that lists podinfo in dependsOn',
    ]);
  });

  test('fails on a caller in a tenant\'s namespace, and on one naming no pods', () => {
    expect(configErrors(modelFrom('prod', CALLERS, oneCaller('bulwark-prod-team-a')))).toEqual([
      expect.stringMatching(/^overlays\/prod\.yaml:159:22: components\.podinfo\.callers\[0\]\.namespace: the caller runs in a tenant's namespace, /),
    ]);
    expect(configErrors(modelFrom('prod', CALLERS, oneCaller('ci', '{}')))).toEqual([
      'overlays/prod.yaml:159:37: components.podinfo.callers[0].podLabels: podLabels selects every pod of the caller\'s namespace; '
        + 'received {}; allowed: the labels of the caller\'s pods; fix: add them, e.g. { app: flagger-loadtester }',
    ]);
  });
});

describe('how the mesh is installed', () => {
  test('Istio\'s CNI node agent is assumed by default', () => {
    expect(modelOf('dev').mesh.cni).toBe(true);
  });

  test('fails on a mesh without the CNI node agent: istio-init and Pod Security restricted conflict', () => {
    const errors = configErrors(modelFrom('dev', '\ncomponents:\n', '\nmesh:\n  cni: false\n\ncomponents:\n'));
    expect(errors).toEqual([
      'overlays/dev.yaml:50:8: mesh.cni: without Istio\'s CNI node agent, sidecar injection adds istio-init (NET_ADMIN and NET_RAW, run as root), '
        + 'which Pod Security restricted, enforced in every namespace of the platform, rejects: no pod would start; '
        + 'received false; allowed: true: Istio installed with its CNI node agent; '
        + 'fix: install Istio with the CNI node agent (istioctl install --set components.cni.enabled=true, or the istio/cni Helm chart) '
        + 'and set mesh.cni: true; ambient mode (no sidecars) is not what Bulwark renders, and Pod Security privileged is not offered',
    ]);
  });
});
