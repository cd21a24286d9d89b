import { formatProblem } from '../../lib/config/errors';
import { parseOverlay } from '../../lib/config/load-overlay';
import { buildModel, MODEL_RULES, modelProblems } from '../../lib/model/platform-model';
import { configErrors, loadOverlay, modelOf, overlayText } from '../helpers';

function modelFromDev(search: string | RegExp, replacement: string) {
  const text = overlayText('dev');
  const changed = text.replace(search, replacement);
  if (changed === text) throw new Error(`fixture did not change: ${search}`);
  return () => modelOf(parseOverlay('overlays/dev.yaml', changed));
}

const SMALL_RESOURCES = '    resources:\n      requests: { cpu: 10m, memory: 32Mi }\n      limits: { cpu: 100m, memory: 64Mi }\n';

/** A small extra component before podinfo, named `name`, with `kind: backend` unless `kind` is false. */
function withComponent(name: string, kind = true): [string, string] {
  const image = '    image: ghcr.io/bulwark-platform/payments:2.0.0\n';
  return ['  podinfo:\n', `  ${name}:\n${kind ? '    kind: backend\n' : ''}${image}${SMALL_RESOURCES}\n  podinfo:\n`];
}

const TENANT_QUOTA = '{ requests: { cpu: "1", memory: 1Gi }, limits: { cpu: "1", memory: 1Gi }, pods: 1 }';
const TENANT_TEAM_A = `\ntenants:\n  - { name: team-a, group: g, quota: ${TENANT_QUOTA} }\n\ncomponents:\n`;

const RESERVED = 'admission-policy, alerts, argocd, baseline, control-plane, dashboards, falco, gatekeeper, gatekeeper-templates, '
  + 'metrics, otel-collector, report, security, tracing';

