import { ApiObject, Chart } from 'cdk8s';
import { Area } from '../../lib/area/area';
import { environmentFiles } from '../../lib/manifest/layout';
import { outputKindOf } from '../../lib/manifest/output-kind';
import { AREAS } from '../../lib/synth/areas';
import { synthEnvironment } from '../../lib/synth/synth-environment';
import { modelOf } from '../helpers';

/** An area of a test's own: one chart with one ConfigMap, and one report file. */
const probeArea = (chartId = 'probe'): Area => ({
  name: 'probe',
  charts: (model) => [
    (app) => {
      const chart = new Chart(app, chartId, { namespace: model.namespace });
      new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${chartId}-${model.environment}` } });
      return chart;
    },
  ],
  files: () => [{ kind: 'report', files: new Map([['probe.json', '{}\n']]) }],
});

describe('synthEnvironment and the AREAS registry', () => {
  test('builds every registered area in registry order: baseline first, then the Argo CD objects, the API-server files last', () => {
    const components = synthEnvironment(modelOf('prod')).map((c) => c.component);
    expect(components[0]).toBe('baseline');
    expect(components[1]).toBe('security');
    expect(components.slice(-2)).toEqual(['argocd', 'control-plane']);
    expect(new Set(components).size).toBe(components.length);
    expect(AREAS.map((a) => a.name)).toEqual([
      'baseline', 'security', 'workloads', 'tenants', 'tracing', 'policy', 'metrics', 'alerts', 'dashboards', 'control-plane', 'gitops',
    ]);
  });

  test('a new area plugs in by registration alone: its chart becomes a component folder, its files land in the folder of their kind', () => {
    // GIVEN the registered areas plus one of the test's own
    const model = modelOf('dev');
    const components = synthEnvironment(model, undefined, [...AREAS, probeArea()]);

    // THEN its objects form the component `probe` and its report goes to report/
    expect(components.find((c) => c.component === 'probe')?.objects.map((o) => o.metadata.name)).toEqual(['probe-dev']);
    const files = [...environmentFiles('dev', components).keys()];
    expect(files).toContain('dev/probe/configmap-probe-dev.yaml');
    expect(files).toContain('dev/report/probe.json');
    expect(outputKindOf('report/probe.json')).toBe('report');
    expect(outputKindOf('probe/configmap-probe-dev.yaml')).toBe('object');
  });

  test('hands every component to onComponent as soon as it exists, in output order', () => {
    const seen: string[] = [];
    const components = synthEnvironment(modelOf('dev'), (c) => seen.push(c.component));
    expect(seen).toEqual(components.map((c) => c.component));
  });

  test('fails when an area\'s chart would take a folder reserved for files of another kind', () => {
    expect(() => synthEnvironment(modelOf('dev'), undefined, [probeArea('control-plane')])).toThrow(
      'area probe: chart "control-plane" would take a folder reserved for files of another kind (control-plane, report, argocd); '
        + 'give the chart another id',
    );
  });

  test('fails when two charts would share one folder', () => {
    expect(() => synthEnvironment(modelOf('dev'), undefined, [...AREAS, probeArea('security')])).toThrow(
      'area probe: chart "security" would share its folder with a chart of area security; give one of them another id',
    );
  });

  test('an area contributes through the model: its flow is allowed by the component\'s NetworkPolicy and AuthorizationPolicy', () => {
    // GIVEN an area that needs to scrape backend from a monitoring namespace
    const scrape: Area = {
      name: 'scraper',
      flows: () => [{
        to: 'backend',
        namespace: 'monitoring',
        podLabels: { 'app.kubernetes.io/name': 'prometheus' },
        serviceAccount: 'prometheus',
        reason: 'metrics scrape',
      }],
    };
    // WHEN the environment is built with it, and without it
    const objectsOf = (areas: readonly Area[]) => synthEnvironment(modelOf('dev'), undefined, areas).find((c) => c.component === 'backend')!.objects;
    const policy = (areas: readonly Area[]) => objectsOf(areas).find((o) => o.kind === 'NetworkPolicy')!;
    const authz = (areas: readonly Area[]) => objectsOf(areas).find((o) => o.kind === 'AuthorizationPolicy')!;

    // THEN backend admits the monitoring pods on its service port and the prometheus identity, and nothing else changes
    const ingress = (policy([...AREAS, scrape]).spec as { ingress: unknown[] }).ingress;
    expect(ingress).toContainEqual({
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      }],
      ports: [{ protocol: 'TCP', port: 'http' }],
    });
    expect(ingress).toHaveLength((policy(AREAS).spec as { ingress: unknown[] }).ingress.length + 1);
    expect(JSON.stringify(authz([...AREAS, scrape]))).toContain('cluster.local/ns/monitoring/sa/prometheus');
    expect(JSON.stringify(authz(AREAS))).not.toContain('monitoring');
  });

  test('fromObjects sees every chart\'s objects, as emitted, and its objects land in the folder of their kind, seen by no hook', () => {
    // GIVEN an area that counts the objects it is given into a ConfigMap of the gitops kind, twice
    const seen: number[] = [];
    const counter: Area = {
      name: 'counter',
      fromObjects: (model, objects) => {
        seen.push(objects.length);
        const first = objects[0];
        return [{
          kind: 'gitops',
          chart: (app) => {
            const chart = new Chart(app, 'any-id', { namespace: model.gitops.namespace });
            new ApiObject(chart, 'cm', {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name: `count-${seen.length}` },
              data: { objects: String(objects.length), first: `${first.kind}/${first.metadata.name} ${JSON.stringify(first.metadata.annotations)}` },
            });
            return chart;
          },
        }];
      },
    };
    // WHEN the environment is built with the registered areas and the counter twice
    const components = synthEnvironment(modelOf('dev'), undefined, [...AREAS.filter((a) => a.name !== 'gitops'), counter, counter]);

    // THEN both saw the same objects (the charts' only, with their sync waves), and their ConfigMaps are in argocd/
    const charts = components.filter((c) => c.component !== 'argocd' && c.component !== 'control-plane');
    const own = charts.reduce((n, c) => n + c.objects.length, 0);
    expect(seen).toEqual([own, own]);
    const argocd = components.filter((c) => c.component === 'argocd');
    expect(argocd.map((c) => c.objects.map((o) => [o.metadata.namespace, o.metadata.name, (o.data as Record<string, string>).first]))).toEqual([
      [['argocd', 'count-1', 'Namespace/bulwark-dev {"argocd.argoproj.io/sync-wave":"-2"}']],
      [['argocd', 'count-2', 'Namespace/bulwark-dev {"argocd.argoproj.io/sync-wave":"-2"}']],
    ]);
    expect([...environmentFiles('dev', argocd).keys()].map((rel) => outputKindOf(rel.slice('dev/'.length)))).toEqual(['gitops', 'gitops']);
  });

  test('fails when a chart writes a sync wave other than the one of its apply stage', () => {
    const early: Area = {
      name: 'early',
      charts: (model) => [(app) => {
        const chart = new Chart(app, 'early', { namespace: model.namespace });
        new ApiObject(chart, 'cm', {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'early', annotations: { 'argocd.argoproj.io/sync-wave': '-5' } },
        });
        return chart;
      }],
    };
    expect(() => synthEnvironment(modelOf('dev'), undefined, [early])).toThrow(
      'ConfigMap/early carries argocd.argoproj.io/sync-wave: "-5", but namespaced objects are applied in wave 0; '
        + 'remove the annotation (the apply order in lib/manifest/apply-order.ts sets it)',
    );
  });

  test('fails when an area asks for a flow into a component the environment does not run', () => {
    const area: Area = { name: 'x', flows: () => [{ to: 'nope', namespace: 'm', podLabels: {}, serviceAccount: 's', reason: 'a scrape' }] };
    expect(() => synthEnvironment(modelOf('dev'), undefined, [...AREAS, area])).toThrow('a flow into "nope" (a scrape): dev runs no such component');
  });
});

describe('outputKindOf', () => {
  test.each([
    ['backend/deployment-backend.yaml', 'object'],
    ['control-plane/audit-policy.yaml', 'api-server'],
    ['report/compliance.json', 'report'],
    ['platform-0.1.0.tgz', 'package'],
    ['kustomization.yaml', 'kustomization'],
    ['argocd/applicationset-bulwark-dev.yaml', 'gitops'],
    ['argocd/nested/x.yaml', undefined],
    ['notes.txt', undefined],
    ['backend/nested/x.yaml', undefined],
    ['backend/README.md', undefined],
  ])('%s is %s', (rel, kind) => {
    expect(outputKindOf(rel)).toBe(kind);
  });
});
