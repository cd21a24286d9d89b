import { Labels } from '../manifest/label-selector';
import { API_SERVER_HOST, API_SERVER_NAMESPACE, callsApiServer, callsVaultFromPod } from '../model/platform-endpoints';
import { ExternalEndpointModel, PlatformModel } from '../model/platform-model';
import { COLLECTOR_PORTS, TracingModel } from '../model/tracing';
import { Addresses } from './addresses';
import { Protocol } from './ports';
import { SidecarTarget } from './sidecar';

/** One end of a needed flow. */
export type Party =
  /** The pods of one of the environment's components. */
  | { readonly kind: 'component'; readonly name: string }
  /** Every pod of one of the environment's namespaces, its components' and any other (a tenant's). */
  | { readonly kind: 'namespace'; readonly namespace: string }
  /** Pods the environment does not run (cluster DNS, istiod, a gateway, Vault in the cluster). */
  | { readonly kind: 'pods'; readonly what: string; readonly namespace: string; readonly labels: Labels; readonly serviceAccount?: string }
  /** Addresses outside the cluster. */
  | { readonly kind: 'addresses'; readonly what: string; readonly cidrs: readonly string[] }
  /** A host outside the cluster, known to the mesh by a ServiceEntry. */
  | { readonly kind: 'host'; readonly host: string };

export interface PortNeed {
  readonly protocol: Protocol;
  readonly port: number;
}

/** Where a client's sidecar must be able to send the flow: a component's Service, or a host or address it knows. */
export type SidecarNeed =
  | { readonly kind: 'service-of'; readonly component: string; readonly port: number }
  | { readonly kind: 'target'; readonly target: SidecarTarget; readonly what: string };

/**
 * A flow the platform needs at run time, and what each layer must let through for it: the
 * NetworkPolicy layer from `from` to `network.to` on `network.ports`; the destination's
 * AuthorizationPolicy for `from`'s identity on those ports (`authorization`, when the destination
 * is a component); the source's Sidecar towards each of `sidecar` (TCP from the application; the
 * proxy's own connections and flows from outside the environment have none).
 */
export interface Need {
  /** The rule of FLOW_RULES it comes from. */
  readonly rule: string;
  /** Why it is needed, shown in the report and in findings. */
  readonly reason: string;
  readonly from: Party;
  readonly to: Party;
  readonly network?: { readonly to: Party; readonly ports: readonly PortNeed[] };
  readonly authorization: boolean;
  readonly sidecar: readonly SidecarNeed[];
}

/** One row of the table of needed flows. */
export interface FlowRule {
  readonly id: string;
  /** `declared`: an edge of the overlay (dependsOn); `implicit`: what the platform itself needs. */
  readonly kind: 'declared' | 'implicit';
  /** When the rule applies. */
  readonly when: string;
  readonly source: string;
  readonly destination: string;
  readonly ports: string;
  /** One sentence: why the flow is needed (the README's list of the flows). */
  readonly reason: string;
  /** What makes the platform allow it, for a finding that says it is blocked: the model data its policies come from. */
  readonly fix: string;
  /** The flows of one environment. */
  readonly needs: (model: PlatformModel) => readonly Need[];
}

/** istiod's port for xDS configuration and workload certificates (mTLS), which every sidecar calls. */
export const ISTIOD_XDS_PORT = 15012;
/** The port of the `kubernetes` Service in `default`, the API server's name in the cluster. */
export const API_SERVER_SERVICE_PORT = 443;

/** Whether TLS to the endpoint leaves through the mesh egress gateway (a host, TLS or HTTPS): it is routed by SNI. */
export function viaEgressGateway(e: Pick<ExternalEndpointModel, 'hosts' | 'protocol'>): boolean {
  return e.hosts.length > 0 && (e.protocol === 'TLS' || e.protocol === 'HTTPS');
}

const tcp = (ports: readonly number[]): PortNeed[] => ports.map((port) => ({ protocol: 'TCP', port }));
const component = (name: string): Party => ({ kind: 'component', name });

const ports = new WeakMap<PlatformModel, ReadonlyMap<string, number>>();

