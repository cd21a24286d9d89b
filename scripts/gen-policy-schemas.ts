/**
 * Offline generator of the schemas that scripts/gen-schemas.ts cannot take from an OpenAPI
 * document or a CRD file, into .tools/policy-schemas/ (run by scripts/install-tools.sh):
 *
 *  - control-plane/<kubernetes version>/<group>/<version>/<kind>.json: strict schemas of the API
 *    server configuration files Bulwark emits (audit.k8s.io/v1 Policy,
 *    apiserver.config.k8s.io/v1 EncryptionConfiguration), derived from their Go types in module
 *    k8s.io/apiserver at the version matching KUBERNETES_VERSION. Every struct becomes an object
 *    with `additionalProperties: false`; a field whose json tag lacks `omitempty` is required;
 *    a named string type with constants becomes an enum.
 *  - gatekeeper/match.json: the OpenAPI v3 schema of a Gatekeeper constraint's `spec.match`, from
 *    config/crd/bases/match.gatekeeper.sh_matchcrd.yaml of the Gatekeeper module pinned in
 *    crds/sources.json. Constraint kinds only exist once Gatekeeper reads a ConstraintTemplate,
 *    so scripts/constraint-schemas.ts builds their schemas at validation time from this and the
 *    templates being validated.
 *
 *   npx tsx scripts/gen-policy-schemas.ts [--out DIR] [--quiet]
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import {
  goModuleDir,
  isObject,
  JsonObject,
  JsonValue,
  normalizeKubeVersion,
  readCrdSources,
  readToolsEnv,
  schemaRelativePath,
  SCHEMAS_DIR,
  stableStringify,
  TOOLS_DIR,
} from './gen-schemas';

export const POLICY_SCHEMAS_DIR = path.join(TOOLS_DIR, 'policy-schemas');
export const CONTROL_PLANE_SCHEMAS_DIR = path.join(POLICY_SCHEMAS_DIR, 'control-plane');
export const CONSTRAINT_MATCH_SCHEMA = path.join(POLICY_SCHEMAS_DIR, 'gatekeeper', 'match.json');
export const GATEKEEPER_MODULE = 'github.com/open-policy-agent/gatekeeper/v3';
const MATCH_CRD = 'config/crd/bases/match.gatekeeper.sh_matchcrd.yaml';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** The configuration kinds Bulwark emits: where their Go types live in k8s.io/apiserver. */
export const CONTROL_PLANE_KINDS = [
  { group: 'audit.k8s.io', version: 'v1', kind: 'Policy', goType: 'Policy', file: 'pkg/apis/audit/v1/types.go' },
  {
    group: 'apiserver.config.k8s.io',
    version: 'v1',
    kind: 'EncryptionConfiguration',
    goType: 'EncryptionConfiguration',
    file: 'pkg/apis/config/v1/types.go',
  },
] as const;

// ---------------------------------------------------------------------------------------------
// A small reader of Go type declarations: enough for API types (structs, named strings, consts)
// ---------------------------------------------------------------------------------------------

export interface GoField {
  /** Empty for an embedded type. */
  readonly name: string;
  readonly type: string;
  /** The json tag's name ('' when absent or ",inline"). */
  readonly json: string;
  readonly omitempty: boolean;
  readonly inline: boolean;
}

export interface GoTypes {
  readonly structs: ReadonlyMap<string, readonly GoField[]>;
  /** Named string types and the values of their constants. */
  readonly enums: ReadonlyMap<string, readonly string[]>;
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
}

