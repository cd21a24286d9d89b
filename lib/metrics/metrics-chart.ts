import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { METRICS_PORT_NAME } from '../config/catalog';
import { PART_OF, standardLabels } from '../manifest/labels';
import { PLATFORM_FOLDERS } from '../manifest/layout';
import { MonitoringModel, PlatformModel } from '../model/platform-model';
import { recordingRules } from '../slo/sli';
import { metricsTargets } from './scrape-targets';
import { ComponentServiceMonitor } from './service-monitor';
import { SidecarPodMonitor } from './sidecar-pod-monitor';
import { SliRecordingRules } from './sli-recording-rules';

export const METRICS_NAME = PLATFORM_FOLDERS.metrics;
/** The PrometheusRule of the SLI table's recording rules. */
export const SLI_RULES_NAME = 'sli-recording-rules';
/** The PodMonitor of the components' sidecars. */
export const SIDECARS_MONITOR_NAME = 'istio-sidecars';

/** The labels of every monitoring object: the standard ones, and those Prometheus selects its monitors and rules by. */
export function monitoringLabels(model: PlatformModel, monitoring: MonitoringModel): Record<string, string> {
  return {
    ...monitoring.selectorLabels,
    ...standardLabels({ name: METRICS_NAME, environment: model.environment, component: 'monitoring', version: model.platformVersion }),
  };
}

/**
 * The `metrics` subchart, in the environment's namespace: a ServiceMonitor per component that
 * serves metrics of its own, the PodMonitor of every component's sidecar, the SLI recording rules.
 */
export class MetricsChart extends Chart {
  constructor(scope: Construct, model: PlatformModel, monitoring: MonitoringModel) {
    super(scope, METRICS_NAME, { namespace: model.namespace, disableResourceNameHashes: true });
    const labels = monitoringLabels(model, monitoring);
    for (const target of metricsTargets(model)) {
      new ComponentServiceMonitor(this, `monitor-${target.component}`, {
        name: target.component,
        namespace: model.namespace,
        labels,
        selector: target.selector,
        port: METRICS_PORT_NAME,
        path: target.metrics.path,
        interval: monitoring.interval,
        certificatesPath: monitoring.prometheus.certificatesPath,
      });
    }
    if (model.components.length > 0) {
      new SidecarPodMonitor(this, 'sidecars', {
        name: SIDECARS_MONITOR_NAME,
        namespace: model.namespace,
        labels,
        components: model.components.map((c) => c.name),
        partOf: PART_OF,
        interval: monitoring.interval,
      });
    }
    new SliRecordingRules(this, 'sli', { name: SLI_RULES_NAME, namespace: model.namespace, labels, groups: recordingRules(model) });
  }
}
