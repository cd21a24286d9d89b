/**
 * Offline generator of strict, standalone, kubeconform-compatible JSON schemas.
 *
 *   npx tsx scripts/gen-schemas.ts [--out DIR] [--quiet]
 *
 * Sources (no network besides the Go module proxy, and only when a module is not cached yet):
 *  - Kubernetes: api/openapi-spec/swagger.json of module k8s.io/kubernetes@$KUBERNETES_VERSION
 *    (scripts/tools.env), located with `go mod download -json`.
 *  - CRDs: the Go modules/paths listed in crds/sources.json.
 *
 * Output: .tools/schemas/<kubernetes version>/<group|core>/<version>/<kind lowercased>.json, i.e. the
 * layout addressed by SCHEMA_LOCATION_TEMPLATE (the one place that defines it), plus an index.json.
 * Every schema is self-contained: referenced definitions are copied into a local `definitions`
 * section (`#/definitions/<name>` refs), which also handles recursive types such as JSONSchemaProps.
 * Strictness: objects with `properties` get `additionalProperties: false` (unless they declare
 * additionalProperties themselves, or are CRD nodes with x-kubernetes-preserve-unknown-fields), and
 * `apiVersion`/`kind` are pinned with `enum`. Output is deterministic (sorted keys).
 *
 * Note: kubeconform compiles these schemas as JSON Schema draft-04, where keywords next to `$ref`
 * are ignored; the generator therefore never relies on `$ref` siblings.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseYamlDocuments } from '../lib/manifest/manifest-reader';

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** One generated schema, addressed by its group/version/kind. `group` is '' for the core group. */
export interface GeneratedSchema {
  group: string;
  version: string;
  kind: string;
  /** Where the schema came from, for error messages and index.json. */
  source: string;
  schema: JsonObject;
}

/** A schema plus the local definitions it may reference as `#/definitions/<name>`. */
export interface SchemaBundle {
  ref: string;
  definitions: Record<string, JsonObject>;
}

export interface CrdSource {
  /** A Go module path; for a vendored source, the repository the files were copied from. */
  module: string;
  version: string;
  paths: string[];
  /**
   * A folder of this repository (relative to its root) holding the files, copied from `module` at
   * `version` with their provenance and license beside them (its SOURCE.md), for CRDs that no Go
   * module serves. @default the module, from Go's module cache
   */
  vendored?: string;
}

export interface ToolsEnv {
  HELM_VERSION: string;
  KUBECONFORM_VERSION: string;
  KUBERNETES_VERSION: string;
}

// ---------------------------------------------------------------------------------------------
// Locations (the single source of truth for the schema layout)
// ---------------------------------------------------------------------------------------------

export const ROOT = path.resolve(__dirname, '..');
export const TOOLS_DIR = path.join(ROOT, '.tools');
export const BIN_DIR = path.join(TOOLS_DIR, 'bin');
export const SCHEMAS_DIR = path.join(TOOLS_DIR, 'schemas');
export const TOOLS_ENV_FILE = path.join(ROOT, 'scripts', 'tools.env');
export const CRD_SOURCES_FILE = path.join(ROOT, 'crds', 'sources.json');
export const GENERATOR_FILE = path.join(ROOT, 'scripts', 'gen-schemas.ts');

/**
 * kubeconform (v0.7.0, pkg/registry/registry.go) renders -schema-location with Go text/template:
 *   .NormalizedKubernetesVersion  "v" + --kubernetes-version, e.g. v1.28.15
 *   .Group                        the part of apiVersion before "/"; for the core group ("v1") this
 *                                 is the version itself, hence the `eq` test that maps it to "core"
 *   .ResourceAPIVersion           the part of apiVersion after the last "/"
 *   .ResourceKind                 kind, lowercased
 *   (.KindSuffix and .StrictSuffix exist too; they are lossy/irrelevant and not used here)
 * Group directories cannot collide: group names are DNS names, "core" is not a valid API group and
 * CRD groups must contain a dot.
 */
export const SCHEMA_LOCATION_TEMPLATE_SUFFIX =
  '{{ .NormalizedKubernetesVersion }}/{{ if eq .Group .ResourceAPIVersion }}core{{ else }}{{ .Group }}{{ end }}'
  + '/{{ .ResourceAPIVersion }}/{{ .ResourceKind }}.json';

