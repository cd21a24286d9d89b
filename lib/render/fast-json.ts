import { ApiObject, App, ImplicitTokenResolver, Lazy, LazyResolver, NumberStringUnionResolver } from 'cdk8s';
import { L1_CLASSES, L1_TYPES } from './l1-shapes.generated';
// cdk8s's own helpers, for every value the fast walk does not handle itself.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { sanitizeValue } = require('cdk8s/lib/_util') as { sanitizeValue: (value: unknown, options?: SanitizeOptions) => unknown };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { resolve } = require('cdk8s/lib/resolve') as { resolve: (key: string[], value: unknown, apiObject: ApiObject) => unknown };

/**
 * `ApiObject.toJson()` without its generic passes. cdk8s serializes an object in two deep walks:
 * `resolve` (a context object and three resolver calls for every value, to find tokens) and
 * `sanitizeValue` (sort keys, drop nulls); at 30,000 objects that is about half a second of CPU.
 * Bulwark's values are plain data except a few `Lazy` values, so one walk does both: plain objects,
 * arrays and primitives are copied with sorted keys and without nulls, exactly as the two passes
 * would, and any other value (a `Lazy`, a union class, an object with a `resolve` method) goes
 * through cdk8s's own `resolve` and `sanitizeValue`.
 *
 * An L1 class (`KubeDeployment`, an imports/ binding) then runs a third walk on top, its generated
 * converter (`toJson_KubeDeploymentProps`), which rebuilds every object in schema order, renames
 * keys, unwraps IntOrString and Quantity, and filters each level through a quadratic
 * `Object.entries(…).reduce` (about 0.4 s at 30,000 objects). For the classes of
 * l1-shapes.generated.ts (read from those converters by scripts/gen-l1-shapes.ts), `l1Json` does
 * all three in the same one walk, following the converter's shape; a value the shape does not
 * expect (a Date, a list where a map belongs) makes the whole object take cdk8s's path instead.
 *
 * Used only for the duration of `withFastApiObjectJson`, and only when the App has cdk8s's
 * default resolvers and CDK8S_DISABLE_SORT is unset; __tests__/render/fast-json.test.ts and
 * __tests__/synth/synth-environment.test.ts compare it with cdk8s's serialization, on every object
 * of every environment.
 */
interface SanitizeOptions {
  readonly filterEmptyArrays?: boolean;
  readonly filterEmptyObjects?: boolean;
  readonly sortKeys?: boolean;
}

/** The parts of ApiObject and its metadata `toJson` reads (private in TypeScript, plain in JS). */
interface ApiObjectInternals {
  readonly props: Record<string, unknown>;
  readonly patches: readonly unknown[];
  readonly metadata: {
    readonly _additionalAttributes: Record<string, unknown>;
    readonly name?: string;
    readonly namespace?: string;
    readonly annotations: Record<string, unknown>;
    readonly finalizers: unknown[];
    readonly ownerReferences: unknown[];
    readonly labels: Record<string, unknown>;
  };
}

const METADATA: SanitizeOptions = { filterEmptyArrays: true, filterEmptyObjects: true };
const BODY: SanitizeOptions = {};
const DEFAULT_RESOLVERS = [LazyResolver, ImplicitTokenResolver, NumberStringUnionResolver];

/** resolve + sanitizeValue in one walk, for plain data; cdk8s's functions for anything else. */
function plain(value: unknown, options: SanitizeOptions, owner: ApiObject): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (options.filterEmptyArrays && value.length === 0) return undefined;
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = plain(value[i], options, owner);
    return out;
  }
  const record = value as Record<string, unknown>;
  if (record.constructor !== Object || typeof record.resolve === 'function') return sanitizeValue(resolve([], value, owner), options);
  const out: Record<string, unknown> = {};
  let empty = true;
  const keys = Object.keys(record);
  if (!isSorted(keys)) keys.sort();
  for (const key of keys) {
    const v = plain(record[key], options, owner);
    if (v !== null && v !== undefined) {
      out[key] = v;
      empty = false;
    }
  }
  return options.filterEmptyObjects && empty ? undefined : out;
}

