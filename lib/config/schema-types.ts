import { describeValue, didYouMean } from './errors';

/**
 * A tiny typed schema language: one definition yields both the TypeScript type (`Infer<...>`)
 * and a validator that reports every problem with its key path, the value received and what is
 * allowed. Hand-rolled rather than a generic library so that messages read the way platform
 * engineers expect ("allowed: an integer from 0 to 100").
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

export abstract class Type<T> {
  /** Phantom field carrying the parsed type. */
  declare readonly _output: T;
  /** What this type accepts, for humans. */
  public abstract readonly allowed: string;
  public abstract check(value: unknown, path: Path, issues: Issue[]): Checked<T>;

  /** Adds a semantic check that runs once the basic type is right. */
  public refine(check: (value: T) => Omit<Issue, 'path'> | undefined): Type<T> {
    return new Refined(this, check);
  }
}

export type Infer<S> = S extends Type<infer T> ? T : never;

function typeMismatch(path: Path, value: unknown, allowed: string): Issue {
  return { path, message: 'wrong type', received: describeValue(value), allowed };
}

class Refined<T> extends Type<T> {
  public readonly allowed: string;
  constructor(private readonly inner: Type<T>, private readonly rule: (v: T) => Omit<Issue, 'path'> | undefined) {
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
}

export interface StringOptions {
  readonly pattern?: RegExp;
  /** Human description of the pattern, e.g. "a DNS-1123 label". */
  readonly describe?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
}

class StringType extends Type<string> {
  public readonly allowed: string;
  constructor(private readonly opts: StringOptions) {
    super();
    this.allowed = opts.describe ?? 'a string';
  }
  public check(value: unknown, path: Path, issues: Issue[]): Checked<string> {
    if (typeof value !== 'string') {
      issues.push(typeMismatch(path, value, this.allowed));
      return INVALID;
    }
    const { pattern, minLength = 1, maxLength } = this.opts;
    const tooLong = maxLength !== undefined && value.length > maxLength;
    if (value.length < minLength || tooLong || (pattern && !pattern.test(value))) {
      const limit = maxLength !== undefined ? ` of at most ${maxLength} characters` : '';
      issues.push({ path, message: 'invalid value', received: describeValue(value), allowed: `${this.allowed}${limit}` });
      return INVALID;
    }
    return value;
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
      issues.push(typeMismatch(path, value, this.allowed));
      return INVALID;
    }
    if (value < this.min || value > this.max) {
      issues.push({ path, message: 'out of range', received: String(value), allowed: this.allowed });
      return INVALID;
    }
    return value;
  }
}

class BooleanType extends Type<boolean> {
  public readonly allowed = 'true or false';
  public check(value: unknown, path: Path, issues: Issue[]): Checked<boolean> {
    if (typeof value === 'boolean') return value;
    issues.push(typeMismatch(path, value, this.allowed));
    return INVALID;
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
    const suggestion = typeof value === 'string' ? didYouMean(value, this.values) : undefined;
    issues.push({
      path,
      message: typeof value === 'string' ? 'unknown value' : 'wrong type',
      received: describeValue(value),
      allowed: this.allowed,
      fix: suggestion ? `did you mean "${suggestion}"?` : undefined,
    });
    return INVALID;
  }
}

/** A key that must never be set, with the reason why (e.g. literal secret values). */
class ForbiddenType extends Type<never> {
  constructor(private readonly message: string, public readonly allowed: string, private readonly fix: string) {
    super();
  }
  public check(value: unknown, path: Path, issues: Issue[]): Checked<never> {
    issues.push({ path, message: this.message, received: value === undefined ? undefined : typeof value === 'string' ? 'a literal value (not shown)' : describeValue(value), allowed: this.allowed, fix: this.fix });
    return INVALID;
  }
}

export interface ListOptions {
  readonly minItems?: number;
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
      issues.push(typeMismatch(path, value, this.allowed));
      return INVALID;
    }
    if (value.length < (this.opts.minItems ?? 0)) {
      issues.push({ path, message: 'too few items', received: describeValue(value), allowed: `at least ${this.opts.minItems} item(s)` });
      return INVALID;
    }
    const out: T[] = [];
    let ok = true;
    const seen = new Set<string>();
    value.forEach((item, i) => {
      const v = this.item.check(item, [...path, i], issues);
      if (v === INVALID) {
        ok = false;
        return;
      }
      const key = JSON.stringify(v);
      if (this.opts.unique && seen.has(key)) {
        issues.push({ path: [...path, i], message: 'duplicate item', received: describeValue(item), allowed: 'each item at most once' });
        ok = false;
      }
      seen.add(key);
      out.push(v);
    });
    return ok ? out : INVALID;
  }
}

