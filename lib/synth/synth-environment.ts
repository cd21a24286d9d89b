import { ApiObject, App, Chart } from 'cdk8s';
import { CONTROL_PLANE_FOLDER, controlPlaneFiles } from '../control-plane/control-plane-files';
import { PlatformModel } from '../model/platform-model';
import { BaselineChart } from '../platform/baseline-chart';
import { TenantChart } from '../platform/tenant-chart';
import { AdmissionPolicyChart } from '../policy/admission-policy-chart';
import { FalcoChart } from '../policy/falco-chart';
import { GatekeeperChart } from '../policy/gatekeeper-chart';
import { GatekeeperTemplatesChart } from '../policy/gatekeeper-templates-chart';
import { SecurityChart } from '../security/security-chart';
import { WorkloadChart } from '../workloads/workload-chart';
import { withFastApiObjectJson } from './fast-json';
import { ComponentManifests, KubeObject, withoutClusterNamespace } from './kube-object';

export type ChartFactory = (app: App) => Chart;

/** The component charts of one environment, each to be built in an App of its own. */
export function chartFactories(model: PlatformModel): ChartFactory[] {
  const factories: ChartFactory[] = [
    (app) => new BaselineChart(app, model),
    (app) => new SecurityChart(app, model),
    ...model.components.map((component): ChartFactory => (app) => new WorkloadChart(app, model, component)),
    ...model.tenants.map((tenant): ChartFactory => (app) => new TenantChart(app, model, tenant)),
    (app) => new GatekeeperTemplatesChart(app, model),
    (app) => new GatekeeperChart(app, model),
    (app) => new AdmissionPolicyChart(app, model),
    (app) => new FalcoChart(app, model),
  ];
  return factories;
}

/**
 * Builds every component chart of one environment and returns its objects (and the control
 * plane's files), each component also handed to `onComponent` as soon as it exists. Each chart gets its own App and is serialized by `chartObjects` right away (its
 * constructs can then be collected), never by one app-wide pass per chart, so synthesis stays
 * linear in components.
 */
export function synthEnvironment(model: PlatformModel, onComponent?: (component: ComponentManifests) => void): ComponentManifests[] {
  const produced = (c: ComponentManifests): ComponentManifests => {
    onComponent?.(c);
    return c;
  };
  const charts = chartFactories(model).map((make): ComponentManifests => {
    const chart = make(new App());
    return produced({ component: chart.node.id, objects: chartObjects(chart).map(withoutClusterNamespace) });
  });
  return [...charts, produced({ component: CONTROL_PLANE_FOLDER, objects: [], files: controlPlaneFiles(model) })];
}

/**
 * What `chart.toJson()` returns, without its app-wide passes: cdk8s re-runs dependency inference,
 * validation and a topological sort over the whole App on every call, which is most of the cost
 * of a small chart. The chart's constructs are validated once (with cdk8s's message), and its
 * objects serialized in construct-tree order, which is cdk8s's order when nothing declares a
 * dependency. A chart whose constructs do declare dependencies goes through `chart.toJson()`, so
 * their order is still honoured. Objects serialize through `withFastApiObjectJson` (fast-json.ts).
 */
export function chartObjects(chart: Chart): KubeObject[] {
  const constructs = chart.node.root.node.findAll();
  if (constructs.some((c) => c.node.dependencies.length > 0)) return chart.toJson() as KubeObject[];
  const errors: string[] = [];
  for (const c of constructs) for (const error of c.node.validate()) errors.push(`[${c.node.path}] ${error}`);
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  const objects: KubeObject[] = [];
  withFastApiObjectJson(App.of(chart), (toJson) => {
    for (const c of constructs) {
      if (c instanceof ApiObject && Chart.of(c) === chart) objects.push(toJson(c) as KubeObject);
    }
  });
  return objects;
}
