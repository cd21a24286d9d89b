import { ALL_CHECKS } from '../checks';
import { Waiver } from '../checks/waivers';
import { COMPONENT_CATALOG, COMPONENT_NAMES, ComponentDefinition, ComponentName } from '../config/catalog';
import { didYouMean, Problem } from '../config/errors';
import { formatPath, LoadedOverlay } from '../config/load-overlay';
import {
  ApiServerConfig, ClusterConfig, ComponentOverlay, ControlPlaneConfig, ExternalEndpoint, GitopsConfig, MonitoringConfig, Overlay, Permission,
  AlertingConfig, DashboardsConfig, PolicyConfig, PriorityClassName, ResolvedResources, SecretDelivery, SecretReference, Traffic,
} from '../config/overlay-schema';
import { Path } from '../config/schema-types';
import { PLATFORM_FOLDERS, tenantFolder } from '../manifest/layout';
import { RESERVED_FOLDERS } from '../manifest/output-kind';
import { byCodePoint } from '../util/order';
import { alertingNeedsMonitoring, alertOwnersAreComponents, alertRoutesResolve, burnRatesReachable } from './alerting-rules';
import { serverKey } from './cluster-server';
import { dashboardsNamespaceNotOwn, dashboardsNeedMonitoring } from './dashboards-rules';
import {
  analysesSpanIntervals, blueGreenHasAService, canaryIsAnalysed, canaryStepsDoOneThing, deliveryHasPods, deliveryKeysFitStrategy,
  deliveryNeedsMonitoring, DeliveryModel, deliveryOf, podsDuringRollout,
} from './delivery';
import { egressGatewayHostsHaveOnePort } from './egress-rules';
import {
  callsVaultFromPod, grantsReachApiServer, repositoryOf, VaultEndpoint, vaultAgentImageProblems, vaultAgentReachesVault, vaultEndpointOf,
  vaultNetworkIsOneOf,
} from './platform-endpoints';
import { cpuMillis, formatCpu, formatMemory, memoryBytes } from './quantity';
import { componentResources, LimitRangeModel, limitRangeOf, QuotaModel, quotaOf } from './resources';
import {
  COLLECTOR_NAME, collectorImageProblems, collectorResourcesFit, jaegerIsKnown, TracingModel, tracingModelOf, tracingSettings, tracingSettingsOwned,
} from './tracing';

/** One component as an environment runs it: catalog facts plus overlay sizing, edges resolved. */
export interface ComponentModel {
  readonly name: string;
  /** Catalog entry the component is an instance of. */
  readonly kind: ComponentName;
  readonly definition: ComponentDefinition;
  readonly image: string;
  /** Tag or digest, used as `app.kubernetes.io/version`. */
  readonly version: string;
  readonly replicas: number;
  /** Requests and limits of its container, ephemeral storage resolved (its own, or the LimitRange default). */
  readonly resources: { readonly requests: ResolvedResources; readonly limits: ResolvedResources };
  readonly host?: string;
  readonly config: Readonly<Record<string, string>>;
  /** Components this one calls, sorted. */
  readonly dependsOn: readonly string[];
  /** External endpoints this one calls, sorted by name. */
  readonly externalDependencies: readonly ExternalEndpointModel[];
  /** Components that call this one, sorted. */
  readonly calledBy: readonly string[];
  /**
   * Workloads of other namespaces that call this one on its service port, each with the reason:
   * the ingress gateway for a public host, the overlay's `callers`, and what areas add
   * (`Area.flows`, see withFlows).
   */
  readonly inboundFlows: readonly InboundFlow[];
  readonly permissions: readonly Permission[];
  readonly autoscaling?: { readonly minReplicas: number; readonly maxReplicas: number; readonly targetCPUUtilization: number };
  readonly priorityClass: PriorityClassName;
  /** Sorted by name. */
  readonly secrets: readonly (SecretReference & { readonly name: string })[];
  readonly secretDelivery: SecretDelivery;
  readonly traffic: Traffic;
  /** Progressive delivery by Argo Rollouts (a Rollout instead of the Deployment); undefined: a Deployment. */
  readonly delivery?: DeliveryModel;
  /** Its service-level objectives (its own, or monitoring.slo's); only when the environment has monitoring. */
  readonly slo?: SloModel;
}

/** A component's service-level objectives, every target resolved. */
export interface SloModel {
  /** Share of requests (%) answered without a 5xx. */
  readonly availability: number;
  /** Target % of requests faster than thresholdMs, a bucket bound of istio_request_duration_milliseconds. */
  readonly latency: { readonly thresholdMs: number; readonly target: number };
}

/** The Prometheus that scrapes the environment, and what its monitors and rules carry (overlay `monitoring`, defaults applied). */
export type MonitoringModel = MonitoringConfig;

/** A caller from another namespace: its pods (for the NetworkPolicy) and identity (for the mesh). */
export interface InboundFlow {
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
  /** Why the flow is needed, for people reading the policy and the reports. */
  readonly reason: string;
  /**
   * The container port it calls, when not the component's service port (a metrics scrape calls the metrics port only).
   * @default the component's port
   */
  readonly port?: number;
  /**
   * false: the port is the sidecar's own (its stats on 15090), outside the proxy's interception, so
   * no AuthorizationPolicy sees the flow and only the NetworkPolicy admits it. @default true
   */
  readonly mesh?: boolean;
  /** The row of the needed-flows table (FLOW_RULES) that explains it. @default callers */
  readonly rule?: string;
}


/** A flow an area needs into a component (a metrics scrape, say). */
export interface ContributedFlow extends InboundFlow {
  /** The component called. */
  readonly to: string;
}

/**
 * The model with the flows areas need: each becomes an inbound flow of its component, so that the
 * NetworkPolicy and the AuthorizationPolicy built from the model allow it, and nothing else does.
 * A flow into a component the environment does not run is an error of the area that asked for it.
 */
export function withFlows(model: PlatformModel, flows: readonly ContributedFlow[]): PlatformModel {
  if (flows.length === 0) return model;
  const byComponent = new Map<string, InboundFlow[]>();
  for (const { to, ...flow } of flows) {
    if (!model.components.some((c) => c.name === to)) {
      throw new Error(`a flow into ${JSON.stringify(to)} (${flow.reason}): ${model.environment} runs no such component`);
    }
    byComponent.set(to, [...(byComponent.get(to) ?? []), flow]);
  }
  return {
    ...model,
    components: model.components.map((c) => byComponent.has(c.name) ? { ...c, inboundFlows: [...c.inboundFlows, ...byComponent.get(c.name)!] } : c),
  };
}