/** The full -schema-location value for kubeconform. */
export function schemaLocationTemplate(schemasDir: string = SCHEMAS_DIR): string {
  return `${schemasDir}/${SCHEMA_LOCATION_TEMPLATE_SUFFIX}`;
}

/** Mirror of SCHEMA_LOCATION_TEMPLATE_SUFFIX: the relative file for a GVK (kubeVersion like "v1.28.15"). */
export function schemaRelativePath(kubeVersion: string, group: string, version: string, kind: string): string {
  return [normalizeKubeVersion(kubeVersion), group === '' ? 'core' : group, version, `${kind.toLowerCase()}.json`].join('/');
}

/** "1.28.15" | "v1.28.15" -> "v1.28.15" */
export function normalizeKubeVersion(v: string): string {
  return v.startsWith('v') ? v : `v${v}`;
}

export function readToolsEnv(file: string = TOOLS_ENV_FILE): ToolsEnv {
  const values: Record<string, string> = {};
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) throw new Error(`${file}: cannot parse line ${JSON.stringify(raw)}`);
    values[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  const get = (k: keyof ToolsEnv): string => {
    const v = values[k];
    if (!v) throw new Error(`${file}: ${k} is not set`);
    return v;
  };
  return { HELM_VERSION: get('HELM_VERSION'), KUBECONFORM_VERSION: get('KUBECONFORM_VERSION'), KUBERNETES_VERSION: get('KUBERNETES_VERSION') };
}

/**
 * The content of .tools/schemas/.stamp as written by scripts/install-tools.sh:
 * "<kubernetes version> <sha256 of gen-schemas.ts followed by crds/sources.json>".
 */
export function schemaStamp(kubernetesVersion: string = readToolsEnv().KUBERNETES_VERSION): string {
  const h = createHash('sha256');
  h.update(fs.readFileSync(GENERATOR_FILE));
  h.update(fs.readFileSync(CRD_SOURCES_FILE));
  return `${kubernetesVersion} ${h.digest('hex')}`;
}

// ---------------------------------------------------------------------------------------------
// JSON helpers
// ---------------------------------------------------------------------------------------------

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Recursively sorts object keys, so that JSON.stringify output is deterministic. */
export function sortKeys(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}

export function stableStringify(v: JsonValue): string {
  return `${JSON.stringify(sortKeys(v), null, 2)}\n`;
}

function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

const DEF_PREFIX = '#/definitions/';

function refName(ref: string): string {
  if (!ref.startsWith(DEF_PREFIX)) throw new Error(`unsupported $ref ${ref} (only ${DEF_PREFIX}... refs are handled)`);
  return ref.slice(DEF_PREFIX.length);
}

/** Names of all `#/definitions/...` refs in a (converted) schema, walking only schema positions. */
function collectRefs(schema: JsonValue, out: Set<string>): void {
  if (Array.isArray(schema)) {
    for (const s of schema) collectRefs(s, out);
    return;
  }
  if (!isObject(schema)) return;
  const ref = schema.$ref;
  if (typeof ref === 'string') out.add(refName(ref));
  for (const key of ['properties', 'patternProperties', 'definitions'] as const) {
    const m = schema[key];
    if (isObject(m)) for (const sub of Object.values(m)) collectRefs(sub, out);
  }
  for (const key of ['items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf'] as const) {
    const sub = schema[key];
    if (sub !== undefined) collectRefs(sub, out);
  }
}

