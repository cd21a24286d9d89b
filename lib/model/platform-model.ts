import { COMPONENT_CATALOG, COMPONENT_NAMES, ComponentDefinition, ComponentName } from '../config/catalog';
import { ConfigError, didYouMean, Problem } from '../config/errors';
import { formatPath, LoadedOverlay } from '../config/load-overlay';
import { ComponentOverlay, ComputeResources, ControlPlaneConfig, ExternalEndpoint, Overlay, Permission, PolicyConfig, PriorityClassName, SecretDelivery, SecretReference, Traffic } from '../config/overlay-schema';
import { Path } from '../config/schema-types';
import { byCodePoint } from '../util/order';
import { cpuMillis, formatCpu, formatMemory, memoryBytes } from './quantity';

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
  readonly resources: { readonly requests: ComputeResources; readonly limits: ComputeResources };
  readonly host?: string;
  readonly config: Readonly<Record<string, string>>;
  /** Components this one calls, sorted. */
  readonly dependsOn: readonly string[];
  /** External endpoints this one calls, sorted by name. */
  readonly externalDependencies: readonly ExternalEndpointModel[];
  /** Components that call this one, sorted. */
  readonly calledBy: readonly string[];
  readonly permissions: readonly Permission[];
  readonly autoscaling?: { readonly minReplicas: number; readonly maxReplicas: number; readonly targetCPUUtilization: number };
  readonly priorityClass: PriorityClassName;
  /** Sorted by name. */
  readonly secrets: readonly (SecretReference & { readonly name: string })[];
  readonly secretDelivery: SecretDelivery;
  readonly traffic: Traffic;
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
  readonly quota: Overlay['quota'];
  readonly limitRange: Overlay['limitRange'];
  readonly dns: Overlay['dns'];
  readonly secretStore: Overlay['secretStore'];
  readonly certificates: Overlay['certificates'];
  readonly mesh: Overlay['mesh'];
  readonly priorityClasses: Overlay['priorityClasses'];
  /** Sorted by name. */
  readonly externalEndpoints: readonly ExternalEndpointModel[];
  /** Sorted by name; each with its namespace resolved. */
  readonly tenants: readonly (Overlay['tenants'][number] & { readonly namespace: string })[];
  /** Sorted by name. */
  readonly components: readonly ComponentModel[];
  /** Cluster-time guardrails, with the allowed registries resolved. */
  readonly policy: PolicyModel;
  readonly controlPlane: ControlPlaneConfig;
}

export interface PolicyModel extends Omit<PolicyConfig, 'allowedRegistries'> {
  /** Sorted; the overlay's list, or the repositories of its own images. */
  readonly allowedRegistries: readonly string[];
  /** The namespaces this environment owns (platform namespace, then tenants), sorted. */
  readonly namespaces: readonly string[];
}

