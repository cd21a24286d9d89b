import { Construct } from 'constructs';
import { AnalysisTemplate, AnalysisTemplateSpecMetrics, AnalysisTemplateSpecMetricsCount } from '../../imports/argoproj.io';
import { ComponentSli, DEFAULT_WINDOW, errorRatioQuery, Matchers, slowRatioQuery } from '../slo/sli';

/** The arguments a Rollout passes to its analysis: the new pods' version, and how many measurements to take. */
export const ANALYSIS_ARGS = { revision: 'revision', measurements: 'measurements' } as const;

export interface SloAnalysisTemplateProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The component's SLIs and objectives (lib/slo), the ones its alerts read. */
  readonly sli: ComponentSli;
  /** Where Prometheus answers queries (monitoring.prometheus.url). */
  readonly prometheusUrl: string;
  /** Time between two measurements. */
  readonly interval: string;
  /**
   * Whether anything calls the component: its own SLIs then measure the new version; without
   * callers it serves no requests, and its requests to the components it calls are measured instead.
   */
  readonly served: boolean;
}

/**
 * The analysis of a component's new version: each measurement asks Prometheus for the SLIs of
 * lib/slo (Istio's standard metrics, as the alerts read them, over the raw series so no rule
 * evaluation lags), narrowed to the new pods by their canonical revision (their version label),
 * and fails when one exceeds what the component's SLO allows: the error ratio above its error
 * budget, the share of requests slower than its latency threshold above its latency budget. A
 * failed measurement fails the run, which aborts the rollout and sends every request back to the
 * stable pods; no requests yet (no series, or NaN) is no failure.
 */
export class SloAnalysisTemplate extends Construct {
  constructor(scope: Construct, id: string, props: SloAnalysisTemplateProps) {
    super(scope, id);
    const { sli } = props;
    const revision = `{{args.${ANALYSIS_ARGS.revision}}}`;
    const served: Matchers = { ...sli.selector, destination_canonical_revision: revision };
    const metric = (name: string, query: string, budget: number): AnalysisTemplateSpecMetrics => ({
      name,
      interval: props.interval,
      // The first measurement after one interval: the new pods' series exist by then.
      initialDelay: props.interval,
      count: AnalysisTemplateSpecMetricsCount.fromString(`{{args.${ANALYSIS_ARGS.measurements}}}`),
      successCondition: `all(result, isNaN(#) || # <= ${budget})`,
      failureCondition: `any(result, # > ${budget})`,
      provider: { prometheus: { address: props.prometheusUrl, query } },
    });
    const metrics = props.served
      ? [
        metric('error-ratio', errorRatioQuery(served, DEFAULT_WINDOW), sli.errorBudget),
        metric('slow-ratio', slowRatioQuery(served, sli.slo.latency.thresholdMs, DEFAULT_WINDOW), sli.latencyBudget),
      ]
      : [metric('dependency-error-ratio', errorRatioQuery({
        source_workload_namespace: sli.namespace,
        source_workload: sli.component,
        source_canonical_revision: revision,
      }, DEFAULT_WINDOW), sli.errorBudget)];
    new AnalysisTemplate(this, 'template', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      spec: {
        args: [{ name: ANALYSIS_ARGS.revision }, { name: ANALYSIS_ARGS.measurements }],
        metrics,
      },
    });
  }
}
