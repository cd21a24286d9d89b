import { AlertingConfig } from '../config/overlay-schema';
import { ComponentSli, SliWindow } from '../slo';
import { AlertCase, AlertDefinition, AlertRule, AlertTest, at, firing, LabelSet, minutesOf, seriesOf } from './alert-rule';

/**
 * The SLO alerts of one component: multiwindow, multi-burn-rate alerts after Google's SRE workbook
 * ("Alerting on SLOs"). Each burns the objective's error budget at a rate over a long window (how
 * much budget is gone) and a short one (it is still burning, so the alert resets soon after the
 * cause is fixed): critical at the page rates (1h and 5m, 6h and 30m), warning at the ticket rates
 * (1d and 2h, 3d and 6h). The ratios are the SLIs of lib/slo, recorded per window.
 */

export const SLO_GROUP = 'bulwark-slo-alerts';

const OBJECTIVES = {
  availability: { alert: 'Availability', what: 'answered with a 5xx', budget: (s: ComponentSli) => s.errorBudget, ratio: 'errorRatio' },
  latency: { alert: 'Latency', what: 'slower than the latency threshold', budget: (s: ComponentSli) => s.latencyBudget, ratio: 'slowRatio' },
} as const;
type Objective = keyof typeof OBJECTIVES;

/** The two window pairs of each severity, with their burn rates. */
function pairs(rates: AlertingConfig['burnRates']): Record<'critical' | 'warning', [number, SliWindow, SliWindow][]> {
  return {
    critical: [[rates.page, '1h', '5m'], [rates.pageSlow, '6h', '30m']],
    warning: [[rates.ticket, '1d', '2h'], [rates.ticketSlow, '3d', '6h']],
  };
}

/** A ratio threshold without float noise (14.4 × 0.001 is 0.014400000000000001). */
function threshold(rate: number, budget: number): number {
  return Number((rate * budget).toPrecision(6));
}

export interface SloAlertProps {
  readonly sli: ComponentSli;
  readonly team: string;
  readonly environment: string;
  readonly alerting: AlertingConfig;
}

/** The four SLO alerts of a component (availability and latency, critical and warning), with their tests. */
export function sloAlerts(props: SloAlertProps): AlertDefinition[] {
  return (Object.keys(OBJECTIVES) as Objective[]).flatMap((objective) => objectiveAlerts(props, objective));
}

function objectiveAlerts({ sli, team, environment, alerting }: SloAlertProps, objective: Objective): AlertDefinition[] {
  const o = OBJECTIVES[objective];
  const budget = o.budget(sli);
  const ratio = (w: SliWindow): string => sli[o.ratio](w);
  const target = objective === 'availability' ? sli.slo.availability : sli.slo.latency.target;
  const objectiveText = objective === 'availability'
    ? `${target}% of requests without a 5xx`
    : `${target}% of requests faster than ${sli.slo.latency.thresholdMs} ms`;
  const byPair = pairs(alerting.burnRates);
  const rule = (severity: 'critical' | 'warning'): AlertRule => {
    const alert = `${o.alert}BudgetBurn${severity === 'critical' ? 'Fast' : 'Slow'}`;
    const terms = byPair[severity].map(([rate, long, short]) =>
      `(${ratio(long)} > ${threshold(rate, budget)}\nand\n${ratio(short)} > ${threshold(rate, budget)})`);
    const windows = byPair[severity].map(([rate, long, short]) => `${rate}x over ${long} and ${short}`).join(', or ');
    return {
      alert,
      expr: terms.join('\nor\n'),
      for: severity === 'critical' ? alerting.for.budgetBurnPage : alerting.for.budgetBurnTicket,
      labels: { severity, team, component: sli.component, slo: objective, namespace: sli.namespace, environment },
      annotations: {
        summary: `${sli.component} is burning its ${objective} error budget ${severity === 'critical' ? 'fast' : 'steadily'}`,
        description: `The share of ${sli.component}'s requests ${o.what} in ${sli.namespace} burns the error budget of its objective `
          + `(${objectiveText}) at ${windows} the rate the objective allows.`,
        runbook_url: `${alerting.runbookUrl}#${alert.toLowerCase()}`,
      },
    };
  };
  const critical = rule('critical');
  const warning = rule('warning');
  const tests = burnTests({ sli, objective, budget, alerting, critical, warning });
  return [{ group: SLO_GROUP, rule: critical, tests }, { group: SLO_GROUP, rule: warning, tests: [] }];
}

