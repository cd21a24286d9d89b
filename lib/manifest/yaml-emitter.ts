/**
 * A dedicated, fast, deterministic YAML emitter for plain JSON data (the output of cdk8s
 * `chart.toJson()`): objects, arrays, strings, finite numbers, booleans and null.
 *
 * Output style (kubectl-like):
 * - keys in the object's own insertion order (callers sort), 2-space indentation, block style;
 * - sequences under a mapping key are NOT indented further, sequence items that are mappings use
 *   the compact `- key: value` form;
 * - `{}` and `[]` inline;
 * - strings plain only when provably safe under YAML 1.1 (go-yaml v2, sigs.k8s.io/yaml, PyYAML)
 *   AND YAML 1.2 (see `isPlainSafe`), multi-line strings as `|` block literals when that round-trips
 *   exactly, otherwise double-quoted with JSON-compatible escapes;
 * - numbers in the shortest round-trip form, exponent forms always carry a `.` so YAML 1.1
 *   resolvers read them as floats too.
 *
 * The emitter does a single pass over the tree, appending fragments to one array that is joined
 * once per document; the only regular expressions on the hot path are single-character-class scans
 * inside `doubleQuote`.
 */

/** Plain JSON data. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

type PathSegment = string | number;

/** Guards against accidental cycles / absurd nesting before the JS stack overflows. */
const MAX_DEPTH = 1000;

/**
 * YAML (1.1 and 1.2) limits implicit keys to 1024 characters; longer keys are emitted in the
 * explicit `? key` / `: value` form. The threshold is measured in UTF-16 units, which is never
 * fewer than the number of characters.
 */
const MAX_IMPLICIT_KEY_LENGTH = 1000;

/** Lower-cased words that some YAML 1.1 / 1.2 resolver reads as bool, null or a float special. */
const RESERVED_WORDS: ReadonlySet<string> = new Set([
  'y',
  'n',
  'yes',
  'no',
  'on',
  'off',
  'true',
  'false',
  'null',
  'nan',
  'inf',
  'infinity',
]);

const INDENTS: string[] = [''];

function indentOf(n: number): string {
  if (n >= INDENTS.length) {
    for (let i = INDENTS.length; i <= n; i++) INDENTS.push(' '.repeat(i));
  }
  return INDENTS[n];
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Allow-list check for emitting `s` as a plain (unquoted) scalar. Accepts exactly two shapes:
 *
 * 1. An ASCII letter or `/` first, then only ASCII letters, digits, `-` `_` `.` `/` `+` `=` `(`
 *    `)` `@`, spaces and colons, where neither a space nor a colon is the last character and a
 *    colon is never followed by a space. Rejected even then: the words in `RESERVED_WORDS` in any
 *    letter case, and exponent-looking strings (`e5`, `E+3`, ...).
 * 2. A unit quantity: one or more digits followed by one or more ASCII letters, the first of
 *    which is not `e`/`x`/`o`/`b`/`p` in either case (`500m`, `128Mi`, `30s`, but not `0x1F`,
 *    `1e5`, `0b1`, `0o7`).
 *
 * Everything else (including all non-ASCII text, the empty string and every string starting with
 * a digit-only run, a sign, `.`, `~`, `<`, `=` or any YAML indicator) is double-quoted.
 */
function isPlainSafe(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  const c0 = s.charCodeAt(0);
  if (isAsciiLetter(c0) || c0 === 47 /* / */) {
    for (let i = 1; i < n; i++) {
      const c = s.charCodeAt(i);
      if (isAsciiLetter(c) || isDigit(c)) continue;
      switch (c) {
        case 45: // -
        case 95: // _
        case 46: // .
        case 47: // /
        case 43: // +
        case 61: // =
        case 40: // (
        case 41: // )
        case 64: // @
          continue;
        case 32: // space: never trailing (a following `#` is impossible: `#` is not allowed)
          if (i === n - 1) return false;
          continue;
        case 58: // colon: never trailing, never `: `
          if (i === n - 1 || s.charCodeAt(i + 1) === 32) return false;
          continue;
        default:
          return false;
      }
    }
    if (n <= 8 && RESERVED_WORDS.has(s.toLowerCase())) return false;
    if ((c0 === 101 || c0 === 69) /* e E */ && n > 1) {
      const c1 = s.charCodeAt(1);
      if (isDigit(c1) || ((c1 === 43 || c1 === 45) /* + - */ && n > 2 && isDigit(s.charCodeAt(2)))) {
        return false;
      }
    }
    return true;
  }
  if (isDigit(c0)) {
    let i = 1;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i === n) return false;
    const first = s.charCodeAt(i);
    if (!isAsciiLetter(first)) return false;
    const lower = first | 0x20;
    if (lower === 101 || lower === 120 || lower === 111 || lower === 98 || lower === 112) return false; // e x o b p
    for (i++; i < n; i++) {
      if (!isAsciiLetter(s.charCodeAt(i))) return false;
    }
    return true;
  }
  return false;
}