describe('buildModel', () => {
  test('returns the problems of every rule instead of throwing them, in file order, and no model', () => {
    const text = overlayText('dev').replace('pods: 30', 'pods: 4').replace('max: { cpu: "1", memory: 1Gi }', 'max: { cpu: 400m, memory: 1Gi }');
    const result = buildModel(parseOverlay('overlays/dev.yaml', text), '1.2.3');
    expect(result.model).toBeUndefined();
    expect(result.problems.map((p) => `${p.position?.line}: ${p.path}`))
      .toEqual([
        '3: mesh.proxy.resources.limits.cpu', '10: quota.pods',
        '54: components.backend.resources.limits.cpu', '76: components.agent.resources.limits.cpu',
      ]);
  });

  test('returns the model and no problem for a valid overlay; every rule holds on it', () => {
    const result = buildModel(loadOverlay('dev'), '1.2.3');
    expect([result.model?.environment, result.problems]).toEqual(['dev', []]);
    expect(modelProblems(loadOverlay('prod'))).toEqual([]);
  });

  test('lists each rule once, as a named function', () => {
    const names = MODEL_RULES.map((rule) => rule.name);
    expect(names.every((n) => /^[a-z][A-Za-z]+$/.test(n))).toBe(true);
    expect(new Set(names).size).toBe(MODEL_RULES.length);
  });

  test('fails on a component named after a folder reserved for files of another kind, at its key', () => {
    const errors = configErrors(modelFromDev(...withComponent('control-plane')));
    expect(errors).toEqual([
      'overlays/dev.yaml:106:3: components.control-plane: the component\'s folder dist/<env>/control-plane/ '
        + 'is reserved for files of another kind; '
        + 'received "control-plane"; allowed: any component name but ' + RESERVED + '; fix: rename it, e.g. control-plane-service',
    ]);
  });

  test('fails on a component named report without kind: it is unknown, and its folder is reserved', () => {
    const errors = configErrors(modelFromDev(...withComponent('report', false)));
    expect(errors).toEqual([
      expect.stringMatching(/^overlays\/dev\.yaml:106:3: components\.report: unknown component; /),
      'overlays/dev.yaml:106:3: components.report: the component\'s folder dist/<env>/report/ is reserved for files of another kind; '
        + 'received "report"; allowed: any component name but ' + RESERVED + '; fix: rename it, e.g. report-service, with kind: <catalog entry>',
    ]);
  });

  test('fails on a component named after one of the platform\'s own charts (two charts would share its folder)', () => {
    const errors = configErrors(modelFromDev(...withComponent('security')));
    expect(errors).toEqual([
      'overlays/dev.yaml:106:3: components.security: the component\'s folder dist/<env>/security/ '
        + 'is the folder of the platform\'s own chart of that name; '
        + 'received "security"; allowed: any component name but ' + RESERVED + '; fix: rename it, e.g. security-service',
    ]);
  });

  test('fails on a component in the folder of a tenant', () => {
    const withTenant = overlayText('dev').replace('\ncomponents:\n', TENANT_TEAM_A).replace(...withComponent('tenant-team-a'));
    const result = buildModel(parseOverlay('overlays/dev.yaml', withTenant), '1.2.3');
    expect(result.problems.map(formatProblem)).toEqual([
      'overlays/dev.yaml:109:3: components.tenant-team-a: the component\'s folder dist/<env>/tenant-team-a/ is the folder of tenant team-a; '
        + 'received "tenant-team-a"; allowed: a name other than tenant-<tenant> for every tenant; fix: rename the component or the tenant',
    ]);
  });

  test('a public host makes the ingress gateway an inbound flow of its component, with the reason', () => {
    const model = modelOf('dev');
    const exposed = model.components.filter((c) => c.host !== undefined);
    expect(exposed.length).toBeGreaterThan(0);
    for (const c of exposed) {
      expect(c.inboundFlows).toEqual([{
        namespace: model.mesh.namespace,
        podLabels: model.mesh.ingressGateway.labels,
        serviceAccount: model.mesh.ingressGateway.serviceAccount,
        reason: `the ingress gateway serves its public host ${c.host}`,
      }]);
    }
    expect(model.components.filter((c) => c.host === undefined).every((c) => c.inboundFlows.length === 0)).toBe(true);
  });

  test('resolves both directions of the dependency graph, sorted', () => {
    const model = modelOf('dev');
    const backend = model.components.find((c) => c.name === 'backend')!;
    expect(backend.dependsOn).toEqual(['mcp']);
    expect(backend.externalDependencies).toEqual([{
      name: 'database',
      hosts: ['postgres.dev.bulwark.internal'],
      cidrs: ['10.96.200.0/24'],
      ports: [5432],
      protocol: 'TCP',
    }]);
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
    // In file order: backend comes before agent in the overlay.
    expect(errors).toEqual([
      expect.stringMatching(/^overlays\/dev\.yaml:\d+:\d+: components\.backend\.dependsOn\[0\]: depends on "mcp"/),
      expect.stringMatching(/^overlays\/dev\.yaml:\d+:\d+: components\.agent\.dependsOn\[0\]: depends on "mcp", which is neither a component this environment deploys nor an external endpoint; received "mcp"; allowed: backend, database, frontend, llm-api, podinfo; fix: add components\.mcp or externalEndpoints\.mcp, or remove the dependency$/),
    ]);
  });

  test('fails on a component with fewer replicas than policy.minReplicas, and on an autoscaler below it', () => {
    // GIVEN dev asking for two replicas at the least, where its components run one
    const errors = configErrors(modelFromDev('policy:\n  enforcementAction: warn\n', 'policy:\n  enforcementAction: warn\n  minReplicas: 2\n'));
    expect(errors.length).toBeGreaterThan(1);
    const field = '(replicas|autoscaling\\.minReplicas)';
    expect(errors).toContainEqual(expect.stringMatching(new RegExp(`^overlays/dev\\.yaml:\\d+:\\d+: components\\.[a-z]+\\.${field}: `
      + 'fewer replicas than policy\\.minReplicas, the cluster policy would reject the component\'s (workload|autoscaler); '
      + `received 1; allowed: 2 or more; fix: set ${field}: 2, or lower policy\\.minReplicas$`)));
  });

  test('fails on a component that depends on itself', () => {
    const errors = configErrors(modelFromDev(
      '      LOG_LEVEL: debug\n    dependsOn: [mcp, database]',
      '      LOG_LEVEL: debug\n    dependsOn: [mcp, database, backend]',
    ));
    expect(errors).toEqual([expect.stringContaining('components.backend.dependsOn[2]: component depends on itself; received "backend"')]);
  });

  test('fails on a request above its limit', () => {
    const errors = configErrors(modelFromDev(
      'requests: { cpu: 100m, memory: 128Mi }\n      limits: { cpu: 500m, memory: 512Mi }\n'
        + '    config:\n      LOG_LEVEL: debug\n    dependsOn: [mcp, database]',
      'requests: { cpu: 100m, memory: 1Gi }\n      limits: { cpu: 500m, memory: 512Mi }\n'
        + '    config:\n      LOG_LEVEL: debug\n    dependsOn: [mcp, database]',
    ));
    expect(errors).toEqual([
      expect.stringContaining('components.backend.resources.requests.memory: memory request is above its limit; '
        + 'received "1Gi"; allowed: at most the limit "512Mi"'),
    ]);
  });

  test('fails on a limit the namespace LimitRange would reject', () => {
    const errors = configErrors(modelFromDev('max: { cpu: "1", memory: 1Gi }', 'max: { cpu: 400m, memory: 1Gi }'));
    expect(errors).toEqual([
      // The proxy Istio injects into every pod is bound by the same max.
      expect.stringContaining("mesh.proxy.resources.limits.cpu: the injected istio-proxy container's cpu limit "
        + 'is above the namespace LimitRange max'),
      expect.stringContaining('components.backend.resources.limits.cpu'),
      expect.stringContaining('components.agent.resources.limits.cpu: cpu limit is above the namespace LimitRange max, the pod would be rejected; '
        + 'received "500m"; allowed: at most "400m"; fix: lower the limit or raise limitRange.max'),
    ]);
  });

  test('fails on two components claiming one hostname', () => {
    const errors = configErrors(modelFromDev('host: podinfo.dev.bulwark.local', 'host: app.dev.bulwark.local'));
    expect(errors).toEqual([expect.stringContaining('components.podinfo.host: host is already used by frontend; received "app.dev.bulwark.local"')]);
  });

  test('fails on a Vault store without its connection, and on an issuer without its settings', () => {
    const errors = configErrors(modelFromDev(
      /secretStore:\n  provider: fake.*\n  refreshInterval: 1h\n\ncertificates:\n  issuer: self-signed\n/,
      'secretStore:\n  provider: vault\n\ncertificates:\n  issuer: acme\n',
    ));
    expect(errors).toEqual([
      'overlays/dev.yaml:18:13: secretStore.provider: provider vault needs a vault section; received "vault"; '
        + 'allowed: vault together with secretStore.vault (server, path, role), or fake; fix: add secretStore.vault',
      'overlays/dev.yaml:21:11: certificates.issuer: issuer acme needs an acme section; received "acme"; '
        + 'allowed: acme together with certificates.acme (server and email), or self-signed; fix: add certificates.acme',
    ]);
  });

  test('fails on Vault-based secret delivery with a non-Vault store', () => {
    const errors = configErrors(modelFromDev(
      '        env: { LLM_API_KEY: api-key }\n',
      '        env: { LLM_API_KEY: api-key }\n    secretDelivery: csi\n',
    ));
    expect(errors).toEqual([
      expect.stringContaining('components.agent.secretDelivery: csi reads secrets from Vault directly, but the secret store is fake; received "csi"'),
    ]);
  });

  test('fails on a secret env var that shadows a setting', () => {
    const errors = configErrors(modelFromDev(
      '      LOG_LEVEL: debug\n    dependsOn: [mcp, database]',
      '      LOG_LEVEL: debug\n      DB_USERNAME: app\n    dependsOn: [mcp, database]',
    ));
    expect(errors).toEqual([
      expect.stringContaining('components.backend.secrets.db-credentials.env.DB_USERNAME: environment variable is also set by config'),
    ]);
  });

  test('resolves secrets sorted by name with their delivery', () => {
    const agent = modelOf('prod').components.find((c) => c.name === 'agent')!;
    expect(agent.secrets).toEqual([{ name: 'llm-api-key', remoteKey: 'bulwark/prod/agent/llm', env: { LLM_API_KEY: 'api-key' } }]);
    expect(agent.secretDelivery).toBe('vault-agent');
  });

  test('fails when the quota cannot hold every replica', () => {
    const errors = configErrors(modelFromDev('pods: 30', 'pods: 4'));
    expect(errors).toEqual([
      'overlays/dev.yaml:10:9: quota.pods: quota allows fewer pods than the components run, '
        + 'the largest: agent (1 pod), backend (1 pod), frontend (1 pod) '
        + 'and 2 more; received 4; allowed: at least 5; fix: raise quota.pods to 5, or lower the replicas of agent',
    ]);
  });

  test('fails when quota memory is below the sum of requests', () => {
    const errors = configErrors(modelFromDev('requests: { cpu: "4", memory: 8Gi }', 'requests: { cpu: "4", memory: 256Mi }'));
    expect(errors).toEqual([
      'overlays/dev.yaml:8:33: quota.requests.memory: quota is smaller than the components\' requests (at their most replicas), '
        + 'the largest: istio-proxy (5 pods × "128Mi"), agent (1 pod × "256Mi"), backend (1 pod × "128Mi") and 3 more; '
        + 'received "256Mi"; allowed: at least "1184Mi"; '
        + 'fix: raise quota.requests.memory to "1184Mi", or lower the replicas or requests of agent',
    ]);
  });

  test('sizes the quota check on the autoscaler maximum', () => {
    const errors = configErrors(modelFromDev(
      '    image: ghcr.io/bulwark-platform/frontend:1.4.2\n',
      '    image: ghcr.io/bulwark-platform/frontend:1.4.2\n    autoscaling: { minReplicas: 2, maxReplicas: 40 }\n',
    ));
    // Each of the 44 pods runs the injected proxy too: 44 × its requests and limits count.
    expect(errors).toEqual([
      expect.stringContaining("quota.requests.cpu: quota is smaller than the components' requests (at their most replicas), "
        + 'the largest: istio-proxy (44 pods × "100m"), frontend (40 pods × "50m")'),
      expect.stringContaining('quota.requests.memory: '),
      "overlays/dev.yaml:9:18: quota.limits.cpu: quota is smaller than the components' limits (at their most replicas), "
        + 'the largest: istio-proxy (44 pods × "500m"), frontend (40 pods × "250m"), agent (1 pod × "500m") and 3 more; '
        + 'received "8"; allowed: at least "33350m"; '
        + 'fix: raise quota.limits.cpu to "33350m", or lower the replicas or limits of frontend',
      expect.stringContaining('quota.limits.memory: '),
      'overlays/dev.yaml:10:9: quota.pods: quota allows fewer pods than the components run, '
        + 'the largest: frontend (40 pods), agent (1 pod), backend (1 pod) '
        + 'and 2 more; received 30; allowed: at least 44; fix: raise quota.pods to 44, or lower the replicas of frontend',
    ]);
  });

  test('resolves external endpoints and a typo in dependsOn gets a suggestion', () => {
    const errors = configErrors(modelFromDev('dependsOn: [mcp, backend, llm-api]', 'dependsOn: [mcp, backend, llm-apl]'));
    expect(errors).toEqual([expect.stringMatching(/components\.agent\.dependsOn\[2\]: depends on "llm-apl", .*; fix: did you mean "llm-api"\?$/)]);
  });

  test('fails on replicas together with autoscaling, and on min above max', () => {
    const errors = configErrors(modelFromDev(
      '    image: ghcr.io/bulwark-platform/frontend:1.4.2\n',
      '    image: ghcr.io/bulwark-platform/frontend:1.4.2\n    replicas: 2\n    autoscaling: { minReplicas: 3, maxReplicas: 2 }\n',
    ));
    expect(errors).toEqual([
      expect.stringContaining('components.frontend.replicas: replicas and autoscaling are both set; '
        + 'the autoscaler owns the replica count; received 2'),
      expect.stringContaining('components.frontend.autoscaling.minReplicas: minReplicas is above maxReplicas; received 3; allowed: at most 2'),
    ]);
  });

  test('fails on access to secrets without a reason', () => {
    const errors = configErrors(modelFromDev(
      '      - resources: [configmaps]\n        verbs: [get]\n        resourceNames: [agent-config]\n'
        + '        reason: reads its own prompt and model settings at run time',
      '      - resources: [secrets]\n        verbs: [get]',
    ));
    expect(errors).toEqual([
      expect.stringContaining('components.agent.permissions[0].resources: access to secrets needs a reason; received ["secrets"]'),
    ]);
  });

  test('fails on an external endpoint with neither hosts nor cidrs', () => {
    const errors = configErrors(modelFromDev('    hosts: [api.openai.com]\n', ''));
    expect(errors).toEqual([
      'overlays/dev.yaml:26:5: externalEndpoints.llm-api: external endpoint names no host and no address range; received neither hosts nor cidrs; '
        + 'allowed: hosts and/or cidrs; fix: add hosts: [api.example.com] or cidrs: [10.0.0.0/16]',
    ]);
  });

  test('fails on an unknown component at its key, with a suggestion', () => {
    const errors = configErrors(modelFromDev('  podinfo:\n', '  podinfoo:\n'));
    expect(errors).toEqual([expect.stringMatching(/^overlays\/dev\.yaml:\d+:3: components\.podinfoo: unknown component; received "podinfoo"; allowed: one of agent, backend, frontend, mcp, podinfo, or any name with kind: <one of those>; fix: did you mean "podinfo"\?$/)]);
  });

  test('runs any number of instances of a catalog entry through kind', () => {
    const model = modelFromDev(...withComponent('payments'))();
    const payments = model.components.find((c) => c.name === 'payments')!;
    expect([payments.kind, payments.definition.port, payments.definition.role]).toEqual(['backend', 8080, 'api']);
  });

  test('fails on priority classes that do not descend', () => {
    const errors = configErrors(modelFromDev(
      '\ncomponents:\n',
      '\npriorityClasses: { platform-critical: 10, workload: 100, batch: 1 }\n\ncomponents:\n',
    ));
    expect(errors).toEqual([
      expect.stringContaining('priorityClasses: priorities must descend: platform-critical > workload > batch; '
        + 'received {"platform-critical":10,"workload":100,"batch":1}'),
    ]);
  });

  test('fails on a tenant declared twice', () => {
    const twice = '\ntenants:\n'
      + `  - { name: team-a, group: g, quota: ${TENANT_QUOTA} }\n`
      + `  - { name: team-a, group: h, quota: ${TENANT_QUOTA} }\n`
      + '\ncomponents:\n';
    const errors = configErrors(modelFromDev('\ncomponents:\n', twice));
    expect(errors).toEqual([expect.stringContaining('tenants[1].name: tenant is declared twice; received "team-a"')]);
  });

  test('resolves tenants into their own namespaces', () => {
    const prod = modelOf('prod');
    expect(prod.tenants.map((tn) => [tn.name, tn.namespace, tn.group])).toEqual([
      ['team-a', 'bulwark-prod-team-a', 'bulwark:team-a'],
      ['team-b', 'bulwark-prod-team-b', 'bulwark:team-b'],
    ]);
  });
});

