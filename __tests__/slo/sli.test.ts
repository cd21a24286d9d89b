import { parseOverlay } from '../../lib/config/load-overlay';
import {
  componentSlis, errorRatioQuery, EXPORTER_METRICS, isKnownMetric, leMatcher, RECORDED, recordingRules, SLI_WINDOWS, sliOf, slowRatioQuery,
} from '../../lib/slo';
import { monitoredModel, monitoredOverlayText } from '../fixtures/monitoring';
import { configErrors, modelOf } from '../helpers';

const PODINFO_HOST = '    host: podinfo.dev.bulwark.local\n';
/** podinfo's host line with `slo` after it. */
const podinfoSlo = (slo: string): [string, string] => [PODINFO_HOST, `${PODINFO_HOST}    slo: ${slo}\n`];

describe('the SLI table', () => {
  test('records no rule and no SLI for an environment without monitoring', () => {
    const model = modelOf('dev');
    expect([recordingRules(model), componentSlis(model), model.monitoring, model.components[0].slo]).toEqual([[], [], undefined, undefined]);
  });

  test('gives every component the monitoring defaults, and its own targets where it sets them', () => {
    const model = monitoredModel('dev', podinfoSlo('{ availability: 99.5, latency: { thresholdMs: 250 } }'));
    expect(sliOf(model, 'backend').slo).toEqual({ availability: 99.9, latency: { thresholdMs: 500, target: 99 } });
    expect(sliOf(model, 'podinfo')).toMatchObject({
      slo: { availability: 99.5, latency: { thresholdMs: 250, target: 99 } },
      errorBudget: 0.005,
      latencyBudget: 0.01,
      matchers: 'destination_workload_namespace="bulwark-dev", destination_workload="podinfo"',
    });
  });

  test('names the recorded series after level:metric:operations, one group per window', () => {
    const groups = recordingRules(monitoredModel('dev'));
    expect(groups.map((g) => g.name)).toEqual(SLI_WINDOWS.map((w) => `bulwark-sli-${w}`));
    const names = groups.flatMap((g) => g.rules.map((r) => r.record));
    expect(names.every((n) => /^[a-z_]+:[a-z_]+:[a-z0-9_]+$/.test(n))).toBe(true);
    expect(groups[0].rules.slice(0, 4)).toEqual([
      { record: 'destination_workload:istio_requests:rate5m',
        expr: 'sum by (destination_workload_namespace, destination_workload) '
          + '(rate(istio_requests_total{reporter="destination", destination_workload_namespace="bulwark-dev"}[5m]))' },
      { record: 'destination_workload:istio_request_errors:rate5m',
        expr: 'sum by (destination_workload_namespace, destination_workload) '
          + '(rate(istio_requests_total{reporter="destination", destination_workload_namespace="bulwark-dev", response_code=~"5.."}[5m]))' },
      { record: 'destination_workload:istio_request_errors_per_requests:ratio_rate5m',
        expr: 'destination_workload:istio_request_errors:rate5m\n/\ndestination_workload:istio_requests:rate5m' },
      { record: 'destination_workload_le:istio_request_duration_milliseconds_bucket:rate5m',
        expr: 'sum by (destination_workload_namespace, destination_workload, le) '
          + '(rate(istio_request_duration_milliseconds_bucket{reporter="destination", destination_workload_namespace="bulwark-dev"}[5m]))' },
    ]);
  });

  test('records each component\'s slow ratio at its own threshold, in one rule per window, matching "500" and Prometheus 3\'s "500.0"', () => {
    const model = monitoredModel('dev', podinfoSlo('{ latency: { thresholdMs: 250 } }'));
    const rules = recordingRules(model)[2].rules.filter((r) => r.record === RECORDED.slowRatio('1h'));
    expect(rules).toHaveLength(1);
    const [fast, rest] = rules[0].expr.split('\nor\n');
    expect(fast).toContain('{destination_workload_namespace="bulwark-dev", destination_workload=~"podinfo", le=~"250(\\\\.0)?"}');
    expect(rest).toContain('destination_workload=~"agent|backend|frontend|mcp", le=~"500(\\\\.0)?"}');
    expect(rules[0].labels).toBeUndefined();
    // A component's slow ratio is still its own series: its workload label and the threshold's.
    expect(sliOf(model, 'podinfo').slowRatio('1h')).toBe(`${RECORDED.slowRatio('1h')}{${sliOf(model, 'podinfo').matchers}}`);
    expect(new RegExp(`^${'500(\\.0)?'}$`).test('500.0')).toBe(true);
    expect(leMatcher(0.5)).toBe('le="0.5"');
  });

  test('reads each SLI from the recorded series, and the same over the raw metrics', () => {
    const backend = sliOf(monitoredModel('dev'), 'backend');
    expect(backend.errorRatio('1h')).toBe(`${RECORDED.errorRatio('1h')}{${backend.matchers}}`);
    expect(backend.latencyQuantile(0.99)).toBe('histogram_quantile(0.99, sum by (destination_workload_namespace, destination_workload, le) '
      + `(${RECORDED.durationBuckets('5m')}{${backend.matchers}}))`);
    expect(errorRatioQuery(backend.selector, '2m')).toContain('response_code=~"5.."}[2m]))\n/\nsum by');
    expect(slowRatioQuery(backend.selector, 250, '2m')).toContain('le=~"250(\\\\.0)?"}[2m]))');
  });

  test('knows every recorded series and every exporter metric, each exporter with its documentation', () => {
    expect(['destination_workload:istio_requests:rate3d', 'istio_request_duration_milliseconds_bucket', 'kube_pod_status_ready', 'up']
      .map(isKnownMetric)).toEqual([true, true, true, true]);
    expect(['istio_request_duration_milliseconds', 'http_requests_total'].map(isKnownMetric)).toEqual([false, false]);
    expect(EXPORTER_METRICS.every((x) => /^https:\/\//.test(x.exporter.documentation))).toBe(true);
    expect(new Set(EXPORTER_METRICS.map((x) => x.name)).size).toBe(EXPORTER_METRICS.length);
  });

  test('throws for a component it has no SLIs of', () => {
    expect(() => sliOf(monitoredModel('dev'), 'nope')).toThrow('no SLIs for "nope" in dev: not a component, or no monitoring');
  });
});

describe('the monitoring overlay key', () => {
  const errorsOf = (text: string): string[] => configErrors(() => modelOf(parseOverlay('overlays/dev.yaml', text)));

  test('fails on an SLO without monitoring, at its key', () => {
    const text = monitoredOverlayText('dev', podinfoSlo('{ availability: 99 }'))
      .replace(/^monitoring:\n(  .*\n)+/m, '');
    expect(errorsOf(text)).toEqual([expect.stringMatching(/^overlays\/dev\.yaml:\d+:5: components\.podinfo\.slo: an SLO needs monitoring: without Prometheus nothing records or alerts on it; received slo without monitoring; allowed: components\.<name>\.slo together with monitoring; fix: add monitoring: \{prometheus: \{serviceAccount, podLabels, url\}\}, or remove the slo$/)]);
  });

  test('fails on Prometheus in one of the environment\'s own namespaces', () => {
    expect(errorsOf(monitoredOverlayText('dev', ['  namespace: monitoring\n', '  namespace: bulwark-dev\n']))).toEqual([
      expect.stringMatching(/:\d+:14: monitoring\.namespace: Prometheus' namespace is one of the environment's own namespaces; received "bulwark-dev"; allowed: a namespace other than bulwark-dev; fix: use the namespace Prometheus runs in, e\.g\. monitoring$/),
    ]);
  });

  test('fails on a latency threshold that is no bucket bound, on an availability of 100, and on no Prometheus pod labels', () => {
    const errors = errorsOf(monitoredOverlayText('dev',
      ['    podLabels: { app.kubernetes.io/name: prometheus }', '    podLabels: {}'],
      podinfoSlo('{ availability: 100, latency: { thresholdMs: 300 } }')));
    expect(errors.map((e) => e.replace(/^overlays\/dev\.yaml:\d+:\d+: /, ''))).toEqual([
      'monitoring.prometheus.podLabels: no labels: the selector would match every pod of the namespace; received {}; allowed: at least one label; '
        + 'fix: add the labels of Prometheus\' pods, e.g. {app.kubernetes.io/name: prometheus}',
      'components.podinfo.slo.availability: out of range; received 100; allowed: a number from 50 to 99.999 with at most 3 decimal places; '
        + 'fix: use 99.999 or less',
      'components.podinfo.slo.latency.thresholdMs: latency threshold is not a bucket bound of istio_request_duration_milliseconds, '
        + 'so the share of slower requests cannot be counted; received 300; allowed: one of 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, '
        + '10000, 30000, 60000, 300000, 600000, 1800000, 3600000; fix: use 500, the next bound up',
    ]);
  });

  test('fails on a target with more than three decimal places, and on a quoted one', () => {
    const line = '  selectorLabels: { release: kube-prometheus-stack }\n';
    expect(errorsOf(monitoredOverlayText('dev', [line, `${line}  slo: { availability: 99.1234, latency: { target: "99" } }\n`]))
      .map((e) => e.replace(/^overlays\/dev\.yaml:\d+:\d+: /, ''))).toEqual([
      'monitoring.slo.availability: too many decimal places; received 99.1234; allowed: a number from 50 to 99.999 with at most 3 decimal places; '
        + 'fix: use 99.123',
      'monitoring.slo.latency.target: wrong type; received "99"; allowed: a number from 50 to 99.999 with at most 3 decimal places; '
        + 'fix: remove the quotes: 99',
    ]);
  });
});
