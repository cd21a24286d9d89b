import { App, Chart } from 'cdk8s';
import { analyzeConnectivity, connectivityFindings } from '../../lib/connectivity/analyze';
import { KubeObject } from '../../lib/manifest/kube-object';
import { METRICS_AREA } from '../../lib/metrics/area';
import { PlatformModel } from '../../lib/model/platform-model';
import { chartObjects } from '../../lib/render/chart-objects';
import { RECORDED, SLI_WINDOWS } from '../../lib/slo';
import { synthEnvironment, withAreaFlows } from '../../lib/synth/synth-environment';
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
      RECORDED.slowRatio('5m'),
    ]);
  });
});

describe('the scrapes', () => {
  const model = monitoredModel('dev');
  const objects = synthEnvironment(model).flatMap((c) => c.objects);
  const find = (kind: string, name: string): KubeObject => objects.find((o) => o.kind === kind && o.metadata.name === name)!;

  test('scrape each component that serves metrics through its Service, over mTLS with Prometheus\' Istio certificate', () => {
    expect(objects.filter((o) => o.kind === 'ServiceMonitor').map((o) => o.metadata.name)).toEqual(['backend', 'podinfo']);
    expect(find('ServiceMonitor', 'podinfo').spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/instance': 'podinfo-dev', 'app.kubernetes.io/name': 'podinfo' } },
      namespaceSelector: { matchNames: ['bulwark-dev'] },
      endpoints: [{
        port: 'http-metrics',
        path: '/metrics',
        interval: '30s',
        scheme: 'https',
        tlsConfig: {
          caFile: '/etc/prom-certs/root-cert.pem',
          certFile: '/etc/prom-certs/cert-chain.pem',
          keyFile: '/etc/prom-certs/key.pem',
          insecureSkipVerify: true,
        },
      }],
    });
    const spec = find('Deployment', 'podinfo').spec as { template: { spec: { containers: { args: string[]; ports: unknown[] }[] } } };
    const pod = spec.template.spec.containers[0];
    expect(pod.args).toContain('--port-metrics=9797');
    expect(pod.ports).toContainEqual({ name: 'http-metrics', containerPort: 9797, protocol: 'TCP' });
    expect((find('Service', 'podinfo').spec as { ports: unknown[] }).ports)
      .toContainEqual({ name: 'http-metrics', port: 9797, targetPort: 'http-metrics', protocol: 'TCP' });
  });

  test('scrape every component\'s sidecar by one PodMonitor, on the proxy\'s own port', () => {
    expect(find('PodMonitor', 'istio-sidecars').spec).toMatchObject({
      selector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['agent', 'backend', 'frontend', 'mcp', 'podinfo'] }] },
      podMetricsEndpoints: [{ port: 'http-envoy-prom', path: '/stats/prometheus', scheme: 'http' }],
    });
  });

  test('are admitted by the components\' NetworkPolicy and AuthorizationPolicy on the metrics port only, the others on the service port', () => {
    const prometheus = {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
    };
    const gateway = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';
    expect((find('NetworkPolicy', 'podinfo-traffic').spec as { ingress: unknown[] }).ingress).toEqual([
      { from: [expect.objectContaining({ podSelector: { matchLabels: { istio: 'ingressgateway' } } })], ports: [{ port: 'http', protocol: 'TCP' }] },
      { from: [prometheus], ports: [{ port: 9797, protocol: 'TCP' }] },
      { from: [prometheus], ports: [{ port: 15090, protocol: 'TCP' }] },
    ]);
    expect((find('AuthorizationPolicy', 'podinfo').spec as { rules: unknown[] }).rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/monitoring/sa/prometheus'] } }], to: [{ operation: { ports: ['9797'] } }] },
      { from: [{ source: { principals: [gateway] } }], to: [{ operation: { ports: ['9898'] } }] },
    ]);
    // A component nobody calls gets the sidecar scrape, and still no Service.
    expect(objects.some((o) => o.kind === 'Service' && o.metadata.name === 'agent')).toBe(false);
  });

  test('are needed flows with their reasons, which the connectivity check finds allowed, and nothing more', () => {
    const withFlows = withAreaFlows(model);
    const report = analyzeConnectivity(withFlows, objects);
    const scrapes = report.needs.filter((n) => n.rule.endsWith('scrape'));
    expect(scrapes.map((n) => `${n.rule}: ${n.reason}`)).toEqual(expect.arrayContaining([
      'metrics-scrape: Prometheus scrapes podinfo\'s metrics (/metrics on 9797) over mTLS',
      'sidecar-metrics-scrape: Prometheus scrapes the Istio metrics of agent\'s sidecar (/stats/prometheus on 15090)',
    ]));
    expect(scrapes).toHaveLength(2 + 5);
    expect(connectivityFindings(withFlows, objects)).toEqual([]);
    // The sidecar's stats port is effective though no AuthorizationPolicy admits it: none governs it.
    const row = report.flows.find((f) => f.from.startsWith('monitoring/') && f.to === 'bulwark-dev/podinfo[Deployment]');
    expect([row?.layers.AuthorizationPolicy, row?.effective]).toEqual(['TCP 9797', 'TCP 9797,15090']);
  });
});
