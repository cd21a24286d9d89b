import { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { App } from 'cdk8s';
import { parseOverlay } from '../../lib/config/load-overlay';
import { DASHBOARDS_AREA } from '../../lib/dashboards/area';
import { LAST_APPLIED_LIMIT_BYTES } from '../../lib/dashboards/check';
import { DashboardsChart, DashboardsChartOptions } from '../../lib/dashboards/dashboards-chart';
import { dashboardUid, platformDashboards, UID_MAX_LENGTH } from '../../lib/dashboards/platform-dashboards';
import { KubeObject } from '../../lib/manifest/kube-object';
import { toYaml } from '../../lib/manifest/yaml-emitter';
import { PlatformModel } from '../../lib/model/platform-model';
import { chartObjects } from '../../lib/render/chart-objects';
import { componentSlis, knownMetricNames, RECORDED } from '../../lib/slo';
import { deliveryOverlay } from '../delivery-fixtures';
import { monitoredModel, monitoredOverlayText } from '../fixtures/monitoring';
import { configErrors, modelOf } from '../helpers';

const WITH_DASHBOARDS = ['\ncomponents:\n', '\ndashboards: {}\n\ncomponents:\n'] as const;

function dashboardsModel(env = 'prod', ...more: readonly (readonly [string | RegExp, string])[]): PlatformModel {
  return monitoredModel(env, WITH_DASHBOARDS, ...more);
}

function objectsOf(model: PlatformModel, options?: DashboardsChartOptions): KubeObject[] {
  return chartObjects(new DashboardsChart(new App(), model, options));
}

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly datasource?: { readonly uid: string };
  readonly targets?: readonly { readonly expr: string }[];
}

interface DashboardJson {
  readonly uid: string;
  readonly title: string;
  readonly templating: { readonly list: readonly { readonly type: string; readonly name: string; readonly query: string }[] };
  readonly panels: readonly Panel[];
}

/** The one dashboard a ConfigMap carries, and its file name. */
function dashboardOf(o: KubeObject): { file: string; dashboard: DashboardJson } {
  const data = (o as unknown as { data: Record<string, string> }).data;
  const files = Object.keys(data);
  expect(files).toHaveLength(1);
  return { file: files[0], dashboard: JSON.parse(data[files[0]]) as DashboardJson };
}

