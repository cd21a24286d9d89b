import { App, Chart } from 'cdk8s';
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
import { ComponentManifests, KubeObject, withoutClusterNamespace } from './kube-object';

type ChartFactory = (app: App) => Chart;

/**
 * Builds every component chart of one environment and returns its objects.
 *
 * Each chart gets its own App: `chart.toJson()` validates and resolves dependencies across the
 * whole App, so one App holding every chart would make synthesis quadratic in components.
 */
export function synthEnvironment(model: PlatformModel): ComponentManifests[] {
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
  const charts = factories.map((make): ComponentManifests => {
    const chart = make(new App());
    const objects = (chart.toJson() as KubeObject[]).map(withoutClusterNamespace);
    return { component: chart.node.id, objects };
  });
  return [...charts, { component: CONTROL_PLANE_FOLDER, objects: [], files: controlPlaneFiles(model) }];
}
