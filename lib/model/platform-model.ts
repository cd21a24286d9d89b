import { COMPONENT_CATALOG, ComponentDefinition, ComponentName } from '../config/catalog';
import { ConfigError, Problem } from '../config/errors';
import { formatPath, LoadedOverlay } from '../config/load-overlay';
import { ComponentOverlay, ComputeResources, Overlay } from '../config/overlay-schema';
import { Path } from '../config/schema-types';
import { cpuMillis, formatCpu, formatMemory, memoryBytes } from './quantity';

/** One component as an environment runs it: catalog facts plus overlay sizing, edges resolved. */
export interface ComponentModel {
  readonly name: ComponentName;
  readonly definition: ComponentDefinition;
  readonly image: string;
  /** Tag or digest, used as `app.kubernetes.io/version`. */
  readonly version: string;
  readonly replicas: number;
  readonly resources: { readonly requests: ComputeResources; readonly limits: ComputeResources };
  readonly host?: string;
  readonly config: Readonly<Record<string, string>>;
  /** Components this one calls, sorted. */
  readonly dependsOn: readonly ComponentName[];
  /** Components that call this one, sorted. */
  readonly calledBy: readonly ComponentName[];
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
  readonly ingress?: Overlay['ingress'];
  /** Sorted by name. */
  readonly components: readonly ComponentModel[];
}

/** Resolves cross-references and cross-field rules; throws ConfigError listing every problem. */
export function buildModel(loaded: LoadedOverlay, platformVersion: string): PlatformModel {
  const { overlay } = loaded;
  const problems: Problem[] = [];
  const report = (keyPath: Path, p: Omit<Problem, 'file' | 'path' | 'position'>, atKey = false): void => {
    problems.push({ file: loaded.file, position: loaded.locate(keyPath, atKey), path: formatPath(keyPath), ...p });
  };
  const entries = (Object.entries(overlay.components) as [ComponentName, ComponentOverlay][]).sort(([a], [b]) => a.localeCompare(b));
  const deployed = new Set(entries.map(([name]) => name));
  const hosts = new Map<string, ComponentName>();

  for (const [name, c] of entries) {
    const base = ['components', name];
    c.dependsOn.forEach((dep, i) => {
      if (dep === name) {
        report([...base, 'dependsOn', i], { message: 'component depends on itself', received: JSON.stringify(dep), allowed: 'other deployed components', fix: 'remove it' });
      } else if (!deployed.has(dep)) {
        report([...base, 'dependsOn', i], { message: `depends on "${dep}", which this environment does not deploy`, received: JSON.stringify(dep), allowed: [...deployed].filter((d) => d !== name).join(', ') || 'no other component', fix: `add components.${dep} or remove the dependency` });
      }
    });
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
      if (!overlay.ingress) {
        report([...base, 'host'], { message: 'host is set but the overlay has no ingress section', received: JSON.stringify(c.host), allowed: 'host together with ingress.className and ingress.controllerNamespace', fix: 'add an ingress section or remove host' });
      }
    }
  }
  checkQuota(overlay, entries, report);
  if (problems.length > 0) throw new ConfigError(problems);

  const components = entries.map(([name, c]): ComponentModel => ({
    name,
    definition: COMPONENT_CATALOG[name],
    image: c.image,
    version: imageVersion(c.image),
    replicas: c.replicas,
    resources: c.resources,
    host: c.host,
    config: c.config,
    dependsOn: [...c.dependsOn].sort(),
    calledBy: entries.filter(([, other]) => other.dependsOn.includes(name)).map(([caller]) => caller),
  }));
  return {
    environment: overlay.environment,
    platformVersion,
    namespace: overlay.namespace,
    podSecurityVersion: overlay.podSecurityVersion,
    quota: overlay.quota,
    limitRange: overlay.limitRange,
    dns: overlay.dns,
    ingress: overlay.ingress,
    components,
  };
}

/** The namespace quota must hold every replica of every component, or rollouts stall. */
function checkQuota(
  overlay: Overlay,
  entries: readonly [ComponentName, ComponentOverlay][],
  report: (keyPath: Path, p: Omit<Problem, 'file' | 'path' | 'position'>) => void,
): void {
  for (const scope of ['requests', 'limits'] as const) {
    const cpu = entries.reduce((sum, [, c]) => sum + c.replicas * cpuMillis(c.resources[scope].cpu), 0);
    const memory = entries.reduce((sum, [, c]) => sum + c.replicas * memoryBytes(c.resources[scope].memory), 0);
    if (cpu > cpuMillis(overlay.quota[scope].cpu)) {
      report(['quota', scope, 'cpu'], { message: `quota is smaller than the components' ${scope} (replicas included)`, received: JSON.stringify(overlay.quota[scope].cpu), allowed: `at least ${JSON.stringify(formatCpu(cpu))}`, fix: 'raise the quota or shrink the components' });
    }
    if (memory > memoryBytes(overlay.quota[scope].memory)) {
      report(['quota', scope, 'memory'], { message: `quota is smaller than the components' ${scope} (replicas included)`, received: JSON.stringify(overlay.quota[scope].memory), allowed: `at least ${JSON.stringify(formatMemory(memory))}`, fix: 'raise the quota or shrink the components' });
    }
  }
  const pods = entries.reduce((sum, [, c]) => sum + c.replicas, 0);
  if (pods > overlay.quota.pods) {
    report(['quota', 'pods'], { message: 'quota allows fewer pods than the components run', received: String(overlay.quota.pods), allowed: `at least ${pods}`, fix: 'raise quota.pods or lower replicas' });
  }
}

function imageVersion(image: string): string {
  const at = image.indexOf('@sha256:');
  if (at >= 0) return `sha256-${image.slice(at + 8, at + 20)}`;
  const last = image.slice(image.lastIndexOf('/') + 1);
  return last.slice(last.indexOf(':') + 1);
}