interface BurnTestProps {
  readonly sli: ComponentSli;
  readonly objective: Objective;
  readonly budget: number;
  readonly alerting: AlertingConfig;
  readonly critical: AlertRule;
  readonly warning: AlertRule;
}

/** Requests per minute in the tests' series. */
const PER_MINUTE = 1000;

/**
 * Three steady error ratios, the recorded windows all equal to them: above every page rate (both
 * alerts fire, each after its `for`), between the ticket and page rates (only the warning), and
 * at half the lowest rate (neither).
 */
function burnTests({ sli, objective, budget, alerting, critical, warning }: BurnTestProps): AlertTest[] {
  const rates = alerting.burnRates;
  const page = Math.max(rates.page, rates.pageSlow) * budget;
  const pageLow = Math.min(rates.page, rates.pageSlow) * budget;
  const ticket = Math.max(rates.ticket, rates.ticketSlow) * budget;
  const lowest = Math.min(rates.page, rates.pageSlow, rates.ticket, rates.ticketSlow) * budget;
  const pageFor = minutesOf(critical.for);
  const ticketFor = minutesOf(warning.for);
  // The ratios exist from the second sample (a rate needs two) and the alerts read the records of the evaluation before.
  const settled = 3;
  const series = { destination_workload_namespace: sli.namespace, destination_workload: sli.component };
  const fires = (rule: AlertRule): { labels: LabelSet; annotations: LabelSet } => firing(rule, series);
  const group = (name: string, ratio: number, cases: AlertCase[]): AlertTest => ({
    name: `${sli.component} ${objective}: ${name} (ratio ${Number(ratio.toPrecision(4))})`,
    inputSeries: inputs(sli, objective, ratio),
    cases,
  });
  const tests = [
    group('above the page rates', Math.min(2 * page, (page + 1) / 2), [
      ...(pageFor >= 1 ? [{ evalTime: at(pageFor), alertname: critical.alert, alerts: [] }] : []),
      { evalTime: at(settled + pageFor), alertname: critical.alert, alerts: [fires(critical)] },
      { evalTime: at(settled + ticketFor), alertname: warning.alert, alerts: [fires(warning)] },
    ]),
    group('at half the lowest rate', lowest / 2, [
      { evalTime: at(settled + Math.max(pageFor, ticketFor)), alertname: critical.alert, alerts: [] },
      { evalTime: at(settled + Math.max(pageFor, ticketFor)), alertname: warning.alert, alerts: [] },
    ]),
  ];
  if (ticket < pageLow) {
    tests.splice(1, 0, group('between the ticket and page rates', (ticket + pageLow) / 2, [
      ...(ticketFor >= 1 ? [{ evalTime: at(ticketFor), alertname: warning.alert, alerts: [] }] : []),
      { evalTime: at(settled + Math.max(pageFor, ticketFor)), alertname: critical.alert, alerts: [] },
      { evalTime: at(settled + ticketFor), alertname: warning.alert, alerts: [fires(warning)] },
    ]));
  }
  return tests;
}

/** Istio's raw series of a component whose requests fail (or are slow) at `ratio`, for an hour. */
function inputs(sli: ComponentSli, objective: Objective, ratio: number): AlertTest['inputSeries'] {
  const labels = { reporter: 'destination', ...sli.selector };
  const bad = Number((ratio * PER_MINUTE).toPrecision(6));
  const counter = (perMinute: number): string => `0+${perMinute}x60`;
  if (objective === 'availability') {
    return [
      { series: seriesOf('istio_requests_total', { ...labels, response_code: '200' }), values: counter(Number((PER_MINUTE - bad).toPrecision(6))) },
      { series: seriesOf('istio_requests_total', { ...labels, response_code: '503' }), values: counter(bad) },
    ];
  }
  return [
    { series: seriesOf('istio_request_duration_milliseconds_bucket', { ...labels, le: String(sli.slo.latency.thresholdMs) }),
      values: counter(Number((PER_MINUTE - bad).toPrecision(6))) },
    { series: seriesOf('istio_request_duration_milliseconds_bucket', { ...labels, le: '+Inf' }), values: counter(PER_MINUTE) },
  ];
}