/** A field of an object type: required, optional, or optional with a default. */
export interface Field<T, M extends FieldMode> {
  readonly type: Type<T>;
  readonly mode: M;
  readonly defaultValue?: T;
  /** One line for humans; also the documentation of the overlay format. */
  readonly doc: string;
}
export type FieldMode = 'required' | 'optional' | 'defaulted';
type AnyField = Field<unknown, FieldMode>;
export type Fields = Record<string, AnyField>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type InferFields<F extends Fields> = Simplify<
  { readonly [K in keyof F as F[K]['mode'] extends 'optional' ? never : K]: F[K]['type']['_output'] } &
  { readonly [K in keyof F as F[K]['mode'] extends 'optional' ? K : never]?: F[K]['type']['_output'] }
>;

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class ObjectType<F extends Fields> extends Type<InferFields<F>> {
  public readonly allowed: string;
  constructor(public readonly fields: F, description?: string) {
    super();
    this.allowed = description ?? `a mapping with keys ${Object.keys(fields).join(', ')}`;
  }
  public check(value: unknown, path: Path, issues: Issue[]): Checked<InferFields<F>> {
    if (!isMapping(value)) {
      issues.push(typeMismatch(path, value, this.allowed));
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
          issues.push({ path: [...path, key], message: 'missing required key', allowed: field.type.allowed, fix: `add ${key} (${field.doc})` });
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
}

/** Maps keyed by free strings have every key present; maps keyed by an enum may omit some. */
export type MapOf<K extends string, V> = string extends K ? Readonly<Record<string, V>> : Readonly<Partial<Record<K, V>>>;

class MapType<K extends string, V> extends Type<MapOf<K, V>> {
  public readonly allowed: string;
  constructor(private readonly key: Type<K>, private readonly value: Type<V>) {
    super();
    this.allowed = `a mapping from ${key.allowed} to ${value.allowed}`;
  }
  public check(value: unknown, path: Path, issues: Issue[]): Checked<MapOf<K, V>> {
    if (!isMapping(value)) {
      issues.push(typeMismatch(path, value, this.allowed));
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
}

export const t = {
  string: (opts: StringOptions = {}): Type<string> => new StringType(opts),
  integer: (min: number, max: number): Type<number> => new IntegerType(min, max),
  boolean: (): Type<boolean> => new BooleanType(),
  oneOf: <V extends string>(values: readonly V[]): EnumType<V> => new EnumType(values),
  list: <T>(item: Type<T>, opts: ListOptions = {}): Type<readonly T[]> => new ListType(item, opts),
  object: <F extends Fields>(fields: F, description?: string): ObjectType<F> => new ObjectType(fields, description),
  forbidden: (message: string, allowed: string, fix: string): Type<never> => new ForbiddenType(message, allowed, fix),
  map: <K extends string, V>(key: Type<K>, value: Type<V>): Type<MapOf<K, V>> => new MapType(key, value),
  required: <T>(type: Type<T>, doc: string): Field<T, 'required'> => ({ type, mode: 'required', doc }),
  optional: <T>(type: Type<T>, doc: string): Field<T, 'optional'> => ({ type, mode: 'optional', doc }),
  defaulted: <T>(type: Type<T>, defaultValue: T, doc: string): Field<T, 'defaulted'> => ({ type, mode: 'defaulted', defaultValue, doc }),
  /** An object field that may be left out entirely: its default is what its own field defaults make of `{}`. */
  defaultedObject: <F extends Fields>(type: ObjectType<F>, doc: string): Field<InferFields<F>, 'defaulted'> => {
    const issues: Issue[] = [];
    const defaultValue = type.check({}, [], issues);
    if (defaultValue === INVALID) throw new Error(`schema: defaultedObject needs every field defaulted or optional: ${issues.map((i) => i.path.join('.')).join(', ')}`);
    return { type, mode: 'defaulted', defaultValue, doc };
  },
};