/** The port a component serves on (its container port). */
function portOf(model: PlatformModel, name: string): number {
  let byName = ports.get(model);
  if (!byName) ports.set(model, (byName = new Map(model.components.map((c) => [c.name, c.definition.port]))));
  return byName.get(name)!;
}

function dependsOnComponents(model: PlatformModel): Need[] {
  return model.components.flatMap((c) => c.dependsOn.map((dep): Need => ({
    rule: 'depends-on',
    reason: `${c.name} dependsOn ${dep}`,
    from: component(c.name),
    to: component(dep),
    network: { to: component(dep), ports: tcp([portOf(model, dep)]) },
    authorization: true,
    sidecar: [{ kind: 'service-of', component: dep, port: portOf(model, dep) }],
  })));
}

/**
 * Where a flow to an external endpoint's `ports` goes at each layer: its cidrs, or the egress
 * gateway for TLS to its hosts; and the hosts the sidecar must know.
 */
function endpointRoute(model: PlatformModel, e: ExternalEndpointModel, ports: readonly number[]): Pick<Need, 'to' | 'network' | 'sidecar'> {
  if (viaEgressGateway(e)) {
    const { mesh } = model;
    const gateway: Party = { kind: 'pods', what: 'the egress gateway', namespace: mesh.namespace, labels: mesh.egressGateway.labels };
    return {
      to: { kind: 'host', host: e.hosts[0] },
      network: { to: gateway, ports: tcp([mesh.egressGateway.port]) },
      sidecar: e.hosts.flatMap((host) => ports.map((port): SidecarNeed => ({ kind: 'target', what: `${host}:${port}`, target: { host, port } }))),
    };
  }
  const cidrs: Party = { kind: 'addresses', what: `external endpoint ${e.name}`, cidrs: e.cidrs };
  return {
    to: e.hosts.length > 0 ? { kind: 'host', host: e.hosts[0] } : cidrs,
    network: { to: cidrs, ports: tcp(ports) },
    sidecar: ports.flatMap((port) => (e.hosts.length > 0 ? e.hosts : e.cidrs).map((h): SidecarNeed => ({
      kind: 'target',
      what: `${h}:${port}`,
      target: e.hosts.length > 0 ? { host: h, port } : { addresses: Addresses.cidr(h), port },
    }))),
  };
}

function dependsOnEndpoints(model: PlatformModel): Need[] {
  return model.components.flatMap((c) => c.externalDependencies.filter((e) => !viaEgressGateway(e)).map((e): Need => ({
    rule: 'depends-on-endpoint',
    reason: `${c.name} dependsOn ${e.name} (${e.protocol}${e.cidrs.length === 0 ? ', no cidrs: network policy cannot allow a host by name' : ''})`,
    from: component(c.name),
    ...endpointRoute(model, e, e.ports),
    authorization: false,
  })));
}

function egressGateway(model: PlatformModel): Need[] {
  return model.components.flatMap((c) => c.externalDependencies.filter(viaEgressGateway).map((e): Need => ({
    rule: 'egress-gateway',
    reason: `${c.name} dependsOn ${e.name}: ${e.protocol} to ${e.hosts.join(', ')} leaves through the egress gateway, routed by SNI`,
    from: component(c.name),
    ...endpointRoute(model, e, e.ports),
    authorization: false,
  })));
}

/**
 * The trace collector as a party: the workload Bulwark builds (found by its name, like a
 * component's), or the pods the OpenTelemetry operator creates, which the objects do not hold.
 */
function collectorParty(tracing: TracingModel): Party {
  const { namespace, podLabels: labels, serviceAccount, name } = tracing.collector;
  return tracing.operator ? { kind: 'pods', what: 'the trace collector', namespace, labels, serviceAccount } : component(name);
}

/** How a client's sidecar must know the collector on `port`: by its Service (Bulwark's, or the operator's of the same name). */
function collectorService(tracing: TracingModel, port: number): SidecarNeed {
  const { collector } = tracing;
  return tracing.operator
    ? { kind: 'target', what: `${collector.host}:${port}`, target: { namespace: collector.namespace, host: collector.host, port } }
    : { kind: 'service-of', component: collector.name, port };
}

