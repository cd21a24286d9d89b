/**
 * The environment's kustomization.yaml, and the apply order it shares with the Argo CD sync waves.
 * The last test runs the real kubectl the e2e run builds (.tools/bin/kubectl); it is never skipped:
 * without the binary it fails, saying how to build it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { APPLY_STAGES, applyStageOf, SYNC_WAVE_ANNOTATION } from '../../lib/manifest/apply-order';
import { ComponentManifests, KubeObject } from '../../lib/manifest/kube-object';
import { KUSTOMIZATION_HEADER, kustomizationFiles } from '../../lib/manifest/kustomization';
import { environmentFiles } from '../../lib/manifest/layout';
import { synthesize } from '../../lib/synth/pipeline';
import { BIN_DIR } from '../../scripts/gen-schemas';
import { ENVIRONMENTS, loadOverlay } from '../helpers';

const KUBECTL = path.join(BIN_DIR, 'kubectl');

const object = (apiVersion: string, kind: string, name: string, namespace?: string): KubeObject =>
  ({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } });

/** An object as JSON with its keys sorted at every level: equal objects, equal strings. */
function canonical(value: unknown): string {
  const sorted = (v: unknown): unknown => Array.isArray(v)
    ? v.map(sorted)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])]))
      : v;
  return JSON.stringify(sorted(value));
}

interface Kustomization {
  apiVersion: string;
  kind: string;
  sortOptions: { order: string };
  resources: string[];
}

describe('kustomizationFiles', () => {
  test('lists the object files of the components in apply order, stable within a stage, and no file of another kind', () => {
    const components: ComponentManifests[] = [
      { component: 'web', objects: [object('apps/v1', 'Deployment', 'web', 'shop'), object('v1', 'Service', 'web', 'shop')] },
      {
        component: 'baseline',
        objects: [
          object('scheduling.k8s.io/v1', 'PriorityClass', 'high'),
          object('v1', 'Namespace', 'shop'),
          object('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com'),
        ],
      },
      { component: 'policy', objects: [object('constraints.gatekeeper.sh/v1beta1', 'ShopLabels', 'labels')] },
      { component: 'policy-templates', objects: [object('templates.gatekeeper.sh/v1', 'ConstraintTemplate', 'shoplabels')] },
      { component: 'argocd', objects: [object('argoproj.io/v1alpha1', 'AppProject', 'bulwark-shop', 'argocd')] },
      { component: 'control-plane', objects: [], files: new Map([['audit-policy.yaml', 'kind: Policy\n']]) },
    ];
    const files = kustomizationFiles('shop', components);
    expect([...files.keys()]).toEqual(['shop/kustomization.yaml']);
    const text = files.get('shop/kustomization.yaml')!;
    expect(text.startsWith(KUSTOMIZATION_HEADER)).toBe(true);
    expect(parse(text)).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      sortOptions: { order: 'fifo' },
      resources: [
        'baseline/namespace-shop.yaml',
        'baseline/customresourcedefinition-widgets.example.com.yaml',
        'policy-templates/constrainttemplate-shoplabels.yaml',
        'baseline/priorityclass-high.yaml',
        'policy/shoplabels-labels.yaml',
        'web/deployment-web.yaml',
        'web/service-web.yaml',
      ],
    });
  });
});

describe('the apply order of the fixture environments', () => {
  const result = synthesize(ENVIRONMENTS.map(loadOverlay), { platformVersion: '1.2.3' });

  test.each(ENVIRONMENTS)('%s: sync waves follow the kustomization\'s order: namespaces -2, templates -1, the rest unannotated', (env) => {
    const byFile = new Map<string, KubeObject>();
    for (const [rel, text] of result.files) if (rel.startsWith(`${env}/`)) byFile.set(rel.slice(env.length + 1), parse(text) as KubeObject);
    const listed = (parse(result.files.get(`${env}/kustomization.yaml`)!) as Kustomization).resources.map((f) => byFile.get(f)!);
    const waves = listed.map((o) => Number(o.metadata.annotations?.[SYNC_WAVE_ANNOTATION] ?? '0'));
    expect(waves).toEqual([...waves].sort((a, b) => a - b));
    expect(listed.map((o) => APPLY_STAGES[applyStageOf(o)].wave)).toEqual(waves);
    const annotated = new Set(listed.filter((o) => o.metadata.annotations?.[SYNC_WAVE_ANNOTATION] !== undefined).map((o) => o.kind));
    expect(annotated).toEqual(new Set(['Namespace', 'ConstraintTemplate']));
    // Every object file is listed once; no other file is.
    const objectFiles = [...byFile.keys()].filter((f) => !f.startsWith('argocd/') && !f.startsWith('control-plane/') && f !== 'kustomization.yaml');
    expect(listed).toHaveLength(objectFiles.length);
    expect(new Set((parse(result.files.get(`${env}/kustomization.yaml`)!) as Kustomization).resources)).toEqual(new Set(objectFiles));
  });

  test.each(ENVIRONMENTS)('%s: kubectl kustomize of the synthesized folder yields exactly its objects, in the kustomization\'s order', (env) => {
    if (!fs.existsSync(KUBECTL)) {
      throw new Error(`${path.relative(process.cwd(), KUBECTL)} is missing: run \`bash scripts/setup.sh e2e\` (or make setup), which builds it`);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-kustomize-'));
    try {
      for (const [rel, text] of result.files) {
        if (!rel.startsWith(`${env}/`)) continue;
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), text);
      }
      const built = execFileSync(KUBECTL, ['kustomize', path.join(dir, env)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const documents = parseAllDocuments(built).map((d) => d.toJS() as KubeObject);
      const environment = result.environments.find((e) => e.environment === env)!;
      const resources = (parse(result.files.get(`${env}/kustomization.yaml`)!) as Kustomization).resources;
      // Argo CD's objects are not the environment's own (its Rollouts and AnalysisTemplates, of the same group, are).
      const own = environment.objects.filter((o) => !(o.apiVersion === 'argoproj.io/v1alpha1' && ['AppProject', 'ApplicationSet'].includes(o.kind)));
      expect(documents).toHaveLength(own.length);
      expect(documents).toEqual(resources.map((f) => parse(result.files.get(`${env}/${f}`)!)));
      expect(documents.map(canonical).sort()).toEqual(own.map(canonical).sort());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('environmentFiles and the kustomization', () => {
  test('the kustomization names files exactly as the layout writes them', () => {
    const components: ComponentManifests[] = [{ component: 'web', objects: [object('v1', 'ConfigMap', 'Web.Settings', 'shop')] }];
    const [rel] = [...environmentFiles('shop', components).keys()];
    expect((parse(kustomizationFiles('shop', components).get('shop/kustomization.yaml')!) as Kustomization).resources)
      .toEqual([rel.slice('shop/'.length)]);
  });
});
