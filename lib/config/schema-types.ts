import { describeValue, didYouMean } from './errors';

/**
 * A tiny typed schema language: one definition yields the TypeScript type (`Infer<...>`), a
 * validator that reports every problem with its key path, the value received, what is allowed and
 * how to fix it, and the documentation of the format (each field's one-line doc and default, read
 * by scripts/gen-overlay-docs.ts into the README reference and a JSON Schema for editors).
 * Hand-rolled rather than a generic library so that messages read the way platform engineers
 * expect ("allowed: an integer from 0 to 100; fix: use 100 or less").
 */

export type Path = readonly (string | number)[];

export interface Issue {
  readonly path: Path;
  readonly message: string;
  readonly received?: string;
  readonly allowed?: string;
  readonly fix?: string;
  /** Point at the key rather than the value (unknown keys). */
  readonly atKey?: boolean;
}

export const INVALID: unique symbol = Symbol('invalid');
export type Checked<T> = T | typeof INVALID;

/** A JSON Schema (draft-07) of one type, as plain data. */
export type JsonSchema = { readonly [keyword: string]: unknown };
/** Schemas a generated JSON Schema shares, by name (`#/definitions/<name>`). */
export type JsonDefinitions = Map<string, JsonSchema>;

/** What a type is made of, for generated documentation. */
export type Shape =
  | { readonly kind: 'scalar' }
  /** A key that must never be set: known (so that it gets its own message), never allowed. */
  | { readonly kind: 'forbidden' }
  | { readonly kind: 'object'; readonly fields: Fields; readonly inline: boolean }
  | { readonly kind: 'list'; readonly item: Type<unknown> }
  | { readonly kind: 'map'; readonly key: Type<string>; readonly value: Type<unknown>; readonly options: MapOptions };

export abstract class Type<T> {
  /** Phantom field carrying the parsed type. */
  declare readonly _output: T;
  /** What this type accepts, for humans. */
  public abstract readonly allowed: string;
  public abstract check(value: unknown, path: Path, issues: Issue[]): Checked<T>;
  /** This type as JSON Schema, for editors; parts shared by several places go to `definitions`. */
  public abstract jsonSchema(definitions: JsonDefinitions): JsonSchema;

  /** What this type is made of; a scalar unless it has fields, items or entries. */
  public get shape(): Shape {
    return { kind: 'scalar' };
  }

  /**
   * Adds a semantic check that runs once the basic type is right. `jsonSchema` says what of it a
   * JSON Schema can express (it is added to this type's own), so that editors flag it too.
   */
  public refine(check: (value: T) => Omit<Issue, 'path'> | undefined, jsonSchema?: JsonSchema): Type<T> {
    return new Refined(this, check, jsonSchema);
  }
}

export type Infer<S> = S extends Type<infer T> ? T : never;

/** What a value is, in the words of a fix. */
function kindOf(value: unknown): 'string' | 'number' | 'boolean' | 'list' | 'mapping' {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object' && value !== null) return 'mapping';
  return typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string';
}

/** A value of the wrong type; `fix` says how to write one of the right type. */
function typeMismatch(path: Path, value: unknown, allowed: string, fix: string): Issue {
  return { path, message: 'wrong type', received: describeValue(value), allowed, fix };
}

/** How to write a mapping where something else was given. */
function mappingFix(value: unknown): string {
  return kindOf(value) === 'list'
    ? 'write "key: value" lines (a mapping), not "- " items'
    : 'write "key: value" lines indented under the key, not a single value';
}