function spansTo(model: PlatformModel, port: number, rule: string, reason: (c: string) => string): Need[] {
  const { tracing } = model;
  if (!tracing) return [];
  const to = collectorParty(tracing);
  return model.components.map((c): Need => ({
    rule,
    reason: reason(c.name),
    from: component(c.name),
    to,
    network: { to, ports: tcp([port]) },
    authorization: true,
    sidecar: [collectorService(tracing, port)],
  }));
}

function traceExport(model: PlatformModel): Need[] {
  return spansTo(model, COLLECTOR_PORTS.http, 'trace-export', (c) => `${c}'s OpenTelemetry SDK exports its spans over OTLP/HTTP `
    + '(OTEL_EXPORTER_OTLP_ENDPOINT)');
}

function proxySpans(model: PlatformModel): Need[] {
  return spansTo(model, COLLECTOR_PORTS.grpc, 'proxy-spans', (c) => `${c}'s sidecar reports its spans over OTLP/gRPC (the Istio extension provider)`);
}

function collectorExport(model: PlatformModel): Need[] {
  const { tracing } = model;
  if (!tracing) return [];
  const { jaeger } = tracing;
  const from = collectorParty(tracing);
  if (jaeger.kind === 'endpoint') {
    return [{
      rule: 'trace-store',
      reason: `the trace collector exports to Jaeger at ${jaeger.endpoint.name} (${jaeger.host}:${jaeger.port})`,
      from,
      ...endpointRoute(model, jaeger.endpoint, [jaeger.port]),
      authorization: false,
    }];
  }
  const to: Party = { kind: 'pods', what: 'Jaeger', namespace: jaeger.namespace, labels: jaeger.podLabels };
  return [{
    rule: 'trace-store',
    reason: `the trace collector exports to Jaeger (${jaeger.host}:${jaeger.port})`,
    from,
    to,
    network: { to, ports: tcp([jaeger.port]) },
    authorization: false,
    sidecar: [{
      kind: 'target',
      what: `${jaeger.host}:${jaeger.port}`,
      target: { namespace: jaeger.namespace, host: jaeger.host, port: jaeger.port },
    }],
  }];
}

function clusterDns(model: PlatformModel): Need[] {
  const { dns } = model;
  const to: Party = { kind: 'pods', what: 'cluster DNS', namespace: dns.namespace, labels: dns.podLabels };
  return model.policy.namespaces.map((namespace): Need => ({
    rule: 'cluster-dns',
    reason: `pods of ${namespace} resolve names through cluster DNS`,
    from: { kind: 'namespace', namespace },
    to,
    network: { to, ports: dns.ports.flatMap((port): PortNeed[] => [{ protocol: 'UDP', port }, { protocol: 'TCP', port }]) },
    authorization: false,
    // DNS over UDP is not intercepted; over TCP (large answers) the sidecar must know the DNS Service.
    sidecar: dns.ports.map((port): SidecarNeed => {
      const host = `${dns.service}.${dns.namespace}.svc.cluster.local`;
      return { kind: 'target', what: `${host}:${port}`, target: { namespace: dns.namespace, host, port } };
    }),
  }));
}

function istiod(model: PlatformModel): Need[] {
  const { mesh } = model;
  const to: Party = { kind: 'pods', what: 'istiod', namespace: mesh.namespace, labels: mesh.controlPlaneLabels };
  return model.policy.namespaces.map((namespace): Need => ({
    rule: 'istiod',
    reason: `the sidecars of ${namespace} fetch their configuration and certificates from istiod`,
    from: { kind: 'namespace', namespace },
    to,
    network: { to, ports: tcp([ISTIOD_XDS_PORT]) },
    authorization: false,
    sidecar: [],
  }));
}

function apiServer(model: PlatformModel): Need[] {
  const to: Party = { kind: 'addresses', what: 'the API server', cidrs: model.apiServer.cidrs };
  return model.components.filter(callsApiServer).map((c): Need => ({
    rule: 'api-server',
    reason: `${c.name}'s service account holds permissions (${c.permissions.map((p) => `${p.verbs.join(',')} ${p.resources.join(',')}`).join('; ')})`,
    from: component(c.name),
    to,
    network: { to, ports: tcp(model.apiServer.ports) },
    authorization: false,
    sidecar: [{
      kind: 'target',
      what: `${API_SERVER_HOST}:${API_SERVER_SERVICE_PORT}`,
      target: { namespace: API_SERVER_NAMESPACE, host: API_SERVER_HOST, port: API_SERVER_SERVICE_PORT },
    }],
  }));
}