/** Resolves cross-references and cross-field rules; throws ConfigError listing every problem. */
export function buildModel(loaded: LoadedOverlay, platformVersion: string): PlatformModel {
  const { overlay } = loaded;
  const problems: Problem[] = [];
  const report = (keyPath: Path, p: Omit<Problem, 'file' | 'path' | 'position'>, atKey = false): void => {
    problems.push({ file: loaded.file, position: loaded.locate(keyPath, atKey), path: formatPath(keyPath), ...p });
  };
  const entries = (Object.entries(overlay.components) as [string, ComponentOverlay][]).sort(([a], [b]) => byCodePoint(a, b));
  const deployed = new Set(entries.map(([name]) => name));
  const hosts = new Map<string, string>();

  for (const [name, c] of entries) {
    const base = ['components', name];
    if (kindOf(name, c) === undefined) {
      const suggestion = didYouMean(name, COMPONENT_NAMES);
      report(base, {
        message: 'unknown component',
        received: JSON.stringify(name),
        allowed: `one of ${COMPONENT_NAMES.join(', ')}, or any name with kind: <one of those>`,
        fix: suggestion ? `did you mean "${suggestion}"?` : `add kind: <one of ${COMPONENT_NAMES.join(', ')}>`,
      }, true);
    }
    c.dependsOn.forEach((dep, i) => {
      const at = [...base, 'dependsOn', i];
      if (dep === name) {
        report(at, { message: 'component depends on itself', received: JSON.stringify(dep), allowed: 'other deployed components or external endpoints', fix: 'remove it' });
      } else if (!deployed.has(dep) && !(dep in overlay.externalEndpoints)) {
        const candidates = [...[...deployed].filter((d) => d !== name), ...Object.keys(overlay.externalEndpoints)].sort();
        const suggestion = didYouMean(dep, candidates);
        report(at, {
          message: `depends on "${dep}", which is neither a component this environment deploys nor an external endpoint`,
          received: JSON.stringify(dep),
          allowed: candidates.join(', ') || 'nothing',
          fix: suggestion ? `did you mean "${suggestion}"?` : `add components.${dep} or externalEndpoints.${dep}, or remove the dependency`,
        });
      }
    });
    c.permissions.forEach((p, i) => {
      if (p.resources.includes('secrets') && p.reason === undefined) {
        report([...base, 'permissions', i, 'resources'], { message: 'access to secrets needs a reason', received: JSON.stringify(p.resources), allowed: 'secrets only together with reason', fix: 'add reason: <why this component reads secrets>, or drop secrets' });
      }
    });
    if (c.autoscaling) {
      if (c.replicas !== undefined) {
        report([...base, 'replicas'], { message: 'replicas and autoscaling are both set; the autoscaler owns the replica count', received: String(c.replicas), allowed: 'replicas or autoscaling, not both', fix: 'remove replicas' });
      }
      if (c.autoscaling.minReplicas > c.autoscaling.maxReplicas) {
        report([...base, 'autoscaling', 'minReplicas'], { message: 'minReplicas is above maxReplicas', received: String(c.autoscaling.minReplicas), allowed: `at most ${c.autoscaling.maxReplicas}` });
      }
    }
    for (const kind of ['cpu', 'memory'] as const) {
      const parse = kind === 'cpu' ? cpuMillis : memoryBytes;
      const request = c.resources.requests[kind];
      const limit = c.resources.limits[kind];
      if (parse(request) > parse(limit)) {
        report([...base, 'resources', 'requests', kind], { message: `${kind} request is above its limit`, received: JSON.stringify(request), allowed: `at most the limit ${JSON.stringify(limit)}`, fix: 'raise the limit or lower the request' });
      }
      const max = overlay.limitRange.max[kind];
      if (parse(limit) > parse(max)) {
        report([...base, 'resources', 'limits', kind], { message: `${kind} limit is above the namespace LimitRange max, the pod would be rejected`, received: JSON.stringify(limit), allowed: `at most ${JSON.stringify(max)}`, fix: 'lower the limit or raise limitRange.max' });
      }
    }
    if (c.host !== undefined) {
      const owner = hosts.get(c.host);
      if (owner) {
        report([...base, 'host'], { message: `host is already used by ${owner}`, received: JSON.stringify(c.host), allowed: 'a hostname no other component uses', fix: 'give each component its own hostname' });
      }
      hosts.set(c.host, name);
    }
  }
  checkSecrets(overlay, entries, report);
  const pc = overlay.priorityClasses;
  if (!(pc['platform-critical'] > pc.workload && pc.workload > pc.batch)) {
    report(['priorityClasses'], { message: 'priorities must descend: platform-critical > workload > batch', received: JSON.stringify(pc), allowed: 'three strictly descending values', fix: 'reorder the values' });
  }
  for (const [epName, ep] of Object.entries(overlay.externalEndpoints)) {
    if (ep.hosts.length === 0 && ep.cidrs.length === 0) {
      report(['externalEndpoints', epName], { message: 'external endpoint names no host and no address range', allowed: 'hosts and/or cidrs', fix: 'add hosts: [api.example.com] or cidrs: [10.0.0.0/16]' });
    }
  }
  const tenantNames = new Set<string>();
  overlay.tenants.forEach((tn, i) => {
    if (tenantNames.has(tn.name)) report(['tenants', i, 'name'], { message: 'tenant is declared twice', received: JSON.stringify(tn.name), allowed: 'unique tenant names' });
    tenantNames.add(tn.name);
    const ns = `${overlay.namespace}-${tn.name}`;
    if (ns.length > 63) report(['tenants', i, 'name'], { message: `tenant namespace ${ns} is longer than 63 characters`, received: JSON.stringify(tn.name), allowed: `at most ${63 - overlay.namespace.length - 1} characters` });
  });
  checkQuota(overlay, entries, report);
  const allowedRegistries = overlay.policy.allowedRegistries ?? defaultRegistries(entries);
  checkPolicy(overlay, entries, allowedRegistries, report);
  if (problems.length > 0) throw new ConfigError(problems);

  // Who calls whom, indexed once (scanning every entry per component is quadratic in services).
  const callers = new Map<string, string[]>();
  for (const [caller, c] of entries) {
    for (const callee of new Set(c.dependsOn)) {
      const list = callers.get(callee);
      if (list) list.push(caller);
      else callers.set(callee, [caller]);
    }
  }
  const components = entries.map(([name, c]): ComponentModel => ({
    name,
    kind: kindOf(name, c)!,
    definition: COMPONENT_CATALOG[kindOf(name, c)!],
    image: c.image,
    version: imageVersion(c.image),
    replicas: c.autoscaling?.minReplicas ?? c.replicas ?? 1,
    resources: c.resources,
    host: c.host,
    config: c.config,
    dependsOn: c.dependsOn.filter((d) => deployed.has(d)).sort(),
    externalDependencies: c.dependsOn.filter((d) => !deployed.has(d)).sort().map((d) => ({ name: d, ...overlay.externalEndpoints[d] })),
    calledBy: callers.get(name) ?? [],
    permissions: c.permissions,
    autoscaling: c.autoscaling,
    priorityClass: c.priorityClass,
    secrets: Object.keys(c.secrets).sort().map((secretName) => ({ name: secretName, ...c.secrets[secretName] })),
    secretDelivery: c.secretDelivery,
    traffic: c.traffic,
  }));
  return {
    environment: overlay.environment,
    platformVersion,
    namespace: overlay.namespace,
    podSecurityVersion: overlay.podSecurityVersion,
    quota: overlay.quota,
    limitRange: overlay.limitRange,
    dns: overlay.dns,
    secretStore: overlay.secretStore,
    certificates: overlay.certificates,
    mesh: overlay.mesh,
    priorityClasses: overlay.priorityClasses,
    externalEndpoints: Object.keys(overlay.externalEndpoints).sort().map((n) => ({ name: n, ...overlay.externalEndpoints[n] })),
    tenants: [...overlay.tenants].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((tn) => ({ ...tn, namespace: `${overlay.namespace}-${tn.name}` })),
    components,
    policy: {
      ...overlay.policy,
      allowedRegistries: [...allowedRegistries].sort(),
      namespaces: [overlay.namespace, ...overlay.tenants.map((tn) => `${overlay.namespace}-${tn.name}`)].sort(),
    },
    controlPlane: overlay.controlPlane,
  };
}

