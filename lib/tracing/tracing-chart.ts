import { ApiObjectMetadata, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  OpenTelemetryCollectorV1Beta1, OpenTelemetryCollectorV1Beta1SpecManagementState, OpenTelemetryCollectorV1Beta1SpecMode,
  OpenTelemetryCollectorV1Beta1SpecPodDisruptionBudgetMaxUnavailable as MaxUnavailable, OpenTelemetryCollectorV1Beta1SpecResourcesLimits,
  OpenTelemetryCollectorV1Beta1SpecResourcesRequests, OpenTelemetryCollectorV1Beta1SpecUpgradeStrategy,
} from '../../imports/opentelemetry.io';
import { AuthorizationPolicy, AuthorizationPolicySpecAction } from '../../imports/security.istio.io';
import { Telemetry } from '../../imports/telemetry.istio.io';
import { ResolvedResources } from '../config/overlay-schema';
import { standardLabels } from '../manifest/labels';
import { PLATFORM_FOLDERS } from '../manifest/layout';
import { PlatformModel } from '../model/platform-model';
import { COLLECTOR_INSTANCE, COLLECTOR_PORTS, COLLECTOR_USER, collectorConfig, TracingModel } from '../model/tracing';
import { priorityClassName } from '../platform/priority-classes';
import { collectorEgress } from '../security/collector-egress';
import { principal } from '../security/workload-mesh';
import { WorkloadNetworkPolicy } from '../security/workload-network-policy';

export const TRACING_NAME = PLATFORM_FOLDERS.tracing;

/** Where the collector receives spans: OTLP over gRPC (the sidecars) and over HTTP (the SDKs). */
const OTLP_PORTS = [COLLECTOR_PORTS.grpc, COLLECTOR_PORTS.http];

/**
 * The `tracing` subchart: how the sidecars of the environment's namespace trace (Istio
 * Telemetry: the environment's extension provider, its sampling rate), the collector's own
 * sidecar reporting nothing (its spans would loop back to it), and who may send the collector
 * spans (AuthorizationPolicy: the components' identities, on the OTLP ports only). When the
 * OpenTelemetry operator runs, the collector itself is here too, as an OpenTelemetryCollector
 * with the restricted security contexts, bounded resources and probes of every platform pod, its
 * service account without a token, and its NetworkPolicy (the operator's own is switched off);
 * without the operator the workloads area runs it as a secure workload.
 */
export class TracingChart extends Chart {
  constructor(scope: Construct, model: PlatformModel, tracing: TracingModel) {
    super(scope, TRACING_NAME, { namespace: model.namespace, disableResourceNameHashes: true });
    const { collector } = tracing;
    const labels = standardLabels({ name: TRACING_NAME, environment: model.environment, component: 'tracing', version: model.platformVersion });
    const meta = (name: string, extra: Readonly<Record<string, string>> = labels): ApiObjectMetadata => ({
      name,
      namespace: model.namespace,
      labels: { ...extra },
    });

    new Telemetry(this, 'telemetry', {
      metadata: meta(TRACING_NAME),
      spec: { tracing: [{ providers: [{ name: tracing.provider }], randomSamplingPercentage: tracing.samplingPercentage }] },
    });
    new Telemetry(this, 'collector-telemetry', {
      metadata: meta(collector.name),
      spec: { selector: { matchLabels: { ...collector.podLabels } }, tracing: [{ disableSpanReporting: true }] },
    });
    const callers = [...new Set(model.components.map((c) => principal({ namespace: model.namespace, serviceAccount: c.name })))].sort();
    new AuthorizationPolicy(this, 'collector-authz', {
      metadata: meta(collector.name),
      spec: {
        selector: { matchLabels: { ...collector.podLabels } },
        action: AuthorizationPolicySpecAction.ALLOW,
        // The OTLP ports only: the health port is the kubelet's (through the sidecar's probe rewrite).
        rules: callers.length > 0
          ? [{ from: [{ source: { principals: callers } }], to: [{ operation: { ports: OTLP_PORTS.map(String) } }] }]
          : undefined,
      },
    });
    if (tracing.operator) this.operatorCollector(model, tracing);
  }

  private operatorCollector(model: PlatformModel, tracing: TracingModel): void {
    const { collector } = tracing;
    const labels = standardLabels({ name: collector.name, environment: model.environment, component: 'trace-collector', version: collector.version });
    const meta = (name: string): ApiObjectMetadata => ({ name, namespace: model.namespace, labels: { ...labels } });
    new k8s.KubeServiceAccount(this, 'collector-service-account', { metadata: meta(collector.serviceAccount), automountServiceAccountToken: false });
    const spreads = collector.replicas > 1;
    const labelSelector = { matchLabels: { ...collector.podLabels } };
    new OpenTelemetryCollectorV1Beta1(this, 'collector', {
      metadata: meta(COLLECTOR_INSTANCE),
      spec: {
        mode: OpenTelemetryCollectorV1Beta1SpecMode.DEPLOYMENT,
        managementState: OpenTelemetryCollectorV1Beta1SpecManagementState.MANAGED,
        // The image is pinned here; the operator must not move it.
        upgradeStrategy: OpenTelemetryCollectorV1Beta1SpecUpgradeStrategy.NONE,
        image: collector.image,
        imagePullPolicy: 'IfNotPresent',
        replicas: collector.replicas,
        serviceAccount: collector.serviceAccount,
        priorityClassName: priorityClassName(model.environment, 'platform-critical'),
        config: collectorConfig(tracing),
        resources: {
          requests: quantities(collector.resources.requests, OpenTelemetryCollectorV1Beta1SpecResourcesRequests.fromString),
          limits: quantities(collector.resources.limits, OpenTelemetryCollectorV1Beta1SpecResourcesLimits.fromString),
        },
        podSecurityContext: {
          runAsNonRoot: true,
          runAsUser: COLLECTOR_USER,
          runAsGroup: COLLECTOR_USER,
          fsGroup: COLLECTOR_USER,
          seccompProfile: { type: 'RuntimeDefault' },
        },
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          privileged: false,
          capabilities: { drop: ['ALL'] },
        },
        // The operator derives both probes from the health_check extension; these bound them.
        livenessProbe: { periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
        readinessProbe: { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
        podDisruptionBudget: spreads ? { maxUnavailable: MaxUnavailable.fromNumber(1) } : undefined,
        // Replicas on distinct nodes (hard) and across zones when the cluster has them (soft), like a component's.
        topologySpreadConstraints: spreads ? [
          { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector },
          { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector },
        ] : undefined,
        // Its NetworkPolicy is the one below, derived like every workload's; the operator's would admit anyone.
        networkPolicy: { enabled: false },
      },
    });
    const egress = collectorEgress(model);
    new WorkloadNetworkPolicy(this, 'collector-traffic', {
      metadata: meta(`${collector.name}-traffic`),
      environment: model.environment,
      podSelector: collector.podLabels,
      allowFrom: model.components.map((c) => c.name),
      allowFromNamespaces: [],
      dependencies: [],
      externalEgress: egress.external,
      namespacedEgress: egress.namespaced,
      ingressPorts: OTLP_PORTS,
    });
  }
}

function quantities<T>(r: ResolvedResources, of: (value: string) => T): Record<string, T> {
  return { cpu: of(r.cpu), memory: of(r.memory), 'ephemeral-storage': of(r['ephemeral-storage']) };
}

