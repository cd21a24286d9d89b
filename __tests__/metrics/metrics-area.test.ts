import { App, Chart } from 'cdk8s';
import { KubeObject } from '../../lib/manifest/kube-object';
import { METRICS_AREA } from '../../lib/metrics/area';
import { PlatformModel } from '../../lib/model/platform-model';
import { chartObjects } from '../../lib/render/chart-objects';
import { RECORDED, SLI_WINDOWS } from '../../lib/slo';
import { monitoredModel } from '../fixtures/monitoring';
import { modelOf } from '../helpers';

function metricsObjects(model: PlatformModel): KubeObject[] {
  return (METRICS_AREA.charts?.(model) ?? []).flatMap((factory) => chartObjects(factory(new App()) as Chart));
}

describe('the metrics area', () => {
  test('adds nothing to an environment without monitoring', () => {
    expect([METRICS_AREA.charts?.(modelOf('dev')), METRICS_AREA.flows?.(modelOf('dev')) ?? []]).toEqual([[], []]);
  });

  test('records the SLI table as one PrometheusRule in the environment\'s namespace, labelled for the ruleSelector', () => {
    const rule = metricsObjects(monitoredModel('dev')).find((o) => o.kind === 'PrometheusRule')!;
    expect(rule.metadata).toMatchObject({
      name: 'sli-recording-rules',
      namespace: 'bulwark-dev',
      labels: { release: 'kube-prometheus-stack', 'app.kubernetes.io/name': 'metrics', 'app.kubernetes.io/part-of': 'bulwark' },
    });
    const groups = (rule.spec as { groups: { name: string; rules: { record: string; expr: string }[] }[] }).groups;
    expect(groups.map((g) => g.name)).toEqual(SLI_WINDOWS.map((w) => `bulwark-sli-${w}`));
    expect(groups[0].rules.map((r) => r.record)).toEqual([
      RECORDED.requests('5m'), RECORDED.errors('5m'), RECORDED.errorRatio('5m'), RECORDED.durationBuckets('5m'),
      ...['agent', 'backend', 'frontend', 'mcp', 'podinfo'].map(() => RECORDED.slowRatio('5m')),
    ]);
  });
});
