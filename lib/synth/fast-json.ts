import { ApiObject, App, ImplicitTokenResolver, LazyResolver, NumberStringUnionResolver } from 'cdk8s';
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
 * through cdk8s's own `resolve` and `sanitizeValue`. The L1 classes' conversions (`toJson_…`) run
 * unchanged on top, because they call `super.toJson()`.
 *
 * Used only for the duration of `withFastApiObjectJson`, and only when the App has cdk8s's
 * default resolvers and CDK8S_DISABLE_SORT is unset; __tests__/synth/fast-json.test.ts compares it
 * with cdk8s's serialization on every object of every environment.
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

function fastToJson(this: ApiObject): unknown {
  const self = this as unknown as ApiObjectInternals;
  if (self.patches.length > 0) return ORIGINAL.call(this);
  try {
    const m = self.metadata;
    const metadata = plain({
      ...m._additionalAttributes,
      name: m.name,
      namespace: m.namespace,
      annotations: m.annotations,
      finalizers: m.finalizers,
      ownerReferences: m.ownerReferences,
      labels: m.labels,
    }, METADATA, this);
    // The metadata is final already (walking it again would change nothing): the body without it.
    const json = plain({ ...self.props, metadata: undefined }, BODY, this) as Record<string, unknown>;
    const result: Record<string, unknown> = {};
    if ('apiVersion' in json) result.apiVersion = json.apiVersion;
    if ('kind' in json) result.kind = json.kind;
    if (metadata !== undefined) result.metadata = metadata;
    for (const k of Object.keys(json)) if (!(k in result)) result[k] = json[k];
    return result;
  } catch (e) {
    throw new Error(`Failed serializing construct at path '${this.node.path}' with name '${this.name}': ${e}`);
  }
}

const ORIGINAL = ApiObject.prototype.toJson;

/** The App resolves with cdk8s's defaults only (custom resolvers need the generic walk). */
function hasDefaultResolvers(app: App): boolean {
  return app.resolvers.length === DEFAULT_RESOLVERS.length && app.resolvers.every((r, i) => r.constructor === DEFAULT_RESOLVERS[i]);
}

/** Runs `serialize` with the fast `ApiObject.toJson` in place (when it applies to `app`). */
export function withFastApiObjectJson<T>(app: App, serialize: () => T): T {
  if (process.env.CDK8S_DISABLE_SORT || !hasDefaultResolvers(app) || ApiObject.prototype.toJson !== ORIGINAL) return serialize();
  ApiObject.prototype.toJson = fastToJson;
  try {
    return serialize();
  } finally {
    ApiObject.prototype.toJson = ORIGINAL;
  }
}