class Refined<T> extends Type<T> {
  public readonly allowed: string;
  constructor(
    private readonly inner: Type<T>,
    private readonly rule: (v: T) => Omit<Issue, 'path'> | undefined,
    private readonly extra: JsonSchema | undefined,
  ) {
    super();
    this.allowed = inner.allowed;
  }
  public check(value: unknown, path: Path, issues: Issue[]): Checked<T> {
    const v = this.inner.check(value, path, issues);
    if (v === INVALID) return INVALID;
    const problem = this.rule(v);
    if (problem === undefined) return v;
    issues.push({ ...problem, path });
    return INVALID;
  }
  public jsonSchema(definitions: JsonDefinitions): JsonSchema {
    const base = this.inner.jsonSchema(definitions);
    if (this.extra === undefined) return base;
    return Object.keys(this.extra).some((k) => k in base) ? { allOf: [base, this.extra] } : { ...base, ...this.extra };
  }
  public get shape(): Shape {
    return this.inner.shape;
  }
}

export interface StringOptions {
  readonly pattern?: RegExp;
  /** Human description of the pattern, e.g. "a DNS-1123 label". */
  readonly describe?: string;
  /** @default 1 */
  readonly minLength?: number;
  readonly maxLength?: number;
  /** The likely intended value of an invalid one (`Bulwark_Dev` → `bulwark-dev`); offered only when it is valid. */
  readonly suggest?: (value: string) => string;
}

class StringType extends Type<string> {
  public readonly allowed: string;
  constructor(private readonly opts: StringOptions) {
    super();
    this.allowed = opts.describe ?? 'a string';
  }
  public check(value: unknown, path: Path, issues: Issue[]): Checked<string> {
    if (typeof value !== 'string') {
      const kind = kindOf(value);
      const quoted = (kind === 'number' || kind === 'boolean') && this.accepts(String(value));
      const collection = kind === 'list' || kind === 'mapping';
      const fix = quoted ? `put the value in quotes: "${String(value)}"` : collection ? `write one value, not a ${kind}` : `write ${this.allowed}`;
      issues.push(typeMismatch(path, value, this.allowed, fix));
      return INVALID;
    }
    if (!this.accepts(value)) {
      const limit = this.opts.maxLength !== undefined ? ` of at most ${this.opts.maxLength} characters` : '';
      issues.push({ path, message: 'invalid value', received: describeValue(value), allowed: `${this.allowed}${limit}`, fix: this.fixOf(value) });
      return INVALID;
    }
    return value;
  }
  private accepts(value: string): boolean {
    const { pattern, minLength = 1, maxLength } = this.opts;
    return value.length >= minLength && (maxLength === undefined || value.length <= maxLength) && (pattern === undefined || pattern.test(value));
  }
  private fixOf(value: string): string {
    const suggestion = this.opts.suggest?.(value);
    if (suggestion !== undefined && suggestion !== value && this.accepts(suggestion)) return `did you mean "${suggestion}"?`;
    const { minLength = 1, maxLength } = this.opts;
    if (maxLength !== undefined && value.length > maxLength) return `shorten it to at most ${maxLength} characters`;
    if (value.length < minLength) return minLength === 1 ? 'write a value' : `write at least ${minLength} characters`;
    return `write ${this.allowed}`;
  }
  public jsonSchema(): JsonSchema {
    const { pattern, minLength = 1, maxLength } = this.opts;
    return {
      type: 'string',
      ...(minLength > 0 ? { minLength } : {}),
      ...(maxLength !== undefined ? { maxLength } : {}),
      ...(pattern ? { pattern: pattern.source, patternErrorMessage: `expected ${this.allowed}` } : {}),
    };
  }
}

