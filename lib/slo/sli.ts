import { PlatformModel, SloModel } from '../model/platform-model';

/**
 * The service-level indicators of the platform's components, in one table: what the recording
 * rules record (their names, after Prometheus' `level:metric:operations` convention, and their
 * PromQL), and the expressions over them that the alerts, the dashboards and the canary analysis
 * use, so that all of them measure the same thing.
 *
 * Every SLI comes from Istio's standard metrics as the server's sidecar reports them
 * (`reporter="destination"`): `istio_requests_total` and `istio_request_duration_milliseconds`,
 * per `destination_workload` (the Deployment, which is the component) in
 * `destination_workload_namespace` (the environment's namespace). The application needs no
 * instrumentation of its own for them.
 *
 *   availability: the share of requests answered without a 5xx   (errorRatio: the share with one)
 *   latency:      the share of requests faster than the SLO's threshold  (slowRatio: the share slower)
 *
 * API: `SLI_WINDOWS`; `RECORDED` (record name per window); `recordingRules(model)` (the groups of
 * the PrometheusRule); `componentSlis(model)` / `sliOf(model, name)` (per component: matchers,
 * targets, budgets and the PromQL over the recorded series); `errorRatioQuery`, `slowRatioQuery`,
 * `requestRateQuery` (the same over the raw metrics, for a query that cannot wait for a rule's
 * evaluation, such as a canary's analysis). The exporters' metric names are in exporter-metrics.ts.
 */

/**
 * The windows each SLI is recorded over: the short and long windows of the multiwindow, multi-burn-rate
 * alerts of Google's SRE workbook (5m/1h and 30m/6h page, 2h/1d and 6h/3d ticket).
 */
export const SLI_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
export type SliWindow = (typeof SLI_WINDOWS)[number];

/** The window dashboards and a canary's analysis read by default. */
export const DEFAULT_WINDOW: SliWindow = '5m';

/** Labels of Istio's standard metrics that name the server side of a request. */
export const WORKLOAD_LABELS = ['destination_workload_namespace', 'destination_workload'] as const;

const BY_WORKLOAD = `sum by (${WORKLOAD_LABELS.join(', ')})`;
const BY_WORKLOAD_LE = `sum by (${WORKLOAD_LABELS.join(', ')}, le)`;

/** The recorded series, by name; each record exists for every window of SLI_WINDOWS. */
export const RECORDED = {
  /** Requests per second a workload served. */
  requests: (w: SliWindow): string => `destination_workload:istio_requests:rate${w}`,
  /** Requests per second answered with a 5xx. */
  errors: (w: SliWindow): string => `destination_workload:istio_request_errors:rate${w}`,
  /** errors / requests: the share of requests that failed. */
  errorRatio: (w: SliWindow): string => `destination_workload:istio_request_errors_per_requests:ratio_rate${w}`,
  /** Request durations per histogram bucket (label `le`, milliseconds), per second. */
  durationBuckets: (w: SliWindow): string => `destination_workload_le:istio_request_duration_milliseconds_bucket:rate${w}`,
  /** The share of requests slower than the component's latency threshold (its own rule: thresholds differ). */
  slowRatio: (w: SliWindow): string => `destination_workload:istio_request_duration_milliseconds_slow_per_requests:ratio_rate${w}`,
} as const;

/** Every name RECORDED defines, over every window. */
export function recordedMetricNames(): string[] {
  return Object.values(RECORDED).flatMap((name) => SLI_WINDOWS.map(name));
}

/** Label name → value, rendered as PromQL matchers in the order given. */
export type Matchers = Readonly<Record<string, string>>;

function matchers(m: Matchers): string {
  return Object.entries(m).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
}

/**
 * A bucket bound as `le` matches it: Prometheus 3 writes classic histograms' bounds as floats
 * ("500.0"), earlier versions as the exporter did ("500").
 */
export function leMatcher(thresholdMs: number): string {
  return Number.isInteger(thresholdMs) ? `le=~"${thresholdMs}(\\\\.0)?"` : `le="${thresholdMs}"`;
}

const SERVER_SIDE: Matchers = { reporter: 'destination' };

/** Requests per second over the raw metric, summed per workload. */
export function requestRateQuery(selector: Matchers, window: string): string {
  return `${BY_WORKLOAD} (rate(istio_requests_total{${matchers({ ...SERVER_SIDE, ...selector })}}[${window}]))`;
}

/** The share of 5xx answers over the raw metric, per workload. */
export function errorRatioQuery(selector: Matchers, window: string): string {
  const errors = `${BY_WORKLOAD} (rate(istio_requests_total{${matchers({ ...SERVER_SIDE, ...selector })}, response_code=~"5.."}[${window}]))`;
  return `${errors}\n/\n${requestRateQuery(selector, window)}`;
}

/** The share of requests slower than `thresholdMs` (a bucket bound) over the raw metric, per workload. */
export function slowRatioQuery(selector: Matchers, thresholdMs: number, window: string): string {
  const series = matchers({ ...SERVER_SIDE, ...selector });
  const buckets = (le: string): string => `${BY_WORKLOAD} (rate(istio_request_duration_milliseconds_bucket{${series}, ${le}}[${window}]))`;
  return `1 - (\n  ${buckets(leMatcher(thresholdMs))}\n  /\n  ${buckets('le="+Inf"')}\n)`;
}

/** One group of the PrometheusRule: its name (unique in the object) and its rules. */
export interface RecordingRuleGroup {
  readonly name: string;
  readonly rules: readonly RecordingRule[];
}