/** Transitive closure of the definitions referenced from `roots`. */
function closure(roots: JsonValue[], lookup: (name: string) => JsonObject): Record<string, JsonObject> {
  const defs: Record<string, JsonObject> = {};
  const pending = new Set<string>();
  for (const r of roots) collectRefs(r, pending);
  while (pending.size > 0) {
    const [name] = pending;
    pending.delete(name);
    if (defs[name]) continue;
    const def = lookup(name);
    defs[name] = def;
    const refs = new Set<string>();
    collectRefs(def, refs);
    for (const r of refs) if (!defs[r]) pending.add(r);
  }
  return defs;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes (swagger 2.0 definitions)
// ---------------------------------------------------------------------------------------------

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const APIEXT = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
export const OBJECT_META_DEFINITION = `${META}.ObjectMeta`;

/** resource.Quantity's serialization, as kubebuilder emits it for CRDs. Strings only; numbers are also accepted. */
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

/**
 * Definitions whose swagger form does not describe their JSON form (custom marshalers).
 * Anything else without `type`/`properties` is rejected by the generator, so new ones are noticed.
 */
const K8S_OVERRIDES: Record<string, JsonObject> = {
  // "500m", "1Gi", 2, 0.5 -- the API server accepts JSON numbers as well as strings.
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: ['string', 'number'], pattern: QUANTITY_PATTERN },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: ['integer', 'string'] },
  // null is what `kubectl create --dry-run -o yaml` emits for metadata.creationTimestamp.
  [`${META}.Time`]: { type: ['string', 'null'], format: 'date-time' },
  [`${META}.MicroTime`]: { type: ['string', 'null'], format: 'date-time' },
  'io.k8s.apimachinery.pkg.runtime.RawExtension': { type: 'object' },
  [`${META}.FieldsV1`]: { type: 'object' },
  [`${META}.Patch`]: { type: 'object' },
  [`${APIEXT}.JSON`]: {},
  [`${APIEXT}.JSONSchemaPropsOrArray`]: {
    anyOf: [{ $ref: `${DEF_PREFIX}${APIEXT}.JSONSchemaProps` }, { type: 'array', items: { $ref: `${DEF_PREFIX}${APIEXT}.JSONSchemaProps` } }],
  },
  [`${APIEXT}.JSONSchemaPropsOrBool`]: { anyOf: [{ type: 'boolean' }, { $ref: `${DEF_PREFIX}${APIEXT}.JSONSchemaProps` }] },
  [`${APIEXT}.JSONSchemaPropsOrStringArray`]: {
    anyOf: [{ $ref: `${DEF_PREFIX}${APIEXT}.JSONSchemaProps` }, { type: 'array', items: { type: 'string' } }],
  },
};

/** Keys dropped from every node: documentation and Kubernetes annotations that validate nothing. */
function isDroppedKey(key: string): boolean {
  return key === 'description' || key === 'example' || key === 'externalDocs' || key.startsWith('x-');
}