class IntegerType extends Type<number> {
  public readonly allowed: string;
  constructor(private readonly min: number, private readonly max: number) {
    super();
    this.allowed = `an integer from ${min} to ${max}`;
  }
  public check(value: unknown, path: Path, issues: Issue[]): Checked<number> {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      issues.push(typeMismatch(path, value, this.allowed, this.typeFix(value)));
      return INVALID;
    }
    if (value < this.min || value > this.max) {
      const fix = value > this.max ? `use ${this.max} or less` : `use ${this.min} or more`;
      issues.push({ path, message: 'out of range', received: String(value), allowed: this.allowed, fix });
      return INVALID;
    }
    return value;
  }
  private typeFix(value: unknown): string {
    const clamp = (n: number): number => Math.min(this.max, Math.max(this.min, n));
    if (typeof value === 'string' && /^-?[0-9]+$/.test(value.trim())) return `remove the quotes: ${value.trim()}`;
    if (typeof value === 'number' && Number.isFinite(value)) return `use a whole number, e.g. ${clamp(Math.round(value))}`;
    return `write the number in digits, without quotes, e.g. ${clamp(1)}`;
  }
  public jsonSchema(): JsonSchema {
    return { type: 'integer', minimum: this.min, maximum: this.max };
  }
}

/** A number with at most `places` decimal places (a percentage such as 99.95), from min to max. */
class DecimalType extends Type<number> {
  public readonly allowed: string;
  constructor(private readonly min: number, private readonly max: number, private readonly places: number) {
    super();
    this.allowed = `a number from ${min} to ${max} with at most ${places} decimal places`;
  }
  public check(value: unknown, path: Path, issues: Issue[]): Checked<number> {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      const quoted = typeof value === 'string' && /^-?[0-9]+(\.[0-9]+)?$/.test(value.trim());
      const fix = quoted ? `remove the quotes: ${value.trim()}` : `write the number in digits, without quotes, e.g. ${this.max}`;
      issues.push(typeMismatch(path, value, this.allowed, fix));
      return INVALID;
    }
    if (value < this.min || value > this.max) {
      const fix = value > this.max ? `use ${this.max} or less` : `use ${this.min} or more`;
      issues.push({ path, message: 'out of range', received: String(value), allowed: this.allowed, fix });
      return INVALID;
    }
    if (Number(value.toFixed(this.places)) !== value) {
      const rounded = Number(value.toFixed(this.places));
      issues.push({ path, message: 'too many decimal places', received: String(value), allowed: this.allowed, fix: `use ${rounded}` });
      return INVALID;
    }
    return value;
  }
  public jsonSchema(): JsonSchema {
    // No multipleOf: 99.9 is no exact multiple of 0.001 in binary floating point.
    return { type: 'number', minimum: this.min, maximum: this.max };
  }
}

class BooleanType extends Type<boolean> {
  public readonly allowed = 'true or false';
  public check(value: unknown, path: Path, issues: Issue[]): Checked<boolean> {
    if (typeof value === 'boolean') return value;
    const quoted = typeof value === 'string' && /^(true|false)$/i.test(value.trim());
    const fix = quoted ? `remove the quotes: ${value.trim().toLowerCase()}` : 'write true or false, without quotes';
    issues.push(typeMismatch(path, value, this.allowed, fix));
    return INVALID;
  }
  public jsonSchema(): JsonSchema {
    return { type: 'boolean' };
  }
}

class EnumType<V extends string> extends Type<V> {
  public readonly allowed: string;
  constructor(public readonly values: readonly V[]) {
    super();
    this.allowed = `one of ${values.join(', ')}`;
  }
  public check(value: unknown, path: Path, issues: Issue[]): Checked<V> {
    if (typeof value === 'string' && (this.values as readonly string[]).includes(value)) return value as V;
    if (typeof value !== 'string') {
      issues.push(typeMismatch(path, value, this.allowed, `write one of ${this.values.join(', ')}`));
      return INVALID;
    }
    const suggestion = didYouMean(value, this.values);
    const fix = suggestion ? `did you mean "${suggestion}"?` : 'use one of the allowed values';
    issues.push({ path, message: 'unknown value', received: describeValue(value), allowed: this.allowed, fix });
    return INVALID;
  }
  public jsonSchema(): JsonSchema {
    return { type: 'string', enum: [...this.values] };
  }
}

