import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { outputFiles } from '../../lib/manifest/manifest-reader';
import { assembleUmbrellaChart, packageEnvironment } from '../../lib/package/umbrella-chart';
import { writeTreeAtomically } from '../../lib/synth/atomic-writer';
import { synthesize } from '../../lib/synth/pipeline';
import { readKubernetesSupplements, readToolsEnv } from '../../scripts/gen-schemas';
import { ENVIRONMENTS, loadOverlay, ROOT } from '../helpers';

const HELM = path.join(ROOT, '.tools', 'bin', 'helm');
const VERSION = '2.3.4';
const chartYaml = (chart: string) => parse(fs.readFileSync(path.join(ROOT, 'charts', chart, 'Chart.yaml'), 'utf8')) as { kubeVersion: string };
/** The floor of the umbrella chart's kubeVersion (">=1.30.0-0": 1.30.0): helm renders for it. */
const KUBE_VERSION = /^>=(\d+\.\d+\.\d+)-0$/.exec(chartYaml('platform').kubeVersion)?.[1] ?? 'unparsable kubeVersion';

/** Documents as canonical JSON, sorted: order-insensitive, formatting-insensitive equality. */
function canonical(yamlTexts: readonly string[]): string[] {
  return yamlTexts
    .flatMap((t) => parseAllDocuments(t).map((d) => d.toJS()))
    .filter((d) => d !== null)
    .map((d) => JSON.stringify(d))
    .sort();
}