/**
 * Characters JSON.stringify leaves raw but YAML wants escaped: DEL, C1 controls (incl. NEL U+0085),
 * LS/PS (U+2028/9), BOM (U+FEFF) and the non-characters U+FFFE/U+FFFF.
 */
const EXTRA_ESCAPE_TEST = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/;
const EXTRA_ESCAPE_ALL = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

function escapeUnicode(ch: string): string {
  return '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0');
}

/**
 * Double-quoted scalar. JSON escapes (`\"` `\\` `\b` `\f` `\n` `\r` `\t` `\uXXXX`, lone
 * surrogates as `\uXXXX`) are all valid YAML double-quoted escapes.
 */
function doubleQuote(s: string): string {
  const json = JSON.stringify(s);
  return EXTRA_ESCAPE_TEST.test(json) ? json.replace(EXTRA_ESCAPE_ALL, escapeUnicode) : json;
}

function scalarString(s: string): string {
  return isPlainSafe(s) ? s : doubleQuote(s);
}

/**
 * Mapping keys repeat heavily across Kubernetes objects (`name`, `image`, label keys ...): their
 * emitted form is memoized in a small bounded cache (purely a speed-up; output is unaffected).
 */
const KEY_CACHE = new Map<string, string>();
const KEY_CACHE_LIMIT = 4096;

function keyString(k: string): string {
  let text = KEY_CACHE.get(k);
  if (text === undefined) {
    text = scalarString(k);
    if (KEY_CACHE.size >= KEY_CACHE_LIMIT) KEY_CACHE.clear();
    KEY_CACHE.set(k, text);
  }
  return text;
}

/**
 * Block-literal header (`|`, `|-`, `|+`, optionally with the indentation indicator `2`) for a
 * string containing a line break, or `undefined` when a literal would not round-trip robustly:
 * non-printable characters or `\r`, a tab at the start of a line, space/tab at the end of a line
 * (invisible, and stripped by editors), or no content besides line breaks.
 */
function literalHeader(s: string): string | undefined {
  const n = s.length;
  let firstContent = -1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 10) {
      if (i > 0) {
        const prev = s.charCodeAt(i - 1);
        if (prev === 32 || prev === 9) return undefined;
      }
      continue;
    }
    if (firstContent === -1) firstContent = i;
    if (c < 32) {
      if (c !== 9 || i === 0 || s.charCodeAt(i - 1) === 10) return undefined;
    } else if (c >= 0x7f) {
      if (c <= 0x9f || c === 0x2028 || c === 0x2029 || c === 0xfeff || c >= 0xfffe) return undefined;
      if (c >= 0xd800 && c <= 0xdfff) {
        // Only well-formed surrogate pairs.
        if (c >= 0xdc00 || i + 1 >= n) return undefined;
        const lo = s.charCodeAt(i + 1);
        if (lo < 0xdc00 || lo > 0xdfff) return undefined;
        i++;
      }
    }
  }
  if (firstContent === -1) return undefined; // only line breaks
  const last = s.charCodeAt(n - 1);
  if (last === 32 || last === 9) return undefined;
  let trailing = 0;
  for (let i = n - 1; i >= 0 && s.charCodeAt(i) === 10; i--) trailing++;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  // Auto-detection of the content indentation uses the first non-empty line; if that line starts
  // with a space the indentation must be stated explicitly (relative to the parent node).
  return s.charCodeAt(firstContent) === 32 ? '|2' + chomp : '|' + chomp;
}

