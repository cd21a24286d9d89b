import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { METRICS_PORT_NAME } from '../config/catalog';
import { callsApiServer, callsVaultFromPod } from '../model/platform-endpoints';
import { ComponentModel, PlatformModel } from '../model/platform-model';
import { COLLECTOR_PORTS } from '../model/tracing';
import { priorityClassName } from '../platform/priority-classes';
import { INGRESS_GATEWAY_NAME, viaEgressGateway } from '../security/mesh-edge';
import { secretStoreName } from '../security/secret-store';
import { canaryVirtualServices, WorkloadMesh } from '../security/workload-mesh';
import { ExternalEgress, NamespacedPeer } from '../security/workload-network-policy';
import { sliOf } from '../slo/sli';
import { SecureWorkload, SERVICE_PORT } from './secure-workload';
import { SloAnalysisTemplate } from './slo-analysis';

/** Components by name, built once per model rather than once per chart (which would be quadratic). */
const componentsByName = new WeakMap<PlatformModel, ReadonlyMap<string, ComponentModel>>();

function componentNamed(model: PlatformModel, name: string): ComponentModel {
  let byName = componentsByName.get(model);
  if (!byName) {
    byName = new Map(model.components.map((c) => [c.name, c]));
    componentsByName.set(model, byName);
  }
  return byName.get(name)!;
}

/** One subchart per component: the component's secure workload and its mesh policy, wired from the model. */
export class WorkloadChart extends Chart {
  public readonly workload: SecureWorkload;

  constructor(scope: Construct, model: PlatformModel, component: ComponentModel) {
    super(scope, component.name, { namespace: model.namespace, disableResourceNameHashes: true });
    const { definition } = component;
    // The component's own metrics endpoint, opened when the environment has monitoring.
    const metrics = model.monitoring ? definition.metrics : undefined;
    const { mesh } = model;
    const usesEgressGateway = component.externalDependencies.some(viaEgressGateway);
    const vault = platformEgress(model, component);
    const vaultStore = model.secretStore.vault;
    this.workload = new SecureWorkload(this, 'workload', {
      name: component.name,
      environment: model.environment,
      namespace: model.namespace,
      role: definition.role,
      image: component.image,
      version: component.version,
      port: definition.port,
      livenessPath: definition.livenessPath,
      readinessPath: definition.readinessPath,
      args: metrics ? [...definition.args, ...metrics.args] : definition.args,
      writablePaths: definition.writablePaths,
      configFile: definition.configFile,
      replicas: component.replicas,
      resources: component.resources,
      config: component.config,
      allowFrom: component.calledBy,
      dependencies: component.dependsOn.map((name) => ({ name, containerPort: componentNamed(model, name).definition.port })),
      metricsPort: metrics ? { name: METRICS_PORT_NAME, port: metrics.port } : undefined,
      allowFromNamespaces: component.inboundFlows
        .map(({ namespace, podLabels, port }) => ({ namespace, podLabels, ports: port === undefined ? undefined : [port] })),
      externalEgress: [...component.externalDependencies.filter((e) => !viaEgressGateway(e)), ...vault.external],
      namespacedEgress: [
        ...(usesEgressGateway ? [{ namespace: mesh.namespace, podLabels: mesh.egressGateway.labels, ports: [mesh.egressGateway.port] }] : []),
        ...vault.namespaced,
      ],
      autoscaling: component.autoscaling,
      priorityClassName: priorityClassName(model.environment, component.priorityClass),
      rollout: component.delivery && {
        delivery: component.delivery,
        analysisTemplate: component.name,
        trafficRouting: component.delivery.strategy === 'canary' && component.delivery.trafficRouting
          ? { virtualServices: canaryVirtualServices(component.name, component.host !== undefined), destinationRule: component.name }
          : undefined,
      },
      secrets: {
        secrets: component.secrets,
        delivery: component.secretDelivery,
        storeName: secretStoreName(model.environment),
        refreshInterval: model.secretStore.refreshInterval,
        vault: vaultStore
          ? {
            server: vaultStore.server,
            kvMount: vaultStore.path,
            role: vaultStore.role,
            authMountPath: vaultStore.authMountPath,
            agentImage: model.vault?.agentImage,
            // The agent's containers are sized as the namespace sizes a container that says nothing.
            agentEphemeralStorage: {
              request: model.limitRange.defaultRequest['ephemeral-storage'],
              limit: model.limitRange.default['ephemeral-storage'],
            },
          }
          : undefined,
      },
    });
    for (const permission of component.permissions) this.workload.grant(permission);

    new WorkloadMesh(this, 'mesh', {
      name: component.name,
      namespace: model.namespace,
      labels: this.workload.labels,
      selector: this.workload.selector,
      servicePort: SERVICE_PORT,
      // With a metrics port on the pod, the other callers are admitted to its service port only.
      callerPorts: metrics ? [definition.port] : undefined,
      callers: [
        ...component.calledBy.map((caller) => ({ namespace: model.namespace, serviceAccount: caller })),
        // A flow to a port the sidecar serves itself never reaches the mesh's inbound policy.
        ...component.inboundFlows.filter((f) => f.mesh !== false)
          .map(({ namespace, serviceAccount, port }) => ({ namespace, serviceAccount, ports: port === undefined ? undefined : [port] })),
      ],
      traffic: component.traffic,
      exposure: component.host ? { host: component.host, gateway: INGRESS_GATEWAY_NAME } : undefined,
      canary: component.delivery?.strategy === 'canary' && component.delivery.trafficRouting,
    });

    if (component.delivery && model.monitoring) {
      new SloAnalysisTemplate(this, 'analysis', {
        name: component.name,
        namespace: model.namespace,
        labels: this.workload.labels,
        sli: sliOf(model, component.name),
        prometheusUrl: model.monitoring.prometheus.url,
        interval: component.delivery.interval,
        served: component.delivery.strategy === 'blue-green' || component.delivery.trafficRouting,
      });
    }
  }
}

/**
 * Egress a component's pod needs to what the platform runs on (not its declared dependencies): the
 * API server when its service account holds permissions, Vault when it runs Vault Agent, the trace
 * collector (OTLP from the application and from its sidecar) when tracing is on.
 */
function platformEgress(model: PlatformModel, component: ComponentModel): { external: ExternalEgress[]; namespaced: NamespacedPeer[] } {
  const egress = { external: [] as ExternalEgress[], namespaced: [] as NamespacedPeer[] };
  const { vault, apiServer } = model;
  if (callsApiServer(component)) egress.external.push({ name: 'kubernetes-api', cidrs: apiServer.cidrs, ports: apiServer.ports });
  if (vault && callsVaultFromPod(component)) {
    if ('cidrs' in vault.network) egress.external.push({ name: 'vault', cidrs: vault.network.cidrs, ports: [vault.port] });
    else egress.namespaced.push({ namespace: vault.network.namespace, podLabels: vault.network.podLabels, ports: [vault.port] });
  }
  const collector = model.tracing?.collector;
  if (collector) {
    egress.namespaced.push({ namespace: collector.namespace, podLabels: collector.podLabels, ports: [COLLECTOR_PORTS.grpc, COLLECTOR_PORTS.http] });
  }
  return egress;
}