/** Converts one swagger schema node (schema-aware: property *names* such as "$ref" are not keywords). */
function convertK8sNode(node: JsonObject): JsonObject {
  if (typeof node.$ref === 'string') {
    refName(node.$ref); // validates the form
    return { $ref: node.$ref }; // draft-04 ignores $ref siblings anyway
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (isDroppedKey(key)) continue;
    switch (key) {
      case 'properties': {
        if (!isObject(value)) throw new Error('properties must be an object');
        const props: JsonObject = {};
        for (const [name, sub] of Object.entries(value)) props[name] = convertK8sNode(asSchema(sub, name));
        out.properties = props;
        break;
      }
      case 'items':
        out.items = Array.isArray(value) ? value.map((s, i) => convertK8sNode(asSchema(s, `items[${i}]`))) : convertK8sNode(asSchema(value, 'items'));
        break;
      case 'additionalProperties':
        out.additionalProperties = typeof value === 'boolean' ? value : convertK8sNode(asSchema(value, 'additionalProperties'));
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        if (!Array.isArray(value)) throw new Error(`${key} must be an array`);
        out[key] = value.map((s, i) => convertK8sNode(asSchema(s, `${key}[${i}]`)));
        break;
      case 'not':
        out.not = convertK8sNode(asSchema(value, 'not'));
        break;
      default:
        out[key] = value;
    }
  }
  if (out.format === 'int-or-string') {
    delete out.format;
    out.type = ['integer', 'string'];
  }
  if (isObject(out.properties) && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function asSchema(v: JsonValue, where: string): JsonObject {
  if (!isObject(v)) throw new Error(`expected a schema object at ${where}, got ${JSON.stringify(v)}`);
  return v;
}

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

function gvksOf(def: JsonObject): Gvk[] {
  const raw = def['x-kubernetes-group-version-kind'];
  if (!Array.isArray(raw)) return [];
  return raw.map((g) => {
    if (!isObject(g) || typeof g.group !== 'string' || typeof g.version !== 'string' || typeof g.kind !== 'string') {
      throw new Error(`malformed x-kubernetes-group-version-kind entry ${JSON.stringify(g)}`);
    }
    return { group: g.group, version: g.version, kind: g.kind };
  });
}

/** Builds a definition lookup over a swagger document, converting (and caching) on demand. */
export function k8sDefinitionLookup(swagger: JsonObject): (name: string) => JsonObject {
  const defs = swagger.definitions;
  if (!isObject(defs)) throw new Error('swagger document has no definitions');
  const cache = new Map<string, JsonObject>();
  return (name: string): JsonObject => {
    const hit = cache.get(name);
    if (hit) return hit;
    let converted: JsonObject;
    const override = K8S_OVERRIDES[name];
    if (override) {
      converted = override;
    } else {
      const def = defs[name];
      if (!isObject(def)) throw new Error(`swagger definition ${name} is referenced but missing`);
      if (def.type === undefined && def.properties === undefined && def.$ref === undefined) {
        throw new Error(`swagger definition ${name} has neither type nor properties; add it to K8S_OVERRIDES in scripts/gen-schemas.ts`);
      }
      try {
        converted = convertK8sNode(def);
      } catch (e) {
        throw new Error(`swagger definition ${name}: ${(e as Error).message}`);
      }
    }
    cache.set(name, converted);
    return converted;
  };
}

/** The ObjectMeta schema + definitions closure of a swagger document, for embedding into CRD schemas. */
export function k8sObjectMetaBundle(swagger: JsonObject): SchemaBundle {
  const lookup = k8sDefinitionLookup(swagger);
  const ref = `${DEF_PREFIX}${OBJECT_META_DEFINITION}`;
  return { ref, definitions: closure([{ $ref: ref }], lookup) };
}

function pinApiVersionAndKind(root: JsonObject, gvk: Gvk): void {
  const props = isObject(root.properties) ? root.properties : {};
  props.apiVersion = { type: 'string', enum: [apiVersionOf(gvk.group, gvk.version)] };
  props.kind = { type: 'string', enum: [gvk.kind] };
  root.properties = props;
  const required = Array.isArray(root.required) ? root.required.filter((r): r is string => typeof r === 'string') : [];
  for (const r of ['apiVersion', 'kind']) if (!required.includes(r)) required.push(r);
  root.required = required;
}

/** One standalone schema per GVK found in a Kubernetes swagger 2.0 document. */
export function swaggerToSchemas(swagger: JsonObject, source = 'swagger.json'): GeneratedSchema[] {
  const defs = swagger.definitions;
  if (!isObject(defs)) throw new Error('swagger document has no definitions');
  const lookup = k8sDefinitionLookup(swagger);
  const out: GeneratedSchema[] = [];
  for (const name of Object.keys(defs).sort()) {
    const def = defs[name];
    if (!isObject(def)) continue;
    for (const gvk of gvksOf(def)) {
      const root: JsonObject = structuredClone(lookup(name));
      pinApiVersionAndKind(root, gvk);
      const definitions = closure([root], lookup);
      const schema: JsonObject = { ...root };
      if (Object.keys(definitions).length > 0) schema.definitions = definitions;
      out.push({ ...gvk, source: `${source}#/definitions/${name}`, schema });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// CRDs (apiextensions.k8s.io/v1 and v1beta1 CustomResourceDefinition)
// ---------------------------------------------------------------------------------------------

/**
 * ObjectMeta stand-in used when no Kubernetes swagger is at hand (unit tests). The generator itself
 * always embeds the real ObjectMeta from the pinned Kubernetes version.
 */
export const MINIMAL_OBJECT_META: SchemaBundle = (() => {
  const str: JsonObject = { type: 'string' };
  const strMap: JsonObject = { type: 'object', additionalProperties: { type: 'string' } };
  const time: JsonObject = { type: ['string', 'null'], format: 'date-time' };
  const meta: JsonObject = {
    type: 'object',
    additionalProperties: false,
    properties: {
      annotations: strMap,
      creationTimestamp: time,
      deletionGracePeriodSeconds: { type: 'integer' },
      deletionTimestamp: time,
      finalizers: { type: 'array', items: str },
      generateName: str,
      generation: { type: 'integer' },
      labels: strMap,
      managedFields: { type: 'array', items: { type: 'object' } },
      name: str,
      namespace: str,
      ownerReferences: { type: 'array', items: { type: 'object' } },
      resourceVersion: str,
      selfLink: str,
      uid: str,
    },
  };
  return { ref: `${DEF_PREFIX}${OBJECT_META_DEFINITION}`, definitions: { [OBJECT_META_DEFINITION]: meta } };
})();

export interface CrdConversionOptions {
  /** Schema used for `metadata` (default: MINIMAL_OBJECT_META). */
  objectMeta?: SchemaBundle;
  /** For error messages / index.json. */
  source?: string;
}

interface CrdNodeContext {
  /** Add additionalProperties:false to nodes with properties (false under v1beta1 preserveUnknownFields). */
  prune: boolean;
  /** Inside allOf/anyOf/oneOf/not: these only constrain fields declared structurally, never close objects. */
  inJunctor: boolean;
  metaRef: string;
}

/** Converts one OpenAPI v3 (structural) CRD schema node into draft-04 JSON schema. */
function convertCrdNode(node: JsonObject, ctx: CrdNodeContext, where: string): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (isDroppedKey(key) || key === 'nullable' || key === '$ref') continue;
    const sub = (v: JsonValue, w: string, c: CrdNodeContext = ctx): JsonObject => convertCrdNode(asSchema(v, `${where}.${w}`), c, `${where}.${w}`);
    switch (key) {
      case 'properties': {
        if (!isObject(value)) throw new Error(`${where}.properties must be an object`);
        const props: JsonObject = {};
        for (const [name, s] of Object.entries(value)) props[name] = sub(s, name);
        out.properties = props;
        break;
      }
      case 'items':
        out.items = Array.isArray(value) ? value.map((s, i) => sub(s, `items[${i}]`)) : sub(value, 'items');
        break;
      case 'additionalProperties':
        out.additionalProperties = typeof value === 'boolean' ? value : sub(value, 'additionalProperties');
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        // `anyOf: null` (OpenShift's generator, on int-or-string fields) is no junctor: the API server drops null.
        if (value === null) break;
        if (!Array.isArray(value)) throw new Error(`${where}.${key} must be an array`);
        out[key] = value.map((s, i) => sub(s, `${key}[${i}]`, { ...ctx, inJunctor: true }));
        break;
      case 'not':
        out.not = sub(value, 'not', { ...ctx, inJunctor: true });
        break;
      default:
        out[key] = value;
    }
  }

  if (node['x-kubernetes-int-or-string'] === true) out.type = ['integer', 'string'];

  if (node['x-kubernetes-embedded-resource'] === true && !ctx.inJunctor) {
    const props = isObject(out.properties) ? out.properties : {};
    if (props.apiVersion === undefined) props.apiVersion = { type: 'string' };
    if (props.kind === undefined) props.kind = { type: 'string' };
    if (props.metadata === undefined) props.metadata = { $ref: ctx.metaRef };
    out.properties = props;
  }

  if (node.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }

  // The API server prunes (silently drops) every field its structural schema does not declare, so an
  // undeclared field is a bug even in an object without `properties` (which keeps nothing at all).
  const preserveUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  const isObjectNode = isObject(out.properties) || out.type === 'object';
  if (ctx.prune && !ctx.inJunctor && !preserveUnknown && isObjectNode && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * Converts a CustomResourceDefinition into one standalone schema per served version.
 * Throws on anything that is not a well-formed CRD.
 */
export function crdToSchemas(crd: unknown, options: CrdConversionOptions = {}): GeneratedSchema[] {
  const objectMeta = options.objectMeta ?? MINIMAL_OBJECT_META;
  if (!isObject(crd)) throw new Error('CRD must be an object');
  const apiVersion = crd.apiVersion;
  if (crd.kind !== 'CustomResourceDefinition' || (apiVersion !== 'apiextensions.k8s.io/v1' && apiVersion !== 'apiextensions.k8s.io/v1beta1')) {
    throw new Error(`not a CustomResourceDefinition: apiVersion=${String(apiVersion)} kind=${String(crd.kind)}`);
  }
  const metaName = isObject(crd.metadata) && typeof crd.metadata.name === 'string' ? crd.metadata.name : '<unnamed>';
  const source = options.source ?? `CustomResourceDefinition ${metaName}`;
  const spec = crd.spec;
  if (!isObject(spec)) throw new Error(`${source}: spec is missing`);
  const group = spec.group;
  const names = spec.names;
  if (typeof group !== 'string' || group === '') throw new Error(`${source}: spec.group is missing`);
  if (!isObject(names) || typeof names.kind !== 'string' || names.kind === '') throw new Error(`${source}: spec.names.kind is missing`);
  const kind = names.kind;

  // v1beta1 defaults spec.preserveUnknownFields to true (no pruning at all); v1 forbids true.
  const prune = apiVersion === 'apiextensions.k8s.io/v1' ? spec.preserveUnknownFields !== true : spec.preserveUnknownFields === false;
  const sharedSchema = isObject(spec.validation) ? spec.validation.openAPIV3Schema : undefined; // v1beta1 only

  const versions: Array<{ name: string; schema: JsonValue | undefined }> = [];
  if (Array.isArray(spec.versions) && spec.versions.length > 0) {
    for (const v of spec.versions) {
      if (!isObject(v) || typeof v.name !== 'string') throw new Error(`${source}: malformed spec.versions entry`);
      if (v.served === false) continue;
      const own = isObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
      versions.push({ name: v.name, schema: own ?? sharedSchema });
    }
  } else if (typeof spec.version === 'string') {
    versions.push({ name: spec.version, schema: sharedSchema });
  } else {
    throw new Error(`${source}: spec.versions is missing`);
  }

  return versions.map(({ name: version, schema: openAPIV3Schema }) => {
    const where = `${source} ${group}/${version} ${kind}`;
    const ctx: CrdNodeContext = { prune, inJunctor: false, metaRef: objectMeta.ref };
    // No schema at all means the API server accepts anything; only apiVersion/kind/metadata are checked.
    const root: JsonObject =
      openAPIV3Schema === undefined ? { type: 'object' } : convertCrdNode(asSchema(openAPIV3Schema, where), ctx, 'openAPIV3Schema');
    const props = isObject(root.properties) ? root.properties : {};
    const ownMeta = props.metadata;
    // The API server validates metadata as ObjectMeta; a CRD may only narrow it (name patterns etc.).
    if (isObject(ownMeta) && Object.keys(ownMeta).some((k) => k !== 'type' && k !== 'additionalProperties')) {
      const narrowing: JsonObject = { ...ownMeta };
      delete narrowing.additionalProperties;
      props.metadata = { allOf: [{ $ref: objectMeta.ref }, narrowing] };
    } else {
      props.metadata = { $ref: objectMeta.ref };
    }
    root.properties = props;
    if (root.type === undefined) root.type = 'object';
    const rootPreserves = isObject(openAPIV3Schema) && openAPIV3Schema['x-kubernetes-preserve-unknown-fields'] === true;
    if (openAPIV3Schema !== undefined && prune && !rootPreserves && root.additionalProperties === undefined) root.additionalProperties = false;
    pinApiVersionAndKind(root, { group, version, kind });
    const definitions = closure([root], (n) => {
      const d = objectMeta.definitions[n];
      if (!d) throw new Error(`${where}: definition ${n} not found in the ObjectMeta bundle`);
      return d;
    });
    const schema: JsonObject = { ...root, definitions };
    return { group, version, kind, source: where, schema };
  });
}

/** All CRDs of a (multi-document) YAML text. Non-CRD documents are ignored. */
export function crdsFromYaml(text: string, source: string, options: CrdConversionOptions = {}): GeneratedSchema[] {
  const out: GeneratedSchema[] = [];
  parseYamlDocuments(text, source, { lenient: true }).forEach((value, i) => {
    if (!isObject(value) || value.kind !== 'CustomResourceDefinition') return;
    out.push(...crdToSchemas(value, { ...options, source: `${source}#${i}` }));
  });
  return out;
}

/**
 * Built-in kinds the platform emits that the pinned Kubernetes version does not serve yet (e.g.
 * ValidatingAdmissionPolicy v1, GA in 1.30), each taken from the OpenAPI document of a later release.
 */
export interface KubernetesSupplement {
  version: string;
  /** `group/version/Kind` entries. */
  kinds: string[];
}

export function readKubernetesSupplements(file: string = CRD_SOURCES_FILE): KubernetesSupplement[] {
  const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  const list = isObject(parsed) ? parsed.kubernetesSupplements : undefined;
  if (list === undefined) return [];
  const wellFormed = (e: unknown): boolean =>
    isObject(e) && typeof e.version === 'string' && Array.isArray(e.kinds) && e.kinds.every((k) => typeof k === 'string');
  if (!Array.isArray(list) || !list.every(wellFormed)) {
    throw new Error(`${file}: kubernetesSupplements must be a list of { "version": "vX.Y.Z", "kinds": ["group/version/Kind", ...] }`);
  }
  return list as unknown as KubernetesSupplement[];
}

export function readCrdSources(file: string = CRD_SOURCES_FILE): CrdSource[] {
  const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!isObject(parsed) || !Array.isArray(parsed.sources)) throw new Error(`${file}: expected an object with a "sources" array`);
  return parsed.sources.map((s, i) => {
    const bad = (why: string): Error => new Error(`${file}: sources[${i}]: ${why}`);
    if (!isObject(s)) throw bad('must be an object');
    const unknown = Object.keys(s).filter((k) => !['module', 'version', 'paths', 'vendored', '$comment'].includes(k));
    if (unknown.length > 0) throw bad(`unknown keys ${unknown.join(', ')}`);
    if (typeof s.module !== 'string' || s.module === '') throw bad('"module" must be a Go module path');
    if (typeof s.version !== 'string' || !/^v\d+\.\d+\.\d+/.test(s.version)) throw bad('"version" must be a pinned module version like v1.2.3');
    if (!Array.isArray(s.paths) || s.paths.length === 0 || !s.paths.every((p): p is string => typeof p === 'string' && p !== '')) {
      throw bad('"paths" must be a non-empty array of file paths inside the module');
    }
    for (const p of s.paths) if (path.isAbsolute(p) || p.split('/').includes('..')) throw bad(`path ${p} must be relative to the module root`);
    if (s.vendored === undefined) return { module: s.module, version: s.version, paths: s.paths };
    if (typeof s.vendored !== 'string' || !/^crds\/vendor\/[a-z0-9][a-z0-9._-]*$/.test(s.vendored)) {
      throw bad('"vendored" must be a folder crds/vendor/<name> of this repository');
    }
    return { module: s.module, version: s.version, paths: s.paths, vendored: s.vendored };
  });
}

// ---------------------------------------------------------------------------------------------
// Go module access
// ---------------------------------------------------------------------------------------------

function goBinary(): string {
  if (process.env.GO) return process.env.GO;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, 'go'))) return path.join(dir, 'go');
  }
  if (fs.existsSync('/usr/local/go/bin/go')) return '/usr/local/go/bin/go';
  throw new Error('go not found (needed to fetch pinned modules); install Go or set $GO');
}