/** A key that must never be set, with the reason why (e.g. literal secret values). */
class ForbiddenType extends Type<never> {
  constructor(private readonly message: string, public readonly allowed: string, private readonly fix: string) {
    super();
  }
  public check(value: unknown, path: Path, issues: Issue[]): Checked<never> {
    const received = value === undefined ? undefined : typeof value === 'string' ? 'a literal value (not shown)' : describeValue(value);
    issues.push({ path, message: this.message, received, allowed: this.allowed, fix: this.fix });
    return INVALID;
  }
  public jsonSchema(): JsonSchema {
    return { not: {} };
  }
  public get shape(): Shape {
    return { kind: 'forbidden' };
  }
}

export interface ListOptions {
  /** @default 0 */
  readonly minItems?: number;
  /** Each item at most once. @default false */
  readonly unique?: boolean;
}

class ListType<T> extends Type<readonly T[]> {
  public readonly allowed: string;
  constructor(private readonly item: Type<T>, private readonly opts: ListOptions) {
    super();
    this.allowed = `a list of ${item.allowed}`;
  }
  public check(value: unknown, path: Path, issues: Issue[]): Checked<readonly T[]> {
    if (!Array.isArray(value)) {
      const fix = kindOf(value) === 'mapping'
        ? 'write the items as a list ("- item" lines or [a, b]), not a mapping'
        : `write it as a list: [${String(value)}]`;
      issues.push(typeMismatch(path, value, this.allowed, fix));
      return INVALID;
    }
    const minItems = this.opts.minItems ?? 0;
    if (value.length < minItems) {
      const fix = minItems === 1 ? 'add an item' : `add items up to ${minItems}`;
      issues.push({ path, message: 'too few items', received: describeValue(value), allowed: `at least ${minItems} item(s)`, fix });
      return INVALID;
    }
    const out: T[] = [];
    let ok = true;
    const seen = new Map<string, number>();
    value.forEach((item, i) => {
      const v = this.item.check(item, [...path, i], issues);
      if (v === INVALID) {
        ok = false;
        return;
      }
      const key = JSON.stringify(v);
      const first = seen.get(key);
      if (this.opts.unique && first !== undefined) {
        const fix = `remove it: it repeats item [${first}]`;
        issues.push({ path: [...path, i], message: 'duplicate item', received: describeValue(item), allowed: 'each item at most once', fix });
        ok = false;
      }
      if (first === undefined) seen.set(key, i);
      out.push(v);
    });
    return ok ? out : INVALID;
  }
  public jsonSchema(definitions: JsonDefinitions): JsonSchema {
    const { minItems = 0, unique = false } = this.opts;
    const items = this.item.jsonSchema(definitions);
    return { type: 'array', items, ...(minItems > 0 ? { minItems } : {}), ...(unique ? { uniqueItems: true } : {}) };
  }
  public get shape(): Shape {
    return { kind: 'list', item: this.item };
  }
}

/** A field of an object type: required, optional, or optional with a default. */
export interface Field<T, M extends FieldMode> {
  readonly type: Type<T>;
  readonly mode: M;
  readonly defaultValue?: T;
  /** One line for humans; also the documentation of the overlay format. */
  readonly doc: string;
  /** What leaving out an optional field means, for the documentation (a defaulted one shows its default). */
  readonly defaultDoc?: string;
}
export type FieldMode = 'required' | 'optional' | 'defaulted';
type AnyField = Field<unknown, FieldMode>;
export type Fields = Record<string, AnyField>;

