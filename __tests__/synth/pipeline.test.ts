import { parseAllDocuments } from 'yaml';
import { CheckError } from '../../lib/checks';
import { at, Check } from '../../lib/checks/check';
import { isClusterScoped } from '../../lib/manifest/kube-object';
import { ALL_POLICIES } from '../../lib/policy/rules';
import { synthesize } from '../../lib/synth/pipeline';
import { ENVIRONMENTS, loadOverlay } from '../helpers';

const run = () => synthesize(ENVIRONMENTS.map(loadOverlay), { platformVersion: '1.2.3' });

describe('synthesize', () => {
  const result = run();

  test('lays out one folder per component, one object per file, and the environment\'s kustomization beside them', () => {
    const entries = new Set([...result.files.keys()].filter((r) => r.startsWith('prod/')).map((r) => r.split('/')[1]));
    expect([...entries].sort()).toEqual([
      'admission-policy', 'agent', 'argocd', 'backend', 'baseline', 'control-plane', 'falco', 'frontend', 'gatekeeper', 'gatekeeper-templates',
      'kustomization.yaml', 'mcp', 'podinfo', 'security', 'tenant-team-a', 'tenant-team-b',
    ]);
    for (const [rel, text] of result.files) {
      expect(rel).toMatch(/^[a-z]+\/([a-z-]+\/[a-z]+-[a-z0-9-]+|kustomization)\.yaml$/);
      expect(parseAllDocuments(text)).toHaveLength(1);
    }
  });

  test('is deterministic: a second run yields byte-identical files', () => {
    expect(run().files).toEqual(result.files);
  });

  test('cluster-scoped objects carry no namespace, namespaced ones always do', () => {
    const objects = result.environments.flatMap((e) => e.objects);
    const clusterScoped = objects.filter(isClusterScoped);
    const isConstraint = (o: { apiVersion: string }) => o.apiVersion.startsWith('constraints.gatekeeper.sh/');
    expect(new Set(clusterScoped.filter((o) => !isConstraint(o)).map((o) => o.kind))).toEqual(new Set([
      'Assign', 'AssignMetadata', 'ClusterIssuer', 'ClusterSecretStore', 'ConstraintTemplate', 'Namespace', 'PriorityClass',
      'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
    ]));
    expect(clusterScoped.filter(isConstraint)).toHaveLength(3 * ALL_POLICIES.length);
    expect(clusterScoped.filter((o) => o.metadata.namespace !== undefined)).toEqual([]);
    expect(objects.filter((o) => !isClusterScoped(o) && o.metadata.namespace === undefined)).toEqual([]);
  });

  test('tenants get their own namespaces; their role binds only their group, only there', () => {
    const prod = result.environments.find((e) => e.environment === 'prod')!;
    const bindings = prod.objects.filter((o) => o.kind === 'RoleBinding' && o.metadata.name.startsWith('tenant-'));
    expect(bindings.map((b) => [b.metadata.namespace, (b.subjects as { name: string }[])[0].name, (b.roleRef as { kind: string }).kind])).toEqual([
      ['bulwark-prod-team-a', 'bulwark:team-a', 'Role'],
      ['bulwark-prod-team-b', 'bulwark:team-b', 'Role'],
    ]);
  });

  test('no Secret object and no secret value land in dist/: secrets are ExternalSecrets, injector annotations or CSI classes', () => {
    expect([...result.files.keys()].filter((f) => /\/secret-/.test(f))).toEqual([]);
    const text = [...result.files.values()].join('\n');
    expect(text).not.toMatch(/\nkind: Secret\n/);
    const prod = result.environments.find((e) => e.environment === 'prod')!;
    expect(prod.objects.filter((o) => ['ExternalSecret', 'SecretProviderClass'].includes(o.kind)).map((o) => `${o.kind}/${o.metadata.name}`))
      .toEqual(['ExternalSecret/backend-db-credentials', 'SecretProviderClass/mcp-service-token']);
  });

  test('every workload has an AuthorizationPolicy, and every workload something may call a Service and a DestinationRule', () => {
    for (const env of result.environments) {
      const names = (kind: string) => env.objects.filter((o) => o.kind === kind).map((o) => o.metadata.name).sort();
      const workloads = [...names('Deployment'), ...names('Rollout')].sort();
      // A blue-green Rollout's preview Service reaches its new pods only, and no DestinationRule configures it.
      const previews = env.objects.filter((o) => o.kind === 'Rollout')
        .flatMap((o) => (o.spec as { strategy?: { blueGreen?: { previewService?: string } } }).strategy?.blueGreen?.previewService ?? []);
      expect(names('AuthorizationPolicy')).toEqual(expect.arrayContaining(workloads));
      expect(names('DestinationRule')).toEqual(names('Service').filter((n) => !previews.includes(n)));
      // The agent: nothing calls it in any environment.
      expect(workloads.filter((n) => !names('Service').includes(n))).toEqual(['agent']);
    }
  });

  test('per-environment differences come from the overlays only', () => {
    const replicas = (env: string) => Object.fromEntries(result.environments.find((e) => e.environment === env)!.objects
      .filter((o) => o.kind === 'Deployment').map((o) => [o.metadata.name, (o.spec as { replicas: number }).replicas]));
    expect(replicas('dev')).toEqual({ agent: 1, backend: 1, frontend: 1, mcp: 1, podinfo: 1 });
    // backend and frontend scale with an HPA in prod: the Deployment leaves replicas to it.
    expect(replicas('prod')).toEqual({ agent: 3, backend: undefined, frontend: undefined, mcp: 2, podinfo: 2 });
  });

  test('counts objects by kind for the summary', () => {
    const dev = result.environments.find((e) => e.environment === 'dev')!;
    expect(dev.objectsByKind).toMatchObject({ Deployment: 5, Namespace: 1, ServiceAccount: 5, ResourceQuota: 1, LimitRange: 1 });
    expect(dev.components).toContainEqual({ name: 'baseline', objects: 12 });
  });

  test('fails with every finding of an error-level check and writes nothing', () => {
    const noDeployments: Check = {
      id: 'no-deployments',
      title: 'test',
      description: 'test',
      severity: 'error',
      profile: 'generic',
      controls: [],
      remediation: 'test',
      inspect: (o) => (o.kind === 'Deployment' ? [at('kind', 'is a Deployment')] : []),
    };
    let error: unknown;
    try {
      synthesize([loadOverlay('dev')], { platformVersion: '1.2.3', checks: [noDeployments] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CheckError);
    expect((error as CheckError).message.split('\n')).toEqual(
      ['agent', 'backend', 'frontend', 'mcp', 'podinfo'].map((n) => `dev: error: no-deployments: Deployment/bulwark-dev/${n}: is a Deployment`),
    );
  });

  test('reports warning-level findings without failing', () => {
    const warnOnQuota: Check = {
      id: 'quota-note',
      title: 'test',
      description: 'test',
      severity: 'warning',
      profile: 'generic',
      controls: [],
      remediation: 'test',
      inspect: (o) => (o.kind === 'ResourceQuota' ? [at('kind', 'noted')] : []),
    };
    const [dev] = synthesize([loadOverlay('dev')], { platformVersion: '1.2.3', checks: [warnOnQuota] }).environments;
    expect(dev.warnings).toEqual([
      { check: 'quota-note', severity: 'warning', object: 'ResourceQuota/bulwark-dev/baseline-quota', message: 'noted', path: 'kind' },
    ]);
  });
});
