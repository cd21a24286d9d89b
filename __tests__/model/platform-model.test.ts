import { parseOverlay } from '../../lib/config/load-overlay';
import { buildModel } from '../../lib/model/platform-model';
import { configErrors, modelOf, overlayText } from '../helpers';

function modelFromDev(search: string | RegExp, replacement: string) {
  const text = overlayText('dev');
  const changed = text.replace(search, replacement);
  if (changed === text) throw new Error(`fixture did not change: ${search}`);
  return () => buildModel(parseOverlay('overlays/dev.yaml', changed), '1.2.3');
}

describe('buildModel', () => {
  test('resolves both directions of the dependency graph, sorted', () => {
    const model = modelOf('dev');
    const backend = model.components.find((c) => c.name === 'backend')!;
    expect(backend.dependsOn).toEqual(['mcp']);
    expect(backend.externalDependencies).toEqual([{ name: 'database', hosts: ['postgres.dev.bulwark.internal'], cidrs: ['10.96.200.0/24'], ports: [5432], protocol: 'TCP' }]);
    expect(backend.calledBy).toEqual(['agent', 'frontend', 'mcp']);
    expect(model.components.map((c) => c.name)).toEqual(['agent', 'backend', 'frontend', 'mcp', 'podinfo']);
  });

  test('takes catalog facts and derives the version label from the tag or digest', () => {
    const prod = modelOf('prod');
    const podinfo = prod.components.find((c) => c.name === 'podinfo')!;
    expect(podinfo.definition.port).toBe(9898);
    expect(podinfo.version).toBe('6.7.1');
    expect(prod.components.find((c) => c.name === 'backend')!.version).toBe('sha256-4f2c1a7d9e0b');
  });

  test('fails on a dependency on a component the environment does not deploy', () => {
    const withoutMcp = /\n  mcp:\n[\s\S]*?\n\n/;
    const errors = configErrors(modelFromDev(withoutMcp, '\n'));
    expect(errors).toEqual([
      expect.stringMatching(/^overlays\/dev\.yaml:\d+:\d+: components\.agent\.dependsOn\[0\]: depends on "mcp", which is neither a component this environment deploys nor an external endpoint; received "mcp"; allowed: backend, database, frontend, llm-api, podinfo; fix: add components\.mcp or externalEndpoints\.mcp, or remove the dependency$/),
      expect.stringMatching(/components\.backend\.dependsOn\[0\]: depends on "mcp"/),
    ]);
  });

  test('fails on a component that depends on itself', () => {
    const errors = configErrors(modelFromDev('      LOG_LEVEL: debug\n    dependsOn: [mcp, database]', '      LOG_LEVEL: debug\n    dependsOn: [mcp, database, backend]'));
    expect(errors).toEqual([expect.stringContaining('components.backend.dependsOn[2]: component depends on itself; received "backend"')]);
  });

  test('fails on a request above its limit', () => {
    const errors = configErrors(modelFromDev('requests: { cpu: 100m, memory: 128Mi }\n      limits: { cpu: 500m, memory: 512Mi }\n    config:\n      LOG_LEVEL: debug\n    dependsOn: [mcp, database]', 'requests: { cpu: 100m, memory: 1Gi }\n      limits: { cpu: 500m, memory: 512Mi }\n    config:\n      LOG_LEVEL: debug\n    dependsOn: [mcp, database]'));
    expect(errors).toEqual([expect.stringContaining('components.backend.resources.requests.memory: memory request is above its limit; received "1Gi"; allowed: at most the limit "512Mi"')]);
  });

  test('fails on a limit the namespace LimitRange would reject', () => {
    const errors = configErrors(modelFromDev('max: { cpu: "1", memory: 1Gi }', 'max: { cpu: 400m, memory: 1Gi }'));
    expect(errors).toEqual([
      expect.stringContaining('components.agent.resources.limits.cpu: cpu limit is above the namespace LimitRange max, the pod would be rejected; received "500m"; allowed: at most "400m"'),
      expect.stringContaining('components.backend.resources.limits.cpu'),
    ]);
  });

  test('fails on two components claiming one hostname', () => {
    const errors = configErrors(modelFromDev('host: podinfo.dev.bulwark.local', 'host: app.dev.bulwark.local'));
    expect(errors).toEqual([expect.stringContaining('components.podinfo.host: host is already used by frontend; received "app.dev.bulwark.local"')]);
  });

  test('fails on a Vault store without its connection, and on an issuer without its settings', () => {
    const errors = configErrors(modelFromDev(/secretStore:\n  provider: fake.*\n  refreshInterval: 1h\n\ncertificates:\n  issuer: self-signed\n/, 'secretStore:\n  provider: vault\n\ncertificates:\n  issuer: acme\n'));
    expect(errors).toEqual([
      expect.stringContaining('secretStore: provider vault needs a vault section; allowed: secretStore.vault with server, path, role; fix: add secretStore.vault'),
      expect.stringContaining('certificates: issuer acme needs an acme section'),
    ]);
  });

  test('fails on Vault-based secret delivery with a non-Vault store', () => {
    const errors = configErrors(modelFromDev('        env: { LLM_API_KEY: api-key }\n', '        env: { LLM_API_KEY: api-key }\n    secretDelivery: csi\n'));
    expect(errors).toEqual([expect.stringContaining('components.agent.secretDelivery: csi reads secrets from Vault directly, but the secret store is fake; received "csi"')]);
  });

  test('fails on a secret env var that shadows a setting', () => {
    const errors = configErrors(modelFromDev('      LOG_LEVEL: debug\n    dependsOn: [mcp, database]', '      LOG_LEVEL: debug\n      DB_USERNAME: app\n    dependsOn: [mcp, database]'));
    expect(errors).toEqual([expect.stringContaining('components.backend.secrets.db-credentials.env.DB_USERNAME: environment variable is also set by config')]);
  });

  test('resolves secrets sorted by name with their delivery', () => {
    const agent = modelOf('prod').components.find((c) => c.name === 'agent')!;
    expect(agent.secrets).toEqual([{ name: 'llm-api-key', remoteKey: 'bulwark/prod/agent/llm', env: { LLM_API_KEY: 'api-key' } }]);
    expect(agent.secretDelivery).toBe('vault-agent');
  });

  test('fails when the quota cannot hold every replica', () => {
    const errors = configErrors(modelFromDev('pods: 30', 'pods: 4'));
    expect(errors).toEqual([expect.stringContaining('quota.pods: quota allows fewer pods than the components run; received 4; allowed: at least 5')]);
  });

  test('fails when quota memory is below the sum of requests', () => {
    const errors = configErrors(modelFromDev('requests: { cpu: "4", memory: 8Gi }', 'requests: { cpu: "4", memory: 256Mi }'));
    expect(errors).toEqual([expect.stringContaining('quota.requests.memory: quota is smaller than the components\' requests (at their most replicas); received "256Mi"; allowed: at least "544Mi"')]);
  });

  test('sizes the quota check on the autoscaler maximum', () => {
    const errors = configErrors(modelFromDev('    image: ghcr.io/bulwark-platform/frontend:1.4.2\n', '    image: ghcr.io/bulwark-platform/frontend:1.4.2\n    autoscaling: { minReplicas: 2, maxReplicas: 40 }\n'));
    expect(errors).toEqual([
      expect.stringContaining('quota.limits.cpu: quota is smaller than the components\' limits (at their most replicas); received "8"; allowed: at least "11350m"'),
      expect.stringContaining('quota.pods: quota allows fewer pods than the components run; received 30; allowed: at least 44'),
    ]);
  });

  test('resolves external endpoints and a typo in dependsOn gets a suggestion', () => {
    const errors = configErrors(modelFromDev('dependsOn: [mcp, backend, llm-api]', 'dependsOn: [mcp, backend, llm-apl]'));
    expect(errors).toEqual([expect.stringMatching(/components\.agent\.dependsOn\[2\]: depends on "llm-apl", .*; fix: did you mean "llm-api"\?$/)]);
  });

  test('fails on replicas together with autoscaling, and on min above max', () => {
    const errors = configErrors(modelFromDev('    image: ghcr.io/bulwark-platform/frontend:1.4.2\n', '    image: ghcr.io/bulwark-platform/frontend:1.4.2\n    replicas: 2\n    autoscaling: { minReplicas: 3, maxReplicas: 2 }\n'));
    expect(errors).toEqual([
      expect.stringContaining('components.frontend.replicas: replicas and autoscaling are both set; the autoscaler owns the replica count; received 2'),
      expect.stringContaining('components.frontend.autoscaling.minReplicas: minReplicas is above maxReplicas; received 3; allowed: at most 2'),
    ]);
  });

  test('fails on access to secrets without a reason', () => {
    const errors = configErrors(modelFromDev('      - resources: [configmaps]\n        verbs: [get]\n        resourceNames: [agent-config]\n        reason: reads its own prompt and model settings at run time', '      - resources: [secrets]\n        verbs: [get]'));
    expect(errors).toEqual([expect.stringContaining('components.agent.permissions[0].resources: access to secrets needs a reason; received ["secrets"]')]);
  });

  test('fails on an external endpoint with neither hosts nor cidrs', () => {
    const errors = configErrors(modelFromDev('    hosts: [api.openai.com]\n', ''));
    expect(errors).toEqual([expect.stringContaining('externalEndpoints.llm-api: external endpoint names no host and no address range; allowed: hosts and/or cidrs')]);
  });

  test('fails on an unknown component at its key, with a suggestion', () => {
    const errors = configErrors(modelFromDev('  podinfo:\n', '  podinfoo:\n'));
    expect(errors).toEqual([expect.stringMatching(/^overlays\/dev\.yaml:\d+:3: components\.podinfoo: unknown component; received "podinfoo"; allowed: one of agent, backend, frontend, mcp, podinfo, or any name with kind: <one of those>; fix: did you mean "podinfo"\?$/)]);
  });

  test('runs any number of instances of a catalog entry through kind', () => {
    const model = modelFromDev('  podinfo:\n', '  payments:\n    kind: backend\n    image: ghcr.io/bulwark-platform/payments:2.0.0\n    resources:\n      requests: { cpu: 10m, memory: 32Mi }\n      limits: { cpu: 100m, memory: 64Mi }\n\n  podinfo:\n')();
    const payments = model.components.find((c) => c.name === 'payments')!;
    expect([payments.kind, payments.definition.port, payments.definition.role]).toEqual(['backend', 8080, 'api']);
  });

  test('fails on priority classes that do not descend', () => {
    const errors = configErrors(modelFromDev('\ncomponents:\n', '\npriorityClasses: { platform-critical: 10, workload: 100, batch: 1 }\n\ncomponents:\n'));
    expect(errors).toEqual([expect.stringContaining('priorityClasses: priorities must descend: platform-critical > workload > batch; received {"platform-critical":10,"workload":100,"batch":1}')]);
  });

  test('fails on a tenant declared twice', () => {
    const errors = configErrors(modelFromDev('\ncomponents:\n', '\ntenants:\n  - { name: team-a, group: g, quota: { requests: { cpu: "1", memory: 1Gi }, limits: { cpu: "1", memory: 1Gi }, pods: 1 } }\n  - { name: team-a, group: h, quota: { requests: { cpu: "1", memory: 1Gi }, limits: { cpu: "1", memory: 1Gi }, pods: 1 } }\n\ncomponents:\n'));
    expect(errors).toEqual([expect.stringContaining('tenants[1].name: tenant is declared twice; received "team-a"')]);
  });

  test('resolves tenants into their own namespaces', () => {
    const prod = modelOf('prod');
    expect(prod.tenants.map((tn) => [tn.name, tn.namespace, tn.group])).toEqual([['team-a', 'bulwark-prod-team-a', 'bulwark:team-a'], ['team-b', 'bulwark-prod-team-b', 'bulwark:team-b']]);
  });
});
