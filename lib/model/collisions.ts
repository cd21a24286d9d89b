/**
 * Environments that share a cluster must not collide. Two environments share one when their
 * `clusters:` lists name the same API server; on it, their namespaces, their public hosts and the
 * objects they create outside their own namespaces (cluster-scoped ones, those in shared namespaces
 * such as the mesh's) must all differ, or one environment's sync would overwrite, or prune, the
 * other's. A copy of dev.yaml as qa.yaml with only `environment:` changed is the typical case.
 *
 * The overlays alone show the namespaces and hosts (checked before anything is synthesized); the
 * objects come from the synthesized environments (checked before anything is written).
 */
import { Problem } from '../config/errors';
import { formatPath, LoadedOverlay } from '../config/load-overlay';
import { Path } from '../config/schema-types';
import { ComponentManifests, isClusterScoped, KubeObject } from '../manifest/kube-object';
import { tenantFolder } from '../manifest/layout';
import { isKubeObject } from '../manifest/manifest-reader';
import { environmentPrefix } from '../manifest/names';
import { readYamlDocuments } from '../util/fast-yaml';
import { byCodePoint } from '../util/order';
import { serverKey } from './cluster-server';
import { ownNamespaces, ProblemText } from './platform-model';

/** An object another environment on the same cluster could also create, and the folder it is in. */
export interface SharedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** Its component's folder, dist/<env>/<component>/. */
  readonly component: string;
}

/**
 * What of an environment's objects lives beside other environments: the cluster-scoped objects and
 * those in namespaces it does not create (a Namespace object of its own), in output order.
 */
export function sharedObjects(components: readonly Pick<ComponentManifests, 'component' | 'objects'>[]): SharedObject[] {
  const created = new Set(components.flatMap((c) => c.objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)));
  return components.flatMap(({ component, objects }) => objects
    .filter((o: KubeObject) => isClusterScoped(o) || !created.has(o.metadata.namespace ?? 'default'))
    .map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name, component })));
}

/** A file of a synthesized environment's folder: its path there (`<component>/<file>`) and its text. */
export interface EnvironmentFile {
  readonly rel: string;
  readonly text: string;
}

/**
 * `sharedObjects` of an environment's folder as written, from its object files. The emitter's
 * files are read from their first lines (`objectHeader`): a thousand of them take milliseconds,
 * so that `synth --env` can check the other environments' folders; a file of any other shape is
 * parsed whole.
 */
export function sharedObjectsOfFiles(files: readonly EnvironmentFile[]): SharedObject[] {
  const components = new Map<string, KubeObject[]>();
  for (const { rel, text } of files) {
    const header = objectHeader(text);
    const read = header === undefined ? readYamlDocuments(text) : { values: [header] };
    if ('error' in read) throw new Error(`${rel}: ${read.error}`);
    const component = rel.slice(0, rel.indexOf('/'));
    components.set(component, [...(components.get(component) ?? []), ...read.values.filter(isKubeObject)]);
  }
  return sharedObjects([...components].map(([component, objects]) => ({ component, objects })));
}

/**
 * The apiVersion, kind, name and namespace of one object in the emitter's block style (top-level
 * keys and their lists at column 0, metadata's keys two spaces in, plain or double-quoted
 * scalars), or undefined for a text of any other shape.
 */
export function objectHeader(text: string): KubeObject | undefined {
  if (/^(---|\.\.\.)/m.test(text.replace(/^---\n/, ''))) return undefined;
  const top = new Map<string, string>();
  const metadata = new Map<string, string>();
  let inMetadata = false;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    // The emitter writes a top-level key's list at column 0.
    if (line.startsWith('- ') || line === '-') inMetadata = false;
    else if (line[0] !== ' ') {
      const m = /^([A-Za-z]+):(?: (.*))?$/.exec(line);
      if (m === null) return undefined;
      inMetadata = m[1] === 'metadata';
      if (inMetadata && m[2] !== undefined) return undefined;
      if (m[2] !== undefined) top.set(m[1], m[2]);
    } else if (inMetadata && line[2] !== ' ') {
      const m = /^ {2}(name|namespace): (.*)$/.exec(line);
      if (m !== null) metadata.set(m[1], m[2]);
    }
  }
  const [apiVersion, kind, name] = [top.get('apiVersion'), top.get('kind'), metadata.get('name')].map(plainScalar);
  const namespace = metadata.has('namespace') ? plainScalar(metadata.get('namespace')) : undefined;
  if (apiVersion === undefined || kind === undefined || name === undefined) return undefined;
  if (metadata.has('namespace') && namespace === undefined) return undefined;
  return { apiVersion, kind, metadata: namespace === undefined ? { name } : { name, namespace } };
}

