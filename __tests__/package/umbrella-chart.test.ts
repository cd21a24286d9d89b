import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { assembleUmbrellaChart, packageEnvironment } from '../../lib/package/umbrella-chart';
import { writeTreeAtomically } from '../../lib/synth/atomic-writer';
import { synthesize } from '../../lib/synth/pipeline';
import { ENVIRONMENTS, loadOverlay, ROOT } from '../helpers';

const HELM = path.join(ROOT, '.tools', 'bin', 'helm');
const KUBE_VERSION = '1.28.15';
const VERSION = '2.3.4';

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
  const distDocuments = (env: string) => {
    const texts: string[] = [];
    // control-plane/ holds API server configuration files, which are never packaged.
    for (const component of fs.readdirSync(path.join(dist, env)).filter((c) => !c.endsWith('.tgz') && c !== 'control-plane')) {
      for (const f of fs.readdirSync(path.join(dist, env, component))) texts.push(fs.readFileSync(path.join(dist, env, component, f), 'utf8'));
    }
    return canonical(texts);
  };

  test.each(ENVIRONMENTS)('%s: helm template of the package reproduces exactly the documents of dist/', (env) => {
    const rendered = helm('template', 'platform', tgz(env), '--kube-version', KUBE_VERSION);
    expect(canonical([rendered])).toEqual(distDocuments(env));
  });

  test('each component is a subchart with an <component>.enabled condition', () => {
    const chart = parse(helm('show', 'chart', tgz('prod')));
    expect(chart).toMatchObject({ name: 'platform', version: VERSION, appVersion: VERSION, kubeVersion: '>=1.28.0-0' });
    const components = [
      'admission-policy', 'agent', 'backend', 'baseline', 'falco', 'frontend', 'gatekeeper', 'gatekeeper-templates',
      'mcp', 'podinfo', 'security', 'tenant-team-a', 'tenant-team-b',
    ];
    expect(chart.dependencies)
      .toEqual(components.map((name) => expect.objectContaining({ name, version: VERSION, condition: `${name}.enabled` })));
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