export function parseGoTypes(source: string): GoTypes {
  const code = stripComments(source);
  const structs = new Map<string, GoField[]>();
  for (const m of code.matchAll(/type\s+(\w+)\s+struct\s*\{([^}]*)\}/g)) {
    const fields: GoField[] = [];
    for (const raw of m[2].split('\n')) {
      const line = raw.trim();
      if (line === '') continue;
      const f = /^(?:(\w+)\s+)?([\w.*[\]]+)\s*(?:`([^`]*)`)?$/.exec(line);
      if (!f) throw new Error(`cannot read the field "${line}" of Go type ${m[1]}`);
      const tag = /json:"([^"]*)"/.exec(f[3] ?? '')?.[1];
      const [jsonName = '', ...options] = (tag ?? '').split(',');
      if (jsonName === '-') continue;
      const embedded = f[1] === undefined;
      fields.push({
        name: f[1] ?? '',
        type: f[2],
        json: jsonName,
        omitempty: options.includes('omitempty'),
        inline: options.includes('inline') || (embedded && tag === undefined),
      });
    }
    structs.set(m[1], fields);
  }
  const enums = new Map<string, string[]>();
  for (const m of code.matchAll(/type\s+(\w+)\s+string\b/g)) enums.set(m[1], []);
  for (const m of code.matchAll(/^\s*\w+\s+(\w+)\s*=\s*"([^"]*)"/gm)) enums.get(m[1])?.push(m[2]);
  return { structs, enums };
}

const GO_DURATION = '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$';

/** JSON schema of a Go type, objects closed; `objectMeta` stands for metav1.ObjectMeta. */
export function goTypeSchema(types: GoTypes, type: string, objectMeta: JsonObject, seen: readonly string[] = []): JsonObject {
  if (type.startsWith('*')) return goTypeSchema(types, type.slice(1), objectMeta, seen);
  if (type.startsWith('[]')) return { type: 'array', items: goTypeSchema(types, type.slice(2), objectMeta, seen) };
  const map = /^map\[string\](.+)$/.exec(type);
  if (map) return { type: 'object', additionalProperties: goTypeSchema(types, map[1], objectMeta, seen) };
  switch (type) {
    case 'string':
      return { type: 'string' };
    case 'bool':
      return { type: 'boolean' };
    case 'int':
    case 'int32':
    case 'int64':
      return { type: 'integer' };
    case 'metav1.ObjectMeta':
      return objectMeta;
    case 'metav1.Duration':
      return { type: 'string', pattern: GO_DURATION };
    default:
  }
  const values = types.enums.get(type);
  if (values) return values.length > 0 ? { type: 'string', enum: [...values] } : { type: 'string' };
  const fields = types.structs.get(type);
  if (!fields) throw new Error(`Go type ${type} is not handled by scripts/gen-policy-schemas.ts: add it to goTypeSchema`);
  if (seen.includes(type)) throw new Error(`Go type ${type} is recursive: not supported`);
  const properties: Record<string, JsonValue> = {};
  const required: string[] = [];
  for (const f of fields) {
    if (f.inline) {
      if (f.type !== 'metav1.TypeMeta') throw new Error(`Go type ${type}: inline ${f.type} is not supported`);
      properties.apiVersion = { type: 'string' };
      properties.kind = { type: 'string' };
      required.push('apiVersion', 'kind');
      continue;
    }
    const name = f.json || f.name;
    properties[name] = goTypeSchema(types, f.type, objectMeta, [...seen, type]);
    if (!f.omitempty) required.push(name);
  }
  return { type: 'object', additionalProperties: false, properties, ...(required.length > 0 ? { required } : {}) };
}

/** ObjectMeta as the pinned Kubernetes version defines it, from the generated ConfigMap schema. */
function objectMetaSchema(kubeVersion: string): JsonObject {
  const file = path.join(SCHEMAS_DIR, schemaRelativePath(kubeVersion, '', 'v1', 'ConfigMap'));
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run scripts/gen-schemas.ts first`);
  const configMap: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  const definitions = isObject(configMap) && isObject(configMap.definitions) ? configMap.definitions : {};
  if (!isObject(definitions[OBJECT_META])) throw new Error(`${file} has no ${OBJECT_META} definition`);
  return { $ref: `#/definitions/${OBJECT_META}`, definitions };
}

