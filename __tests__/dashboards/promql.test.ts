import { describePromqlProblem, promqlProblems } from '../../lib/dashboards/promql';

const KNOWN = new Set(['istio_requests_total', 'destination_workload:istio_requests:rate5m', 'up', 'metric.with.dots']);
const problems = (expr: string): string[] => promqlProblems(expr, KNOWN).map(describePromqlProblem);

describe('PromQL of a dashboard panel (lezer-promql)', () => {
  test.each([
    'sum by (destination_workload) (rate(istio_requests_total{reporter="destination", response_code=~"5.."}[$__rate_interval]))',
    'destination_workload:istio_requests:rate5m{destination_workload="backend"} / ignoring (x) group_left up',
    'histogram_quantile(0.99, sum by (le) (rate(istio_requests_total[5m])))',
    'count(up == 1) or vector(0)',
    'time() - max(up offset 1h)',
    '{__name__="up", job="x"}',
    '{"metric.with.dots"}',
    'max_over_time(up[1h:$__interval])',
  ])('accepts %s', (expr) => {
    expect(problems(expr)).toEqual([]);
  });

  test('fails on a query that does not parse, with the column and the text there', () => {
    expect(problems('sum(rate(istio_requests_total[5m])')).toEqual(['does not parse (PromQL) at column 35, near "(end of query)"']);
    expect(problems('sum(up) by')).toEqual(['does not parse (PromQL) at column 11, near "(end of query)"']);
    expect(problems('up up')).toEqual(['does not parse (PromQL) at column 4, near "up"']);
  });

  test('fails on an empty query and on a template variable that is no interval macro', () => {
    expect(problems('  ')).toEqual(['does not parse (PromQL) at column 1, near "(empty query)"']);
    // Positions are the query's own, the macros before them counted at their length.
    expect(problems('rate(up[$__rate_interval]) + rate(up[$window])')).toEqual(['does not parse (PromQL) at column 38, near "$window])"']);
  });

  test('fails on a metric neither recorded nor exported, naming it', () => {
    expect(problems('sum(rate(istio_request_total[5m])) / up')).toEqual([
      'names metric istio_request_total, which neither a recording rule of lib/slo nor a documented exporter produces',
    ]);
    expect(problems('{__name__="nope"}')).toEqual([
      'names metric nope, which neither a recording rule of lib/slo nor a documented exporter produces',
    ]);
  });

  test('fails on a selector without a metric name, or with a __name__ pattern', () => {
    expect(problems('sum({job="x"})')).toEqual([
      'selects {job="x"} without a metric name (or by a __name__ pattern), so it cannot be checked against the known metrics',
    ]);
    expect(problems('{__name__=~"istio_.*"}')).toHaveLength(1);
  });

  test('a label value or a function name is no metric', () => {
    expect(problems('label_replace(up, "dst", "$1", "instance", "(rate).*")')).toEqual([]);
    expect(problems('absent(up{job="rate"})')).toEqual([]);
  });
});

describe('PromQL shapes parsed once', () => {
  test('queries differing in label values only share a parse, and still report their own metrics and positions', () => {
    expect(problems('sum(up{job="a"}) / sum(nope{job="a"})')).toEqual([
      'names metric nope, which neither a recording rule of lib/slo nor a documented exporter produces',
    ]);
    expect(problems('sum(up{job="bbb"}) / sum(nope{job="bbb"})')).toHaveLength(1);
    expect(problems('sum(up{job="x\\"y"}) / sum(up{job="z"})')).toEqual([]);
    expect(problems('sum(up{job="a"} [5m]) (')).toEqual(['does not parse (PromQL) at column 23, near "("']);
    expect(problems('sum(up{job="abc"} [5m]) (')).toEqual(['does not parse (PromQL) at column 25, near "("']);
  });

  test('a metric named in a string is read from the query itself', () => {
    expect(problems('{__name__="up"} + {__name__="upp"}')).toEqual([
      'names metric upp, which neither a recording rule of lib/slo nor a documented exporter produces',
    ]);
    expect(problems('{"metric.with.dots"} + {"metric.with.dotz"}')).toHaveLength(1);
  });
});

describe('PromQL types the grammar leaves to Prometheus', () => {
  test('fails on a function over time without a range vector', () => {
    expect(problems('sum(rate(up))')).toEqual([
      'is not a valid query (Prometheus would refuse it) at column 5: rate takes a range vector, such as x[$__rate_interval]',
    ]);
    expect(problems('max_over_time(up{job="a"})')).toHaveLength(1);
  });

  test('fails on a range vector outside a function over time, quoting it as written', () => {
    expect(problems('sum(up{job="a"}[$__rate_interval])')).toEqual([
      'is not a valid query (Prometheus would refuse it) at column 5: the range vector up{job="a"}[$__rate_interval] '
        + 'is not the argument of a function over time (rate, increase, max_over_time, …)',
    ]);
    expect(problems('up[5m] + 1')).toHaveLength(1);
  });

  test.each([
    'rate(up[5m] offset 1h)',
    'rate(up[5m] @ 100)',
    'quantile_over_time(0.9, up[5m])',
    'max_over_time(rate(up[5m])[1h:5m])',
    'predict_linear(up[1h], 3600)',
    'histogram_quantile(0.9, sum by (le) (rate(up[5m])))',
  ])('accepts the range vectors of %s', (expr) => {
    expect(problems(expr)).toEqual([]);
  });
});
