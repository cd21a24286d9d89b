import { didYouMean, Problem } from '../config/errors';
import type { ExternalEndpoint, Overlay, ResolvedResources, TracingConfig } from '../config/overlay-schema';
import { selectorLabels } from '../manifest/labels';
import { JsonValue } from '../manifest/yaml-emitter';
import type { RuleInput } from './platform-model';
import { cpuMillis, memoryBytes } from './quantity';
import { componentResources, LimitRangeModel, limitRangeOf } from './resources';

/**
 * Distributed tracing as the model resolves it: the platform's OpenTelemetry Collector (its name,
 * pods, ports and identity, whichever builds it: the operator or a plain Deployment), where it
 * exports (Jaeger v2, in the cluster or outside), the sampling rate of the sidecars, and what each
 * component is told. Every stage reads these facts here, so that the workloads' egress, the
 * collector's own policies and the connectivity check's needs cannot drift apart.
 */

/** The collector's Deployment, Service and service account (the operator's: `<instance>-collector`). */
export const COLLECTOR_NAME = 'otel-collector';
/** The OpenTelemetryCollector's name: the operator names what it creates `<name>-collector`, i.e. COLLECTOR_NAME. */
export const COLLECTOR_INSTANCE = 'otel';
/** The collector's ports: OTLP over gRPC (the sidecars), OTLP over HTTP (the applications' SDKs), and its health_check extension. */
export const COLLECTOR_PORTS = { grpc: 4317, http: 4318, health: 13133 } as const;
/** The user and group the collector image runs as (otel/opentelemetry-collector-contrib's Dockerfile). */
export const COLLECTOR_USER = 10001;

/** Jaeger as the collector reaches it: a Service in the cluster, or an external endpoint. */
export type JaegerModel =
  | {
    readonly kind: 'service';
    readonly namespace: string;
    readonly name: string;
    /** `<name>.<namespace>.svc.cluster.local`, the mesh's name for it. */
    readonly host: string;
    readonly podLabels: Readonly<Record<string, string>>;
    readonly port: number;
  }
  | {
    readonly kind: 'endpoint';
    /** The externalEndpoints entry. */
    readonly endpoint: ExternalEndpoint & { readonly name: string };
    /** Its first host, which the collector dials. */
    readonly host: string;
    readonly port: number;
  };

/** The platform's OpenTelemetry Collector. */
export interface CollectorModel {
  /** Deployment, Service and service account name. */
  readonly name: string;
  readonly namespace: string;
  /** `<name>.<namespace>.svc.cluster.local`. */
  readonly host: string;
  /** Labels selecting its pods: Bulwark's selector labels, or the operator's when it builds the Deployment. */
  readonly podLabels: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
  readonly image: string;
  /** Tag or digest. */
  readonly version: string;
  readonly replicas: number;
  readonly resources: { readonly requests: ResolvedResources; readonly limits: ResolvedResources };
}

export interface TracingModel {
  /** Whether the OpenTelemetry operator builds the collector (OpenTelemetryCollector), or Bulwark does (Deployment). */
  readonly operator: boolean;
  /** The Istio extension provider the sidecars report to: one per environment, since istiod's mesh config is the cluster's. */
  readonly provider: string;
  /** Share of requests the sidecars trace, percent. */
  readonly samplingPercentage: number;
  readonly collector: CollectorModel;
  readonly jaeger: JaegerModel;
}

/** The operator's selector labels of a collector's pods (manifestutils.SelectorLabels, opentelemetry-operator v0.140.0). */
export function operatorPodLabels(namespace: string, instance: string): Record<string, string> {
  return {
    'app.kubernetes.io/component': 'opentelemetry-collector',
    'app.kubernetes.io/instance': `${namespace}.${instance}`,
    'app.kubernetes.io/managed-by': 'opentelemetry-operator',
    'app.kubernetes.io/part-of': 'opentelemetry',
  };
}

/** The tracing of an overlay every rule accepts; undefined without `tracing`. */
export function tracingModelOf(overlay: Overlay, limitRange: LimitRangeModel, version: (image: string) => string): TracingModel | undefined {
  const tracing = overlay.tracing;
  if (!tracing) return undefined;
  const { namespace, environment } = overlay;
  const { collector } = tracing;
  return {
    operator: tracing.operator,
    provider: `bulwark-${environment}-tracing`,
    samplingPercentage: tracing.samplingPercentage,
    collector: {
      name: COLLECTOR_NAME,
      namespace,
      host: `${COLLECTOR_NAME}.${namespace}.svc.cluster.local`,
      podLabels: tracing.operator ? operatorPodLabels(namespace, COLLECTOR_INSTANCE) : selectorLabels({ name: COLLECTOR_NAME, environment }),
      serviceAccount: COLLECTOR_NAME,
      image: collector.image,
      version: version(collector.image),
      replicas: collector.replicas,
      resources: componentResources(collector, limitRange),
    },
    jaeger: jaegerOf(overlay, tracing),
  };
}

