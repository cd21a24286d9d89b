import { parser } from '@prometheus-io/lezer-promql';

/**
 * A dashboard query judged by the official PromQL grammar (`@prometheus-io/lezer-promql`, the
 * parser of Prometheus' own query editor): it must parse without an error node, and every vector
 * selector must name its metric, one the platform knows (a recording rule or a documented
 * exporter's metric), so that a panel never shows "No data" because of a typo or a metric nobody
 * produces.
 */

/**
 * Grafana's interval macros, expanded by Grafana before the query reaches Prometheus: they stand
 * for a duration, so they are read as one here. Any other `$` outside a string is a parse error.
 */
export const GRAFANA_MACROS: Readonly<Record<string, string>> = {
  $__rate_interval: '1m',
  $__interval: '1m',
  $__range: '1h',
};

/** What is wrong with one query: a parse error or a metric the platform does not produce. */
export type PromqlProblem =
  | { readonly kind: 'syntax'; readonly column: number; readonly near: string }
  | { readonly kind: 'type'; readonly column: number; readonly reason: string }
  | { readonly kind: 'unknown-metric'; readonly metric: string }
  | { readonly kind: 'unnamed-selector'; readonly selector: string };

interface Expanded {
  readonly text: string;
  /** Original offset of each expanded offset (one more entry for the end). */
  readonly origin: readonly number[];
}

/** The query with GRAFANA_MACROS expanded (longest first), and where each character came from. */
function expandMacros(expr: string): Expanded {
  const macros = Object.keys(GRAFANA_MACROS).sort((a, b) => b.length - a.length);
  let text = '';
  const origin: number[] = [];
  let i = 0;
  while (i < expr.length) {
    const macro = expr[i] === '$' ? macros.find((m) => expr.startsWith(m, i) && !/[A-Za-z0-9_]/.test(expr[i + m.length] ?? '')) : undefined;
    if (macro === undefined) {
      text += expr[i];
      origin.push(i);
      i += 1;
      continue;
    }
    for (const ch of GRAFANA_MACROS[macro]) {
      text += ch;
      origin.push(i);
    }
    i += macro.length;
  }
  origin.push(expr.length);
  return { text, origin };
}

/** `"a\"b"` or `'a'` or a backquoted string, as the value it denotes. */
function unquote(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  if (literal.startsWith('"')) return JSON.parse(literal) as string;
  return JSON.parse(`"${literal.slice(1, -1).replace(/\\'/g, '\'').replace(/"/g, '\\"')}"`) as string;
}

/** A selector of a parsed query, by position: its metric name's span, or the whole selector when it names none. */
type SelectorSpan =
  | { readonly named: true; readonly from: number; readonly to: number; readonly quoted: boolean }
  | { readonly named: false; readonly from: number; readonly to: number };

/** What the parser made of a query's shape: its first error, or its selectors. */
type Shape =
  | { readonly error: number }
  | { readonly typeError: Mistyped }
  | { readonly selectors: readonly SelectorSpan[] };

/**
 * The grammar types nothing (rate(x) and sum(x[5m]) parse), while Prometheus refuses a function
 * over time without a range vector and a range vector anywhere else: the two mistakes a panel
 * makes most, checked here as Prometheus' own parser would.
 */
const RANGE_FUNCTIONS = /^(rate|irate|increase|delta|idelta|deriv|changes|resets|predict_linear|holt_winters|double_exponential_smoothing|[a-z_]+_over_time)$/;
/** What a range vector may be wrapped in and stay one: an offset, an @ modifier, parentheses. */
const RANGE_WRAPPERS = new Set(['OffsetExpr', 'StepInvariantExpr', 'ParenExpr']);
const RANGES = new Set(['MatrixSelector', 'SubqueryExpr']);

interface TreeNode {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly parent: TreeNode | null;
  readonly firstChild: TreeNode | null;
  readonly nextSibling: TreeNode | null;
  getChild(name: string): TreeNode | null;
}

/** The function a call node calls, by name. */
function calledFunction(call: TreeNode, text: string): string {
  const id = call.getChild('FunctionIdentifier');
  return id === null ? '' : text.slice(id.from, id.to);
}

/** Whether `node`, unwrapped, is a range vector. */
function isRange(node: TreeNode): boolean {
  let n: TreeNode | null = node;
  while (n !== null && RANGE_WRAPPERS.has(n.name)) n = n.firstChild;
  return n !== null && RANGES.has(n.name);
}

/** A mistyped node: a range vector where none may be (its span), or a function over time without one. */
type Mistyped = { readonly from: number; readonly to: number; readonly fn?: undefined } | { readonly from: number; readonly fn: string };

/** Why a range vector or a call over time is mistyped, or undefined. */
function typeProblem(node: TreeNode, text: string): Mistyped | undefined {
  if (RANGES.has(node.name)) {
    let up = node.parent;
    while (up !== null && RANGE_WRAPPERS.has(up.name)) up = up.parent;
    const call = up?.name === 'FunctionCallBody' ? up.parent : null;
    if (call?.name === 'FunctionCall' && RANGE_FUNCTIONS.test(calledFunction(call, text))) return undefined;
    return { from: node.from, to: node.to };
  }
  if (node.name === 'FunctionCall') {
    const fn = calledFunction(node, text);
    if (!RANGE_FUNCTIONS.test(fn)) return undefined;
    for (let arg = node.getChild('FunctionCallBody')?.firstChild ?? null; arg !== null; arg = arg.nextSibling) if (isRange(arg)) return undefined;
    return { from: node.from, fn };
  }
  return undefined;
}

