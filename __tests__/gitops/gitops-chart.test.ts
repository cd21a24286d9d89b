import { parseOverlay } from '../../lib/config/load-overlay';
import { CLUSTER_NAME, CLUSTER_SERVER } from '../../lib/gitops/environment-application-set';
import { apiGroupOf, isClusterScoped, KubeObject } from '../../lib/manifest/kube-object';
import { PlatformModel } from '../../lib/model/platform-model';
import { synthEnvironment } from '../../lib/synth/synth-environment';
import { modelOf, overlayText } from '../helpers';

/** The fixture overlay of `env` with `block` (gitops:, clusters:) before its components. */
function modelWith(env: string, block: string): PlatformModel {
  const text = overlayText(env);
  const changed = text.replace('\ncomponents:\n', `\n${block}\ncomponents:\n`);
  if (changed === text) throw new Error('fixture did not change');
  return modelOf(parseOverlay(`overlays/${env}.yaml`, changed));
}

/** The environment's own objects and its Argo CD objects. */
function build(model: PlatformModel): { own: KubeObject[]; project: KubeObject; applicationSet: KubeObject } {
  const components = synthEnvironment(model);
  const argocd = components.filter((c) => c.component === 'argocd').flatMap((c) => c.objects);
  const own = components.filter((c) => c.component !== 'argocd').flatMap((c) => c.objects);
  expect(argocd.map((o) => `${o.apiVersion} ${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
    `argoproj.io/v1alpha1 AppProject/${model.gitops.namespace}/bulwark-${model.environment}`,
    `argoproj.io/v1alpha1 ApplicationSet/${model.gitops.namespace}/bulwark-${model.environment}`,
  ]);
  return { own, project: argocd[0], applicationSet: argocd[1] };
}

interface ProjectSpec {
  sourceRepos: string[];
  destinations: { server: string; namespace: string }[];
  clusterResourceWhitelist: { group: string; kind: string }[];
  namespaceResourceWhitelist: { group: string; kind: string }[];
}

interface ApplicationSetSpec {
  goTemplate: boolean;
  goTemplateOptions: string[];
  generators: { list: { elements: Record<string, string>[] } }[];
  template: {
    metadata: { name: string; labels: Record<string, string>; annotations?: Record<string, string> };
    spec: {
      project: string;
      source: { repoURL: string; targetRevision: string; path: string };
      destination: { server: string; namespace: string };
      syncPolicy: { automated?: { prune: boolean; selfHeal: boolean }; syncOptions: string[]; retry: unknown };
      ignoreDifferences?: { group: string; kind: string; namespace: string; name: string; jsonPointers: string[] }[];
    };
  };
}

const TWO_CLUSTERS = 'gitops:\n  repoURL: https://git.example.com/platform/bulwark.git\n  branch: releases/dist\n  namespace: gitops\n'
  + '  automated: { prune: true }\n'
  + 'clusters:\n  - { name: west, server: "https://west.example.com:6443" }\n  - { name: east, server: https://east.example.com }\n';

describe('the AppProject of an environment', () => {
  test('allows exactly the kinds the environment emits, cluster-scoped and namespaced, each once', () => {
    const { own, project } = build(modelOf('prod'));
    const spec = project.spec as ProjectSpec;
    const kinds = (objects: readonly KubeObject[]) => [...new Set(objects.map((o) => `${apiGroupOf(o.apiVersion)}/${o.kind}`))].sort();
    const listed = (list: { group: string; kind: string }[]) => list.map((r) => `${r.group}/${r.kind}`);
    expect(listed(spec.clusterResourceWhitelist)).toEqual(kinds(own.filter(isClusterScoped)));
    expect(listed(spec.namespaceResourceWhitelist)).toEqual(kinds(own.filter((o) => !isClusterScoped(o))));
    expect(listed(spec.clusterResourceWhitelist)).toEqual(expect.arrayContaining([
      '/Namespace', 'templates.gatekeeper.sh/ConstraintTemplate', 'constraints.gatekeeper.sh/BulwarkProdRequiredLabels',
    ]));
    expect(listed(spec.clusterResourceWhitelist)).not.toContain('rbac.authorization.k8s.io/ClusterRoleBinding');
    expect(listed(spec.namespaceResourceWhitelist)).not.toContain('/Secret');
  });

  test('allows the overlay\'s repository only, and each cluster × each namespace the objects are in', () => {
    const model = modelWith('prod', TWO_CLUSTERS);
    const { own, project } = build(model);
    const spec = project.spec as ProjectSpec;
    expect(spec.sourceRepos).toEqual(['https://git.example.com/platform/bulwark.git']);
    const namespaces = [...new Set(own.filter((o) => !isClusterScoped(o)).map((o) => o.metadata.namespace!))].sort();
    expect(namespaces).toEqual(['bulwark-prod', 'bulwark-prod-team-a', 'bulwark-prod-team-b', 'cert-manager', 'falco', 'istio-system']);
    expect(spec.destinations).toEqual([
      ...namespaces.map((namespace) => ({ server: 'https://east.example.com', namespace })),
      ...namespaces.map((namespace) => ({ server: 'https://west.example.com:6443', namespace })),
    ]);
    expect(project.metadata.namespace).toBe('gitops');
  });
});

describe('the ApplicationSet of an environment', () => {
  test('generates one Application bulwark-<env>-<cluster> per cluster from the environment\'s path of the dist branch', () => {
    const { applicationSet } = build(modelWith('prod', TWO_CLUSTERS));
    const spec = applicationSet.spec as ApplicationSetSpec;
    expect(spec.generators).toEqual([{
      list: {
        elements: [
          { cluster: 'east', server: 'https://east.example.com' },
          { cluster: 'west', server: 'https://west.example.com:6443' },
        ],
      },
    }]);
    // Go templates with missingkey=error: every key the template reads is in every element.
    expect([spec.goTemplate, spec.goTemplateOptions]).toEqual([true, ['missingkey=error']]);
    const render = (element: Record<string, string>) => JSON.parse(JSON.stringify(spec.template).replace(/\{\{\.([a-z]+)\}\}/g, (_, key: string) => {
      if (!(key in element)) throw new Error(`the template reads .${key}, which the element ${JSON.stringify(element)} lacks`);
      return element[key];
    })) as ApplicationSetSpec['template'];
    const applications = spec.generators[0].list.elements.map(render);
    expect(applications.map((a) => [a.metadata.name, a.spec.project, a.spec.destination])).toEqual([
      ['bulwark-prod-east', 'bulwark-prod', { server: 'https://east.example.com', namespace: 'bulwark-prod' }],
      ['bulwark-prod-west', 'bulwark-prod', { server: 'https://west.example.com:6443', namespace: 'bulwark-prod' }],
    ]);
    expect(JSON.stringify(applications)).not.toContain('{{');
    expect(spec.template.spec.source).toEqual({
      repoURL: 'https://git.example.com/platform/bulwark.git',
      targetRevision: 'releases/dist',
      path: 'environments/prod',
    });
    expect([CLUSTER_NAME, CLUSTER_SERVER]).toEqual(['{{.cluster}}', '{{.server}}']);
  });

  test('syncs by itself only when the overlay says so, with its prune and selfHeal', () => {
    const automated = (model: PlatformModel) => (build(model).applicationSet.spec as ApplicationSetSpec).template.spec.syncPolicy.automated;
    expect(automated(modelOf('dev'))).toBeUndefined();
    expect(automated(modelWith('dev', TWO_CLUSTERS))).toEqual({ prune: true, selfHeal: false });
    expect(automated(modelWith('dev', 'gitops:\n  automated: { prune: true, selfHeal: true }\n'))).toEqual({ prune: true, selfHeal: true });
  });

  test('applies server-side, prunes in the background, respects ignored fields and creates no namespace', () => {
    const { syncPolicy } = (build(modelOf('dev')).applicationSet.spec as ApplicationSetSpec).template.spec;
    expect(syncPolicy.syncOptions).toEqual(expect.arrayContaining([
      'ServerSideApply=true', 'PrunePropagationPolicy=background', 'RespectIgnoreDifferences=true', 'CreateNamespace=false',
    ]));
    expect(syncPolicy.syncOptions).not.toContain('CreateNamespace=true');
    // PruneLast would hold every prune until each workload is Healthy (one crash loop stops all deletions).
    expect(syncPolicy.syncOptions).not.toContain('PruneLast=true');
    expect(syncPolicy.retry).toEqual({ limit: 5, backoff: { duration: '5s', factor: 2, maxDuration: '3m' } });
  });

  test('compares server-side, so that defaults the API server fills in (ExternalSecret spec.data[]) are no difference', () => {
    const { metadata } = (build(modelOf('dev')).applicationSet.spec as ApplicationSetSpec).template;
    expect(metadata.annotations).toEqual({ 'argocd.argoproj.io/compare-options': 'ServerSideDiff=true' });
  });

  test('ignores the replicas of exactly the workloads an autoscaler scales', () => {
    const { own, applicationSet } = build(modelOf('prod'));
    const targets = own.filter((o) => o.kind === 'HorizontalPodAutoscaler')
      .map((o) => `${o.metadata.namespace}/${(o.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name}`);
    expect(targets.sort()).toEqual(['bulwark-prod/backend', 'bulwark-prod/frontend']);
    expect((applicationSet.spec as ApplicationSetSpec).template.spec.ignoreDifferences).toEqual(targets.map((t) => ({
      group: 'apps',
      kind: 'Deployment',
      namespace: t.split('/')[0],
      name: t.split('/')[1],
      jsonPointers: ['/spec/replicas'],
    })));
    expect(own.filter((o) => o.kind === 'Deployment' && targets.includes(`${o.metadata.namespace}/${o.metadata.name}`))
      .map((o) => (o.spec as { replicas?: number }).replicas)).toEqual([undefined, undefined]);
    expect((build(modelOf('dev')).applicationSet.spec as ApplicationSetSpec).template.spec.ignoreDifferences).toBeUndefined();
  });
});
