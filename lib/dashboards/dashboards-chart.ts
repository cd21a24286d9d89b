import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { standardLabels } from '../manifest/labels';
import { PLATFORM_FOLDERS } from '../manifest/layout';
import { environmentName } from '../manifest/names';
import { PlatformModel } from '../model/platform-model';
import { knownMetricNames } from '../slo';
import { dashboardQueryProblems } from './check';
import { DashboardConfigMap } from './dashboard-config-map';
import { PlatformDashboard, platformDashboards } from './platform-dashboards';

export const DASHBOARDS_NAME = PLATFORM_FOLDERS.dashboards;

export interface DashboardsChartOptions {
  /** The dashboards to ship. @default platformDashboards(model) */
  readonly dashboards?: readonly PlatformDashboard[];
  /** The metric names a query may name. @default knownMetricNames() of lib/slo: the recorded SLIs and the documented exporters' metrics */
  readonly knownMetrics?: ReadonlySet<string>;
}

/**
 * The `dashboards` subchart: every dashboard of the environment, one ConfigMap each, in the
 * namespace Grafana's sidecar watches. A query that does not parse or names a metric lib/slo does
 * not know fails the synth, naming the dashboard, the panel and the metric; so does a dashboard
 * too large for a client-side kubectl apply.
 */
export class DashboardsChart extends Chart {
  constructor(scope: Construct, model: PlatformModel, options: DashboardsChartOptions = {}) {
    super(scope, DASHBOARDS_NAME, { disableResourceNameHashes: true });
    const settings = model.dashboards;
    if (!settings) return;
    const dashboards = options.dashboards ?? platformDashboards(model);
    const known = options.knownMetrics ?? knownMetricNames();
    const problems = dashboards.flatMap((d) => dashboardQueryProblems(d.dashboard, known));
    if (problems.length > 0) {
      throw new Error(`dashboards: ${problems.length} quer${problems.length === 1 ? 'y' : 'ies'} of the dashboards of ${model.environment} `
        + `would show no data; name only the recorded SLIs (RECORDED in lib/slo/sli.ts) or a metric of EXPORTER_METRICS `
        + `(lib/slo/exporter-metrics.ts, with its exporter's documentation):\n${problems.join('\n')}`);
    }
    const labels = standardLabels({ name: DASHBOARDS_NAME, environment: model.environment, component: 'dashboard', version: model.platformVersion });
    for (const { name, dashboard } of dashboards) {
      new DashboardConfigMap(this, name, {
        name: environmentName(model.environment, 'dashboard', name),
        namespace: settings.namespace,
        labels,
        fileName: `${dashboard.uid}.json`,
        dashboard,
        ...(settings.folder === undefined ? {} : { folder: settings.folder }),
      });
    }
  }
}
