import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { PLATFORM_FOLDERS } from '../manifest/layout';
import { toYaml } from '../manifest/yaml-emitter';
import { PlatformModel } from '../model/platform-model';
import { COLLECTOR_PORTS, COLLECTOR_USER, collectorConfig, TracingModel } from '../model/tracing';
import { priorityClassName } from '../platform/priority-classes';
import { collectorEgress } from '../security/collector-egress';
import { SecureWorkload } from './secure-workload';

/** Where the collector reads its configuration (a directory of its own: the mount is read-only). */
const CONFIG_FILE = '/etc/otelcol/config.yaml';

/**
 * The trace collector as a plain workload, when no OpenTelemetry operator builds it: the same
 * secure workload as every component (its own service account without a token, Pod Security
 * restricted, read-only root, bounded resources, a PodDisruptionBudget from two replicas), OTLP
 * over HTTP on its `http` port and over gRPC on `grpc`, both on its Service and open to the
 * components only, probes on the health_check extension's port, egress to Jaeger only.
 */
export class CollectorChart extends Chart {
  public readonly workload: SecureWorkload;

  constructor(scope: Construct, model: PlatformModel, tracing: TracingModel) {
    super(scope, PLATFORM_FOLDERS.traceCollector, { namespace: model.namespace, disableResourceNameHashes: true });
    const { collector } = tracing;
    const egress = collectorEgress(model);
    this.workload = new SecureWorkload(this, 'workload', {
      name: collector.name,
      environment: model.environment,
      namespace: model.namespace,
      role: 'trace-collector',
      image: collector.image,
      version: collector.version,
      port: COLLECTOR_PORTS.http,
      servicePort: COLLECTOR_PORTS.http,
      extraPorts: [{ name: 'grpc', port: COLLECTOR_PORTS.grpc }],
      probePort: { name: 'health', port: COLLECTOR_PORTS.health },
      livenessPath: '/',
      readinessPath: '/',
      args: [`--config=${CONFIG_FILE}`],
      configFile: CONFIG_FILE,
      configFileContent: toYaml(collectorConfig(tracing)),
      replicas: collector.replicas,
      resources: collector.resources,
      runAsId: COLLECTOR_USER,
      allowFrom: model.components.map((c) => c.name),
      externalEgress: egress.external,
      namespacedEgress: egress.namespaced,
      priorityClassName: priorityClassName(model.environment, 'platform-critical'),
    });
  }
}