export interface RecordingRule {
  /** The series it records (a RECORDED name). */
  readonly record: string;
  readonly expr: string;
  /** Labels added to the recorded series. @default none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The recording rules of an environment: per window, its workloads' request, error and bucket rates
 * (every workload of its namespace, one rule each) and each component's slow ratio (its threshold).
 * Empty without monitoring.
 */
export function recordingRules(model: PlatformModel): RecordingRuleGroup[] {
  if (!model.monitoring) return [];
  const namespace: Matchers = { destination_workload_namespace: model.namespace };
  const slis = componentSlis(model);
  return SLI_WINDOWS.map((w): RecordingRuleGroup => {
    const selector = matchers({ ...SERVER_SIDE, ...namespace });
    return {
      name: `bulwark-sli-${w}`,
      rules: [
        { record: RECORDED.requests(w), expr: `${BY_WORKLOAD} (rate(istio_requests_total{${selector}}[${w}]))` },
        { record: RECORDED.errors(w), expr: `${BY_WORKLOAD} (rate(istio_requests_total{${selector}, response_code=~"5.."}[${w}]))` },
        { record: RECORDED.errorRatio(w), expr: `${RECORDED.errors(w)}\n/\n${RECORDED.requests(w)}` },
        { record: RECORDED.durationBuckets(w), expr: `${BY_WORKLOAD_LE} (rate(istio_request_duration_milliseconds_bucket{${selector}}[${w}]))` },
        ...slowRatioRule(model.namespace, slis, w),
      ],
    };
  });
}

/**
 * The slow ratios of one window as one rule (two rules may not record the same name): per latency
 * threshold, the components that share it, by name, joined with `or`.
 */
function slowRatioRule(namespace: string, slis: readonly ComponentSli[], w: SliWindow): RecordingRule[] {
  const thresholds = [...new Set(slis.map((s) => s.slo.latency.thresholdMs))].sort((a, b) => a - b);
  const parts = thresholds.map((ms) => {
    const workloads = slis.filter((s) => s.slo.latency.thresholdMs === ms).map((s) => s.component);
    const series = `destination_workload_namespace=${JSON.stringify(namespace)}, destination_workload=~${JSON.stringify(workloads.join('|'))}`;
    return `(\n  1 - (\n    ${BY_WORKLOAD} (${RECORDED.durationBuckets(w)}{${series}, ${leMatcher(ms)}})\n    /\n    `
      + `${BY_WORKLOAD} (${RECORDED.durationBuckets(w)}{${series}, le="+Inf"})\n  )\n)`;
  });
  return parts.length === 0 ? [] : [{ record: RECORDED.slowRatio(w), expr: parts.join('\nor\n') }];
}

/** A component's SLIs: its series, its objectives, and the PromQL that reads them from the recorded series. */
export interface ComponentSli {
  readonly component: string;
  readonly namespace: string;
  /** PromQL matchers selecting its series in every record of RECORDED (and in Istio's metrics, with reporter="destination"). */
  readonly matchers: string;
  /** The same as labels. */
  readonly selector: Matchers;
  readonly slo: SloModel;
  /** The error ratio the availability objective allows (1 - availability/100), e.g. 0.001 for 99.9. */
  readonly errorBudget: number;
  /** The slow ratio the latency objective allows (1 - target/100). */
  readonly latencyBudget: number;
  /** Requests per second. */
  requestRate(window?: SliWindow): string;
  /** The share of requests answered with a 5xx. */
  errorRatio(window?: SliWindow): string;
  /** The share of requests slower than slo.latency.thresholdMs. */
  slowRatio(window?: SliWindow): string;
  /** A latency quantile in milliseconds, e.g. 0.99 for p99. */
  latencyQuantile(quantile: number, window?: SliWindow): string;
}

/** 1 - target/100, without the float noise of 1 - 0.999. */
function budgetOf(targetPercent: number): number {
  return Number((1 - targetPercent / 100).toFixed(6));
}

/** The SLIs of every component, sorted by name; empty without monitoring. */
export function componentSlis(model: PlatformModel): ComponentSli[] {
  if (!model.monitoring) return [];
  return model.components.map((c): ComponentSli => {
    const slo = c.slo!;
    const selector: Matchers = { destination_workload_namespace: model.namespace, destination_workload: c.name };
    const m = matchers(selector);
    return {
      component: c.name,
      namespace: model.namespace,
      matchers: m,
      selector,
      slo,
      errorBudget: budgetOf(slo.availability),
      latencyBudget: budgetOf(slo.latency.target),
      requestRate: (w = DEFAULT_WINDOW) => `${RECORDED.requests(w)}{${m}}`,
      errorRatio: (w = DEFAULT_WINDOW) => `${RECORDED.errorRatio(w)}{${m}}`,
      slowRatio: (w = DEFAULT_WINDOW) => `${RECORDED.slowRatio(w)}{${m}}`,
      latencyQuantile: (q, w = DEFAULT_WINDOW) => `histogram_quantile(${q}, ${BY_WORKLOAD_LE} (${RECORDED.durationBuckets(w)}{${m}}))`,
    };
  });
}

/** One component's SLIs; throws for a component the environment does not run or without monitoring. */
export function sliOf(model: PlatformModel, component: string): ComponentSli {
  const found = componentSlis(model).find((s) => s.component === component);
  if (!found) throw new Error(`no SLIs for ${JSON.stringify(component)} in ${model.environment}: not a component, or no monitoring`);
  return found;
}