function vaultAgent(model: PlatformModel): Need[] {
  const { vault } = model;
  if (!vault) return [];
  const inCluster = 'namespace' in vault.network ? vault.network : undefined;
  const to: Party = inCluster
    ? { kind: 'pods', what: 'Vault', namespace: inCluster.namespace, labels: inCluster.podLabels }
    : { kind: 'addresses', what: 'Vault', cidrs: 'cidrs' in vault.network ? vault.network.cidrs : [] };
  return model.components.filter(callsVaultFromPod).map((c): Need => ({
    rule: 'vault-agent',
    reason: `${c.name}'s Vault Agent logs in to Vault with the pod's token and renders its secrets`,
    from: component(c.name),
    to,
    network: { to, ports: tcp([vault.port]) },
    authorization: false,
    sidecar: [{
      kind: 'target',
      what: `${vault.host}:${vault.port}`,
      target: inCluster ? { namespace: inCluster.namespace, host: vault.host, port: vault.port } : { host: vault.host, port: vault.port },
    }],
  }));
}

function vaultCsi(model: PlatformModel): Need[] {
  return model.components.filter((c) => c.secretDelivery === 'csi' && c.secrets.length > 0).map((c): Need => ({
    rule: 'vault-csi',
    reason: `${c.name}'s secrets are mounted by the Secrets Store CSI driver, whose Vault provider calls Vault from the node`,
    from: { kind: 'pods', what: 'the Vault CSI provider', namespace: 'kube-system', labels: {} },
    to: { kind: 'addresses', what: 'Vault', cidrs: [] },
    authorization: false,
    sidecar: [],
  }));
}

function ingressGateway(model: PlatformModel): Need[] {
  const { ingressGateway: gw } = model.mesh;
  const from: Party = {
    kind: 'pods',
    what: 'the ingress gateway',
    namespace: model.mesh.namespace,
    labels: gw.labels,
    serviceAccount: gw.serviceAccount,
  };
  return model.components.filter((c) => c.host !== undefined).map((c): Need => ({
    rule: 'ingress-gateway',
    reason: `the ingress gateway serves ${c.name}'s public host ${c.host}`,
    from,
    to: component(c.name),
    network: { to: component(c.name), ports: tcp([c.definition.port]) },
    authorization: true,
    sidecar: [],
  }));
}

function isIngressGatewayFlow(model: PlatformModel, flow: { namespace: string; serviceAccount: string }): boolean {
  return flow.namespace === model.mesh.namespace && flow.serviceAccount === model.mesh.ingressGateway.serviceAccount;
}

/** The inbound flows of the components that `rule` explains (`callers`: those that name no rule), on their ports. */
function inboundFlowsOf(rule: string): (model: PlatformModel) => Need[] {
  return (model) => model.components.flatMap((c) => c.inboundFlows
    .filter((f) => (f.rule ?? 'callers') === rule && !(c.host !== undefined && isIngressGatewayFlow(model, f)))
    .map((f): Need => ({
      rule,
      reason: f.reason,
      from: { kind: 'pods', what: f.serviceAccount, namespace: f.namespace, labels: f.podLabels, serviceAccount: f.serviceAccount },
      to: component(c.name),
      network: { to: component(c.name), ports: tcp([f.port ?? c.definition.port]) },
      authorization: f.mesh !== false,
      sidecar: [],
    })));
}

const inboundCallers = inboundFlowsOf('callers');

/** The port of an http(s) URL: its own, or the scheme's. */
function urlPort(url: string): number {
  const { port, protocol } = new URL(url);
  return port !== '' ? Number(port) : protocol === 'https:' ? 443 : 80;
}

/**
 * The Argo Rollouts controller as its install manifest runs it (manifests/install.yaml of
 * v1.10.1): its pods and service account in argo-rollouts.
 */