function isIdentifier(s: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(s);
}

function formatPath(path: readonly PathSegment[]): string {
  if (path.length === 0) return '<root>';
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (isIdentifier(seg)) out += out === '' ? seg : '.' + seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function describe(v: unknown): string {
  switch (typeof v) {
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    case 'bigint':
      return `a bigint (${String(v)}n)`;
    case 'symbol':
      return 'a symbol';
    case 'number':
      return String(v);
    case 'object': {
      let name = 'unknown';
      try {
        const ctor = (v as { constructor?: { name?: unknown } }).constructor;
        if (ctor && typeof ctor.name === 'string' && ctor.name !== '') name = ctor.name;
      } catch {
        // ignore exotic getters
      }
      return `a non-plain object (${name})`;
    }
    default:
      return typeof v;
  }
}

/**
 * Appends output fragments to one array that is joined once per document: most fragments are
 * existing strings (keys, values, shared indentation), so emitting allocates little beyond the
 * final string.
 */
class Emitter {
  private readonly parts: string[] = [];
  private readonly path: PathSegment[] = [];
  // The most recent `|+` literal: if it ends the document, it is replaced by a double-quoted
  // scalar so that the document ends with exactly one line break.
  private keepIndex = -1;
  private keepEnd = -1;
  private keepValue = '';

  constructor(private readonly where: string) {}

  document(v: unknown): string {
    const parts = this.parts;
    if (Array.isArray(v) && v.length > 0) {
      this.seq(v, 0, false);
    } else if (v !== null && typeof v === 'object' && !Array.isArray(v) && this.plainKeys(v).length > 0) {
      this.map(v as Record<string, unknown>, this.plainKeys(v), 0, false);
    } else if (typeof v === 'string' && v.indexOf('\n') !== -1) {
      // Root-level literal only without an indentation indicator (its base indentation at the
      // document root differs between parsers); otherwise double-quoted.
      const header = literalHeader(v);
      if (header !== undefined && header.charCodeAt(1) !== 50 /* 2 */) this.literal(v, header, 0);
      else parts.push(doubleQuote(v), '\n');
    } else {
      this.node(v, true, 0);
    }
    if (this.keepEnd !== -1 && this.keepEnd === parts.length) {
      parts.length = this.keepIndex;
      parts.push(doubleQuote(this.keepValue), '\n');
    }
    return parts.join('');
  }

  private fail(v: unknown, why: string): never {
    throw new TypeError(`${this.where}: cannot emit ${describe(v)} at ${formatPath(this.path)}: ${why}`);
  }

  private plainKeys(o: object): string[] {
    if (o.constructor === Object) return Object.keys(o);
    const proto: unknown = Object.getPrototypeOf(o);
    // Plain objects have Object.prototype (of any realm) or null as prototype.
    if (proto !== null && Object.getPrototypeOf(proto) !== null) {
      this.fail(o, 'only plain objects, arrays and JSON scalars are supported');
    }
    return Object.keys(o);
  }

  private number(n: number): string {
    if (!Number.isFinite(n)) this.fail(n, 'only finite numbers are representable');
    if (Number.isInteger(n)) {
      if (n === 0) return '0'; // also -0
      if (n < 1e21 && n > -1e21) return String(n);
    }
    const s = String(n);
    const e = s.indexOf('e');
    // `1e+21` is a string to YAML 1.1 resolvers (they require a `.`): emit `1.0e+21`.
    if (e !== -1 && s.lastIndexOf('.', e) === -1) return s.slice(0, e) + '.0' + s.slice(e);
    return s;
  }

  /**
   * Emits `v` and the nested lines it needs. The current line already holds
   * - `compact === false`: `<indent>key:`, where `indent` is the key's column;
   * - `compact === true`: `... - ` or `<indent>: ` (or nothing, at the document root), where
   *   `indent` is the column of that `-` / `:` indicator.
   */
  private node(v: unknown, compact: boolean, indent: number): void {
    const parts = this.parts;
    switch (typeof v) {
      case 'string': {
        if (!compact) parts.push(' ');
        if (v.indexOf('\n') !== -1) {
          const header = literalHeader(v);
          if (header !== undefined) {
            this.literal(v, header, indent);
            return;
          }
        }
        parts.push(scalarString(v), '\n');
        return;
      }
      case 'number':
        parts.push(compact ? '' : ' ', this.number(v), '\n');
        return;
      case 'boolean':
        parts.push(compact ? '' : ' ', v ? 'true\n' : 'false\n');
        return;
      case 'object': {
        if (v === null) {
          parts.push(compact ? 'null\n' : ' null\n');
          return;
        }
        if (this.path.length > MAX_DEPTH) this.fail(v, `nesting deeper than ${MAX_DEPTH} levels (cycle?)`);
        if (Array.isArray(v)) {
          if (v.length === 0) {
            parts.push(compact ? '[]\n' : ' []\n');
          } else if (compact) {
            this.seq(v, indent + 2, true);
          } else {
            // kubectl style: the sequence's dashes sit at the key's column.
            parts.push('\n');
            this.seq(v, indent, false);
          }
          return;
        }
        const keys = this.plainKeys(v);
        if (keys.length === 0) {
          parts.push(compact ? '{}\n' : ' {}\n');
        } else if (compact) {
          this.map(v as Record<string, unknown>, keys, indent + 2, true);
        } else {
          parts.push('\n');
          this.map(v as Record<string, unknown>, keys, indent + 2, false);
        }
        return;
      }
      default:
        this.fail(v, 'only plain objects, arrays and JSON scalars are supported');
    }
  }

  /** Items with dashes at column `indent`; `inline`: the first dash continues the current line. */
  private seq(arr: readonly unknown[], indent: number, inline: boolean): void {
    const parts = this.parts;
    const path = this.path;
    const pad = indentOf(indent);
    for (let i = 0; i < arr.length; i++) {
      if (i > 0 || !inline) parts.push(pad);
      parts.push('- ');
      path.push(i);
      this.node(arr[i], true, indent);
      path.pop();
    }
  }

  /** Keys at column `indent`; `inline`: the first key continues the current line. */
  private map(obj: Record<string, unknown>, keys: readonly string[], indent: number, inline: boolean): void {
    const parts = this.parts;
    const path = this.path;
    const pad = indentOf(indent);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const keyText = keyString(key);
      if (i > 0 || !inline) parts.push(pad);
      path.push(key);
      if (keyText.length > MAX_IMPLICIT_KEY_LENGTH) {
        parts.push('? ', keyText, '\n', pad, ': ');
        this.node(obj[key], true, indent);
      } else {
        parts.push(keyText, ':');
        this.node(obj[key], false, indent);
      }
      path.pop();
    }
  }

  /** `|` block literal (header on the current line); content two columns past `indent`. */
  private literal(s: string, header: string, indent: number): void {
    const parts = this.parts;
    const start = parts.length;
    const pad = indentOf(indent + 2);
    parts.push(header, '\n');
    const lines = s.split('\n');
    // With a trailing line break the last split element is "" and is not a line of its own.
    const count = s.charCodeAt(s.length - 1) === 10 ? lines.length - 1 : lines.length;
    for (let i = 0; i < count; i++) {
      const line = lines[i];
      if (line === '') parts.push('\n');
      else parts.push(pad, line, '\n');
    }
    if (header.charCodeAt(header.length - 1) === 43 /* + */) {
      this.keepIndex = start;
      this.keepEnd = parts.length;
      this.keepValue = s;
    }
  }
}

/** One YAML document for `value`, ending with exactly one line break. */
export function toYaml(value: JsonValue): string {
  return new Emitter('toYaml').document(value);
}

/** YAML stream: the documents joined by `---` separator lines (no leading `---`). */
export function toYamlStream(docs: readonly JsonValue[]): string {
  const out: string[] = new Array<string>(docs.length);
  for (let i = 0; i < docs.length; i++) {
    out[i] = new Emitter(`toYamlStream (document ${i})`).document(docs[i]);
  }
  return out.join('---\n');
}