export interface ExternalEndpointModel extends ExternalEndpoint {
  readonly name: string;
}

/** The resolved platform of one environment: what every later stage consumes. */
export interface PlatformModel {
  readonly environment: string;
  /** Version of Bulwark itself (package.json), used for platform-owned objects. */
  readonly platformVersion: string;
  readonly namespace: string;
  readonly podSecurityVersion: string;
  /** Ephemeral storage resolved (the overlay's, or room for quota.pods at the LimitRange defaults). */
  readonly quota: QuotaModel;
  /** Its defaults' ephemeral storage resolved. */
  readonly limitRange: LimitRangeModel;
  readonly dns: Overlay['dns'];
  readonly secretStore: Overlay['secretStore'];
  /** Vault as the pods that call it themselves (Vault Agent) reach it; undefined when no pod does. */
  readonly vault?: VaultEndpoint;
  readonly certificates: Overlay['certificates'];
  readonly mesh: Overlay['mesh'];
  readonly priorityClasses: Overlay['priorityClasses'];
  /** Sorted by name. */
  readonly externalEndpoints: readonly ExternalEndpointModel[];
  /** Sorted by name; each with its namespace resolved. */
  readonly tenants: readonly (Omit<Overlay['tenants'][number], 'quota'> & { readonly namespace: string; readonly quota: QuotaModel })[];
  /** Sorted by name. */
  readonly components: readonly ComponentModel[];
  /** Cluster-time guardrails, with the allowed registries resolved. */
  readonly policy: PolicyModel;
  readonly controlPlane: ControlPlaneConfig;
  /** Where the API server's endpoints listen; the pods of components with permissions, and only they, reach it. */
  readonly apiServer: ApiServerConfig;
  /** GitOps delivery by Argo CD (repository, branch, Argo CD's namespace, sync policy), defaults applied. */
  readonly gitops: GitopsConfig;
  /** The clusters the environment is delivered to, sorted by name; names and servers unique. */
  readonly clusters: readonly ClusterConfig[];
  /** The trace pipeline (collector, Jaeger, sampling); undefined when the overlay has no `tracing` (no tracing objects). */
  readonly tracing?: TracingModel;
  /** Prometheus and the platform's monitors; undefined when the overlay has no `monitoring` (no monitoring objects). */
  readonly monitoring?: MonitoringModel;
  /** Alert thresholds, receivers and routes (overlay `alerting`, defaults applied); undefined without it (no alerting objects). */
  readonly alerting?: AlertingConfig;
  /** Where the Grafana dashboards go; undefined when the overlay has no `dashboards` (no dashboard objects). */
  readonly dashboards?: DashboardsModel;
  /** The check findings the overlay accepts, each with the place it is written (`overlays/prod.yaml:12`). */
  readonly waivers: readonly Waiver[];
}

/** The overlay's `dashboards`, defaults applied. */
export interface DashboardsModel {
  /** The namespace of the dashboard ConfigMaps: dashboards.namespace, else monitoring.namespace. */
  readonly namespace: string;
  /** The Grafana folder they go into (their grafana_folder annotation). @default the sidecar's own folder */
  readonly folder?: string;
}

export interface PolicyModel extends Omit<PolicyConfig, 'allowedRegistries'> {
  /** Sorted; the overlay's list, or the repositories of its own images. */
  readonly allowedRegistries: readonly string[];
  /** The namespaces this environment owns (platform namespace, then tenants), sorted. */
  readonly namespaces: readonly string[];
}

/** What a model build yields: the model, or (and only then) the problems that prevent it. */
export type ModelResult =
  | { readonly model: PlatformModel; readonly problems: readonly [] }
  | { readonly model?: undefined; readonly problems: readonly Problem[] };

/**
 * Checks the rules (`MODEL_RULES`) and resolves the model of one environment. Problems are
 * returned, every one of them (sorted by their place in the file), never thrown: the caller
 * decides how to report them.
 */
export function buildModel(loaded: LoadedOverlay, platformVersion: string): ModelResult {
  const problems = modelProblems(loaded);
  if (problems.length > 0) return { problems };
  const waivers = loaded.overlay.waivers.map((w, i): Waiver => ({ ...w, source: `${loaded.file}:${loaded.locate(['waivers', i])?.line ?? 1}` }));
  return { model: { ...resolveModel(loaded.overlay, platformVersion), waivers }, problems: [] };
}

/** Every rule violation of an overlay that passed its schema, in file order. */
export function modelProblems(loaded: LoadedOverlay): Problem[] {
  const { overlay } = loaded;
  const input: RuleInput = {
    overlay,
    components: sortedComponents(overlay),
    problem: (keyPath, text, atKey = false) => ({ file: loaded.file, position: loaded.locate(keyPath, atKey), path: formatPath(keyPath), ...text }),
  };
  const problems = MODEL_RULES.flatMap((rule) => rule(input));
  const order = (p: Problem): number => (p.position ? p.position.line * 1e6 + p.position.column : 0);
  return problems.sort((a, b) => order(a) - order(b));
}

/** Every part of an error line but its place: what is wrong, what was received, what is allowed, the fix. */
export type ProblemText = Required<Pick<Problem, 'message' | 'received' | 'allowed' | 'fix'>>;

/** What a rule reads: the validated overlay, its components sorted by name, and how to place a problem. */
export interface RuleInput {
  readonly overlay: Overlay;
  readonly components: readonly ComponentEntry[];
  /** A problem at `keyPath` of the overlay (at its key with `atKey`), with its file and position. */
  problem(keyPath: Path, text: ProblemText, atKey?: boolean): Problem;
}

type ComponentEntry = readonly [name: string, component: ComponentOverlay];

/** A rule a schema cannot express (it spans fields or files); returns its problems, none when it holds. */
export type ModelRule = (input: RuleInput) => Problem[];