/** `keys` already in `Array.prototype.sort`'s order (UTF-16 code units); most are short lists. */
function isSorted(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1] > keys[i]) return false;
  return true;
}

/** The object's metadata as `ApiObjectMetadata.toJson()` returns it (already final). */
function metadataJson(self: ApiObjectInternals, owner: ApiObject): unknown {
  const m = self.metadata;
  return plain({
    ...m._additionalAttributes,
    name: m.name,
    namespace: m.namespace,
    annotations: m.annotations,
    finalizers: m.finalizers,
    ownerReferences: m.ownerReferences,
    labels: m.labels,
  }, METADATA, owner);
}

const failed = (owner: ApiObject, e: unknown): Error =>
  new Error(`Failed serializing construct at path '${owner.node.path}' with name '${owner.name}': ${e}`);

function fastToJson(this: ApiObject): unknown {
  const self = this as unknown as ApiObjectInternals;
  if (self.patches.length > 0) return ORIGINAL.call(this);
  try {
    const metadata = metadataJson(self, this);
    // The metadata is final already (walking it again would change nothing): the body without it.
    const json = plain({ ...self.props, metadata: undefined }, BODY, this) as Record<string, unknown>;
    const result: Record<string, unknown> = {};
    if ('apiVersion' in json) result.apiVersion = json.apiVersion;
    if ('kind' in json) result.kind = json.kind;
    if (metadata !== undefined) result.metadata = metadata;
    for (const k of Object.keys(json)) if (!(k in result)) result[k] = json[k];
    return result;
  } catch (e) {
    throw failed(this, e);
  }
}

/**
 * How the converter treats a field (scripts/gen-l1-shapes.ts reads it from the converter's code):
 * v copied, a a list copied, u a union's `.value`, d a Date's `toISOString()`, s a struct, as a
 * list of structs, m a map copied, mu a map of unions, ms a map of structs, ma a map of lists, mas a
 * map of lists of structs.
 */
type FieldKind = 'v' | 'a' | 'u' | 'd' | 's' | 'as' | 'm' | 'mu' | 'ms' | 'ma' | 'mas';

interface FieldShape {
  readonly key: string;
  readonly prop: string;
  readonly kind: FieldKind;
  /** The struct type of s, as, ms, mas. */
  type?: Shape;
}

interface Shape {
  readonly fields: FieldShape[];
}

interface ClassShape {
  readonly gvk: Readonly<Record<string, unknown>>;
  readonly props: Shape;
}

/** A value the converter's shape does not expect: the object takes cdk8s's own path instead. */
class UnexpectedValue extends Error {}

let classShapes: Map<unknown, ClassShape> | undefined;

/** The table of l1-shapes.generated.ts, parsed once, by constructor. */
function l1Classes(): Map<unknown, ClassShape> {
  if (classShapes) return classShapes;
  const shapes = new Map<string, Shape>();
  const shape = (name: string): Shape => {
    let found = shapes.get(name);
    if (found) return found;
    const encoded = L1_TYPES[name];
    if (encoded === undefined) throw new Error(`l1-shapes.generated.ts: no type ${name}`);
    found = { fields: [] };
    shapes.set(name, found);
    const module = name.slice(0, name.indexOf(':') + 1);
    for (const field of encoded === '' ? [] : encoded.split('|')) {
      const [names, kind, type] = field.split(' ');
      const [key, prop = key] = names.split('=');
      found.fields.push({ key, prop, kind: kind as FieldKind });
      if (type !== undefined) found.fields[found.fields.length - 1].type = shape(module + type);
    }
    return found;
  };
  classShapes = new Map();
  for (const [cls, props] of L1_CLASSES) {
    const gvk = (cls as unknown as { GVK: Record<string, unknown> }).GVK;
    classShapes.set(cls, { gvk, props: shape(props) });
  }
  return classShapes;
}

