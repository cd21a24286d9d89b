import { ALL_CHECKS, runChecks } from '../../lib/checks';
import { monitorsSelectTargets } from '../../lib/checks/monitor-targets';
import { applyWaivers } from '../../lib/checks/waivers';
import { KubeObject } from '../../lib/manifest/kube-object';
import { synthEnvironment } from '../../lib/synth/synth-environment';
import { monitoredModel } from '../fixtures/monitoring';

const LABELS = { 'app.kubernetes.io/name': 'x', 'app.kubernetes.io/instance': 'x-dev' };

const namespace = (labels: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns', labels } });
const service: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'x', namespace: 'ns', labels: LABELS },
  spec: { selector: LABELS, ports: [{ name: 'http', port: 80 }, { name: 'http-metrics', port: 9090 }] },
};
const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'x', namespace: 'ns', labels: LABELS },
  spec: { template: { metadata: { labels: LABELS }, spec: { containers: [{ name: 'x', ports: [{ name: 'http', containerPort: 8080 }] }] } } },
};

function serviceMonitor(selector: Record<string, string>, port: string, namespaceSelector?: unknown): KubeObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: 'x', namespace: 'ns' },
    spec: { selector: { matchLabels: selector }, namespaceSelector, endpoints: [{ port }] },
  };
}

function podMonitor(port: string): KubeObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: { name: 'sidecars', namespace: 'ns' },
    spec: { selector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['x'] }] }, podMetricsEndpoints: [{ port }] },
  };
}

const messages = (objects: KubeObject[]): string[] => runChecks([monitorsSelectTargets], objects).map((f) => f.message);

describe('monitors-select-targets', () => {
  test('passes a ServiceMonitor of a Service\'s port, and a PodMonitor of the injected proxy\'s port', () => {
    const injected = namespace({ 'istio-injection': 'enabled' });
    expect(messages([injected, service, deployment, serviceMonitor(LABELS, 'http-metrics'), podMonitor('http-envoy-prom')])).toEqual([]);
  });

  test('fails on a ServiceMonitor that selects no Service', () => {
    expect(messages([service, serviceMonitor({ 'app.kubernetes.io/name': 'y' }, 'http-metrics')])).toEqual([
      'selects no Service: none in ns carries app.kubernetes.io/name=y; fix: select the labels of the Services to scrape, or do not emit the monitor',
    ]);
    expect(messages([service, serviceMonitor(LABELS, 'http-metrics', { matchNames: ['other'] })]))
      .toEqual([expect.stringMatching(/^selects no Service: none in other carries /)]);
  });

  test('fails on a ServiceMonitor endpoint that names a port the selected Services do not have', () => {
    expect(messages([service, serviceMonitor(LABELS, 'metrics')])).toEqual([
      'endpoint 0 names port "metrics", which no selected Service has (they have: http, http-metrics); '
        + 'fix: name one of their ports, or give the Service the port',
    ]);
  });

  test('fails on a PodMonitor of pods without the sidecar, and on one that selects no pod', () => {
    expect(messages([namespace({}), deployment, podMonitor('http-envoy-prom')])).toEqual([
      'endpoint 0 names port "http-envoy-prom", which no selected pod has (they have: http, 8080); '
        + 'fix: name one of their ports, or give the pod the port',
    ]);
    expect(messages([namespace({ 'istio-injection': 'enabled' }), podMonitor('http-envoy-prom')])).toEqual([
      'selects no pod: none in ns carries app.kubernetes.io/name In (x); fix: select the labels of the pods to scrape, or do not emit the monitor',
    ]);
  });

  test('an environment with monitoring passes every check, this one included', () => {
    const objects = synthEnvironment(monitoredModel('prod')).flatMap((c) => c.objects);
    expect(objects.filter((o) => o.kind === 'ServiceMonitor' || o.kind === 'PodMonitor').length).toBe(3);
    const model = monitoredModel('prod');
    expect(applyWaivers(runChecks(ALL_CHECKS, objects), model.waivers, '2026-01-01').findings).toEqual([]);
  });
});