describe('gitops and clusters', () => {
  const withDelivery = (block: string) => modelFromDev('\ncomponents:\n', `\n${block}\ncomponents:\n`);

  test('defaults to Argo CD in its own namespace syncing the dist branch by hand, into the cluster it runs in', () => {
    const model = modelOf('dev');
    expect(model.gitops).toEqual({ repoURL: 'https://github.com/bulwark-platform/bulwark.git', branch: 'dist', namespace: 'argocd' });
    expect(model.clusters).toEqual([{ name: 'in-cluster', server: 'https://kubernetes.default.svc' }]);
  });

  test('resolves the overlay\'s delivery, automated sync defaulting to neither prune nor self-heal, clusters sorted by name', () => {
    const model = withDelivery('gitops:\n  repoURL: file:///srv/git/bulwark.git\n  branch: releases/dist\n  automated: {}\n'
      + 'clusters:\n  - { name: west, server: "https://west.example.com:6443" }\n  - { name: east, server: https://east.example.com }\n')();
    expect(model.gitops).toEqual({
      repoURL: 'file:///srv/git/bulwark.git',
      branch: 'releases/dist',
      namespace: 'argocd',
      automated: { prune: false, selfHeal: false },
    });
    expect(model.clusters.map((c) => c.name)).toEqual(['east', 'west']);
  });

  test('fails on two clusters with one name, and on two with one server, at the second', () => {
    const errors = configErrors(withDelivery('clusters:\n  - { name: a, server: https://a.example.com }\n'
      + '  - { name: a, server: https://b.example.com }\n  - { name: c, server: https://a.example.com }\n'));
    expect(errors).toEqual([
      'overlays/dev.yaml:51:13: clusters[1].name: cluster name is declared twice; received "a"; '
        + 'allowed: a name no other cluster of the environment has; fix: rename it: clusters[0] has this name',
      'overlays/dev.yaml:52:24: clusters[2].server: cluster server is declared twice; received "https://a.example.com"; '
        + 'allowed: a server no other cluster of the environment has; fix: remove it: clusters[0] is this API server',
    ]);
  });

  test('fails on two clusters whose servers are spellings of one API server (:443, trailing slash), naming the other spelling', () => {
    const errors = configErrors(withDelivery('clusters:\n  - { name: a, server: "https://k.example:443/" }\n'
      + '  - { name: b, server: https://k.example }\n  - { name: c, server: "https://k.example:6443" }\n'));
    expect(errors).toEqual([
      'overlays/dev.yaml:51:24: clusters[1].server: cluster server is declared twice; received "https://k.example"; '
        + 'allowed: a server no other cluster of the environment has; fix: remove it: clusters[0] ("https://k.example:443/") is this API server',
    ]);
    // Host names are case-insensitive (EKS endpoints are upper-case hex): K.example is k.example.
    expect(configErrors(withDelivery('clusters:\n  - { name: a, server: "https://k.example:443/" }\n  - { name: b, server: https://K.example }\n')))
      .toEqual([
        'overlays/dev.yaml:51:24: clusters[1].server: cluster server is declared twice; received "https://K.example"; '
          + 'allowed: a server no other cluster of the environment has; fix: remove it: clusters[0] ("https://k.example:443/") is this API server',
      ]);
  });

  test('fails on Argo CD\'s namespace being one the environment owns', () => {
    const errors = configErrors(withDelivery('gitops:\n  namespace: bulwark-dev\n'));
    expect(errors).toEqual([
      'overlays/dev.yaml:50:14: gitops.namespace: Argo CD\'s namespace is one of the environment\'s own namespaces, which its Applications manage; '
        + 'received "bulwark-dev"; allowed: a namespace other than bulwark-dev; fix: use the namespace Argo CD runs in, e.g. argocd',
    ]);
  });
});
