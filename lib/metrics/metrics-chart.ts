import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { standardLabels } from '../manifest/labels';
import { PLATFORM_FOLDERS } from '../manifest/layout';
import { MonitoringModel, PlatformModel } from '../model/platform-model';
import { recordingRules } from '../slo/sli';
import { SliRecordingRules } from './sli-recording-rules';

export const METRICS_NAME = PLATFORM_FOLDERS.metrics;
/** The PrometheusRule of the SLI table's recording rules. */
export const SLI_RULES_NAME = 'sli-recording-rules';

/** The labels of every monitoring object: the standard ones, and those Prometheus selects its monitors and rules by. */
export function monitoringLabels(model: PlatformModel, monitoring: MonitoringModel): Record<string, string> {
  return {
    ...monitoring.selectorLabels,
    ...standardLabels({ name: METRICS_NAME, environment: model.environment, component: 'monitoring', version: model.platformVersion }),
  };
}

/** The `metrics` subchart, in the environment's namespace: the SLI recording rules. */
export class MetricsChart extends Chart {
  constructor(scope: Construct, model: PlatformModel, monitoring: MonitoringModel) {
    super(scope, METRICS_NAME, { namespace: model.namespace, disableResourceNameHashes: true });
    new SliRecordingRules(this, 'sli', {
      name: SLI_RULES_NAME,
      namespace: model.namespace,
      labels: monitoringLabels(model, monitoring),
      groups: recordingRules(model),
    });
  }
}