/** Where a source's files are: its vendored folder, or the module's directory in Go's module cache. */
export function crdSourceDir(src: CrdSource): string {
  return src.vendored !== undefined ? path.join(ROOT, src.vendored) : goModuleDir(src.module, src.version);
}

/** `go mod download -json module@version` -> the module's directory in the module cache. */
export function goModuleDir(module: string, version: string): string {
  let out: string;
  try {
    out = execFileSync(goBinary(), ['mod', 'download', '-json', `${module}@${version}`], {
      cwd: os.tmpdir(), // never pick up a go.mod/go.work from the caller's cwd
      env: { ...process.env, GOTOOLCHAIN: 'local', GOWORK: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`go mod download ${module}@${version} failed: ${err.stdout || err.stderr || err.message}`);
  }
  const info: unknown = JSON.parse(out);
  if (!isObject(info) || typeof info.Dir !== 'string') throw new Error(`go mod download ${module}@${version}: no "Dir" in ${out}`);
  return info.Dir;
}

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

export interface GenerateOptions {
  kubernetesVersion: string;
  outDir: string;
  log?: (line: string) => void;
}

export interface GenerateResult {
  dir: string;
  count: number;
}

export function generate({ kubernetesVersion, outDir, log = () => undefined }: GenerateOptions): GenerateResult {
  const kubeVersion = normalizeKubeVersion(kubernetesVersion);
  const k8sDir = goModuleDir('k8s.io/kubernetes', kubeVersion);
  const swaggerFile = path.join(k8sDir, 'api', 'openapi-spec', 'swagger.json');
  const swagger: unknown = JSON.parse(fs.readFileSync(swaggerFile, 'utf8'));
  if (!isObject(swagger)) throw new Error(`${swaggerFile}: not a JSON object`);

  const all: GeneratedSchema[] = swaggerToSchemas(swagger, `k8s.io/kubernetes@${kubeVersion}/api/openapi-spec/swagger.json`);
  log(`kubernetes ${kubeVersion}: ${all.length} schemas`);

  for (const sup of readKubernetesSupplements()) {
    const supDir = goModuleDir('k8s.io/kubernetes', normalizeKubeVersion(sup.version));
    const supSwagger: unknown = JSON.parse(fs.readFileSync(path.join(supDir, 'api', 'openapi-spec', 'swagger.json'), 'utf8'));
    if (!isObject(supSwagger)) throw new Error(`k8s.io/kubernetes@${sup.version} swagger.json: not a JSON object`);
    const available = swaggerToSchemas(supSwagger, `k8s.io/kubernetes@${sup.version}/api/openapi-spec/swagger.json`);
    for (const wanted of sup.kinds) {
      const found = available.find((s) => `${apiVersionOf(s.group, s.version)}/${s.kind}` === wanted);
      if (!found) throw new Error(`crds/sources.json kubernetesSupplements: ${wanted} is not in Kubernetes ${sup.version}`);
      if (all.some((s) => `${apiVersionOf(s.group, s.version)}/${s.kind}` === wanted)) {
        throw new Error(`crds/sources.json kubernetesSupplements: ${wanted} is already in Kubernetes ${kubeVersion}; remove the supplement`);
      }
      all.push(found);
    }
    log(`kubernetes ${sup.version} supplements: ${sup.kinds.length} schemas`);
  }

  const objectMeta = k8sObjectMetaBundle(swagger);
  for (const src of readCrdSources()) {
    const dir = crdSourceDir(src);
    let n = 0;
    for (const p of src.paths) {
      const file = path.join(dir, p);
      if (!fs.existsSync(file)) throw new Error(`${src.module}@${src.version}: ${p} does not exist in the module`);
      const schemas = crdsFromYaml(fs.readFileSync(file, 'utf8'), `${src.module}@${src.version}/${p}`, { objectMeta });
      if (schemas.length === 0) throw new Error(`${src.module}@${src.version}/${p}: no served CustomResourceDefinition versions found`);
      all.push(...schemas);
      n += schemas.length;
    }
    log(`${src.module}@${src.version}: ${n} CRD schemas`);
  }

  // Write into a fresh temporary directory, then swap it in, so a failed run never leaves half a tree.
  fs.mkdirSync(outDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(outDir, '.tmp-'));
  try {
    const index: JsonObject = {};
    const seen = new Map<string, string>();
    for (const s of all) {
      const rel = schemaRelativePath(kubeVersion, s.group, s.version, s.kind);
      const prev = seen.get(rel);
      if (prev !== undefined) throw new Error(`schema path collision on ${rel}: ${prev} and ${s.source}`);
      seen.set(rel, s.source);
      const file = path.join(tmp, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, stableStringify(s.schema));
      index[`${apiVersionOf(s.group, s.version)}/${s.kind}`] = { file: rel.slice(kubeVersion.length + 1), source: s.source };
    }
    fs.writeFileSync(
      path.join(tmp, kubeVersion, 'index.json'),
      stableStringify({
        kubernetesVersion: kubeVersion,
        generator: 'scripts/gen-schemas.ts',
        schemaLocation: SCHEMA_LOCATION_TEMPLATE_SUFFIX,
        schemas: index,
      }),
    );
    // Replace the whole schema tree: schemas of other (stale) Kubernetes versions are removed too.
    for (const entry of fs.readdirSync(outDir)) {
      if (entry !== path.basename(tmp) && !entry.startsWith('.')) fs.rmSync(path.join(outDir, entry), { recursive: true, force: true });
    }
    fs.renameSync(path.join(tmp, kubeVersion), path.join(outDir, kubeVersion));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { dir: path.join(outDir, kubeVersion), count: all.length };
}

function main(argv: string[]): void {
  let outDir = SCHEMAS_DIR;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out' && argv[i + 1]) outDir = path.resolve(argv[++i]);
    else if (a === '--quiet') quiet = true;
    else {
      process.stderr.write(`usage: tsx scripts/gen-schemas.ts [--out DIR] [--quiet]\n`);
      process.exit(2);
    }
  }
  const { KUBERNETES_VERSION } = readToolsEnv();
  const result = generate({ kubernetesVersion: KUBERNETES_VERSION, outDir, log: quiet ? undefined : (l) => process.stdout.write(`${l}\n`) });
  if (!quiet) process.stdout.write(`wrote ${result.count} schemas to ${path.relative(process.cwd(), result.dir) || '.'}\n`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`gen-schemas: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