/** Documentation of an optional field. */
export interface OptionalDocs {
  /** What leaving it out means, e.g. "1" or "the component's name". */
  readonly default: string;
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type InferFields<F extends Fields> = Simplify<
  { readonly [K in keyof F as F[K]['mode'] extends 'optional' ? never : K]: F[K]['type']['_output'] } &
  { readonly [K in keyof F as F[K]['mode'] extends 'optional' ? K : never]?: F[K]['type']['_output'] }
>;

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field as JSON Schema: its type, its doc and its default. */
function fieldSchema(field: AnyField, definitions: JsonDefinitions): JsonSchema {
  return { description: field.doc, ...field.type.jsonSchema(definitions), ...(field.mode === 'defaulted' ? { default: field.defaultValue } : {}) };
}

/** The keys of `fields` a value may set (forbidden ones are known, but not allowed). */
export function settableKeys(fields: Fields): string[] {
  return Object.keys(fields).filter((k) => fields[k].type.shape.kind !== 'forbidden');
}

export interface ObjectOptions {
  /**
   * Documented in one line as `{a, b, c}` (small value objects such as `{cpu, memory}`) rather
   * than a line per key. @default false
   */
  readonly inline?: boolean;
}

export class ObjectType<F extends Fields> extends Type<InferFields<F>> {
  public readonly allowed: string;
  constructor(public readonly fields: F, private readonly options: ObjectOptions = {}) {
    super();
    this.allowed = `a mapping with keys ${settableKeys(fields).join(', ')}`;
  }
  public check(value: unknown, path: Path, issues: Issue[]): Checked<InferFields<F>> {
    if (!isMapping(value)) {
      issues.push(typeMismatch(path, value, this.allowed, mappingFix(value)));
      return INVALID;
    }
    const known = Object.keys(this.fields);
    let ok = true;
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      const suggestion = didYouMean(key, known);
      issues.push({
        path: [...path, key],
        atKey: true,
        message: 'unknown key',
        received: describeValue(key),
        allowed: known.join(', '),
        fix: suggestion ? `did you mean "${suggestion}"?` : 'remove it',
      });
      ok = false;
    }
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(this.fields)) {
      const raw = value[key];
      if (raw === undefined || raw === null) {
        if (field.mode === 'required') {
          const fix = `add ${key} (${field.doc})`;
          issues.push({ path: [...path, key], message: 'missing required key', received: 'nothing', allowed: field.type.allowed, fix });
          ok = false;
        } else if (field.mode === 'defaulted') {
          out[key] = field.defaultValue;
        }
        continue;
      }
      const v = field.type.check(raw, [...path, key], issues);
      if (v === INVALID) ok = false;
      else out[key] = v;
    }
    return ok ? (out as InferFields<F>) : INVALID;
  }
  public jsonSchema(definitions: JsonDefinitions): JsonSchema {
    const entries = Object.entries(this.fields);
    const required = entries.filter(([, f]) => f.mode === 'required').map(([k]) => k);
    return {
      type: 'object',
      properties: Object.fromEntries(entries.map(([k, f]) => [k, fieldSchema(f, definitions)])),
      ...(required.length > 0 ? { required } : {}),
      additionalProperties: false,
    };
  }
  public get shape(): Shape {
    return { kind: 'object', fields: this.fields, inline: this.options.inline ?? false };
  }
}

/**
 * Keys of a map that name entries of a catalog: a catalog name needs nothing more, any other
 * key's value must set `otherwise` (which names the catalog entry). The model checks it (naming
 * the closest catalog name); here it documents the map and its JSON Schema.
 */
export interface MapCatalog {
  readonly names: readonly string[];
  /** The field a value under any other key must set, e.g. `kind`. */
  readonly otherwise: string;
  /** Name of the value's schema among the JSON Schema's definitions (it is used once per name). */
  readonly definition: string;
}

export interface MapOptions {
  /** How a key is written in the documentation's key paths. @default "<name>" */
  readonly placeholder?: string;
  readonly catalog?: MapCatalog;
}

/** Maps keyed by free strings have every key present; maps keyed by an enum may omit some. */
export type MapOf<K extends string, V> = string extends K ? Readonly<Record<string, V>> : Readonly<Partial<Record<K, V>>>;