/** Where Istio's injected proxy comes from: every platform pod runs one. */
export const ISTIO_PROXY_REGISTRY = 'docker.io/istio/';

/** The repository of each image (everything up to its last "/") and the proxy's, when the overlay names no registries. */
function defaultRegistries(entries: readonly [string, ComponentOverlay][]): string[] {
  return [...new Set([...entries.map(([, c]) => c.image.slice(0, c.image.lastIndexOf('/') + 1)).filter((r) => r !== ''), ISTIO_PROXY_REGISTRY])];
}

/** The platform must pass its own cluster policies, and KMS needs its plugin. */
function checkPolicy(overlay: Overlay, entries: readonly [string, ComponentOverlay][], registries: readonly string[], report: Report): void {
  for (const [name, c] of entries) {
    if (!registries.some((r) => c.image.startsWith(r))) {
      report(['components', name, 'image'], { message: 'image is not from an allowed registry, the cluster policy would reject the platform\'s own pods', received: JSON.stringify(c.image), allowed: registries.length > 0 ? `an image starting with ${registries.join(', ')}` : 'an image with a registry, such as ghcr.io/org/app:1.0.0', fix: 'add its registry to policy.allowedRegistries or use an allowed image' });
    }
  }
  if (overlay.policy.scope === 'cluster') {
    const own = [overlay.namespace, ...overlay.tenants.map((tn) => `${overlay.namespace}-${tn.name}`)];
    overlay.policy.exemptNamespaces.forEach((ns, i) => {
      if (own.includes(ns)) report(['policy', 'exemptNamespaces', i], { message: 'the environment\'s own namespace is exempt from its cluster policies', received: JSON.stringify(ns), allowed: 'system namespaces only', fix: `remove ${ns}` });
    });
  }
  const { encryption } = overlay.controlPlane;
  if (encryption.provider === 'kms' && !encryption.kms) {
    report(['controlPlane', 'encryption'], { message: 'provider kms needs a kms section', allowed: 'controlPlane.encryption.kms with name and endpoint', fix: 'add controlPlane.encryption.kms, or use provider: aescbc' });
  }
  if (encryption.provider === 'aescbc' && encryption.kms) {
    report(['controlPlane', 'encryption', 'kms'], { message: 'kms is set but the provider is aescbc', allowed: 'kms only with provider: kms', fix: 'remove kms or set provider: kms' });
  }
}