export const ROLLOUTS_CONTROLLER = {
  namespace: 'argo-rollouts',
  labels: { 'app.kubernetes.io/name': 'argo-rollouts' },
  serviceAccount: 'argo-rollouts',
} as const;

/**
 * The Argo Rollouts controller runs the analysis of every component with delivery: it asks
 * Prometheus, at monitoring.prometheus.url, for the SLIs of the new version.
 */
function rolloutsAnalysis(model: PlatformModel): Need[] {
  const { monitoring } = model;
  const controller = ROLLOUTS_CONTROLLER;
  const analysed = model.components.filter((c) => c.delivery !== undefined).map((c) => c.name);
  if (!monitoring || analysed.length === 0) return [];
  const to: Party = {
    kind: 'pods',
    what: 'Prometheus',
    namespace: monitoring.namespace,
    labels: monitoring.prometheus.podLabels,
    serviceAccount: monitoring.prometheus.serviceAccount,
  };
  return [{
    rule: 'rollouts-analysis',
    reason: `the Argo Rollouts controller queries Prometheus for the SLIs of ${analysed.join(', ')} while it rolls them out`,
    from: { kind: 'pods', what: 'the Argo Rollouts controller', ...controller },
    to,
    network: { to, ports: tcp([urlPort(monitoring.prometheus.url)]) },
    authorization: false,
    sidecar: [],
  }];
}

/**
 * Every flow the platform needs, by rule: the declared edges of the overlays, then what the
 * platform itself needs. The one table: the connectivity check judges the synthesized policies
 * against it, the report shows each need with its reason, and the README lists the implicit ones.
 */
