import { PlatformModel } from '../model/platform-model';
import { recordingRules } from '../slo';
import { ALERT_GROUPS, alertDefinitions } from './alert-definitions';
import { AlertDefinition, AlertRule, minutesOf } from './alert-rule';

/**
 * The alerts as Prometheus rule groups (what the PrometheusRule's spec holds, and what promtool
 * reads), and their unit tests as a promtool test file.
 */

/** A rule of a Prometheus rule file: `for` left out when it is zero. */
export interface RuleFileRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface RuleFileGroup {
  readonly name: string;
  readonly rules: readonly RuleFileRule[];
}

function ruleOf(r: AlertRule): RuleFileRule {
  return { alert: r.alert, expr: r.expr, ...(minutesOf(r.for) > 0 ? { for: r.for } : {}), labels: r.labels, annotations: r.annotations };
}

/** The alert groups of an environment, each with its rules in definition order; none without alerting. */
export function alertGroups(definitions: readonly AlertDefinition[]): RuleFileGroup[] {
  return ALERT_GROUPS.map((name) => ({ name, rules: definitions.filter((d) => d.group === name).map((d) => ruleOf(d.rule)) }))
    .filter((g) => g.rules.length > 0);
}

/** A promtool test file: its rule files, the evaluation order (recording rules first) and every test. */
export interface PromtoolTestFile {
  readonly rule_files: readonly string[];
  readonly evaluation_interval: string;
  readonly group_eval_order: readonly string[];
  readonly tests: readonly unknown[];
}

/**
 * The tests of every alert of the environment, over `ruleFiles` (relative to the test file): the
 * environment's PrometheusRules, the SLI recording rules among them.
 */
export function promtoolTests(model: PlatformModel, ruleFiles: readonly string[], definitions = alertDefinitions(model)): PromtoolTestFile {
  return {
    rule_files: ruleFiles,
    evaluation_interval: '1m',
    group_eval_order: [...recordingRules(model).map((g) => g.name), ...alertGroups(definitions).map((g) => g.name)],
    tests: definitions.flatMap((d) => d.tests).map((t) => ({
      name: t.name,
      interval: '1m',
      input_series: t.inputSeries.map((s) => ({ series: s.series, values: s.values })),
      alert_rule_test: t.cases.map((c) => ({
        eval_time: c.evalTime,
        alertname: c.alertname,
        exp_alerts: c.alerts.map((a) => ({ exp_labels: a.labels, exp_annotations: a.annotations })),
      })),
    })),
  };
}

/** The alerts no test expects to fire (by name and labels): every alert must have one. */
export function untestedAlerts(definitions: readonly AlertDefinition[]): string[] {
  const fired = new Set(definitions.flatMap((d) => d.tests).flatMap((t) => t.cases).flatMap((c) =>
    c.alerts.map((a) => JSON.stringify([c.alertname, a.labels]))));
  return definitions.filter((d) => ![...fired].some((key) => {
    const [name, labels] = JSON.parse(key) as [string, Record<string, string>];
    return name === d.rule.alert && Object.entries(d.rule.labels).every(([k, v]) => labels[k] === v);
  })).map((d) => `${d.rule.alert} ${JSON.stringify(d.rule.labels)}`);
}