/** The namespace quota must hold every replica of every component, or rollouts stall. */
function checkQuota(
  overlay: Overlay,
  entries: readonly [string, ComponentOverlay][],
  report: Report,
): void {
  for (const scope of ['requests', 'limits'] as const) {
    const cpu = entries.reduce((sum, [, c]) => sum + mostPods(c) * cpuMillis(c.resources[scope].cpu), 0);
    const memory = entries.reduce((sum, [, c]) => sum + mostPods(c) * memoryBytes(c.resources[scope].memory), 0);
    if (cpu > cpuMillis(overlay.quota[scope].cpu)) {
      report(['quota', scope, 'cpu'], { message: `quota is smaller than the components' ${scope} (at their most replicas)`, received: JSON.stringify(overlay.quota[scope].cpu), allowed: `at least ${JSON.stringify(formatCpu(cpu))}`, fix: 'raise the quota or shrink the components' });
    }
    if (memory > memoryBytes(overlay.quota[scope].memory)) {
      report(['quota', scope, 'memory'], { message: `quota is smaller than the components' ${scope} (at their most replicas)`, received: JSON.stringify(overlay.quota[scope].memory), allowed: `at least ${JSON.stringify(formatMemory(memory))}`, fix: 'raise the quota or shrink the components' });
    }
  }
  const pods = entries.reduce((sum, [, c]) => sum + mostPods(c), 0);
  if (pods > overlay.quota.pods) {
    report(['quota', 'pods'], { message: 'quota allows fewer pods than the components run', received: String(overlay.quota.pods), allowed: `at least ${pods}`, fix: 'raise quota.pods or lower replicas' });
  }
}

type Report = (keyPath: Path, p: Omit<Problem, 'file' | 'path' | 'position'>) => void;

/** Store and issuer settings must match the chosen provider; secret env vars must not shadow settings. */
function checkSecrets(overlay: Overlay, entries: readonly [string, ComponentOverlay][], report: Report): void {
  const store = overlay.secretStore;
  if (store.provider === 'vault' && !store.vault) {
    report(['secretStore'], { message: 'provider vault needs a vault section', allowed: 'secretStore.vault with server, path, role', fix: 'add secretStore.vault' });
  }
  const certs = overlay.certificates;
  if (certs.issuer === 'acme' && !certs.acme) report(['certificates'], { message: 'issuer acme needs an acme section', allowed: 'certificates.acme with server and email', fix: 'add certificates.acme' });
  if (certs.issuer === 'vault' && !certs.vault) report(['certificates'], { message: 'issuer vault needs a vault section', allowed: 'certificates.vault with server, path and role', fix: 'add certificates.vault' });
  for (const [name, c] of entries) {
    if (c.secretDelivery !== 'external-secrets' && store.provider !== 'vault' && Object.keys(c.secrets).length > 0) {
      report(['components', name, 'secretDelivery'], { message: `${c.secretDelivery} reads secrets from Vault directly, but the secret store is ${store.provider}`, received: JSON.stringify(c.secretDelivery), allowed: 'external-secrets with a non-Vault store', fix: 'use secretDelivery: external-secrets or secretStore.provider: vault' });
    }
    const seen = new Map<string, string>();
    for (const [secretName, ref] of Object.entries(c.secrets)) {
      for (const envName of Object.keys(ref.env)) {
        const clash = envName in c.config ? 'config' : seen.get(envName);
        if (clash) report(['components', name, 'secrets', secretName, 'env', envName], { message: `environment variable is also set by ${clash}`, received: JSON.stringify(envName), allowed: 'each variable set once', fix: 'rename one of them' });
        seen.set(envName, `secret ${secretName}`);
      }
    }
  }
}

/** The catalog entry a component instantiates: its `kind`, or its own name when that is one. */
function kindOf(name: string, c: ComponentOverlay): ComponentName | undefined {
  return c.kind ?? ((COMPONENT_NAMES as readonly string[]).includes(name) ? (name as ComponentName) : undefined);
}

/** The most pods a component may run: its replicas, or the autoscaler's maximum. */
function mostPods(c: ComponentOverlay): number {
  return c.autoscaling?.maxReplicas ?? c.replicas ?? 1;
}

function imageVersion(image: string): string {
  const at = image.indexOf('@sha256:');
  if (at >= 0) return `sha256-${image.slice(at + 8, at + 20)}`;
  const last = image.slice(image.lastIndexOf('/') + 1);
  return last.slice(last.indexOf(':') + 1);
}