/** Every rule of the model; each is independent of the others, their problems are sorted by place. */
export const MODEL_RULES: readonly ModelRule[] = [
  knownKinds,
  noReservedFolderNames,
  noFolderOfATenant,
  dependenciesExist,
  secretAccessHasReason,
  replicasOrAutoscaling,
  autoscalingBounds,
  requestsWithinLimits,
  limitsWithinLimitRange,
  injectedContainersFit,
  uniqueHosts,
  storeHasItsSettings,
  issuerHasItsSettings,
  vaultDeliveryNeedsVault,
  vaultAgentReachesVault,
  vaultNetworkIsOneOf,
  vaultAgentImageAllowed,
  grantsReachApiServer,
  callersFromOutside,
  envVarsSetOnce,
  prioritiesDescend,
  endpointsHaveAddresses,
  egressGatewayHostsHaveOnePort,
  uniqueTenants,
  tenantNamespacesFit,
  quotaHoldsComponents,
  imagesFromAllowedRegistries,
  ownNamespacesGuarded,
  encryptionHasItsSettings,
  uniqueClusters,
  gitopsNamespaceNotOwn,
  sidecarsNeedCni,
  jaegerIsKnown,
  tracingSettingsOwned,
  collectorImageAllowed,
  collectorResourcesFit,
  sloNeedsMonitoring,
  canaryStepsDoOneThing,
  deliveryKeysFitStrategy,
  canaryIsAnalysed,
  analysesSpanIntervals,
  deliveryNeedsMonitoring,
  blueGreenHasAService,
  deliveryHasPods,
  monitoringNamespaceNotOwn,
  alertingNeedsMonitoring,
  alertOwnersAreComponents,
  alertRoutesResolve,
  burnRatesReachable,
  dashboardsNeedMonitoring,
  dashboardsNamespaceNotOwn,
  waiversNameChecks,
  replicasMeetPolicyMinimum,
];

/** What the replica-minimum rule would deny, the overlay refuses first: a component with fewer replicas than policy.minReplicas. */
function replicasMeetPolicyMinimum({ overlay, components, problem }: RuleInput): Problem[] {
  const min = overlay.policy.minReplicas;
  return components.flatMap(([name, c]) => {
    const [field, count] = c.autoscaling ? [['autoscaling', 'minReplicas'], c.autoscaling.minReplicas] : [['replicas'], c.replicas ?? 1];
    // Zero is a component switched off on purpose: nothing runs, nothing to keep available.
    return count >= min || count === 0 ? [] : [problem(['components', name, ...field], {
      message: `fewer replicas than policy.minReplicas, the cluster policy would reject the component's ${c.autoscaling ? 'autoscaler' : 'workload'}`,
      received: String(count),
      allowed: `${min} or more`,
      fix: `set ${field.join('.')}: ${min}, or lower policy.minReplicas`,
    })];
  });
}

const CHECK_IDS: readonly string[] = ALL_CHECKS.map((c) => c.id);

/** A waiver names a check that exists. */
function waiversNameChecks({ overlay, problem }: RuleInput): Problem[] {
  return overlay.waivers.flatMap((w, i) => {
    if (CHECK_IDS.includes(w.check)) return [];
    const suggestion = didYouMean(w.check, CHECK_IDS);
    return [problem(['waivers', i, 'check'], {
      message: 'unknown check',
      received: JSON.stringify(w.check),
      allowed: 'a check id of the README\'s check table',
      fix: suggestion ? `did you mean ${JSON.stringify(suggestion)}?` : 'name one of the checks listed in the README',
    })];
  });
}

function sortedComponents(overlay: Overlay): ComponentEntry[] {
  return (Object.entries(overlay.components) as [string, ComponentOverlay][]).sort(([a], [b]) => byCodePoint(a, b));
}

/** A component is a catalog entry: by its name, or by `kind`. */
function knownKinds({ components, problem }: RuleInput): Problem[] {
  return components.filter(([name, c]) => kindOf(name, c) === undefined).map(([name]) => {
    const suggestion = didYouMean(name, COMPONENT_NAMES);
    return problem(['components', name], {
      message: 'unknown component',
      received: JSON.stringify(name),
      allowed: `one of ${COMPONENT_NAMES.join(', ')}, or any name with kind: <one of those>`,
      fix: suggestion ? `did you mean "${suggestion}"?` : `add kind: <one of ${COMPONENT_NAMES.join(', ')}>`,
    }, true);
  });
}

const PLATFORM_FOLDER_NAMES: ReadonlySet<string> = new Set(Object.values(PLATFORM_FOLDERS));

/**
 * dist/<env>/control-plane/, report/ and argocd/ hold files of other kinds (OUTPUT_FOLDERS), and the platform's own
 * charts (baseline, security, gatekeeper, …) have folders of their own: no component or tenant
 * folder may take their name, or two charts would share one folder and one subchart.
 */
function noReservedFolderNames({ overlay, components, problem }: RuleInput): Problem[] {
  const reserved = [...RESERVED_FOLDERS, ...PLATFORM_FOLDER_NAMES].sort().join(', ');
  const taken = (name: string): string | undefined => RESERVED_FOLDERS.has(name)
    ? 'reserved for files of another kind'
    : PLATFORM_FOLDER_NAMES.has(name) ? 'the folder of the platform\'s own chart of that name' : undefined;
  const named = components.filter(([name]) => taken(name) !== undefined).map(([name, c]) => problem(['components', name], {
    message: `the component's folder dist/<env>/${name}/ is ${taken(name)}`,
    received: JSON.stringify(name),
    allowed: `any component name but ${reserved}`,
    fix: `rename it, e.g. ${name}-service${c.kind ? '' : ', with kind: <catalog entry>'}`,
  }, true));
  const tenants = overlay.tenants.flatMap((tn, i) => taken(tenantFolder(tn.name)) !== undefined ? [problem(['tenants', i, 'name'], {
    message: `the tenant's folder dist/<env>/${tenantFolder(tn.name)}/ is ${taken(tenantFolder(tn.name))}`,
    received: JSON.stringify(tn.name),
    allowed: `a name whose folder ${tenantFolder('<name>')} is none of ${reserved}`,
    fix: 'rename the tenant',
  })] : []);
  return [...named, ...tenants];
}

/** A component's folder is not a tenant's (`tenant-<name>`): their objects would mix in one subchart. */
function noFolderOfATenant({ overlay, components, problem }: RuleInput): Problem[] {
  const tenants = new Map(overlay.tenants.map((tn) => [tenantFolder(tn.name), tn.name]));
  return components.filter(([name]) => tenants.has(name)).map(([name]) => problem(['components', name], {
    message: `the component's folder dist/<env>/${name}/ is the folder of tenant ${tenants.get(name)}`,
    received: JSON.stringify(name),
    allowed: `a name other than ${tenantFolder('<tenant>')} for every tenant`,
    fix: 'rename the component or the tenant',
  }, true));
}