function jaegerOf(overlay: Overlay, tracing: TracingConfig): JaegerModel {
  const { service, endpoint, port } = tracing.jaeger;
  if (service) {
    return { kind: 'service', ...service, host: `${service.name}.${service.namespace}.svc.cluster.local`, port };
  }
  const e = overlay.externalEndpoints[endpoint!];
  return { kind: 'endpoint', endpoint: { name: endpoint!, ...e }, host: e.hosts[0], port };
}

/** The settings the platform gives every component when tracing is on: where to send spans, and as whom. */
export const TRACING_SETTINGS = [
  'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_SERVICE_NAME', 'OTEL_RESOURCE_ATTRIBUTES',
] as const;

/**
 * A component's OpenTelemetry SDK settings (environment variables of the specification): OTLP over
 * HTTP to the collector's Service (the sidecar adds mutual TLS), its own name, and the environment
 * and namespace as resource attributes. The SDK's default sampler follows the sidecar's decision.
 */
export function tracingSettings(tracing: TracingModel, component: string, environment: string): Record<(typeof TRACING_SETTINGS)[number], string> {
  const { collector } = tracing;
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://${collector.host}:${COLLECTOR_PORTS.http}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_SERVICE_NAME: component,
    OTEL_RESOURCE_ATTRIBUTES: `deployment.environment.name=${environment},k8s.namespace.name=${collector.namespace}`,
  };
}

/** Whether the collector originates TLS to Jaeger: to an endpoint outside spoken TLS; in the cluster, the mesh encrypts. */
function exportsTls(jaeger: JaegerModel): boolean {
  return jaeger.kind === 'endpoint' && (jaeger.endpoint.protocol === 'TLS' || jaeger.endpoint.protocol === 'HTTPS');
}

/** One pipeline of the collector: components by name. */
export type CollectorPipeline = {
  readonly receivers: string[];
  readonly processors: string[];
  readonly exporters: string[];
};

/** The collector's configuration file, as the OpenTelemetryCollector's structured `spec.config` takes it. */
// A type, not an interface: it is also a JsonValue (the plain collector's file is its YAML).
export type CollectorConfig = {
  readonly extensions: { readonly [name: string]: JsonValue };
  readonly receivers: { readonly [name: string]: JsonValue };
  readonly processors: { readonly [name: string]: JsonValue };
  readonly exporters: { readonly [name: string]: JsonValue };
  readonly service: { readonly extensions: string[]; readonly pipelines: { readonly [name: string]: CollectorPipeline } };
};

/** The OTLP exporter's name in the collector's configuration. */
export const JAEGER_EXPORTER = 'otlp/jaeger';

/**
 * The collector's configuration (the same for the operator's `spec.config` and the plain
 * ConfigMap): OTLP in on both protocols, memory limited and batched, OTLP out to Jaeger; the
 * health_check extension answers the probes. Receivers listen on every address, since the sidecar
 * delivers to the pod's address.
 */
export function collectorConfig(tracing: TracingModel): CollectorConfig {
  const { jaeger } = tracing;
  return {
    extensions: { health_check: { endpoint: `0.0.0.0:${COLLECTOR_PORTS.health}` } },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `0.0.0.0:${COLLECTOR_PORTS.grpc}` },
          http: { endpoint: `0.0.0.0:${COLLECTOR_PORTS.http}` },
        },
      },
    },
    processors: {
      memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 20 },
      batch: {},
    },
    exporters: {
      [JAEGER_EXPORTER]: { endpoint: `${jaeger.host}:${jaeger.port}`, tls: { insecure: !exportsTls(jaeger) } },
    },
    service: {
      extensions: ['health_check'],
      pipelines: { traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: [JAEGER_EXPORTER] } },
    },
  };
}

// ---- rules ------------------------------------------------------------------------------------

