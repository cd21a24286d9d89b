/**
 * An alert as Prometheus evaluates it, and the unit tests promtool runs on it: the two are built
 * together from the same data, so that every alert the platform ships has tests of its own.
 */

/** Labels or annotations, by name. */
export type LabelSet = Readonly<Record<string, string>>;

/** One alerting rule of a PrometheusRule group. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  /** How long the condition holds before the alert fires; '0s': at once. */
  readonly for: string;
  readonly labels: LabelSet;
  readonly annotations: LabelSet;
}

/** A series of a promtool test: its notation and its values ('0+1x30': 0, 1, … 30, one per interval). */
export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

/** At `evalTime`, the alerts of `alertname` that fire: their labels and annotations, exactly. */
export interface AlertCase {
  readonly evalTime: string;
  readonly alertname: string;
  readonly alerts: readonly { readonly labels: LabelSet; readonly annotations: LabelSet }[];
}

/** A promtool test group: series sampled every minute, and what fires when. */
export interface AlertTest {
  readonly name: string;
  readonly inputSeries: readonly InputSeries[];
  readonly cases: readonly AlertCase[];
}

/** An alert, the group it belongs to, and its tests. */
export interface AlertDefinition {
  readonly group: string;
  readonly rule: AlertRule;
  readonly tests: readonly AlertTest[];
}

/** Series notation: `name{a="1", b="2"}`. */
export function seriesOf(name: string, labels: LabelSet): string {
  return `${name}{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
}

/** A duration such as '1h30m' in minutes. */
export function minutesOf(duration: string): number {
  const units: Record<string, number> = { ms: 1 / 60000, s: 1 / 60, m: 1, h: 60, d: 1440 };
  let total = 0;
  for (const [, n, unit] of duration.matchAll(/([0-9]+)(ms|s|m|h|d)/g)) total += Number(n) * units[unit];
  return total;
}

/** Minutes as a promtool eval_time. */
export function at(minutes: number): string {
  return `${Math.ceil(minutes)}m`;
}

/**
 * What the alert's annotations read for an alert of these labels: `{{ $labels.<name> }}` is the
 * one template the platform's annotations use (never the value, which would make them untestable).
 */
function renderAnnotations(annotations: LabelSet, labels: LabelSet): LabelSet {
  return Object.fromEntries(Object.entries(annotations).map(([k, v]) => [
    k,
    v.replace(/\{\{ \$labels\.([a-zA-Z_][a-zA-Z0-9_]*) \}\}/g, (_, name: string) => labels[name] ?? ''),
  ]));
}

/** The alert a rule raises for a series of `seriesLabels`: its labels then the rule's, annotations rendered. */
export function firing(rule: AlertRule, seriesLabels: LabelSet): { labels: LabelSet; annotations: LabelSet } {
  return { labels: { ...seriesLabels, ...rule.labels }, annotations: renderAnnotations(rule.annotations, seriesLabels) };
}
