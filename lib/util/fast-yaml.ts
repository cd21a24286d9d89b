import { FAILSAFE_SCHEMA, load, loadAll, Type } from 'js-yaml';

/**
 * A fast path for reading overlays: js-yaml (about 15× faster than the `yaml` library, which an
 * overlay of 1000 services takes a quarter of a second to parse) for the plain YAML overlays are
 * written in, returning exactly the data `yaml` would return, or `undefined` to hand the text to
 * `yaml`, which stays the reference: it parses everything else, and it locates problems.
 *
 * "Exactly": the scalars resolve by the rules of `yaml`'s YAML 1.2 core schema (copied below: no
 * `1_000`, no `0b1`, no YAML 1.1 booleans), and every construct where the two libraries could
 * disagree goes to `yaml`:
 * - tags, anchors, aliases, explicit `?` keys, directives (`%YAML 1.1` switches `yaml` to 1.1) and
 *   collections used as keys, found by a conservative scan of the text (a false alarm only costs
 *   time);
 * - keys `yaml` turns into something else: a null key is `""` for `yaml` and `"null"` for js-yaml,
 *   so any key spelled `null` sends the text to `yaml`;
 * - anything js-yaml rejects or warns about (syntax errors, duplicate keys, several documents):
 *   `yaml` then produces the message the user sees.
 * __tests__/util/fast-yaml.test.ts compares the two on every overlay in the repository, the
 * bad-overlay corpus and thousands of generated documents.
 */
export function parsePlainYaml(text: string): { readonly value: unknown } | undefined {
  if (EXOTIC.test(text) || !inStrictBlockStyle(text)) return undefined;
  let warned = false;
  let value: unknown;
  try {
    value = load(text, { schema: CORE_1_2, json: false, onWarning: () => { warned = true; } });
  } catch {
    return undefined;
  }
  // An empty document is null to `yaml`, undefined to js-yaml.
  if (warned || value === undefined || hasSuspectKey(value)) return undefined;
  return { value };
}

/**
 * Where a node can start (line start, after `: `, `- `, `[`, `{` or `,`): tags `!`, anchors `&`,
 * aliases `*`; explicit keys `?` at a line start or after `- `; directives `%` at a line start; a
 * flow collection closing right before a `:` (a collection used as a key); a comment glued to a
 * closing quote or bracket (js-yaml accepts it, `yaml` does not; a quoted scalar that starts with
 * `#`, a Slack channel say, is not one); a document marker glued to
 * text; nested sequences on one line (`- - a`), where js-yaml misplaces a following entry.
 */
const EXOTIC = /(?:^[ \t]*|[:-][ \t]+|[[{,][ \t]*)[!&*]|(?:^[ \t]*|-[ \t]+)\?(?:[ \t]|$)|^%|[\]}][ \t]*:(?:[ \t]|$)|"[^"\n]*"#|'[^'\n]*'#|[\]}]#|^(?:---|\.\.\.)[^\s]|^[ \t]*-[ \t]+-(?:[ \t]|$)/m;

/** A block mapping key as overlays write them: plain (letters, digits, `_ . / -`) or quoted on one line. */
const KEY = /^(?:[A-Za-z0-9_][A-Za-z0-9_./-]*|"[^"\\\n]*"|'[^'\n]*')[ \t]*:(?=[ \t]|$)/;

/**
 * js-yaml is lenient with indentation where `yaml` (and the YAML spec) is not, so the fast path only
 * takes documents in plain block style, checked line by line: every line is a comment, a
 * `key: value`, a `key:` opening a nested block, a `- value`, `- key: value` or a bare `-`, at an
 * indentation that continues an open block of the same kind (mapping or sequence) exactly, nests
 * under the line above it, or starts a sequence at its key's indentation (`key:` then `- a`);
 * values on one line (quoted scalars closed, flow collections complete and simple); block scalars
 * (`|`, `>`) more indented than their key. Anything else (multi-line flow collections or scalars,
 * odd indents) goes to `yaml`. A false alarm only costs time.
 */