/**
 * Parsed shapes by the query with every string literal's contents blanked (same length, so every
 * position holds for the original): the dashboards of one environment, and of every environment,
 * repeat a few dozen shapes that differ in label values only, and parsing is most of the check.
 */
const shapes = new Map<string, Shape>();
const SHAPE_CACHE_LIMIT = 10000;

/** The query with the contents of each string literal replaced by "x"s, and whether a string may name a metric. */
function blankStrings(text: string): { readonly blanked: string; readonly namesInStrings: boolean } {
  const blanked = text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, (lit) => `${lit[0]}${'x'.repeat(lit.length - 2)}${lit[0]}`);
  return { blanked, namesInStrings: /__name__|\{\s*["'`]/.test(text) };
}

function parseShape(text: string): Shape {
  const tree = parser.parse(text);
  let error: number | undefined;
  let typeError: Mistyped | undefined;
  const selectors: SelectorSpan[] = [];
  tree.iterate({
    enter(node) {
      if (error !== undefined) return false;
      if (node.type.isError) {
        error = node.from;
        return false;
      }
      if (node.name === 'VectorSelector') selectors.push(selectorSpan(node.node, text));
      typeError ??= typeProblem(node.node as unknown as TreeNode, text);
      return undefined;
    },
  });
  if (error !== undefined) return { error };
  return typeError !== undefined ? { typeError } : { selectors };
}

/** The shape of a query, from the cache when its blanked form was parsed before. */
function shapeOf(text: string): Shape {
  const { blanked, namesInStrings } = blankStrings(text);
  if (namesInStrings) return parseShape(text);
  let shape = shapes.get(blanked);
  if (shape === undefined) {
    shape = parseShape(blanked);
    if (shapes.size >= SHAPE_CACHE_LIMIT) shapes.clear();
    shapes.set(blanked, shape);
  }
  return shape;
}

/**
 * The problems of one query, in query order: the first parse error alone (what follows it is the
 * parser's recovery, not the query), else each selector whose metric is unknown or unnamed.
 */
export function promqlProblems(expr: string, known: ReadonlySet<string>): PromqlProblem[] {
  const { text, origin } = expandMacros(expr);
  if (text.trim() === '') return [{ kind: 'syntax', column: 1, near: '(empty query)' }];
  const shape = shapeOf(text);
  if ('error' in shape) {
    const at = origin[shape.error];
    return [{ kind: 'syntax', column: at + 1, near: expr.slice(at, at + 20) || '(end of query)' }];
  }
  if ('typeError' in shape) {
    const t = shape.typeError;
    const reason = t.fn !== undefined
      ? `${t.fn} takes a range vector, such as x[$__rate_interval]`
      : `the range vector ${expr.slice(origin[t.from], origin[t.to])} is not the argument of a function over time (rate, increase, max_over_time, …)`;
    return [{ kind: 'type', column: origin[t.from] + 1, reason }];
  }
  return shape.selectors.flatMap((s): PromqlProblem[] => {
    const source = text.slice(s.from, s.to);
    if (!s.named) return [{ kind: 'unnamed-selector', selector: source }];
    const name = s.quoted ? unquote(source) : source;
    return known.has(name) ? [] : [{ kind: 'unknown-metric', metric: name }];
  });
}

interface SyntaxNodeLike {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  getChild(name: string): SyntaxNodeLike | null;
  getChildren(name: string): SyntaxNodeLike[];
}

/**
 * Where a selector names its metric: `name{…}`, `{"name", …}` or `{__name__="name"}`; a selector
 * by label only, or by a `__name__` pattern, is unnamed (it could match anything).
 */
function selectorSpan(selector: SyntaxNodeLike, text: string): SelectorSpan {
  const unnamed: SelectorSpan = { named: false, from: selector.from, to: selector.to };
  const identifier = selector.getChild('Identifier');
  if (identifier !== null) return { named: true, from: identifier.from, to: identifier.to, quoted: false };
  const matchers = selector.getChild('LabelMatchers');
  if (matchers === null) return unnamed;
  const quoted = matchers.getChild('QuotedLabelName');
  if (quoted !== null) return { named: true, from: quoted.from, to: quoted.to, quoted: true };
  for (const m of [...matchers.getChildren('UnquotedLabelMatcher'), ...matchers.getChildren('QuotedLabelMatcher')]) {
    const label = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
    const labelText = label === null ? '' : text.slice(label.from, label.to);
    if ((label?.name === 'QuotedLabelName' ? unquote(labelText) : labelText) !== '__name__') continue;
    const op = m.getChild('MatchOp');
    const value = m.getChildren('StringLiteral').at(-1);
    if (op === null || op.getChild('EqlSingle') === null || value === undefined) return unnamed;
    return { named: true, from: value.from, to: value.to, quoted: true };
  }
  return unnamed;
}

/** One problem as the end of a sentence naming the query's place: `does not parse at column 12, near "…"`. */
export function describePromqlProblem(p: PromqlProblem): string {
  switch (p.kind) {
    case 'syntax':
      return `does not parse (PromQL) at column ${p.column}, near ${JSON.stringify(p.near)}`;
    case 'type':
      return `is not a valid query (Prometheus would refuse it) at column ${p.column}: ${p.reason}`;
    case 'unknown-metric':
      return `names metric ${p.metric}, which neither a recording rule of lib/slo nor a documented exporter produces`;
    case 'unnamed-selector':
      return `selects ${p.selector} without a metric name (or by a __name__ pattern), so it cannot be checked against the known metrics`;
  }
}