/** A dependency is another deployed component or an external endpoint. */
function dependenciesExist({ overlay, components, problem }: RuleInput): Problem[] {
  const deployed = new Set(components.map(([name]) => name));
  return components.flatMap(([name, c]) => c.dependsOn.flatMap((dep, i): Problem[] => {
    const at = ['components', name, 'dependsOn', i];
    if (dep === name) {
      return [problem(at, {
        message: 'component depends on itself',
        received: JSON.stringify(dep),
        allowed: 'other deployed components or external endpoints',
        fix: 'remove it',
      })];
    }
    if (deployed.has(dep) || dep in overlay.externalEndpoints) return [];
    const candidates = [...[...deployed].filter((d) => d !== name), ...Object.keys(overlay.externalEndpoints)].sort();
    const suggestion = didYouMean(dep, candidates);
    return [problem(at, {
      message: `depends on "${dep}", which is neither a component this environment deploys nor an external endpoint`,
      received: JSON.stringify(dep),
      allowed: candidates.join(', ') || 'nothing',
      fix: suggestion ? `did you mean "${suggestion}"?` : `add components.${dep} or externalEndpoints.${dep}, or remove the dependency`,
    })];
  }));
}

function secretAccessHasReason({ components, problem }: RuleInput): Problem[] {
  return components.flatMap(([name, c]) => c.permissions.flatMap((p, i) => p.resources.includes('secrets') && p.reason === undefined
    ? [problem(['components', name, 'permissions', i, 'resources'], {
        message: 'access to secrets needs a reason',
        received: JSON.stringify(p.resources),
        allowed: 'secrets only together with reason',
        fix: 'add reason: <why this component reads secrets>, or drop secrets',
      })]
    : []));
}

function replicasOrAutoscaling({ components, problem }: RuleInput): Problem[] {
  return components.filter(([, c]) => c.autoscaling && c.replicas !== undefined).map(([name, c]) => problem(['components', name, 'replicas'], {
    message: 'replicas and autoscaling are both set; the autoscaler owns the replica count',
    received: String(c.replicas),
    allowed: 'replicas or autoscaling, not both',
    fix: 'remove replicas',
  }));
}

function autoscalingBounds({ components, problem }: RuleInput): Problem[] {
  return components.flatMap(([name, c]) => c.autoscaling && c.autoscaling.minReplicas > c.autoscaling.maxReplicas
    ? [problem(['components', name, 'autoscaling', 'minReplicas'], {
        message: 'minReplicas is above maxReplicas',
        received: String(c.autoscaling.minReplicas),
        allowed: `at most ${c.autoscaling.maxReplicas}`,
        fix: 'lower minReplicas or raise maxReplicas',
      })]
    : []);
}

const RESOURCES = ['cpu', 'memory'] as const;
/** With ephemeral storage: what requests, limits and quotas bound (a LimitRange max bounds cpu and memory only). */
const BOUNDED = [...RESOURCES, 'ephemeral-storage'] as const;
type Bounded = (typeof BOUNDED)[number];
const amountOf = (resource: Bounded): ((quantity: string) => number) => (resource === 'cpu' ? cpuMillis : memoryBytes);

function requestsWithinLimits({ overlay, components, problem }: RuleInput): Problem[] {
  const limitRange = limitRangeOf(overlay);
  return components.flatMap(([name, c]) => BOUNDED.flatMap((resource) => {
    const resources = componentResources(c, limitRange);
    const request = resources.requests[resource];
    const limit = resources.limits[resource];
    return amountOf(resource)(request) > amountOf(resource)(limit)
      ? [problem(['components', name, 'resources', 'requests', resource], {
          message: `${resource} request is above its limit`,
          received: JSON.stringify(request),
          allowed: `at most the limit ${JSON.stringify(limit)}`,
          fix: 'raise the limit or lower the request',
        })]
      : [];
  }));
}

function limitsWithinLimitRange({ overlay, components, problem }: RuleInput): Problem[] {
  return components.flatMap(([name, c]) => RESOURCES.flatMap((resource) => {
    const limit = c.resources.limits[resource];
    const max = overlay.limitRange.max[resource];
    return amountOf(resource)(limit) > amountOf(resource)(max)
      ? [problem(['components', name, 'resources', 'limits', resource], {
          message: `${resource} limit is above the namespace LimitRange max, the pod would be rejected`,
          received: JSON.stringify(limit),
          allowed: `at most ${JSON.stringify(max)}`,
          fix: 'lower the limit or raise limitRange.max',
        })]
      : [];
  }));
}

/** The containers Istio's injector adds to every pod (mesh.proxy), by the overlay key that sizes each. */
const INJECTED_CONTAINERS = [
  { key: 'resources', container: 'istio-proxy' },
  { key: 'initResources', container: 'istio-validation' },
] as const;

/**
 * The injected containers are judged with the pod at admission: a request above its limit, or a
 * limit above the LimitRange max, rejects every pod of the environment.
 */
function injectedContainersFit({ overlay, problem }: RuleInput): Problem[] {
  return INJECTED_CONTAINERS.flatMap(({ key, container }) => {
    const { requests, limits } = overlay.mesh.proxy[key];
    const overRequest = BOUNDED.filter((resource) => amountOf(resource)(requests[resource]) > amountOf(resource)(limits[resource]))
      .map((resource) => problem(['mesh', 'proxy', key, 'requests', resource], {
        message: `the injected ${container} container's ${resource} request is above its limit, every pod would be rejected`,
        received: JSON.stringify(requests[resource]),
        allowed: `at most the limit ${JSON.stringify(limits[resource])}`,
        fix: `raise mesh.proxy.${key}.limits.${resource} or lower the request, and install istiod with the same values`,
      }));
    const overMax = RESOURCES.filter((resource) => amountOf(resource)(limits[resource]) > amountOf(resource)(overlay.limitRange.max[resource]))
      .map((resource) => problem(['mesh', 'proxy', key, 'limits', resource], {
        message: `the injected ${container} container's ${resource} limit is above the namespace LimitRange max, every pod would be rejected`,
        received: JSON.stringify(limits[resource]),
        allowed: `at most ${JSON.stringify(overlay.limitRange.max[resource])}`,
        fix: `lower mesh.proxy.${key}.limits.${resource} (and istiod's values to match) or raise limitRange.max.${resource}`,
      }));
    return [...overRequest, ...overMax];
  });
}