describe('dashboards', () => {
  const model = dashboardsModel();
  const objects = objectsOf(model);

  test('GIVEN no dashboards key WHEN the area is asked THEN it adds no chart (the committed output does not change)', () => {
    expect(DASHBOARDS_AREA.charts!(monitoredModel('prod'))).toEqual([]);
    expect(DASHBOARDS_AREA.charts!(model)).toHaveLength(1);
  });

  test('one ConfigMap per dashboard (overview, each component, mesh, security) in the monitoring namespace, labelled for the sidecar', () => {
    const components = model.components.map((c) => c.name);
    expect(objects.map((o) => o.metadata.name)).toEqual([
      'bulwark-prod-dashboard-overview',
      ...components.map((c) => `bulwark-prod-dashboard-component-${c}`),
      'bulwark-prod-dashboard-mesh',
      'bulwark-prod-dashboard-security',
    ]);
    for (const o of objects) {
      expect(o.kind).toBe('ConfigMap');
      expect(o.metadata.namespace).toBe('monitoring');
      expect(o.metadata.labels).toMatchObject({
        grafana_dashboard: '1', 'app.kubernetes.io/part-of': 'bulwark', 'app.kubernetes.io/instance': 'dashboards-prod',
      });
      const { file, dashboard } = dashboardOf(o);
      expect(file).toBe(`${dashboard.uid}.json`);
    }
  });

  test('dashboards.namespace puts them where Grafana\'s sidecar watches', () => {
    const other = objectsOf(monitoredModel('prod', ['\ncomponents:\n', '\ndashboards:\n  namespace: grafana\n\ncomponents:\n']));
    expect(new Set(other.map((o) => o.metadata.namespace))).toEqual(new Set(['grafana']));
  });

  test('dashboards.folder puts them in that Grafana folder (the grafana_folder annotation); without it, no annotation', () => {
    expect(objects.map((o) => o.metadata.annotations)).toEqual(objects.map(() => undefined));
    const filed = objectsOf(monitoredModel('prod', ['\ncomponents:\n', '\ndashboards:\n  folder: Bulwark prod\n\ncomponents:\n']));
    expect(new Set(filed.map((o) => JSON.stringify(o.metadata.annotations)))).toEqual(new Set([JSON.stringify({ grafana_folder: 'Bulwark prod' })]));
  });

  test('fails on a folder that is a path', () => {
    const errors = configErrors(() => monitoredModel('dev', ['\ncomponents:\n', '\ndashboards:\n  folder: ../etc\n\ncomponents:\n']));
    expect(errors).toEqual([expect.stringMatching(/^overlays\/dev\.yaml:\d+:\d+: dashboards\.folder: .*received "\.\.\/etc"; allowed: a Grafana folder name/)]);
  });

  test('stable uids: bulwark-<env>-<name>, at most 40 characters, distinct per environment', () => {
    const uids = objects.map((o) => dashboardOf(o).dashboard.uid);
    expect(uids[0]).toBe('bulwark-prod-overview');
    expect(uids).toContain('bulwark-prod-component-backend');
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) expect(uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
    expect(objectsOf(dashboardsModel('dev')).map((o) => dashboardOf(o).dashboard.uid)).not.toContain('bulwark-prod-overview');
    const long = dashboardUid('staging-eu-west-1', 'component-a-component-with-a-long-name');
    expect(long.length).toBeLessThanOrEqual(UID_MAX_LENGTH);
    expect(long).toMatch(/^bulwark-staging-eu-west-1-compo-[0-9a-f]{8}$/);
    expect(dashboardUid('staging-eu-west-1', 'component-a-component-with-a-long-name')).toBe(long);
    expect(dashboardUid('staging-eu-west-1', 'component-a-component-with-a-long-namf')).not.toBe(long);
  });

  test('every panel reads the Prometheus the datasource variable selects', () => {
    for (const o of objects) {
      const { dashboard } = dashboardOf(o);
      expect(dashboard.templating.list).toEqual([expect.objectContaining({ type: 'datasource', name: 'datasource', query: 'prometheus' })]);
      for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
        expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      }
      const ids = dashboard.panels.map((p) => p.id);
      expect(ids).toEqual(ids.map((_, i) => i + 1));
    }
  });

  test('a component\'s dashboard shows rate, errors and duration from its own SLIs', () => {
    const sli = componentSlis(model).find((s) => s.component === 'backend')!;
    const { dashboard } = dashboardOf(objects.find((o) => o.metadata.name === 'bulwark-prod-dashboard-component-backend')!);
    const exprs = (title: string): string[] => dashboard.panels.find((p) => p.title === title)!.targets!.map((t) => t.expr);
    expect(exprs('Request rate')).toEqual([sli.requestRate('5m')]);
    expect(exprs('Error ratio')).toEqual([sli.errorRatio('5m'), sli.errorRatio('1h')]);
    expect(exprs('Latency')).toEqual([0.5, 0.9, 0.99].map((quantile) => sli.latencyQuantile(quantile, '5m')));
    expect(exprs('Availability (1d)')).toEqual([`1 - ${sli.errorRatio('1d')}`]);
    expect(dashboard.panels.some((p) => p.title === `Faster than ${sli.slo.latency.thresholdMs} ms (1d)`)).toBe(true);
  });

  test('a component with delivery (a Rollout, which kube-state-metrics does not describe) counts its ready pods only', () => {
    const delivered = modelOf(deliveryOverlay({ delivery: { backend: '{ strategy: canary }' }, edits: [[WITH_DASHBOARDS[0], WITH_DASHBOARDS[1]]] }));
    const panel = (o: KubeObject): Panel => dashboardOf(o).dashboard.panels.find((p) => p.title === 'Ready pods')!;
    const byName = new Map(objectsOf(delivered).map((o) => [o.metadata.name, o]));
    expect(panel(byName.get('bulwark-prod-dashboard-component-backend')!).targets!.map((t) => t.expr))
      .toEqual(['sum(kube_pod_container_status_ready{namespace="bulwark-prod", container="backend"})']);
    expect(panel(byName.get('bulwark-prod-dashboard-component-frontend')!).targets!.map((t) => t.expr))
      .toContain('sum(kube_deployment_spec_replicas{namespace="bulwark-prod", deployment="frontend"})');
  });

  test('the overview reads the recorded series of the environment\'s namespace', () => {
    const { dashboard } = dashboardOf(objects[0]);
    const all = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join('\n');
    expect(all).toContain(`${RECORDED.requests('5m')}{destination_workload_namespace="${model.namespace}"}`);
    expect(all).toContain(RECORDED.errorRatio('5m'));
  });

  test('every query of every dashboard names only metrics lib/slo knows (the synth-time check holds)', () => {
    const known = knownMetricNames();
    const names = platformDashboards(model).flatMap(({ dashboard }) => (dashboard.panels ?? [])
      .flatMap((p) => ((p as Panel).targets ?? []).flatMap((t) => t.expr.match(/[a-z_][a-z0-9_:]*(?=[{[(\s)]|$)/g) ?? [])));
    expect(names.filter((n) => n.includes('_') && known.has(n)).length).toBeGreaterThan(20);
  });

  test('deterministic: two syntheses are byte-identical', () => {
    const yaml = (os: readonly KubeObject[]): string => os.map((o) => toYaml(o as never)).join('---\n');
    expect(yaml(objectsOf(dashboardsModel()))).toBe(yaml(objects));
  });
});

describe('dashboards: the checks', () => {
  const model = dashboardsModel('dev');
  const dashboardWith = (expr: string, title = 'Broken'): DashboardsChartOptions['dashboards'] => [{
    name: 'broken',
    dashboard: new DashboardBuilder('Bulwark dev: broken').uid('bulwark-dev-broken')
      .withPanel(new TimeseriesPanelBuilder().title(title).withTarget(new DataqueryBuilder().expr(expr).refId('A')))
      .build(),
  }];
  const thrown = (options: DashboardsChartOptions): string => {
    try {
      objectsOf(model, options);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected the dashboards chart to throw');
  };

  test('fails on an unparsable query, naming the dashboard, the panel and the query', () => {
    const message = thrown({ dashboards: dashboardWith('sum(rate(up[5m])', 'Scrapes') });
    expect(message).toContain('dashboards: 1 query of the dashboards of dev would show no data');
    expect(message).toContain('dashboard "Bulwark dev: broken", panel "Scrapes", query A "sum(rate(up[5m])": does not parse (PromQL) at column 17');
  });

  test('fails on an unknown metric, naming it and where the known ones are', () => {
    const message = thrown({ dashboards: dashboardWith('sum(rate(istio_request_total[5m]))') });
    expect(message).toContain('panel "Broken", query A "sum(rate(istio_request_total[5m]))": names metric istio_request_total, '
      + 'which neither a recording rule of lib/slo nor a documented exporter produces');
    expect(message).toContain('RECORDED in lib/slo/sli.ts');
    expect(message).toContain('EXPORTER_METRICS');
  });

  test('fails on a platform dashboard once lib/slo no longer knows one of its metrics', () => {
    const known = new Set([...knownMetricNames()].filter((n) => n !== 'gatekeeper_violations'));
    expect(thrown({ knownMetrics: known })).toContain('dashboard "Bulwark dev: security signals", panel "Audit violations", '
      + 'query A "sum(gatekeeper_violations)": names metric gatekeeper_violations');
  });

  test('fails on a dashboard larger than the last-applied-configuration annotation', () => {
    let big = new DashboardBuilder('Bulwark dev: big').uid('bulwark-dev-big');
    const description = 'x'.repeat(1000);
    for (let i = 0; i < LAST_APPLIED_LIMIT_BYTES / 1000; i++) {
      const panel = new TimeseriesPanelBuilder().title(`panel ${i}`).description(description);
      big = big.withPanel(panel.withTarget(new DataqueryBuilder().expr('up').refId('A')));
    }
    const message = thrown({ dashboards: [{ name: 'big', dashboard: big.build() }] });
    expect(message).toMatch(/^dashboards: ConfigMap monitoring\/bulwark-dev-dashboard-big is \d+ bytes as JSON, above the 262144 bytes of the /);
    expect(message).toContain('kubectl.kubernetes.io/last-applied-configuration');
  });
});

describe('dashboards: overlay rules', () => {
  test('fails on dashboards without monitoring', () => {
    const text = monitoredOverlayText('dev', WITH_DASHBOARDS).replace(/\nmonitoring:\n(  .*\n)+/, '\n');
    expect(configErrors(() => modelOf(parseOverlay('overlays/dev.yaml', text)))).toEqual([
      expect.stringMatching(/^overlays\/dev\.yaml:\d+:1: dashboards: dashboards need monitoring: their panels query the SLIs its recording rules record; /),
    ]);
  });

  test('fails on dashboards in one of the environment\'s own namespaces, with the fix', () => {
    const errors = configErrors(() => monitoredModel('dev', ['\ncomponents:\n', '\ndashboards:\n  namespace: bulwark-dev\n\ncomponents:\n']));
    expect(errors).toEqual([expect.stringMatching(/^overlays\/dev\.yaml:\d+:\d+: dashboards\.namespace: the dashboards' namespace is one of the environment's own namespaces/)]);
    expect(errors[0]).toContain('received "bulwark-dev"');
    expect(errors[0]).toContain('fix: use the namespace Grafana\'s dashboard sidecar watches (its searchNamespace), '
      + 'or leave it out for monitoring.namespace (monitoring)');
  });
});
