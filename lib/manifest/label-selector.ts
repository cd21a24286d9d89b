/** A Kubernetes label selector (NetworkPolicy, Sidecar and AuthorizationPolicy selectors are all this). */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly SelectorRequirement[];
}

export interface SelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

export type Labels = Readonly<Record<string, string>>;

/** The label every namespace carries (since Kubernetes 1.21): its own name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

const namespaceSelectors = new Map<string, LabelSelector>();

/** The selector of one namespace, by its name label (one object per name). */
export function namespaceNamed(name: string): LabelSelector {
  let found = namespaceSelectors.get(name);
  if (!found) namespaceSelectors.set(name, (found = { matchLabels: { [NAMESPACE_NAME_LABEL]: name } }));
  return found;
}

/** A selector as arrays, read once: matching a thousand pods against it then walks no object's keys. */
interface Compiled {
  readonly keys: readonly string[];
  readonly values: readonly string[];
  readonly expressions: readonly SelectorRequirement[];
  /** The matchLabels pair of the smallest key: what indexes of policies and pods are keyed by. */
  readonly first?: readonly [key: string, value: string];
}

const compiledSelectors = new WeakMap<LabelSelector, Compiled>();

function compiled(selector: LabelSelector): Compiled {
  let found = compiledSelectors.get(selector);
  if (!found) {
    const keys = Object.keys(selector.matchLabels ?? {});
    const smallest = [...keys].sort()[0];
    found = {
      keys,
      values: keys.map((k) => selector.matchLabels![k]),
      expressions: selector.matchExpressions ?? [],
      first: smallest === undefined ? undefined : [smallest, selector.matchLabels![smallest]],
    };
    compiledSelectors.set(selector, found);
  }
  return found;
}

/** The matchLabels pair a selector is indexed by (its smallest key), if it has one. */
export function firstLabel(selector: LabelSelector | undefined): readonly [string, string] | undefined {
  return selector === undefined ? undefined : compiled(selector).first;
}

/**
 * Items listed by a label (key, then value), built once; items without a label to be indexed by in
 * `unkeyed`. Two uses, each linear where a scan would be quadratic: objects indexed by each of
 * their labels, asked which a selector could select (`selectable`); selectors indexed by their
 * first label, asked which could select a label set (`selecting`). Either way the candidates are
 * then judged by `selects`.
 */
export class LabelIndex<T> {
  private readonly byKey = new Map<string, Map<string, T[]>>();
  readonly unkeyed: T[] = [];
  add(label: readonly [string, string] | undefined, item: T): void {
    if (label === undefined) {
      this.unkeyed.push(item);
      return;
    }
    let byValue = this.byKey.get(label[0]);
    if (!byValue) this.byKey.set(label[0], (byValue = new Map()));
    const list = byValue.get(label[1]);
    if (list) list.push(item);
    else byValue.set(label[1], [item]);
  }
  get(key: string, value: string): readonly T[] {
    return this.byKey.get(key)?.get(value) ?? NOTHING;
  }
  /** Indexed by each of their labels: the items `selector` could select (all of them when it has no matchLabels), in insertion order. */
  selectable(selector: LabelSelector | undefined, all: readonly T[]): readonly T[] {
    const label = firstLabel(selector);
    return label === undefined ? all : this.get(label[0], label[1]);
  }
  /** Indexed by their selector's first label: the items whose selector could select `labels`, each once. */
  selecting(labels: Labels): T[] {
    const found = new Set<T>(this.unkeyed);
    for (const k in labels) for (const item of this.get(k, labels[k])) found.add(item);
    return [...found];
  }
}

const NOTHING: readonly never[] = [];

/** Whether `labels` satisfy every requirement of `selector` (an empty selector selects everything). */
export function selects(selector: LabelSelector, labels: Labels): boolean {
  const { keys, values, expressions } = compiled(selector);
  for (let i = 0; i < keys.length; i++) if (labels[keys[i]] !== values[i]) return false;
  for (const r of expressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const inValues = has && (r.values ?? []).includes(labels[r.key]);
    switch (r.operator) {
      case 'In': if (!inValues) return false; break;
      case 'NotIn': if (inValues) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
    }
  }
  return true;
}

export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

const normalized = new WeakMap<LabelSelector, readonly SelectorRequirement[]>();

/** Every requirement of a selector, matchLabels as single-value `In`, sorted by key: one form for comparing (computed once per selector). */
function requirements(selector: LabelSelector): readonly SelectorRequirement[] {
  let found = normalized.get(selector);
  if (!found) normalized.set(selector, (found = requirementsOf(selector)));
  return found;
}

function requirementsOf(selector: LabelSelector): SelectorRequirement[] {
  const all: SelectorRequirement[] = [
    ...Object.entries(selector.matchLabels ?? {}).map(([key, value]): SelectorRequirement => ({ key, operator: 'In', values: [value] })),
    ...(selector.matchExpressions ?? []).map((r) => ({ ...r, values: [...(r.values ?? [])].sort() })),
  ];
  return all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.operator < b.operator ? -1 : a.operator > b.operator ? 1 : 0));
}

/** A canonical text of the selector: equal selections of labels, equal keys (`{a: x}` and `a In [x]` alike). */
export function selectorKey(selector: LabelSelector): string {
  let key = keys.get(selector);
  if (key === undefined) {
    key = requirements(selector).map((r) => `${r.key} ${r.operator} ${(r.values ?? []).join('|')}`).join(';');
    keys.set(selector, key);
  }
  return key;
}

const keys = new WeakMap<LabelSelector, string>();

/** Whether requirement `outer` holds for every label set that satisfies `inner`. */
function implies(inner: SelectorRequirement, outer: SelectorRequirement): boolean {
  if (inner.key !== outer.key) return false;
  const innerValues = inner.values ?? [];
  const outerValues = outer.values ?? [];
  switch (outer.operator) {
    case 'In': return inner.operator === 'In' && innerValues.every((v) => outerValues.includes(v));
    case 'Exists': return inner.operator === 'In' || inner.operator === 'Exists';
    case 'DoesNotExist': return inner.operator === 'DoesNotExist';
    case 'NotIn':
      return inner.operator === 'DoesNotExist'
        || (inner.operator === 'In' && innerValues.every((v) => !outerValues.includes(v)))
        || (inner.operator === 'NotIn' && outerValues.every((v) => innerValues.includes(v)));
  }
}

/**
 * Whether `outer` selects every label set `inner` selects: a rule whose selector covers a peer's
 * selects every pod that peer stands for. Sound, not complete: `false` when it cannot tell.
 */
export function covers(outer: LabelSelector, inner: LabelSelector): boolean {
  const innerRequirements = requirements(inner);
  return requirements(outer).every((o) => innerRequirements.some((i) => implies(i, o)));
}

/** `k=v,k2 In (a,b)`: how the matrix names a selector. */
export function selectorText(selector: LabelSelector): string {
  return requirements(selector).map((r) => (r.operator === 'In' && r.values?.length === 1 && selector.matchLabels?.[r.key] === r.values[0]
    ? `${r.key}=${r.values[0]}`
    : `${r.key} ${r.operator}${r.values && r.values.length > 0 ? ` (${r.values.join(',')})` : ''}`)).join(',');
}