function inStrictBlockStyle(text: string): boolean {
  /** Open blocks; `underKey`: a sequence at its key's own indentation (`key:` then `- a`). */
  const open: { indent: number; sequence: boolean; underKey?: boolean }[] = [{ indent: -1, sequence: false }];
  /** Column of the key of the previous line when it had no value there: its block may start at it. */
  let keyAt: number | undefined;
  /** Indentation a child of the previous line must reach; undefined when it opened nothing. */
  let childFrom: number | undefined = 0;
  /** Inside a block scalar: its lines are indented more than this. */
  let scalarAbove: number | undefined;
  /** The previous line was a sequence entry without a value on its line. */
  let emptyEntry = false;
  let first = true;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    let indent = 0;
    while (line.charCodeAt(indent) === 32) indent++;
    const content = indent === 0 ? line : line.slice(indent);
    if (scalarAbove !== undefined) {
      if (content === '' || indent > scalarAbove) continue;
      scalarAbove = undefined;
    }
    if (content === '' || content.startsWith('#')) continue;
    if (/^\s/.test(content)) return false;
    if (first && indent === 0 && /^---[ \t]*(?:#.*)?$/.test(content)) {
      first = false;
      continue;
    }
    first = false;
    const dash = /^-(?: +|$)/.exec(content);
    if (childFrom !== undefined && indent >= childFrom && indent > open[open.length - 1].indent) {
      open.push({ indent, sequence: dash !== null });
    } else if (keyAt === indent && dash) {
      open.push({ indent, sequence: true, underKey: true });
    } else if (emptyEntry) {
      // An empty sequence entry followed by its parent's next line: js-yaml can misplace that line.
      return false;
    } else {
      while (open[open.length - 1].indent > indent) open.pop();
      // A key after a sequence at its key's indentation: the sequence has ended.
      if (!dash && open[open.length - 1].underKey && open[open.length - 1].indent === indent) open.pop();
      const level = open[open.length - 1];
      if (level.indent !== indent || level.sequence !== (dash !== null)) return false;
    }
    childFrom = undefined;
    keyAt = undefined;
    emptyEntry = false;
    let rest = content;
    let column = indent;
    if (dash) {
      column += dash[0].length;
      rest = rest.slice(dash[0].length);
      if (rest === '' || rest.startsWith('#')) {
        childFrom = indent + 2;
        emptyEntry = true;
        continue;
      }
    }
    const key = KEY.exec(rest);
    if (key) {
      if (dash) open.push({ indent: column, sequence: false });
      rest = rest.slice(key[0].length).replace(/^[ \t]+/, '');
      if (rest === '' || rest.startsWith('#')) {
        childFrom = column + 1;
        keyAt = column;
        continue;
      }
    } else if (!dash) {
      return false;
    }
    if (/^[|>]/.test(rest)) {
      if (!/^[|>][-+]?[ \t]*(?:#.*)?$/.test(rest)) return false;
      scalarAbove = column;
      continue;
    }
    if (!isLineValue(rest)) return false;
  }
  return !emptyEntry;
}

/** A plain scalar inside a flow collection: no indicator first, no `: `, no ` #`, no flow characters (sticky: matched at lastIndex). */
const FLOW_PLAIN = /(?:[^\s,[\]{}#'"&*!|>%@`?:-]|-(?![\s,[\]{}]))(?:[^,[\]{}:#\s]|:(?![\s,[\]{}])|[ \t]+(?![\s#,\]}:]))*/y;
/** A flow mapping key: simple, then `: ` (sticky). */
const FLOW_KEY = /(?:[A-Za-z0-9_][A-Za-z0-9_./-]*|"[^"\\\n]*"|'[^'\n]*'):[ \t]+/y;

/**
 * A value complete on its line, with an optional ` # comment`: a quoted scalar, a plain scalar, or
 * a flow collection of those whose mappings hold `key: value` pairs with simple keys.
 */
function isLineValue(value: string): boolean {
  let i = 0;
  const space = (): void => {
    while (value[i] === ' ' || value[i] === '\t') i++;
  };
  const quoted = (): boolean => {
    const q = value[i];
    for (i++; i < value.length; i++) {
      if (q === '"' && value[i] === '\\') i++;
      else if (value[i] === q) {
        if (q === "'" && value[i + 1] === "'") i++;
        else {
          i++;
          return true;
        }
      }
    }
    return false;
  };
  const node = (depth: number): boolean => {
    const c = value[i];
    if (c === '"' || c === "'") return quoted();
    if (c === '[' || c === '{') {
      if (depth > 16) return false;
      const close = c === '[' ? ']' : '}';
      i++;
      space();
      while (value[i] !== close) {
        if (c === '{') {
          FLOW_KEY.lastIndex = i;
          if (!FLOW_KEY.test(value)) return false;
          i = FLOW_KEY.lastIndex;
        }
        if (!node(depth + 1)) return false;
        space();
        if (value[i] === ',') {
          i++;
          space();
        } else if (value[i] !== close) {
          return false;
        }
      }
      i++;
      return true;
    }
    FLOW_PLAIN.lastIndex = i;
    if (!FLOW_PLAIN.test(value)) return false;
    i = FLOW_PLAIN.lastIndex;
    return true;
  };
  if (/^["'[{]/.test(value)) {
    if (!node(0)) return false;
    space();
    return i === value.length || value[i] === '#';
  }
  // A plain scalar in block context: anything up to a ` #` comment, without `: ` inside.
  return !/:[ \t]|:$/.test(value.replace(/[ \t]+#.*$/, '')) && !/^[&*!|>%@`?,[\]{}#]/.test(value);
}

/** js-yaml writes a null key as "null" and a mapping key as "[object Object]"; `yaml` does neither. */
function hasSuspectKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasSuspectKey);
  if (typeof value !== 'object' || value === null) return false;
  for (const key of Object.keys(value)) {
    if (key === 'null' || key === '[object Object]') return true;
    if (hasSuspectKey((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

// The implicit scalars of `yaml`'s core schema (yaml/dist/schema/core/*.js and common/null.js), in
// its order, resolved the way it resolves them. js-yaml keeps one type per tag, so each of int and
// float tries `yaml`'s forms in `yaml`'s order.
type Form = readonly [RegExp, (s: string) => unknown];

const scalar = (tag: string, forms: readonly Form[]): Type =>
  new Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    resolve: (s: string | null) => s !== null && forms.some(([test]) => test.test(s)),
    construct: (s: string) => forms.find(([test]) => test.test(s))![1](s),
  });

const CORE_1_2 = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar('null', [[/^(?:~|[Nn]ull|NULL)?$/, () => null]]),
    scalar('bool', [[/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T']]),
    scalar('int', [
      [/^0o[0-7]+$/, (s) => parseInt(s.substring(2), 8)],
      [/^[-+]?[0-9]+$/, (s) => parseInt(s, 10)],
      [/^0x[0-9a-fA-F]+$/, (s) => parseInt(s.substring(2), 16)],
    ]),
    scalar('float', [
      [/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, (s) => (s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY)],
      [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, (s) => parseFloat(s)],
      [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, (s) => parseFloat(s)],
    ]),
  ],
});

/** The `yaml` library, loaded on first use: most runs never need it (its load alone is 20–30 ms). */
export function yamlLibrary(): typeof import('yaml') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('yaml') as typeof import('yaml');
}

/**
 * Every document of a YAML text as data (`yaml`'s reading), or the first error: the fast path for
 * a single plain document, `yaml` otherwise. For texts Bulwark generated itself and checks.
 */
export function readYamlDocuments(text: string): { readonly values: unknown[] } | { readonly error: string } {
  if (!/^(?:---|\.\.\.)/m.test(text.replace(/^---[ \t]*\r?\n/, ''))) {
    const plain = parsePlainYaml(text);
    if (plain !== undefined) return { values: [plain.value] };
  }
  const docs = yamlLibrary().parseAllDocuments(text);
  const error = docs.flatMap((d) => d.errors)[0];
  if (error) return { error: error.message };
  return { values: docs.map((d) => d.toJS()) };
}

/**
 * Every document of a YAML stream read fast (js-yaml, YAML 1.2 core scalars), for judging
 * manifests of any origin: undefined when js-yaml refuses the text, so that the caller asks `yaml`
 * for the error and its place.
 */
export function loadYamlStream(text: string): unknown[] | undefined {
  try {
    return loadAll(text, undefined, { schema: CORE_1_2, json: true });
  } catch {
    return undefined;
  }
}