function uniqueHosts({ components, problem }: RuleInput): Problem[] {
  const owners = new Map<string, string>();
  return components.flatMap(([name, c]): Problem[] => {
    if (c.host === undefined) return [];
    const owner = owners.get(c.host);
    if (owner === undefined) {
      owners.set(c.host, name);
      return [];
    }
    return [problem(['components', name, 'host'], {
      message: `host is already used by ${owner}`,
      received: JSON.stringify(c.host),
      allowed: 'a hostname no other component uses',
      fix: 'give each component its own hostname',
    })];
  });
}

function storeHasItsSettings({ overlay, problem }: RuleInput): Problem[] {
  const store = overlay.secretStore;
  return store.provider === 'vault' && !store.vault
    ? [problem(['secretStore', 'provider'], {
        message: 'provider vault needs a vault section',
        received: JSON.stringify(store.provider),
        allowed: 'vault together with secretStore.vault (server, path, role), or fake',
        fix: 'add secretStore.vault',
      })]
    : [];
}

function issuerHasItsSettings({ overlay, problem }: RuleInput): Problem[] {
  const { issuer } = overlay.certificates;
  const needs = { acme: 'server and email', vault: 'server, path and role' } as const;
  if ((issuer !== 'acme' && issuer !== 'vault') || overlay.certificates[issuer]) return [];
  return [problem(['certificates', 'issuer'], {
    message: `issuer ${issuer} needs an ${issuer} section`,
    received: JSON.stringify(issuer),
    allowed: `${issuer} together with certificates.${issuer} (${needs[issuer]}), or self-signed`,
    fix: `add certificates.${issuer}`,
  })];
}

/** Vault Agent and the CSI driver read secrets from Vault itself. */
function vaultDeliveryNeedsVault({ overlay, components, problem }: RuleInput): Problem[] {
  const { provider } = overlay.secretStore;
  if (provider === 'vault') return [];
  const readingVault = components.filter(([, c]) => c.secretDelivery !== 'external-secrets' && Object.keys(c.secrets).length > 0);
  return readingVault.map(([name, c]) => problem(['components', name, 'secretDelivery'], {
    message: `${c.secretDelivery} reads secrets from Vault directly, but the secret store is ${provider}`,
    received: JSON.stringify(c.secretDelivery),
    allowed: 'external-secrets with a non-Vault store',
    fix: 'use secretDelivery: external-secrets or secretStore.provider: vault',
  }));
}

/**
 * A caller is a workload the platform does not run: one in the environment's own namespace is a
 * component (dependsOn), and a tenant's pods cannot leave their namespace (default deny, and the
 * tenant may not change network policy). Its pods are named, never the whole namespace.
 */
function callersFromOutside({ overlay, components, problem }: RuleInput): Problem[] {
  const own = ownNamespaces(overlay);
  return components.flatMap(([name, c]) => c.callers.flatMap((caller, i): Problem[] => {
    if (own.includes(caller.namespace)) {
      const tenant = caller.namespace !== overlay.namespace;
      return [problem(['components', name, 'callers', i, 'namespace'], {
        message: tenant
          ? 'the caller runs in a tenant\'s namespace, whose pods may not leave it (default deny; tenants do not change network policy)'
          : 'the caller runs in the environment\'s own namespace, where every workload is a component',
        received: JSON.stringify(caller.namespace),
        allowed: `a namespace other than ${own.join(', ')}`,
        fix: tenant ? 'run the caller outside the environment\'s namespaces' : `make it a component that lists ${name} in dependsOn`,
      })];
    }
    return Object.keys(caller.podLabels).length > 0 ? [] : [problem(['components', name, 'callers', i, 'podLabels'], {
      message: 'podLabels selects every pod of the caller\'s namespace',
      received: '{}',
      allowed: 'the labels of the caller\'s pods',
      fix: 'add them, e.g. { app: flagger-loadtester }',
    })];
  }));
}

/** A secret's environment variable must not shadow a setting or another secret's. */
function envVarsSetOnce({ components, problem }: RuleInput): Problem[] {
  return components.flatMap(([name, c]) => {
    const seen = new Map<string, string>();
    return Object.entries(c.secrets).flatMap(([secretName, ref]) => Object.keys(ref.env).flatMap((envName) => {
      const clash = envName in c.config ? 'config' : seen.get(envName);
      seen.set(envName, `secret ${secretName}`);
      return clash ? [problem(['components', name, 'secrets', secretName, 'env', envName], {
          message: `environment variable is also set by ${clash}`,
          received: JSON.stringify(envName),
          allowed: 'each variable set once',
          fix: 'rename one of them',
        })] : [];
    }));
  });
}

function prioritiesDescend({ overlay, problem }: RuleInput): Problem[] {
  const pc = overlay.priorityClasses;
  return pc['platform-critical'] > pc.workload && pc.workload > pc.batch
    ? []
    : [problem(['priorityClasses'], {
      message: 'priorities must descend: platform-critical > workload > batch',
      received: JSON.stringify(pc),
      allowed: 'three strictly descending values',
      fix: 'reorder the values',
    })];
}

function endpointsHaveAddresses({ overlay, problem }: RuleInput): Problem[] {
  const unaddressed = Object.entries(overlay.externalEndpoints).filter(([, ep]) => ep.hosts.length === 0 && ep.cidrs.length === 0);
  return unaddressed.map(([name]) => problem(['externalEndpoints', name], {
    message: 'external endpoint names no host and no address range',
    received: 'neither hosts nor cidrs',
    allowed: 'hosts and/or cidrs',
    fix: 'add hosts: [api.example.com] or cidrs: [10.0.0.0/16]',
  }));
}

function uniqueTenants({ overlay, problem }: RuleInput): Problem[] {
  const first = new Map<string, number>();
  return overlay.tenants.flatMap((tn, i): Problem[] => {
    const at = first.get(tn.name);
    if (at === undefined) {
      first.set(tn.name, i);
      return [];
    }
    return [problem(['tenants', i, 'name'], {
      message: 'tenant is declared twice',
      received: JSON.stringify(tn.name),
      allowed: 'unique tenant names',
      fix: `remove it or rename it: tenants[${at}] has this name`,
    })];
  });
}

