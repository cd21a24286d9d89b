/**
 * Tracing: the collector (the operator's OpenTelemetryCollector, or a plain secure workload), the
 * components' OpenTelemetry settings, Istio's sampling, and the flows between them as needs the
 * connectivity check proves, all from the overlay's `tracing`. Inputs are built here: the dev
 * fixture with a tracing section of the test's own.
 */
import { LoadedOverlay, parseOverlay } from '../../lib/config/load-overlay';
import { connectivityFindings } from '../../lib/connectivity/analyze';
import { neededFlows } from '../../lib/connectivity/needed-flows';
import { KubeObject } from '../../lib/manifest/kube-object';
import { PlatformModel } from '../../lib/model/platform-model';
import { synthesize } from '../../lib/synth/pipeline';
import { synthEnvironment, withAreaFlows } from '../../lib/synth/synth-environment';
import { configErrors, modelOf, overlayText } from '../helpers';

const IN_CLUSTER_JAEGER = '  jaeger:\n'
  + '    service: { namespace: observability, name: jaeger-collector, podLabels: { app.kubernetes.io/name: jaeger } }\n';
const EXTERNAL_JAEGER = '  jaeger:\n    endpoint: jaeger\n';
const JAEGER_ENDPOINT = '  jaeger:\n    hosts: [jaeger.example.com]\n    cidrs: [10.50.0.0/24]\n    ports: [4317]\n    protocol: TCP\n';

interface Options {
  readonly operator?: boolean;
  readonly sampling?: string;
  readonly jaeger?: string;
  /** Extra lines of the tracing section. */
  readonly extra?: string;
  /** The text of the overlay before tracing is added. */
  readonly edit?: (text: string) => string;
}

/** The dev fixture with tracing (docker.io/otel/ allowed, Jaeger in the cluster unless told). */
function tracingOverlay(o: Options = {}): LoadedOverlay {
  const section = `tracing:\n  operator: ${o.operator ?? false}\n  samplingPercentage: ${o.sampling ?? '100'}\n`
    + `${o.jaeger ?? IN_CLUSTER_JAEGER}${o.extra ?? ''}`;
  const text = (o.edit ?? ((x: string) => x))(overlayText('dev'))
    .replace('ghcr.io/stefanprodan/\n', 'ghcr.io/stefanprodan/\n    - docker.io/otel/\n')
    .replace('externalEndpoints:\n', `externalEndpoints:\n${JAEGER_ENDPOINT}`)
    .replace('\ncomponents:\n', `\n${section}\ncomponents:\n`);
  return parseOverlay('overlays/dev.yaml', text);
}

function folders(model: PlatformModel): Map<string, readonly KubeObject[]> {
  return new Map(synthEnvironment(model).map((c) => [c.component, c.objects]));
}