function helm(...args: string[]): string {
  return execFileSync(HELM, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('umbrella chart', () => {
  let work: string;
  let dist: string;

  beforeAll(() => {
    if (!fs.existsSync(HELM)) throw new Error(`${HELM} is missing: run make setup`);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-package-'));
    dist = path.join(work, 'dist');
    const { files } = synthesize(ENVIRONMENTS.map(loadOverlay), { platformVersion: VERSION });
    writeTreeAtomically(dist, files);
    for (const environment of ENVIRONMENTS) {
      packageEnvironment({ distDir: dist, environment, version: VERSION, chartsDir: path.join(ROOT, 'charts'), helm: HELM });
    }
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  const tgz = (env: string) => path.join(dist, env, `platform-${VERSION}.tgz`);
  // Only the `object` files are packaged (not control-plane/, the kustomization, argocd/).
  const distDocuments = (env: string) => canonical(outputFiles(path.join(dist, env), ['object']).map((f) => fs.readFileSync(f.path, 'utf8')));

  test.each(ENVIRONMENTS)('%s: helm template of the package reproduces exactly the documents of dist/', (env) => {
    const rendered = helm('template', 'platform', tgz(env), '--kube-version', KUBE_VERSION);
    expect(canonical([rendered])).toEqual(distDocuments(env));
  });

  test('each component is a subchart with an <component>.enabled condition', () => {
    const chart = parse(helm('show', 'chart', tgz('prod')));
    expect(chart).toMatchObject({ name: 'platform', version: VERSION, appVersion: VERSION, kubeVersion: '>=1.30.0-0' });
    const components = [
      'admission-policy', 'agent', 'backend', 'baseline', 'falco', 'frontend', 'gatekeeper', 'gatekeeper-templates',
      'mcp', 'podinfo', 'security', 'tenant-team-a', 'tenant-team-b',
    ];
    expect(chart.dependencies)
      .toEqual(components.map((name) => expect.objectContaining({ name, version: VERSION, condition: `${name}.enabled` })));
  });

  test('kubeVersion is the oldest Kubernetes that serves every API version emitted (the admission policies\' v1: 1.30)', () => {
    // Built-in kinds come from the pinned schemas' Kubernetes unless crds/sources.json takes them
    // from a later release (kubernetesSupplements); CRD kinds do not depend on the version.
    const minor = (v: string) => Number(/^v?1\.(\d+)\./.exec(v)![1]);
    const supplements = readKubernetesSupplements();
    const emitted = new Set(ENVIRONMENTS.flatMap((env) => distDocuments(env))
      .map((d) => JSON.parse(d) as { apiVersion: string; kind: string })
      .map((o) => `${o.apiVersion.includes('/') ? o.apiVersion : `core/${o.apiVersion}`}/${o.kind}`));
    const needs = Math.max(
      minor(readToolsEnv().KUBERNETES_VERSION),
      ...supplements.filter((s) => s.kinds.some((k) => emitted.has(k))).map((s) => minor(s.version)),
    );
    expect(needs).toBe(30);
    expect(chartYaml('platform').kubeVersion).toBe(`>=1.${needs}.0-0`);
    expect(chartYaml('component').kubeVersion).toBe(`>=1.${needs}.0-0`);
    // Helm refuses the minor before; the e2e API server satisfies it.
    expect(() => helm('template', 'platform', tgz('prod'), '--kube-version', `1.${needs - 1}.99`))
      .toThrow(`chart requires kubeVersion: >=1.${needs}.0-0 which is incompatible with Kubernetes v1.${needs - 1}.99`);
    expect(minor(fs.readFileSync(path.join(ROOT, 'scripts', 'tools.env'), 'utf8').match(/^E2E_KUBERNETES_VERSION=(\S+)$/m)![1]))
      .toBeGreaterThanOrEqual(needs);
  });

  test('disabling a component removes exactly its objects', () => {
    const all = canonical([helm('template', 'platform', tgz('prod'), '--kube-version', KUBE_VERSION)]);
    const withoutAgent = canonical([helm('template', 'platform', tgz('prod'), '--kube-version', KUBE_VERSION, '--set', 'agent.enabled=false')]);
    const agentObjects = fs.readdirSync(path.join(dist, 'prod', 'agent')).length;
    expect(withoutAgent).toHaveLength(all.length - agentObjects);
    const owners = withoutAgent
      .map((d) => (JSON.parse(d) as { metadata: { labels: Record<string, string> } }).metadata.labels['app.kubernetes.io/name']);
    expect(owners).not.toContain('agent');
    expect(owners).toContain('backend');
  });

  test('the values schema rejects unknown keys and wrong types', () => {
    const run = (...set: string[]) => () => helm('template', 'platform', tgz('prod'), '--kube-version', KUBE_VERSION, ...set);
    expect(run('--set', 'agnet.enabled=false')).toThrow(/additional properties 'agnet' not allowed/);
    expect(run('--set', 'agent.replicas=3')).toThrow(/additional properties 'replicas' not allowed/);
    expect(run('--set-string', 'agent.enabled=no')).toThrow(/got string, want boolean/);
  });

  test('verbatim files: template syntax inside synthesized YAML is not evaluated', () => {
    const chartDir = path.join(work, 'templated');
    const envDir = path.join(work, 'dist-templated', 'dev', 'alerts');
    fs.mkdirSync(envDir, { recursive: true });
    const doc = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alerts\n  namespace: x\ndata:\n  summary: "{{ $labels.pod }} is down"\n';
    fs.writeFileSync(path.join(envDir, 'configmap-alerts.yaml'), doc);
    assembleUmbrellaChart({
      distDir: path.join(work, 'dist-templated'),
      environment: 'dev',
      version: VERSION,
      chartsDir: path.join(ROOT, 'charts'),
    }, chartDir);
    expect(canonical([helm('template', 'platform', chartDir, '--kube-version', KUBE_VERSION)])).toEqual(canonical([doc]));
  });

  test('fails on a version that is not semver, and on an environment that was not synthesized', () => {
    const opts = { distDir: dist, chartsDir: path.join(ROOT, 'charts') };
    expect(() => assembleUmbrellaChart({ ...opts, environment: 'prod', version: 'v1' }, path.join(work, 'x')))
      .toThrow('chart version "v1" is not semver');
    expect(() => assembleUmbrellaChart({ ...opts, environment: 'qa', version: VERSION }, path.join(work, 'y'))).toThrow(/dist\/qa does not exist: run make synth first/);
  });
});