function tenantNamespacesFit({ overlay, problem }: RuleInput): Problem[] {
  const room = 63 - overlay.namespace.length - 1;
  return overlay.tenants.flatMap((tn, i) => tn.name.length > room
    ? [problem(['tenants', i, 'name'], {
        message: `tenant namespace ${overlay.namespace}-${tn.name} is longer than 63 characters`,
        received: JSON.stringify(tn.name),
        allowed: `at most ${room} characters`,
        fix: 'shorten the tenant name or the namespace',
      })]
    : []);
}

/** One component's share of a quota: its most pods, and the amount each of them takes. */
interface Share {
  readonly name: string;
  readonly pods: number;
  readonly each?: string;
  readonly total: number;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Largest first. */
function bySize(shares: readonly Share[]): Share[] {
  return shares.filter((s) => s.total > 0).sort((a, b) => b.total - a.total || byCodePoint(a.name, b.name));
}

/** The largest shares, for a message: `frontend (40 pods × "500m"), backend (2 pods × "250m")`. */
function largestShares(shares: readonly Share[]): string {
  const sorted = bySize(shares);
  const shown = sorted.slice(0, 3).map((s) => `${s.name} (${plural(s.pods, 'pod')}${s.each === undefined ? '' : ` × ${JSON.stringify(s.each)}`})`);
  return sorted.length > shown.length ? `${shown.join(', ')} and ${sorted.length - shown.length} more` : shown.join(', ');
}

/** The largest share that is a component's (the injected proxy's is not one to resize here). */
function largestComponent(shares: readonly Share[]): string {
  return bySize(shares.filter((s) => s.name !== 'istio-proxy'))[0].name;
}

/** The namespace quota must hold every replica of every component (autoscalers at their maximum), or rollouts stall. */
/** The LimitRange field whose value a default quota multiplies. */
const DEFAULTS_OF = { requests: 'defaultRequest', limits: 'default' } as const;

function quotaHoldsComponents({ overlay, components, problem }: RuleInput): Problem[] {
  const problems: Problem[] = [];
  const limitRange = limitRangeOf(overlay);
  const namespaceQuota = quotaOf(overlay.quota, limitRange);
  // The trace collector's pods run in the namespace too (whether Bulwark or the operator creates them).
  const collector = overlay.tracing
    ? { name: COLLECTOR_NAME, pods: overlay.tracing.collector.replicas, resources: componentResources(overlay.tracing.collector, limitRange) }
    : undefined;
  const tooManyPods = components.reduce((sum, [name, c]) => sum + mostPods(overlay, name, c), collector?.pods ?? 0) > overlay.quota.pods;
  for (const scope of ['requests', 'limits'] as const) {
    for (const resource of BOUNDED) {
      // A default ephemeral quota is room for quota.pods: with too many pods, the pods' problem says it all.
      const defaulted = overlay.quota[scope][resource] === undefined;
      if (defaulted && tooManyPods) continue;
      const shares = components.map(([name, c]): Share => {
        const each = componentResources(c, limitRange)[scope][resource];
        return { name, pods: mostPods(overlay, name, c), each, total: mostPods(overlay, name, c) * amountOf(resource)(each) };
      });
      if (collector) {
        const each = collector.resources[scope][resource];
        shares.push({ name: collector.name, pods: collector.pods, each, total: collector.pods * amountOf(resource)(each) });
      }
      // Every pod also runs the injected istio-proxy (its init container ends before the pod runs).
      const proxy = overlay.mesh.proxy.resources[scope][resource];
      const pods = shares.reduce((sum, s) => sum + s.pods, 0);
      if (pods > 0) shares.push({ name: 'istio-proxy', pods, each: proxy, total: pods * amountOf(resource)(proxy) });
      const total = shares.reduce((sum, s) => sum + s.total, 0);
      const quota = namespaceQuota[scope][resource];
      if (total <= amountOf(resource)(quota)) continue;
      const needed = JSON.stringify(resource === 'cpu' ? formatCpu(total) : formatMemory(total));
      problems.push(problem(['quota', scope, resource], {
        message: `quota is smaller than the components' ${scope} (at their most replicas), the largest: ${largestShares(shares)}`,
        received: `${JSON.stringify(quota)}${defaulted ? ` (the default: quota.pods × limitRange.${DEFAULTS_OF[scope]})` : ''}`,
        allowed: `at least ${needed}`,
        fix: `raise quota.${scope}.${resource} to ${needed}, or lower the replicas or ${scope} of ${largestComponent(shares)}`,
      }));
    }
  }
  const pods = components.map(([name, c]): Share => ({ name, pods: mostPods(overlay, name, c), total: mostPods(overlay, name, c) }));
  if (collector) pods.push({ name: collector.name, pods: collector.pods, total: collector.pods });
  const total = pods.reduce((sum, s) => sum + s.total, 0);
  if (total > overlay.quota.pods) {
    problems.push(problem(['quota', 'pods'], {
      message: `quota allows fewer pods than the components run, the largest: ${largestShares(pods)}`,
      received: String(overlay.quota.pods),
      allowed: `at least ${total}`,
      fix: `raise quota.pods to ${total}, or lower the replicas of ${bySize(pods)[0].name}`,
    }));
  }
  return problems;
}

/** Where Istio's injected proxy comes from: every platform pod runs one. */
export const ISTIO_PROXY_REGISTRY = 'docker.io/istio/';

/**
 * The overlay's registries, or the repository of each image (everything up to its last "/"), the
 * proxy's and, when a pod runs Vault Agent, the agent image's.
 */
function allowedRegistriesOf(overlay: Overlay): readonly string[] {
  if (overlay.policy.allowedRegistries) return overlay.policy.allowedRegistries;
  const images = sortedComponents(overlay).map(([, c]) => repositoryOf(c.image));
  const agent = overlay.secretStore.vault && Object.values(overlay.components).some(callsVaultFromPod)
    ? [repositoryOf(overlay.secretStore.vault.agentImage)]
    : [];
  const collector = overlay.tracing ? [repositoryOf(overlay.tracing.collector.image)] : [];
  return [...new Set([...images.filter((r) => r !== ''), ISTIO_PROXY_REGISTRY, ...agent, ...collector])];
}

/** The Vault Agent containers the injector adds must pass the registry policy too. */
function vaultAgentImageAllowed(input: RuleInput): Problem[] {
  return vaultAgentImageProblems(input, allowedRegistriesOf(input.overlay));
}

/** The collector's pods must pass the registry policy too. */
function collectorImageAllowed(input: RuleInput): Problem[] {
  return collectorImageProblems(input, allowedRegistriesOf(input.overlay));
}

/** The platform must pass its own cluster policies. */
function imagesFromAllowedRegistries({ overlay, components, problem }: RuleInput): Problem[] {
  const registries = allowedRegistriesOf(overlay);
  return components.filter(([, c]) => !registries.some((r) => c.image.startsWith(r))).map(([name, c]) => problem(['components', name, 'image'], {
    message: 'image is not from an allowed registry, the cluster policy would reject the platform\'s own pods',
    received: JSON.stringify(c.image),
    allowed: registries.length > 0 ? `an image starting with ${registries.join(', ')}` : 'an image with a registry, such as ghcr.io/org/app:1.0.0',
    fix: 'add its registry to policy.allowedRegistries or use an allowed image',
  }));
}

function ownNamespacesGuarded({ overlay, problem }: RuleInput): Problem[] {
  if (overlay.policy.scope !== 'cluster') return [];
  const own = ownNamespaces(overlay);
  return overlay.policy.exemptNamespaces.flatMap((ns, i) => own.includes(ns)
    ? [problem(['policy', 'exemptNamespaces', i], {
        message: 'the environment\'s own namespace is exempt from its cluster policies',
        received: JSON.stringify(ns),
        allowed: 'system namespaces only',
        fix: `remove ${ns}`,
      })]
    : []);
}

/** KMS needs its plugin; aescbc takes no plugin settings. */
function encryptionHasItsSettings({ overlay, problem }: RuleInput): Problem[] {
  const { encryption } = overlay.controlPlane;
  if (encryption.provider === 'kms' && !encryption.kms) {
    return [problem(['controlPlane', 'encryption', 'provider'], {
      message: 'provider kms needs a kms section',
      received: JSON.stringify(encryption.provider),
      allowed: 'controlPlane.encryption.kms with name and endpoint',
      fix: 'add controlPlane.encryption.kms, or use provider: aescbc',
    })];
  }
  if (encryption.provider === 'aescbc' && encryption.kms) {
    return [problem(['controlPlane', 'encryption', 'kms'], {
      message: 'kms is set but the provider is aescbc',
      received: 'a kms section',
      allowed: 'kms only with provider: kms',
      fix: 'remove kms or set provider: kms',
    })];
  }
  return [];
}

/**
 * Each cluster once, by name and by server: two entries for one API server would be two
 * Applications fighting over the same objects.
 */
function uniqueClusters({ overlay, problem }: RuleInput): Problem[] {
  const problems: Problem[] = [];
  // Servers compare as the collision checks compare them: spellings of one URL are one server.
  const keys: Record<'name' | 'server', (c: ClusterConfig) => string> = { name: (c) => c.name, server: (c) => serverKey(c.server) };
  for (const field of ['name', 'server'] as const) {
    const first = new Map<string, number>();
    overlay.clusters.forEach((c, i) => {
      const key = keys[field](c);
      const at = first.get(key);
      if (at === undefined) {
        first.set(key, i);
        return;
      }
      const spelled = overlay.clusters[at].server === c.server ? '' : ` (${JSON.stringify(overlay.clusters[at].server)})`;
      problems.push(problem(['clusters', i, field], {
        message: `cluster ${field} is declared twice`,
        received: JSON.stringify(c[field]),
        allowed: `a ${field} no other cluster of the environment has`,
        fix: field === 'name' ? `rename it: clusters[${at}] has this name` : `remove it: clusters[${at}]${spelled} is this API server`,
      }));
    });
  }
  return problems;
}

/**
 * Argo CD's namespace holds the environment's AppProject and ApplicationSet, outside what the
 * environment's Applications manage: in one of the environment's own namespaces a sync could
 * change, or prune, the objects that drive it.
 */
function gitopsNamespaceNotOwn({ overlay, problem }: RuleInput): Problem[] {
  const own = ownNamespaces(overlay);
  const { namespace } = overlay.gitops;
  return own.includes(namespace)
    ? [problem(['gitops', 'namespace'], {
        message: 'Argo CD\'s namespace is one of the environment\'s own namespaces, which its Applications manage',
        received: JSON.stringify(namespace),
        allowed: `a namespace other than ${own.join(', ')}`,
        fix: 'use the namespace Argo CD runs in, e.g. argocd',
      })]
    : [];
}

/**
 * Every namespace of the platform enforces Pod Security restricted and injects Istio sidecars.
 * Without Istio's CNI node agent, injection adds the istio-init container, which needs NET_ADMIN
 * and NET_RAW and runs as root: restricted rejects it, so no pod would start.
 */
function sidecarsNeedCni({ overlay, problem }: RuleInput): Problem[] {
  return overlay.mesh.cni ? [] : [problem(['mesh', 'cni'], {
    message: 'without Istio\'s CNI node agent, sidecar injection adds istio-init (NET_ADMIN and NET_RAW, run as root), '
      + 'which Pod Security restricted, enforced in every namespace of the platform, rejects: no pod would start',
    received: 'false',
    allowed: 'true: Istio installed with its CNI node agent',
    fix: 'install Istio with the CNI node agent (istioctl install --set components.cni.enabled=true, or the istio/cni Helm chart) '
      + 'and set mesh.cni: true; ambient mode (no sidecars) is not what Bulwark renders, and Pod Security privileged is not offered',
  })];
}

/** SLOs are measured by the Prometheus of `monitoring`: without it nothing would record or alert on them. */
function sloNeedsMonitoring({ overlay, components, problem }: RuleInput): Problem[] {
  if (overlay.monitoring) return [];
  return components.filter(([, c]) => c.slo !== undefined).map(([name]) => problem(['components', name, 'slo'], {
    message: 'an SLO needs monitoring: without Prometheus nothing records or alerts on it',
    received: 'slo without monitoring',
    allowed: 'components.<name>.slo together with monitoring',
    fix: 'add monitoring: {prometheus: {serviceAccount, podLabels, url}}, or remove the slo',
  }, true));
}

/**
 * Prometheus scrapes from outside the environment: in one of its own namespaces it would sit under
 * the namespace's deny-all policies, and the environment's Applications would manage it.
 */
function monitoringNamespaceNotOwn({ overlay, problem }: RuleInput): Problem[] {
  if (!overlay.monitoring) return [];
  const own = ownNamespaces(overlay);
  const { namespace } = overlay.monitoring;
  return own.includes(namespace)
    ? [problem(['monitoring', 'namespace'], {
        message: 'Prometheus\' namespace is one of the environment\'s own namespaces',
        received: JSON.stringify(namespace),
        allowed: `a namespace other than ${own.join(', ')}`,
        fix: 'use the namespace Prometheus runs in, e.g. monitoring',
      })]
    : [];
}

/** A component's objectives: its own targets, each one it leaves out from monitoring.slo. */
function sloOf(monitoring: MonitoringConfig, c: ComponentOverlay): SloModel {
  const defaults = monitoring.slo;
  return {
    availability: c.slo?.availability ?? defaults.availability,
    latency: {
      thresholdMs: c.slo?.latency?.thresholdMs ?? defaults.latency.thresholdMs,
      target: c.slo?.latency?.target ?? defaults.latency.target,
    },
  };
}

/** The overlay's dashboards with their namespace resolved. */
function dashboardsOf(dashboards: DashboardsConfig, monitoring: MonitoringConfig): DashboardsModel {
  const namespace = dashboards.namespace ?? monitoring.namespace;
  return dashboards.folder === undefined ? { namespace } : { namespace, folder: dashboards.folder };
}

/** The platform namespace, then each tenant's. */
export function ownNamespaces(overlay: Overlay): string[] {
  return [overlay.namespace, ...overlay.tenants.map((tn) => `${overlay.namespace}-${tn.name}`)];
}

/** The model of an overlay every rule accepts. */
function resolveModel(overlay: Overlay, platformVersion: string): Omit<PlatformModel, 'waivers'> {
  const entries = sortedComponents(overlay);
  const deployed = new Set(entries.map(([name]) => name));
  const limitRange = limitRangeOf(overlay);
  // Who calls whom, indexed once (scanning every entry per component is quadratic in services).
  const callers = new Map<string, string[]>();
  for (const [caller, c] of entries) {
    for (const callee of new Set(c.dependsOn)) {
      const list = callers.get(callee);
      if (list) list.push(caller);
      else callers.set(callee, [caller]);
    }
  }
  const tracing = tracingModelOf(overlay, limitRange, imageVersion);
  const components = entries.map(([name, c]): ComponentModel => ({
    name,
    kind: kindOf(name, c)!,
    definition: COMPONENT_CATALOG[kindOf(name, c)!],
    image: c.image,
    version: imageVersion(c.image),
    replicas: c.autoscaling?.minReplicas ?? c.replicas ?? 1,
    resources: componentResources(c, limitRange),
    host: c.host,
    config: tracing ? { ...c.config, ...tracingSettings(tracing, name, overlay.environment) } : c.config,
    dependsOn: c.dependsOn.filter((d) => deployed.has(d)).sort(),
    externalDependencies: c.dependsOn.filter((d) => !deployed.has(d)).sort().map((d) => ({ name: d, ...overlay.externalEndpoints[d] })),
    calledBy: callers.get(name) ?? [],
    inboundFlows: [
      ...(c.host === undefined ? [] : [{
        namespace: overlay.mesh.namespace,
        podLabels: overlay.mesh.ingressGateway.labels,
        serviceAccount: overlay.mesh.ingressGateway.serviceAccount,
        reason: `the ingress gateway serves its public host ${c.host}`,
      }]),
      ...c.callers,
    ],
    permissions: c.permissions,
    autoscaling: c.autoscaling,
    priorityClass: c.priorityClass,
    secrets: Object.keys(c.secrets).sort().map((secretName) => ({ name: secretName, ...c.secrets[secretName] })),
    secretDelivery: c.secretDelivery,
    traffic: c.traffic,
    ...(overlay.monitoring ? { slo: sloOf(overlay.monitoring, c) } : {}),
    ...(c.delivery ? { delivery: deliveryOf(overlay, name, { ...c, delivery: c.delivery }) } : {}),
  }));
  return {
    environment: overlay.environment,
    platformVersion,
    namespace: overlay.namespace,
    podSecurityVersion: overlay.podSecurityVersion,
    quota: quotaOf(overlay.quota, limitRange),
    limitRange,
    dns: overlay.dns,
    secretStore: overlay.secretStore,
    vault: vaultEndpointOf(overlay),
    certificates: overlay.certificates,
    mesh: overlay.mesh,
    priorityClasses: overlay.priorityClasses,
    externalEndpoints: Object.keys(overlay.externalEndpoints).sort().map((n) => ({ name: n, ...overlay.externalEndpoints[n] })),
    tenants: [...overlay.tenants].sort((a, b) => byCodePoint(a.name, b.name))
      .map((tn) => ({ ...tn, namespace: `${overlay.namespace}-${tn.name}`, quota: quotaOf(tn.quota, limitRange) })),
    components,
    policy: {
      ...overlay.policy,
      allowedRegistries: [...allowedRegistriesOf(overlay)].sort(),
      namespaces: ownNamespaces(overlay).sort(),
    },
    controlPlane: overlay.controlPlane,
    apiServer: overlay.apiServer,
    gitops: overlay.gitops,
    clusters: [...overlay.clusters].sort((a, b) => byCodePoint(a.name, b.name)),
    ...(tracing ? { tracing } : {}),
    ...(overlay.monitoring ? { monitoring: overlay.monitoring } : {}),
    ...(overlay.alerting ? { alerting: overlay.alerting } : {}),
    ...(overlay.dashboards && overlay.monitoring ? { dashboards: dashboardsOf(overlay.dashboards, overlay.monitoring) } : {}),
  };
}

/** The catalog entry a component instantiates: its `kind`, or its own name when that is one. */
function kindOf(name: string, c: ComponentOverlay): ComponentName | undefined {
  return c.kind ?? ((COMPONENT_NAMES as readonly string[]).includes(name) ? (name as ComponentName) : undefined);
}

/** The most pods a component may run: its replicas, or the autoscaler's maximum; with delivery, the rollout's extra pods too. */
function mostPods(overlay: Overlay, name: string, c: ComponentOverlay): number {
  return podsDuringRollout(overlay, name, c, c.autoscaling?.maxReplicas ?? c.replicas ?? 1);
}

function imageVersion(image: string): string {
  const at = image.indexOf('@sha256:');
  if (at >= 0) return `sha256-${image.slice(at + 8, at + 20)}`;
  const last = image.slice(image.lastIndexOf('/') + 1);
  return last.slice(last.indexOf(':') + 1);
}