export const FLOW_RULES: readonly FlowRule[] = [
  {
    id: 'depends-on',
    kind: 'declared',
    when: 'a component lists another in dependsOn',
    source: 'the caller\'s pods',
    destination: 'the callee\'s pods, through its Service',
    ports: 'the callee\'s container port (TCP)',
    reason: 'a declared dependency between two components.',
    fix: `each component's NetworkPolicy and AuthorizationPolicy, and the namespace Sidecar, are derived from dependsOn; the callee needs a Service`,
    needs: dependsOnComponents,
  },
  {
    id: 'depends-on-endpoint',
    kind: 'declared',
    when: 'a component lists an external endpoint that is not reached through the egress gateway (TCP or HTTP, or no hosts)',
    source: 'the component\'s pods',
    destination: 'the endpoint\'s cidrs, known to the mesh by its ServiceEntry',
    ports: 'the endpoint\'s ports (TCP)',
    reason: 'a declared dependency on a service outside the cluster.',
    fix: `the endpoint's cidrs (network policy egress) and its ServiceEntry come from externalEndpoints.<name>: give it cidrs`,
    needs: dependsOnEndpoints,
  },
  {
    id: 'cluster-dns',
    kind: 'implicit',
    when: 'always, for every namespace of the environment (tenants included)',
    source: 'every pod of the namespace',
    destination: 'the cluster DNS pods (dns.namespace, dns.podLabels), known to the mesh as dns.service',
    ports: 'dns.ports, UDP and TCP',
    reason: 'every pod resolves Service and external names through cluster DNS, over UDP and, for large answers, TCP.',
    fix: 'the namespace baseline allows it from dns (namespace, podLabels, ports) and its Sidecar imports dns.service',
    needs: clusterDns,
  },
  {
    id: 'istiod',
    kind: 'implicit',
    when: 'always, for every namespace of the environment (every namespace injects the sidecar)',
    source: 'every pod of the namespace (its sidecar)',
    destination: 'istiod (mesh.namespace, mesh.controlPlaneLabels)',
    ports: `TCP ${ISTIOD_XDS_PORT}`,
    reason: `every sidecar fetches its configuration (xDS) and its workload certificate from istiod on ${ISTIOD_XDS_PORT} `
      + '(istiod\'s webhook port 15017 is called by the API server, not by pods).',
    fix: 'the namespace baseline allows it from mesh.namespace and mesh.controlPlaneLabels',
    needs: istiod,
  },
  {
    id: 'api-server',
    kind: 'implicit',
    when: 'a component\'s service account holds permissions',
    source: 'the component\'s pods',
    destination: `the API server: apiServer.cidrs, known to the mesh as ${API_SERVER_HOST}`,
    ports: 'apiServer.ports (TCP)',
    reason: 'a service account granted permissions uses them by calling the API server.',
    fix: `the component's NetworkPolicy allows apiServer.cidrs on apiServer.ports; the namespace Sidecar imports the kubernetes Service`,
    needs: apiServer,
  },
  {
    id: 'vault-agent',
    kind: 'implicit',
    when: 'a component reads secrets with secretDelivery: vault-agent',
    source: 'the component\'s pods (the injected Vault Agent)',
    destination: 'Vault (secretStore.vault.network), known to the mesh by the server\'s host',
    ports: 'the port of secretStore.vault.server (TCP)',
    reason: 'the Vault Agent the injector adds logs in to Vault with the pod\'s token and renders the secrets into files.',
    fix: `the component's NetworkPolicy, the Vault ServiceEntry or Sidecar host come from secretStore.vault (server, network)`,
    needs: vaultAgent,
  },
  {
    id: 'vault-csi',
    kind: 'implicit',
    when: 'a component reads secrets with secretDelivery: csi',
    source: 'the Secrets Store CSI driver\'s Vault provider, on the node',
    destination: 'Vault',
    ports: 'the port of secretStore.vault.server',
    reason: 'the CSI driver\'s Vault provider fetches the secrets itself, from the node, with a token of the pod\'s service account: '
      + 'no policy of the environment governs that flow, and the pod itself needs none.',
    fix: 'nothing of the environment governs it: allow it where the CSI provider runs',
    needs: vaultCsi,
  },
  {
    id: 'ingress-gateway',
    kind: 'implicit',
    when: 'a component has a public host',
    source: 'the ingress gateway pods (mesh.ingressGateway: labels, service account)',
    destination: 'the component\'s pods',
    ports: 'the component\'s container port (TCP)',
    reason: 'the ingress gateway terminates TLS for the public host and forwards each request to the component.',
    fix: `the component's NetworkPolicy and AuthorizationPolicy admit mesh.ingressGateway (labels, serviceAccount) for a component with a host`,
    needs: ingressGateway,
  },
  {
    id: 'egress-gateway',
    kind: 'implicit',
    when: 'a component depends on an external endpoint with hosts and protocol TLS or HTTPS',
    source: 'the component\'s pods',
    destination: 'the egress gateway pods (mesh.egressGateway), then the endpoint\'s hosts by their ServiceEntry',
    ports: 'mesh.egressGateway.port to the gateway; the endpoint\'s ports to the hosts',
    reason: 'TLS to a host outside the cluster leaves through the egress gateway, routed by SNI, so that egress is seen in one place.',
    fix: 'the component\'s NetworkPolicy allows mesh.egressGateway (labels, port); '
      + 'the endpoint\'s ServiceEntry and egress route come from externalEndpoints',
    needs: egressGateway,
  },
  {
    id: 'trace-export',
    kind: 'implicit',
    when: 'tracing is on: every component',
    source: 'the component\'s pods (its OpenTelemetry SDK)',
    destination: 'the trace collector (tracing.collector), through its Service',
    ports: `TCP ${COLLECTOR_PORTS.http} (OTLP/HTTP)`,
    reason: 'each component sends its spans to the collector named by OTEL_EXPORTER_OTLP_ENDPOINT, which the platform sets.',
    fix: 'the component\'s NetworkPolicy allows the collector\'s pods; the collector\'s NetworkPolicy and AuthorizationPolicy admit every component',
    needs: traceExport,
  },
  {
    id: 'proxy-spans',
    kind: 'implicit',
    when: 'tracing is on: every component',
    source: 'the component\'s pods (its Istio sidecar)',
    destination: 'the trace collector (tracing.collector), through its Service',
    ports: `TCP ${COLLECTOR_PORTS.grpc} (OTLP/gRPC)`,
    reason: 'each sidecar reports the spans of the requests it sees to the environment\'s Istio extension provider, the collector, '
      + 'at the rate the namespace\'s Telemetry sets.',
    fix: 'the component\'s NetworkPolicy allows the collector\'s pods; the collector\'s NetworkPolicy and AuthorizationPolicy admit every component',
    needs: proxySpans,
  },
  {
    id: 'trace-store',
    kind: 'implicit',
    when: 'tracing is on',
    source: 'the trace collector\'s pods',
    destination: 'Jaeger: tracing.jaeger.service (its pods and Service) or tracing.jaeger.endpoint (an external endpoint)',
    ports: 'tracing.jaeger.port (TCP, OTLP/gRPC)',
    reason: 'the collector exports every span it receives to Jaeger v2, which stores them.',
    fix: 'the collector\'s NetworkPolicy comes from tracing.jaeger; the namespace Sidecar imports Jaeger\'s Service, or its ServiceEntry lets it out',
    needs: collectorExport,
  },
  {
    id: 'metrics-scrape',
    kind: 'implicit',
    when: 'the environment has monitoring and the component serves metrics of its own (its catalog entry\'s metrics)',
    source: 'Prometheus (monitoring.namespace, monitoring.prometheus: podLabels, serviceAccount)',
    destination: 'the component\'s pods, through its Service (a ServiceMonitor)',
    ports: 'the component\'s metrics port (TCP), over mTLS with Prometheus\' Istio certificate',
    reason: 'Prometheus scrapes the component\'s own metrics on their port, and on no other.',
    fix: 'the metrics area adds the flow (Area.flows): the component\'s NetworkPolicy and AuthorizationPolicy admit monitoring.prometheus '
      + 'on its metrics port',
    needs: inboundFlowsOf('metrics-scrape'),
  },
  {
    id: 'sidecar-metrics-scrape',
    kind: 'implicit',
    when: 'the environment has monitoring, for every component',
    source: 'Prometheus (monitoring.namespace, monitoring.prometheus: podLabels)',
    destination: 'the component\'s pods (a PodMonitor), the sidecar\'s own port, which it serves outside its interception',
    ports: 'TCP 15090 (http-envoy-prom: Envoy\'s /stats/prometheus, Istio\'s standard metrics)',
    reason: 'Prometheus scrapes Istio\'s standard metrics (istio_requests_total, …), on which the SLIs are built, from each sidecar; '
      + 'no AuthorizationPolicy sees that port, so the NetworkPolicy admits Prometheus\' pods only.',
    fix: 'the metrics area adds the flow (Area.flows): the component\'s NetworkPolicy admits monitoring.prometheus.podLabels on 15090',
    needs: inboundFlowsOf('sidecar-metrics-scrape'),
  },
  {
    id: 'callers',
    kind: 'declared',
    when: 'a component lists callers from other namespaces (components.<name>.callers), or an area contributes a flow into it '
      + '(Area.flows: a metrics scrape, a telemetry export)',
    source: 'the caller\'s pods (namespace, podLabels, serviceAccount)',
    destination: 'the component\'s pods',
    ports: 'the component\'s container port (TCP)',
    reason: 'a caller outside the environment\'s namespace, with the reason the overlay or the area gives.',
    fix: `the component's NetworkPolicy and AuthorizationPolicy admit each of its inbound flows (components.<name>.callers, Area.flows)`,
    needs: inboundCallers,
  },
  {
    id: 'rollouts-analysis',
    kind: 'implicit',
    when: 'a component has delivery (Argo Rollouts)',
    source: `the Argo Rollouts controller (${ROLLOUTS_CONTROLLER.namespace}/${ROLLOUTS_CONTROLLER.serviceAccount}, as its install manifest runs it)`,
    destination: 'Prometheus (monitoring.namespace, monitoring.prometheus.podLabels)',
    ports: 'the port of monitoring.prometheus.url (TCP)',
    reason: 'the controller measures each new version by asking Prometheus for its SLIs; a failed analysis aborts the rollout. '
      + 'Both ends run outside the environment, so none of its policies governs the flow; the canary\'s own requests are the component\'s '
      + '(same pods, same labels, same policies).',
    fix: 'nothing of the environment governs it: allow it where the controller and Prometheus run (their namespaces\' policies)',
    needs: rolloutsAnalysis,
  },
];

/** Every need of an environment, in table order. */
export function neededFlows(model: PlatformModel, rules: readonly FlowRule[] = FLOW_RULES): Need[] {
  return rules.flatMap((r) => r.needs(model));
}