/** The class's shape when `o` is exactly an instance of a class of the table (not a subclass). */
export function l1ShapeOf(o: ApiObject): ClassShape | undefined {
  return l1Classes().get(Object.getPrototypeOf(o)?.constructor);
}

const isPlainRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object'
    && v !== null
    && !Array.isArray(v)
    && (v as object).constructor === Object
    && typeof (v as { resolve?: unknown }).resolve !== 'function';

/** One field of a converter, from the field's unresolved value. */
function field(f: FieldShape, raw: unknown, owner: ApiObject): unknown {
  if (raw === undefined || raw === null) return undefined;
  switch (f.kind) {
    case 'v':
      return plain(raw, BODY, owner);
    case 'a':
      return list(plain(raw, BODY, owner));
    case 'u':
      return unionValue(raw, owner);
    case 'd':
      if (plain(raw, BODY, owner) === undefined) return undefined;
      throw new UnexpectedValue();
    case 's':
      return struct(f.type!, raw, owner);
    case 'as':
      return structs(f.type!, raw, owner);
    default:
      return map(f, raw, owner);
  }
}

/**
 * An instance of a union class (IntOrString, Quantity): what the default resolvers turn into
 * `{ value }` and the converter into `value` (not a Lazy, no `resolve` method, a number or string
 * `value`), taken without resolving it.
 */
function isUnion(v: unknown): v is { readonly value: number | string } {
  if (typeof v !== 'object' || v === null || v.constructor === Object || v instanceof Lazy) return false;
  const { value, resolve: resolveMethod } = v as { value?: unknown; resolve?: unknown };
  return typeof resolveMethod !== 'function' && (typeof value === 'number' || typeof value === 'string');
}

/** A u field: the converter's `resolved?.value`. */
function unionValue(raw: unknown, owner: ApiObject): unknown {
  if (isUnion(raw)) return raw.value;
  const r = plain(raw, BODY, owner);
  return r === undefined ? undefined : valueOf(r);
}

/** `resolved.value`, as the converter reads it (undefined for a primitive). */
function valueOf(resolved: unknown): unknown {
  return (Object(resolved) as { value?: unknown }).value;
}

/** `raw` as the plain record the converter reads: resolved when it is not one; undefined when it resolves to nothing. */
function recordOf(raw: unknown, owner: ApiObject): Record<string, unknown> | undefined {
  const record = isPlainRecord(raw) ? raw : plain(raw, BODY, owner);
  if (record === undefined) return undefined;
  if (!isPlainRecord(record)) throw new UnexpectedValue();
  return record;
}

function list(r: unknown): unknown[] | undefined {
  if (r === undefined || Array.isArray(r)) return r;
  throw new UnexpectedValue();
}

/** The converter of a struct: its fields in the converter's order, unknown keys left out. */
function struct(shape: Shape, raw: unknown, owner: ApiObject): Record<string, unknown> | undefined {
  if (raw === undefined || raw === null) return undefined;
  const record = recordOf(raw, owner);
  if (record === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const f of shape.fields) {
    const v = field(f, record[f.prop], owner);
    if (v !== undefined) out[f.key] = v;
  }
  return out;
}

/** An as field (or a mas field's value): a list of structs, each through the struct's converter. */
function structs(shape: Shape, raw: unknown, owner: ApiObject): unknown[] | undefined {
  const items = Array.isArray(raw) ? raw : list(plain(raw, BODY, owner));
  if (items === undefined) return undefined;
  const out = new Array<unknown>(items.length);
  for (let i = 0; i < items.length; i++) out[i] = struct(shape, items[i], owner);
  return out;
}