function find(objects: readonly KubeObject[] | undefined, kind: string, name: string): KubeObject {
  const found = objects?.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} among ${(objects ?? []).map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('tracing', () => {
  test('an overlay without tracing gets no tracing objects, no collector and no OpenTelemetry settings', () => {
    const dev = folders(modelOf('dev'));
    expect(dev.has('tracing')).toBe(false);
    expect(dev.has('otel-collector')).toBe(false);
    expect(Object.keys(find(dev.get('backend'), 'ConfigMap', 'backend-config').data as object).filter((k) => k.startsWith('OTEL_'))).toEqual([]);
  });

  describe('without the operator: the collector is a secure workload', () => {
    // GIVEN tracing without the operator, two collector replicas
    const model = modelOf(tracingOverlay({ extra: '  collector: { replicas: 2 }\n' }));
    const dev = folders(model);
    const collector = dev.get('otel-collector');

    test('its Deployment: own service account without a token, restricted, read-only root, probes on the health_check port, bounded', () => {
      expect(find(collector, 'ServiceAccount', 'otel-collector').automountServiceAccountToken).toBe(false);
      const pod = (find(collector, 'Deployment', 'otel-collector').spec as Json).template.spec;
      expect(pod).toMatchObject({
        serviceAccountName: 'otel-collector', automountServiceAccountToken: false, securityContext: { runAsNonRoot: true },
      });
      const [container] = pod.containers;
      expect(container.image).toBe('docker.io/otel/opentelemetry-collector-contrib:0.140.0');
      expect(container.securityContext).toMatchObject({
        readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] },
      });
      expect(container.ports).toEqual([
        { name: 'http', containerPort: 4318, protocol: 'TCP' },
        { name: 'grpc', containerPort: 4317, protocol: 'TCP' },
        { name: 'health', containerPort: 13133, protocol: 'TCP' },
      ]);
      expect(container.livenessProbe.httpGet).toEqual({ path: '/', port: 'health' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/', port: 'health' });
      expect(container.resources.limits['ephemeral-storage']).toBe('256Mi');
      expect(container.args).toEqual(['--config=/etc/otelcol/config.yaml']);
      expect(find(collector, 'PodDisruptionBudget', 'otel-collector').spec).toMatchObject({ minAvailable: 1 });
    });

    test('its Service serves OTLP on both ports, not the health port; its configuration exports to Jaeger', () => {
      expect((find(collector, 'Service', 'otel-collector').spec as Json).ports.map((p: Json) => [p.name, p.port, p.targetPort]))
        .toEqual([['http', 4318, 'http'], ['grpc', 4317, 'grpc']]);
      const file = (find(collector, 'ConfigMap', 'otel-collector-config-file').data as Record<string, string>)['config.yaml'];
      expect(file).toContain('otlp/jaeger:\n    endpoint: jaeger-collector.observability.svc.cluster.local:4317\n');
      expect(file).toContain('endpoint: "0.0.0.0:13133"');
      expect([...dev.values()].flat().some((o) => o.kind === 'OpenTelemetryCollector')).toBe(false);
    });

    test('its NetworkPolicy admits the components on the OTLP ports and lets it reach Jaeger only', () => {
      const spec = find(collector, 'NetworkPolicy', 'otel-collector-traffic').spec as Json;
      expect(spec.ingress).toHaveLength(1);
      expect(spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 'http' }, { protocol: 'TCP', port: 'grpc' }]);
      expect(spec.ingress[0].from).toHaveLength(model.components.length);
      expect(spec.egress).toEqual([{
        to: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'jaeger' } },
        }],
        ports: [{ protocol: 'TCP', port: 4317 }],
      }]);
    });
  });

  describe('with the operator: an OpenTelemetryCollector v1beta1', () => {
    const model = modelOf(tracingOverlay({ operator: true, jaeger: EXTERNAL_JAEGER }));
    const dev = folders(model);
    const tracing = dev.get('tracing');

    test('with the structured configuration, the pinned image, the restricted contexts, bounded resources and its own service account', () => {
      const spec = find(tracing, 'OpenTelemetryCollector', 'otel').spec as Json;
      expect(find(tracing, 'OpenTelemetryCollector', 'otel').apiVersion).toBe('opentelemetry.io/v1beta1');
      expect(spec.config.exporters).toEqual({ 'otlp/jaeger': { endpoint: 'jaeger.example.com:4317', tls: { insecure: true } } });
      expect(spec.config.service.pipelines.traces)
        .toEqual({ receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['otlp/jaeger'] });
      expect(spec).toMatchObject({
        mode: 'deployment',
        image: 'docker.io/otel/opentelemetry-collector-contrib:0.140.0',
        upgradeStrategy: 'none',
        serviceAccount: 'otel-collector',
        networkPolicy: { enabled: false },
        podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        resources: { limits: { 'ephemeral-storage': '256Mi' } },
      });
      expect(spec.podDisruptionBudget).toBeUndefined();
      expect(find(tracing, 'ServiceAccount', 'otel-collector').automountServiceAccountToken).toBe(false);
      expect(dev.has('otel-collector')).toBe(false);
    });

    test('its NetworkPolicy selects the operator\'s pods and reaches Jaeger\'s addresses only', () => {
      const spec = find(tracing, 'NetworkPolicy', 'otel-collector-traffic').spec as Json;
      expect(spec.podSelector.matchLabels).toEqual({
        'app.kubernetes.io/component': 'opentelemetry-collector',
        'app.kubernetes.io/instance': 'bulwark-dev.otel',
        'app.kubernetes.io/managed-by': 'opentelemetry-operator',
        'app.kubernetes.io/part-of': 'opentelemetry',
      });
      expect(spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 4317 }, { protocol: 'TCP', port: 4318 }]);
      expect(spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '10.50.0.0/24' } }], ports: [{ protocol: 'TCP', port: 4317 }] }]);
    });

    test('a PodDisruptionBudget and spread from two replicas', () => {
      const two = folders(modelOf(tracingOverlay({ operator: true, extra: '  collector: { replicas: 2 }\n' })));
      const spec = find(two.get('tracing'), 'OpenTelemetryCollector', 'otel').spec as Json;
      expect(spec.podDisruptionBudget).toEqual({ maxUnavailable: 1 });
      expect(spec.topologySpreadConstraints).toHaveLength(2);
    });
  });

  test('Istio Telemetry: the environment\'s provider at the overlay\'s rate; the collector\'s own sidecar reports nothing', () => {
    const tracing = folders(modelOf(tracingOverlay({ sampling: '0.5' }))).get('tracing');
    expect(find(tracing, 'Telemetry', 'tracing').spec)
      .toEqual({ tracing: [{ providers: [{ name: 'bulwark-dev-tracing' }], randomSamplingPercentage: 0.5 }] });
    expect(find(tracing, 'Telemetry', 'otel-collector').spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/instance': 'otel-collector-dev', 'app.kubernetes.io/name': 'otel-collector' } },
      tracing: [{ disableSpanReporting: true }],
    });
  });

  test('every component is told where to send spans and as whom, through its config', () => {
    const backend = modelOf(tracingOverlay()).components.find((c) => c.name === 'backend')!;
    expect(backend.config).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.bulwark-dev.svc.cluster.local:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_SERVICE_NAME: 'backend',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=dev,k8s.namespace.name=bulwark-dev',
      LOG_LEVEL: 'debug',
    });
    const egress = (find(folders(modelOf(tracingOverlay())).get('backend'), 'NetworkPolicy', 'backend-traffic').spec as Json).egress;
    expect(egress).toContainEqual({
      to: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'bulwark-dev' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'otel-collector-dev', 'app.kubernetes.io/name': 'otel-collector' } },
      }],
      ports: [{ protocol: 'TCP', port: 4317 }, { protocol: 'TCP', port: 4318 }],
    });
  });

  describe('the flows are needs the connectivity check proves', () => {
    test('each component to the collector (SDK and sidecar), the collector to Jaeger', () => {
      const model = modelOf(tracingOverlay());
      const needs = neededFlows(model).filter((n) => ['trace-export', 'proxy-spans', 'trace-store'].includes(n.rule));
      expect(needs.filter((n) => n.rule === 'trace-export')).toHaveLength(model.components.length);
      expect(needs.filter((n) => n.rule === 'proxy-spans').map((n) => n.network!.ports)).toContainEqual([{ protocol: 'TCP', port: 4317 }]);
      expect(needs.filter((n) => n.rule === 'trace-store').map((n) => n.reason))
        .toEqual(['the trace collector exports to Jaeger (jaeger-collector.observability.svc.cluster.local:4317)']);
    });

    test.each([
      ['no operator, Jaeger in the cluster', {}],
      ['no operator, Jaeger outside', { jaeger: EXTERNAL_JAEGER }],
      ['the operator, Jaeger in the cluster', { operator: true }],
      ['the operator, Jaeger outside', { operator: true, jaeger: EXTERNAL_JAEGER }],
    ])('%s: the synth passes every check, the connectivity check included', (_, options: Options) => {
      const [dev] = synthesize([tracingOverlay(options)], { platformVersion: '1.2.3' }).environments;
      expect(dev.objects.filter((o) => o.kind === 'Telemetry')).toHaveLength(2);
    });

    test('Jaeger outside behind TLS: the collector originates TLS and leaves through the egress gateway, like a component would', () => {
      const overlay = tracingOverlay({ jaeger: '  jaeger:\n    endpoint: llm-api\n    port: 443\n' });
      const [dev] = synthesize([overlay], { platformVersion: '1.2.3' }).environments;
      const collector = dev.objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'otel-collector-traffic')!;
      expect((collector.spec as Json).egress).toEqual([{
        to: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } },
          podSelector: { matchLabels: { istio: 'egressgateway' } },
        }],
        ports: [{ protocol: 'TCP', port: 8443 }],
      }]);
      const file = (dev.objects.find((o) => o.metadata.name === 'otel-collector-config-file')!.data as Record<string, string>)['config.yaml'];
      expect(file).toContain('endpoint: api.openai.com:443\n    tls:\n      insecure: false\n');
    });

    test('without the collector\'s AuthorizationPolicy, every component\'s spans are blocked, and the check says so', () => {
      const model = withAreaFlows(modelOf(tracingOverlay()));
      const objects = synthEnvironment(model).flatMap((c) => c.objects)
        .filter((o) => !(o.kind === 'AuthorizationPolicy' && o.metadata.name === 'otel-collector'));
      const messages = connectivityFindings(model, objects).map((f) => f.message);
      const blocked = messages.filter((m) => m.includes('blocked at AuthorizationPolicy') && m.includes('trace-export'));
      expect(blocked).toHaveLength(model.components.length);
      expect(messages.find((m) => m.includes('proxy-spans: backend')))
        .toMatch(/^needed flow blocked at AuthorizationPolicy: component backend -> component otel-collector \(TCP 4317\)/);
    });

    test('without Jaeger among the namespace Sidecar\'s hosts, the collector\'s export is blocked at the Sidecar', () => {
      const model = withAreaFlows(modelOf(tracingOverlay()));
      const objects = synthEnvironment(model).flatMap((c) => c.objects).map((o) => o.kind !== 'Sidecar' ? o : {
        ...o,
        spec: { ...o.spec as Json, egress: [{ hosts: ((o.spec as Json).egress[0].hosts as string[]).filter((h) => !h.includes('jaeger')) }] },
      });
      expect(connectivityFindings(model, objects).map((f) => f.message).filter((m) => m.includes('trace-store'))).toEqual([
        expect.stringMatching(/^needed flow blocked at Sidecar-ServiceEntry: component otel-collector -> Jaeger .*REGISTRY_ONLY.*jaeger-collector/),
      ]);
    });
  });

  describe('fails on', () => {
    test('a sampling rate out of range or finer than Istio\'s 0.01', () => {
      expect(configErrors(() => modelOf(tracingOverlay({ sampling: '150' })))).toEqual([
        expect.stringMatching(/^overlays\/dev\.yaml:\d+:\d+: tracing\.samplingPercentage: out of range; received 150; allowed: a number from 0 to 100 with at most 2 decimal places; fix: use 100 or less$/),
      ]);
      expect(configErrors(() => modelOf(tracingOverlay({ sampling: '0.005' })))).toEqual([
        expect.stringMatching(/tracing\.samplingPercentage: too many decimal places; received 0\.005; allowed: a number from 0 to 100 with at most 2 decimal places; fix: use 0\.01$/),
      ]);
    });

    test('an exporter endpoint that names no external endpoint', () => {
      expect(configErrors(() => modelOf(tracingOverlay({ jaeger: '  jaeger:\n    endpoint: jaegr\n' })))).toEqual([
        expect.stringMatching(/^overlays\/dev\.yaml:\d+:\d+: tracing\.jaeger\.endpoint: the exporter endpoint names no external endpoint; received "jaegr"; allowed: one of database, jaeger, llm-api; fix: did you mean "jaeger"\?$/),
      ]);
    });

    test('Jaeger both inside and outside the cluster, or neither', () => {
      expect(configErrors(() => modelOf(tracingOverlay({ jaeger: `${IN_CLUSTER_JAEGER}    endpoint: jaeger\n` })))).toEqual([
        expect.stringMatching(/tracing\.jaeger: Jaeger is placed both outside the cluster \(endpoint\) and inside it \(service\); received endpoint and service; /),
      ]);
      expect(configErrors(() => modelOf(tracingOverlay({ jaeger: '  jaeger:\n    port: 4317\n' })))).toEqual([
        expect.stringMatching(/tracing\.jaeger: nothing says where Jaeger receives spans; received neither endpoint nor service; /),
      ]);
    });

    test('a Jaeger port the endpoint does not list, and an endpoint without a host', () => {
      expect(configErrors(() => modelOf(tracingOverlay({ jaeger: `${EXTERNAL_JAEGER}    port: 14250\n` })))).toEqual([
        expect.stringMatching(/tracing\.jaeger\.port: Jaeger's port is not one of externalEndpoints\.jaeger\.ports, so no policy lets the collector reach it; received 14250; allowed: one of 4317; /),
      ]);
      const hostless = tracingOverlay({
        jaeger: '  jaeger:\n    endpoint: traces\n',
        edit: (t) => t.replace('externalEndpoints:\n', 'externalEndpoints:\n  traces:\n    cidrs: [10.60.0.0/24]\n    ports: [4317]\n'),
      });
      expect(configErrors(() => modelOf(hostless))).toEqual([
        expect.stringMatching(/tracing\.jaeger\.endpoint: the exporter endpoint names no host for the collector to dial; received externalEndpoints\.traces without hosts; /),
      ]);
    });

    test('a collector image from a registry the policy does not allow', () => {
      expect(configErrors(() => modelOf(tracingOverlay({ extra: '  collector: { image: quay.io/otel/collector:0.140.0 }\n' })))).toEqual([
        expect.stringMatching(/^overlays\/dev\.yaml:\d+:\d+: tracing\.collector\.image: the collector's image is not from an allowed registry, the cluster policy would reject its pods; received "quay\.io\/otel\/collector:0\.140\.0"; allowed: an image starting with ghcr\.io\/bulwark-platform\/, ghcr\.io\/stefanprodan\/, docker\.io\/otel\/, docker\.io\/istio\/; fix: add quay\.io\/otel\/ to policy\.allowedRegistries/),
      ]);
    });

    test('a floating collector image', () => {
      const image = 'docker.io/otel/opentelemetry-collector-contrib:latest';
      const floating = (): LoadedOverlay => tracingOverlay({ extra: `  collector: { image: ${image} }\n` });
      expect(configErrors(() => modelOf(floating()))).toEqual([
        expect.stringMatching(/tracing\.collector\.image: image uses the floating "latest" tag; /),
      ]);
    });

    test('collector resources: a request above its limit, a limit above the LimitRange max', () => {
      const resources = '  collector:\n    resources: { requests: { cpu: 600m, memory: 128Mi }, limits: { cpu: 500m, memory: 2Gi } }\n';
      expect(configErrors(() => modelOf(tracingOverlay({ extra: resources })))).toEqual([
        expect.stringMatching(/tracing\.collector\.resources\.requests\.cpu: the collector's cpu request is above its limit; received "600m"; allowed: at most the limit "500m"; /),
        expect.stringMatching(/tracing\.collector\.resources\.limits\.memory: the collector's memory limit is above the namespace LimitRange max, its pods would be rejected; received "2Gi"; allowed: at most "1Gi"; /),
      ]);
    });

    test('a quota without room for the collector\'s pods, which run in the namespace too', () => {
      const overlay = tracingOverlay({ extra: '  collector: { replicas: 2 }\n', edit: (t) => t.replace('  pods: 30\n', '  pods: 6\n') });
      expect(configErrors(() => modelOf(overlay))).toEqual([
        expect.stringMatching(/quota\.pods: quota allows fewer pods than the components run, the largest: otel-collector \(2 pods\), .*; received 6; allowed: at least 7; /),
      ]);
    });

    test('a component that sets an OpenTelemetry setting the platform sets', () => {
      const overlay = tracingOverlay({
        edit: (t) => t.replace('    dependsOn: [mcp, database]', '      OTEL_SERVICE_NAME: api\n    dependsOn: [mcp, database]'),
      });
      expect(configErrors(() => modelOf(overlay))).toEqual([
        expect.stringMatching(/components\.backend\.config\.OTEL_SERVICE_NAME: the platform sets this OpenTelemetry setting when tracing is on .*; received "api"; /),
      ]);
    });

    test('a component named like the collector\'s folder', () => {
      const overlay = tracingOverlay({ edit: (t) => t.replace('\n  podinfo:\n', '\n  otel-collector:\n    kind: podinfo\n') });
      expect(configErrors(() => modelOf(overlay)).join('\n')).toMatch(/components\.otel-collector: the component's folder dist\/<env>\/otel-collector\/ is the folder of the platform's own chart of that name/);
    });

  });
});