/** A scalar as the emitter writes one: plain, or double-quoted (JSON); undefined for anything else. */
function plainScalar(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (text.startsWith('"')) {
    try {
      const value: unknown = JSON.parse(text);
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }
  return /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(text) ? text : undefined;
}

/** The shared objects of one synthesized environment. */
export interface EnvironmentObjects {
  readonly environment: string;
  readonly objects: readonly SharedObject[];
}

export interface CollisionOptions {
  /**
   * Report only the collisions of this environment (`synth --env`): it is still checked against
   * every other overlay, whose collisions among themselves are theirs to fix.
   * @default every collision
   */
  readonly only?: string;
}

/** Namespaces and public hosts two environments on one cluster both claim, from the overlays alone. */
export function overlayCollisions(overlays: readonly LoadedOverlay[], options: CollisionOptions = {}): Problem[] {
  return collisions(overlays.map((loaded) => ({ loaded, claims: overlayClaims(loaded) })), options);
}

/**
 * Objects two environments on one cluster both create (`objects`: the shared objects of each
 * environment at hand; one without an entry is not compared).
 */
export function objectCollisions(
  overlays: readonly LoadedOverlay[],
  objects: readonly EnvironmentObjects[],
  options: CollisionOptions = {},
): Problem[] {
  const byEnvironment = new Map(objects.map((e) => [e.environment, e.objects]));
  const found = collisions(overlays.filter((o) => byEnvironment.has(o.overlay.environment)).map((loaded) => ({
    loaded,
    claims: byEnvironment.get(loaded.overlay.environment)!.map((o) => objectClaim(loaded, o)),
  })), options);
  const order = (p: Problem): number => (p.position ? p.position.line * 1e6 + p.position.column : 0);
  const foreign = foreignNamespaces(overlays, byEnvironment, options);
  return [...found, ...foreign].sort((x, y) => byCodePoint(x.file, y.file) || order(x) - order(y));
}

/**
 * Objects an environment puts into a namespace that another environment on the same cluster owns
 * (a shared-namespace setting such as dashboards.namespace, monitoring.namespace or
 * policy.falcoNamespace pointed at it): they would sit under that environment's policies and
 * quota, and this environment's AppProject would allow syncing into its namespace. One problem per
 * namespace, at the environment whose objects they are.
 */
function foreignNamespaces(
  overlays: readonly LoadedOverlay[],
  byEnvironment: ReadonlyMap<string, readonly SharedObject[]>,
  options: CollisionOptions,
): Problem[] {
  const sorted = [...overlays].sort((a, b) => byCodePoint(a.file, b.file));
  return sorted.flatMap((loaded) => {
    const env = loaded.overlay.environment;
    const objects = byEnvironment.get(env);
    if (objects === undefined || (options.only !== undefined && options.only !== env)) return [];
    return sorted.filter((other) => other !== loaded).flatMap((other): Problem[] => {
      const server = sharedServer(loaded, other);
      if (server === undefined) return [];
      const theirs = ownNamespaces(other.overlay);
      return theirs.flatMap((ns, i): Problem[] => {
        const inside = objects.filter((o) => o.namespace === ns);
        if (inside.length === 0) return [];
        const first = inside[0];
        const claim = objectClaim(loaded, first);
        const at: Path = i === 0 ? ['namespace'] : ['tenants', i - 1, 'name'];
        const more = inside.length > 1 ? ` and ${inside.length - 1} more object${inside.length === 2 ? '' : 's'}` : '';
        return [{
          file: loaded.file,
          position: loaded.locate(claim.at, claim.atKey),
          path: formatPath(claim.at),
          message: `${claim.shown}${more} would be in namespace ${JSON.stringify(ns)}, ${other.overlay.environment}'s own `
            + `${otherPlace({ loaded: other, claims: [] }, { kind: 'namespace', key: ns, shown: ns, at })}, on the same cluster ${server}: `
            + `it would live under ${other.overlay.environment}'s policies and quota, `
            + `and ${env}'s AppProject would allow syncing into that namespace`,
          received: JSON.stringify(ns),
          allowed: `a namespace no other environment on that cluster owns (a shared service's, such as Grafana's or Falco's), `
            + `or one of ${env}'s own`,
          fix: 'point the setting that places it (dashboards.namespace, monitoring.namespace, policy.falcoNamespace, mesh.namespace) at the '
            + `shared service's namespace, or deliver ${env} to another cluster (clusters)`,
        }];
      });
    });
  });
}

/** Something an environment takes on its clusters, and where its overlay says so. */
interface Claim {
  readonly kind: 'namespace' | 'host' | 'object';
  /** What must differ: the namespace, the host, the object's identity. */
  readonly key: string;
  /** How the message names it. */
  readonly shown: string;
  readonly at: Path;
  readonly atKey?: boolean;
  /** The component of a host or an object, when it is one of the overlay's. */
  readonly component?: string;
}

interface Claims {
  readonly loaded: LoadedOverlay;
  readonly claims: readonly Claim[];
}

function overlayClaims({ overlay }: LoadedOverlay): Claim[] {
  const namespaces = ownNamespaces(overlay).map((ns, i): Claim => ({
    kind: 'namespace',
    key: ns,
    shown: JSON.stringify(ns),
    at: i === 0 ? ['namespace'] : ['tenants', i - 1, 'name'],
  }));
  const hosts = Object.entries(overlay.components).flatMap(([name, c]): Claim[] => c.host === undefined ? [] : [{
    kind: 'host',
    key: c.host,
    shown: JSON.stringify(c.host),
    at: ['components', name, 'host'],
    component: name,
  }]);
  return [...namespaces, ...hosts];
}

/** An object is placed at what made it: its component, its tenant, or (the platform's own charts) the environment. */
function objectClaim({ overlay }: LoadedOverlay, o: SharedObject): Claim {
  const slash = o.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : o.apiVersion.slice(0, slash);
  const shown = o.namespace === undefined ? `${o.kind}/${o.name}` : `${o.kind}/${o.namespace}/${o.name}`;
  const key = [group, o.kind, o.namespace ?? '', o.name].join('\0');
  if (o.component in overlay.components) return { kind: 'object', key, shown, at: ['components', o.component], atKey: true, component: o.component };
  const tenant = overlay.tenants.findIndex((tn) => tenantFolder(tn.name) === o.component);
  return { kind: 'object', key, shown, at: tenant >= 0 ? ['tenants', tenant, 'name'] : ['environment'] };
}

/** One claim of `primary` that others on a shared cluster also make. */
interface Collision {
  readonly primary: Claims;
  readonly claim: Claim;
  readonly others: { readonly env: Claims; readonly claim: Claim; readonly server: string }[];
}

/**
 * Every claim two environments sharing a cluster both make, reported once at the environment
 * `only` names, else at the later overlay file (the one copied, usually), naming the others.
 */
function collisions(environments: readonly Claims[], options: CollisionOptions): Problem[] {
  const sorted = [...environments].sort((a, b) => byCodePoint(a.loaded.file, b.loaded.file));
  const found = new Map<string, Collision>();
  for (let j = 1; j < sorted.length; j++) {
    for (let i = 0; i < j; i++) {
      const server = sharedServer(sorted[i].loaded, sorted[j].loaded);
      if (server === undefined) continue;
      const [primary, other] = options.only === sorted[i].loaded.overlay.environment ? [sorted[i], sorted[j]] : [sorted[j], sorted[i]];
      if (options.only !== undefined && primary.loaded.overlay.environment !== options.only) continue;
      const theirs = new Map(other.claims.map((c) => [`${c.kind}\0${c.key}`, c]));
      for (const claim of primary.claims) {
        const match = theirs.get(`${claim.kind}\0${claim.key}`);
        if (match === undefined) continue;
        const id = `${primary.loaded.file}\0${claim.kind}\0${claim.key}`;
        const collision = found.get(id) ?? { primary, claim, others: [] };
        collision.others.push({ env: other, claim: match, server });
        found.set(id, collision);
      }
    }
  }
  const order = (p: Problem): number => (p.position ? p.position.line * 1e6 + p.position.column : 0);
  return [...found.values()].map(problemOf).sort((a, b) => byCodePoint(a.file, b.file) || order(a) - order(b));
}

/** The first API server (in the order of `a`'s list) both environments are delivered to. */
function sharedServer(a: LoadedOverlay, b: LoadedOverlay): string | undefined {
  const theirs = new Set(b.overlay.clusters.map((c) => serverKey(c.server)));
  return a.overlay.clusters.map((c) => serverKey(c.server)).find((s) => theirs.has(s));
}

/** `(components.frontend.host, overlays/dev.yaml:70:11)`: where the other overlay makes its claim. */
function otherPlace(env: Claims, claim: Claim): string {
  const position = env.loaded.locate(claim.at, claim.atKey);
  const where = position ? `${env.loaded.file}:${position.line}:${position.column}` : env.loaded.file;
  return `(${formatPath(claim.at)}, ${where})`;
}

function problemOf({ primary, claim, others }: Collision): Problem {
  const env = primary.loaded.overlay.environment;
  const servers = [...new Set(others.map((o) => o.server))];
  const whose = (owner: string): string => others
    .map((o) => `${o.env.loaded.overlay.environment}${owner} ${otherPlace(o.env, o.claim)}`)
    .join(' and ');
  const also = whose('\'s');
  const cluster = `on the same cluster ${servers.join(', ')}`;
  const deliverElsewhere = `or deliver ${env} to another cluster (clusters)`;
  const otherEnv = others[0].env.loaded.overlay.environment;
  const text: Record<Claim['kind'], () => ProblemText> = {
    namespace: () => ({
      message: `namespace ${claim.shown} is also ${also}, ${cluster}: both environments would manage its objects`,
      received: claim.shown,
      allowed: 'a namespace no other environment on that cluster has',
      fix: claim.at[0] === 'namespace'
        ? `set namespace: ${environmentPrefix(env)}, ${deliverElsewhere}`
        : `rename the tenant or change namespace, ${deliverElsewhere}`,
    }),
    host: () => ({
      message: `public host ${claim.shown} is also ${also}, ${cluster}: its ingress gateway would route the host to only one of them`,
      received: claim.shown,
      allowed: 'a host no other environment on that cluster serves',
      fix: `give ${claim.component} a host of its own${hostSuggestion(claim.key, otherEnv, env)}, ${deliverElsewhere}`,
    }),
    object: () => ({
      message: `${claim.shown} is also made by ${whose('')}, ${cluster}: one environment's sync would overwrite or prune the other's`,
      received: claim.shown,
      allowed: `cluster-scoped and shared-namespace names that carry the environment (${environmentPrefix(env)}-…)`,
      fix: `name it through lib/manifest/names.ts (environmentName), ${deliverElsewhere}`,
    }),
  };
  return { file: primary.loaded.file, position: primary.loaded.locate(claim.at, claim.atKey), path: formatPath(claim.at), ...text[claim.kind]() };
}

/** `, e.g. app.qa.example.com` when the host names the other environment as one of its labels. */
function hostSuggestion(host: string, otherEnv: string, env: string): string {
  const labels = host.split('.');
  return labels.includes(otherEnv) ? `, e.g. ${labels.map((l) => (l === otherEnv ? env : l)).join('.')}` : '';
}