/** m, mu, ms, ma, mas: a map, keys sorted and null values dropped as sanitizeValue does, each value converted. */
function map(f: FieldShape, raw: unknown, owner: ApiObject): unknown {
  if (f.kind === 'm') {
    const r = plain(raw, BODY, owner);
    if (r !== undefined && !isPlainRecord(r)) throw new UnexpectedValue();
    return r;
  }
  const record = recordOf(raw, owner);
  if (record === undefined) return undefined;
  const keys = Object.keys(record);
  if (!isSorted(keys)) keys.sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const raw = record[key];
    if (f.kind === 'mu' && isUnion(raw)) {
      out[key] = raw.value;
      continue;
    }
    const v = f.kind === 'ms' ? struct(f.type!, raw, owner) : f.kind === 'mas' ? structs(f.type!, raw, owner) : plain(raw, BODY, owner);
    // A value that resolves to nothing is not in the resolved map at all.
    if (v === undefined) continue;
    out[key] = f.kind === 'ms' || f.kind === 'mas' ? v : f.kind === 'mu' ? valueOf(v) : list(v);
  }
  return out;
}

/**
 * What an L1 class's `toJson()` returns (`{ ...GVK, ...toJson_<Kind>Props(super.toJson()) }`), in
 * one walk along the converter's shape; cdk8s's path for an object with JSON patches or a value the
 * shape does not expect.
 */
function l1Json(o: ApiObject, shape: ClassShape): unknown {
  const self = o as unknown as ApiObjectInternals;
  if (self.patches.length > 0) return o.toJson();
  try {
    const out: Record<string, unknown> = { ...shape.gvk };
    for (const f of shape.props.fields) {
      const v = f.prop === 'metadata' ? metadataField(f, metadataJson(self, o), o) : field(f, self.props[f.prop], o);
      if (v !== undefined) out[f.key] = v;
    }
    return out;
  } catch (e) {
    if (e instanceof UnexpectedValue) return o.toJson();
    throw failed(o, e);
  }
}

/**
 * The metadata is final already (sanitized: keys sorted, no nulls): copied as is (v), or put
 * through its converter (ObjectMeta) without copying again what the converter would only copy.
 */
function metadataField(f: FieldShape, metadata: unknown, owner: ApiObject): unknown {
  if (f.kind === 'v') return metadata;
  if (f.kind !== 's' || !isPlainRecord(metadata)) return field(f, metadata, owner);
  const out: Record<string, unknown> = {};
  for (const g of f.type!.fields) {
    const v = metadata[g.prop];
    if (v === undefined) continue;
    const converted = g.kind === 'v' ? v : g.kind === 'a' ? list(v) : g.kind === 'm' ? finalMap(v) : field(g, v, owner);
    if (converted !== undefined) out[g.key] = converted;
  }
  return out;
}

/** An m field whose value is final already: the map itself (the converter would copy it). */
function finalMap(v: unknown): unknown {
  if (!isPlainRecord(v)) throw new UnexpectedValue();
  return v;
}

const ORIGINAL = ApiObject.prototype.toJson;

/** The App resolves with cdk8s's defaults only (custom resolvers need the generic walk). */
function hasDefaultResolvers(app: App): boolean {
  return app.resolvers.length === DEFAULT_RESOLVERS.length && app.resolvers.every((r, i) => r.constructor === DEFAULT_RESOLVERS[i]);
}

/** An object's JSON, as `o.toJson()` returns it. */
export type ObjectJson = (o: ApiObject) => unknown;

const ownToJson: ObjectJson = (o) => o.toJson();
const fastObjectJson: ObjectJson = (o) => {
  const shape = l1ShapeOf(o);
  return shape ? l1Json(o, shape) : o.toJson();
};

/**
 * Runs `serialize` with the fast `ApiObject.toJson` in place (when it applies to `app`); `toJson`
 * serializes an object, through `l1Json` when its class is in the table.
 */
export function withFastApiObjectJson<T>(app: App, serialize: (toJson: ObjectJson) => T): T {
  if (process.env.CDK8S_DISABLE_SORT || !hasDefaultResolvers(app) || ApiObject.prototype.toJson !== ORIGINAL) return serialize(ownToJson);
  ApiObject.prototype.toJson = fastToJson;
  try {
    return serialize(fastObjectJson);
  } finally {
    ApiObject.prototype.toJson = ORIGINAL;
  }
}