class MapType<K extends string, V> extends Type<MapOf<K, V>> {
  public readonly allowed: string;
  constructor(private readonly key: Type<K>, private readonly value: Type<V>, private readonly options: MapOptions) {
    super();
    this.allowed = `a mapping from ${key.allowed} to ${value.allowed}`;
  }
  public check(value: unknown, path: Path, issues: Issue[]): Checked<MapOf<K, V>> {
    if (!isMapping(value)) {
      issues.push(typeMismatch(path, value, this.allowed, mappingFix(value)));
      return INVALID;
    }
    const out: Record<string, V> = {};
    let ok = true;
    for (const [rawKey, rawValue] of Object.entries(value)) {
      const keyIssues: Issue[] = [];
      const k = this.key.check(rawKey, [...path, rawKey], keyIssues);
      issues.push(...keyIssues.map((i) => ({ ...i, atKey: true })));
      const v = this.value.check(rawValue, [...path, rawKey], issues);
      if (k === INVALID || v === INVALID) ok = false;
      else out[k] = v;
    }
    return ok ? (out as MapOf<K, V>) : INVALID;
  }
  public jsonSchema(definitions: JsonDefinitions): JsonSchema {
    const propertyNames = this.key.jsonSchema(definitions);
    const { catalog } = this.options;
    if (catalog === undefined) return { type: 'object', propertyNames, additionalProperties: this.value.jsonSchema(definitions) };
    definitions.set(catalog.definition, this.value.jsonSchema(definitions));
    const ref = { $ref: `#/definitions/${catalog.definition}` };
    return {
      type: 'object',
      propertyNames,
      properties: Object.fromEntries(catalog.names.map((n) => [n, ref])),
      additionalProperties: { allOf: [ref, { type: 'object', required: [catalog.otherwise] }] },
    };
  }
  public get shape(): Shape {
    return { kind: 'map', key: this.key, value: this.value, options: this.options };
  }
}

export const t = {
  string: (opts: StringOptions = {}): Type<string> => new StringType(opts),
  integer: (min: number, max: number): Type<number> => new IntegerType(min, max),
  decimal: (min: number, max: number, places: number): Type<number> => new DecimalType(min, max, places),
  boolean: (): Type<boolean> => new BooleanType(),
  oneOf: <V extends string>(values: readonly V[]): EnumType<V> => new EnumType(values),
  list: <T>(item: Type<T>, opts: ListOptions = {}): Type<readonly T[]> => new ListType(item, opts),
  object: <F extends Fields>(fields: F, options: ObjectOptions = {}): ObjectType<F> => new ObjectType(fields, options),
  forbidden: (message: string, allowed: string, fix: string): Type<never> => new ForbiddenType(message, allowed, fix),
  map: <K extends string, V>(key: Type<K>, value: Type<V>, options: MapOptions = {}): Type<MapOf<K, V>> => new MapType(key, value, options),
  required: <T>(type: Type<T>, doc: string): Field<T, 'required'> => ({ type, mode: 'required', doc }),
  optional: <T>(type: Type<T>, doc: string, docs?: OptionalDocs): Field<T, 'optional'> =>
    ({ type, mode: 'optional', doc, defaultDoc: docs?.default }),
  defaulted: <T>(type: Type<T>, defaultValue: T, doc: string): Field<T, 'defaulted'> => ({ type, mode: 'defaulted', defaultValue, doc }),
  /** An object field that may be left out entirely: its default is what its own field defaults make of `{}`. */
  defaultedObject: <F extends Fields>(type: ObjectType<F>, doc: string): Field<InferFields<F>, 'defaulted'> => {
    const issues: Issue[] = [];
    const defaultValue = type.check({}, [], issues);
    if (defaultValue === INVALID) {
      throw new Error(`schema: defaultedObject needs every field defaulted or optional: ${issues.map((i) => i.path.join('.')).join(', ')}`);
    }
    return { type, mode: 'defaulted', defaultValue, doc };
  },
};