/** Standalone schemas of the control-plane kinds, keyed by their path under the output dir. */
export function controlPlaneSchemas(kubeVersion: string, apiserverDir: string, objectMeta: JsonObject): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  const ref: JsonObject = { $ref: objectMeta.$ref as string };
  for (const k of CONTROL_PLANE_KINDS) {
    const types = parseGoTypes(fs.readFileSync(path.join(apiserverDir, k.file), 'utf8'));
    const schema = goTypeSchema(types, k.goType, ref) as Record<string, JsonValue>;
    const properties = schema.properties as Record<string, JsonValue>;
    properties.apiVersion = { type: 'string', enum: [`${k.group}/${k.version}`] };
    properties.kind = { type: 'string', enum: [k.kind] };
    if (properties.metadata !== undefined) schema.definitions = objectMeta.definitions as JsonValue;
    out.set(schemaRelativePath(kubeVersion, k.group, k.version, k.kind), schema);
  }
  return out;
}

/** The raw OpenAPI v3 schema of a constraint's spec.match, from the pinned Gatekeeper module. */
export function constraintMatchSchema(gatekeeperDir: string): JsonObject {
  const crd: unknown = parse(fs.readFileSync(path.join(gatekeeperDir, MATCH_CRD), 'utf8'));
  const versions = isObject(crd) && isObject(crd.spec) && Array.isArray(crd.spec.versions) ? crd.spec.versions : [];
  const schema = versions.length === 1 && isObject(versions[0]) && isObject(versions[0].schema) ? versions[0].schema.openAPIV3Schema : undefined;
  const match = isObject(schema) && isObject(schema.properties) ? schema.properties.embeddedMatch : undefined;
  if (!isObject(match)) throw new Error(`${MATCH_CRD}: no spec.versions[0].schema.openAPIV3Schema.properties.embeddedMatch`);
  return match;
}

export function gatekeeperVersion(): string {
  const source = readCrdSources().find((s) => s.module === GATEKEEPER_MODULE);
  if (!source) throw new Error(`crds/sources.json does not pin ${GATEKEEPER_MODULE}`);
  return source.version;
}

/** k8s.io/apiserver's version for a Kubernetes version: v1.28.15 → v0.28.15. */
export function apiserverModuleVersion(kubernetesVersion: string): string {
  return normalizeKubeVersion(kubernetesVersion).replace(/^v1\./, 'v0.');
}

export function generate(outDir: string, log: (line: string) => void = () => undefined): number {
  const kubeVersion = normalizeKubeVersion(readToolsEnv().KUBERNETES_VERSION);
  const apiserver = apiserverModuleVersion(kubeVersion);
  const files = new Map<string, JsonObject>();
  for (const [rel, schema] of controlPlaneSchemas(kubeVersion, goModuleDir('k8s.io/apiserver', apiserver), objectMetaSchema(kubeVersion))) {
    files.set(path.join('control-plane', rel), schema);
  }
  log(`k8s.io/apiserver@${apiserver}: ${CONTROL_PLANE_KINDS.map((k) => k.kind).join(', ')}`);
  const gatekeeper = gatekeeperVersion();
  files.set(path.join('gatekeeper', 'match.json'), constraintMatchSchema(goModuleDir(GATEKEEPER_MODULE, gatekeeper)));
  log(`${GATEKEEPER_MODULE}@${gatekeeper}: constraint match schema`);

  const tmp = `${outDir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  for (const [rel, schema] of files) {
    fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
    fs.writeFileSync(path.join(tmp, rel), stableStringify(schema));
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.renameSync(tmp, outDir);
  return files.size;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  let outDir = POLICY_SCHEMAS_DIR;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) outDir = path.resolve(argv[++i]);
    else if (argv[i] === '--quiet') quiet = true;
    else {
      process.stderr.write('usage: tsx scripts/gen-policy-schemas.ts [--out DIR] [--quiet]\n');
      process.exit(2);
    }
  }
  try {
    const n = generate(outDir, quiet ? undefined : (l) => process.stdout.write(`${l}\n`));
    if (!quiet) process.stdout.write(`wrote ${n} schemas to ${path.relative(process.cwd(), outDir)}\n`);
  } catch (e) {
    process.stderr.write(`gen-policy-schemas: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
