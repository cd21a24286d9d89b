import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseDocument } from 'yaml';
import { canonicalJson, differences, objectsOfStream, objectsOfTree } from '../../bench/compare';
import { BenchWorkspace, FloorEntry, generateWorkspace } from '../../bench/generate';
import { SERVICE_TEMPLATES } from '../../bench/helm-chart';
import { BENCH_ENVIRONMENTS } from '../../bench/platform-spec';
import { readOverlays } from '../../lib/config/load-overlay';
import { writeTreeAtomically } from '../../lib/synth/atomic-writer';
import { synthesize } from '../../lib/synth/pipeline';
import { ROOT } from '../helpers';

const HELM = path.join(ROOT, '.tools', 'bin', 'helm');

function helmTemplate(ws: BenchWorkspace, env: string): string {
  return execFileSync(
    HELM,
    ['template', 'bench', ws.chartDir, '-f', ws.valuesFiles.get(env)!, '--kube-version', '1.28.15'],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
}

// The benchmark at N = 3, so that `make bench` cannot rot: the generated overlays are valid, the
// generated chart renders, and its objects are exactly Bulwark's.
describe('bench at N = 3', () => {
  let dir: string;
  let ws: BenchWorkspace;
  let dist: string;

  beforeAll(() => {
    if (!fs.existsSync(HELM)) throw new Error(`${HELM} is missing: run make setup`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-bench-test-'));
    ws = generateWorkspace(path.join(dir, 'ws'), 3, '0.1.0');
    const { overlays, problems } = readOverlays(ws.overlaysDir);
    expect(problems).toEqual([]);
    dist = path.join(dir, 'dist');
    writeTreeAtomically(dist, synthesize(overlays, { platformVersion: '0.1.0' }).files);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each(BENCH_ENVIRONMENTS.map((e) => e.environment))('%s: helm template of the generated chart renders exactly Bulwark\'s objects', (env) => {
    // GIVEN Bulwark's files and helm's stream for one environment
    const bulwark = objectsOfTree(path.join(dist, env));
    const helm = objectsOfStream(helmTemplate(ws, env));

    // THEN both hold the same objects, and every kind of a service comes from a template
    expect(differences(bulwark, helm, ['bulwark', 'helm'])).toBeUndefined();
    expect(helm).toHaveLength(ws.objectCounts.get(env)!);
    const serviceDir = path.join(dist, env, 'svc-0002');
    const serviceKinds = new Set(fs.readdirSync(serviceDir)
      .map((f) => (parseDocument(fs.readFileSync(path.join(serviceDir, f), 'utf8')).toJS() as { kind: string }).kind));
    expect([...serviceKinds].sort()).toEqual(Object.keys(SERVICE_TEMPLATES).sort());
    // Prometheus scrapes each service: a ServiceMonitor apiece.
    expect(fs.readdirSync(path.join(dist, env, 'metrics')).filter((f) => f.startsWith('servicemonitor-'))).toHaveLength(3);
  });

  test('the floor\'s input is every object Bulwark writes, at the same paths', () => {
    const floor = JSON.parse(fs.readFileSync(ws.objectsFile, 'utf8')) as FloorEntry[];
    const objects = BENCH_ENVIRONMENTS.flatMap((e) => objectsOfTree(path.join(dist, e.environment)));
    expect(floor.map((e) => canonicalJson(e.object)).sort()).toEqual(objects.map(canonicalJson).sort());
    for (const e of floor) expect(fs.existsSync(path.join(dist, e.path.replace(/\.json$/, '.yaml')))).toBe(true);
  });

  test('fails when one field of one object differs, naming the object', () => {
    // GIVEN helm's objects with one replica count changed
    const bulwark = objectsOfTree(path.join(dist, 'prod'));
    const helm = objectsOfStream(helmTemplate(ws, 'prod')) as { kind: string; metadata: { name: string }; spec: { replicas: number } }[];
    helm.find((o) => o.kind === 'Deployment' && o.metadata.name === 'svc-0002')!.spec.replicas = 7;

    // WHEN / THEN
    expect(differences(bulwark, helm, ['bulwark', 'helm'])).toMatch(/^1 objects differ .*\nDeployment\/bench-prod\/svc-0002 differs/);
  });

  test('fails when an object is missing on one side', () => {
    const bulwark = objectsOfTree(path.join(dist, 'dev'));
    expect(differences(bulwark, bulwark.slice(1), ['bulwark', 'helm'])).toMatch(/: 1 in bulwark, 0 in helm/);
  });
});

describe('canonicalJson', () => {
  test('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: [{ d: 1, c: 2 }, 3], a: 'x' })).toBe('{"a":"x","b":[{"c":2,"d":1},3]}');
  });
});