/** Jaeger is either outside the cluster (endpoint) or inside it (service): one of them, and it exists. */
export function jaegerIsKnown({ overlay, problem }: RuleInput): Problem[] {
  const jaeger = overlay.tracing?.jaeger;
  if (!jaeger) return [];
  const at = ['tracing', 'jaeger'];
  const allowed = 'endpoint: <an externalEndpoints entry> (Jaeger outside the cluster), or service: {namespace, name, podLabels} (inside)';
  if (jaeger.endpoint !== undefined && jaeger.service !== undefined) {
    return [problem(at, {
      message: 'Jaeger is placed both outside the cluster (endpoint) and inside it (service)',
      received: 'endpoint and service',
      allowed,
      fix: 'keep the one where Jaeger runs',
    })];
  }
  if (jaeger.service) {
    return Object.keys(jaeger.service.podLabels).length > 0 ? [] : [problem([...at, 'service', 'podLabels'], {
      message: 'podLabels selects every pod of Jaeger\'s namespace',
      received: '{}',
      allowed: 'the labels of the Jaeger collector\'s pods',
      fix: 'add them, e.g. { app.kubernetes.io/name: jaeger }',
    })];
  }
  if (jaeger.endpoint === undefined) {
    return [problem(at, {
      message: 'nothing says where Jaeger receives spans',
      received: 'neither endpoint nor service',
      allowed,
      fix: 'add one of them',
    })];
  }
  const endpoint = overlay.externalEndpoints[jaeger.endpoint];
  const names = Object.keys(overlay.externalEndpoints).sort();
  if (!endpoint) {
    const suggestion = didYouMean(jaeger.endpoint, names);
    return [problem([...at, 'endpoint'], {
      message: 'the exporter endpoint names no external endpoint',
      received: JSON.stringify(jaeger.endpoint),
      allowed: names.length > 0 ? `one of ${names.join(', ')}` : 'the name of an externalEndpoints entry',
      fix: suggestion
        ? `did you mean "${suggestion}"?`
        : `add externalEndpoints.${jaeger.endpoint} with Jaeger's hosts, cidrs and ports, or use service:`,
    })];
  }
  if (endpoint.hosts.length === 0) {
    return [problem([...at, 'endpoint'], {
      message: 'the exporter endpoint names no host for the collector to dial',
      received: `externalEndpoints.${jaeger.endpoint} without hosts`,
      allowed: 'an external endpoint with hosts',
      fix: `add hosts: [<Jaeger's host name>] to externalEndpoints.${jaeger.endpoint}`,
    })];
  }
  return endpoint.ports.includes(jaeger.port) ? [] : [problem([...at, 'port'], {
    message: `Jaeger's port is not one of externalEndpoints.${jaeger.endpoint}.ports, so no policy lets the collector reach it`,
    received: String(jaeger.port),
    allowed: `one of ${endpoint.ports.join(', ')}`,
    fix: `set tracing.jaeger.port to Jaeger's OTLP gRPC port, or add it to externalEndpoints.${jaeger.endpoint}.ports`,
  })];
}

/** The platform sets the components' OpenTelemetry settings; a component's config setting one too would send its spans elsewhere. */
export function tracingSettingsOwned({ overlay, components, problem }: RuleInput): Problem[] {
  if (!overlay.tracing) return [];
  const set = (config: Readonly<Record<string, string>>): string[] => TRACING_SETTINGS.filter((key) => key in config);
  return components.flatMap(([name, c]) => set(c.config).map((key) => problem(['components', name, 'config', key], {
    message: 'the platform sets this OpenTelemetry setting when tracing is on (the collector, the component\'s name, its environment)',
    received: JSON.stringify(c.config[key]),
    allowed: `none of ${TRACING_SETTINGS.join(', ')} in config`,
    fix: 'remove it; tracing.jaeger says where spans go',
  }, true)));
}

/** The collector's pods must pass the cluster's registry policy like the platform's own. */
export function collectorImageProblems({ overlay, problem }: RuleInput, registries: readonly string[]): Problem[] {
  const image = overlay.tracing?.collector.image;
  if (image === undefined || registries.some((r) => image.startsWith(r))) return [];
  return [problem(['tracing', 'collector', 'image'], {
    message: 'the collector\'s image is not from an allowed registry, the cluster policy would reject its pods',
    received: JSON.stringify(image),
    allowed: `an image starting with ${registries.join(', ')}`,
    fix: `add ${image.slice(0, image.lastIndexOf('/') + 1)} to policy.allowedRegistries, or use a pinned mirror on an allowed registry`,
  })];
}

/** The collector's container is bounded like a component's: each request within its limit, each limit within the LimitRange max. */
export function collectorResourcesFit({ overlay, problem }: RuleInput): Problem[] {
  const collector = overlay.tracing?.collector;
  if (!collector) return [];
  const amount = (resource: string, quantity: string): number => (resource === 'cpu' ? cpuMillis(quantity) : memoryBytes(quantity));
  const { requests, limits } = componentResources(collector, limitRangeOf(overlay));
  const at = ['tracing', 'collector', 'resources'];
  const overLimit = (['cpu', 'memory', 'ephemeral-storage'] as const).filter((r) => amount(r, requests[r]) > amount(r, limits[r]))
    .map((r) => problem([...at, 'requests', r], {
      message: `the collector's ${r} request is above its limit`,
      received: JSON.stringify(requests[r]),
      allowed: `at most the limit ${JSON.stringify(limits[r])}`,
      fix: 'raise the limit or lower the request',
    }));
  const overMax = (['cpu', 'memory'] as const).filter((r) => amount(r, limits[r]) > amount(r, overlay.limitRange.max[r]))
    .map((r) => problem([...at, 'limits', r], {
      message: `the collector's ${r} limit is above the namespace LimitRange max, its pods would be rejected`,
      received: JSON.stringify(limits[r]),
      allowed: `at most ${JSON.stringify(overlay.limitRange.max[r])}`,
      fix: 'lower the limit or raise limitRange.max',
    }));
  return [...overLimit, ...overMax];
}
