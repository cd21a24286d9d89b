import * as fs from 'fs';
import * as path from 'path';
import type { Document, Node, YAMLError } from 'yaml';
import { parsePlainYaml, yamlLibrary } from '../util/fast-yaml';
import { ConfigError, describeValue, didYouMean, Problem, SourcePosition } from './errors';
import { Overlay, overlaySchema, waiver } from './overlay-schema';
import { INVALID, Infer, Issue, Path, t } from './schema-types';

/** The `yaml` library, loaded on first use: the fast path (parsePlainYaml) does not need it. */
const Y = yamlLibrary;

/** A validated overlay and a way back from a key path to its place in the file. */
export interface LoadedOverlay {
  /** Path of the file as given (relative to the working directory when possible). */
  readonly file: string;
  readonly overlay: Overlay;
  /** Position of the value (or key) at `keyPath`, or of its nearest existing parent. */
  locate(keyPath: Path, atKey?: boolean): SourcePosition | undefined;
}

export function formatPath(keyPath: Path): string {
  return keyPath.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** What a whole overlay must be, for an empty file or a document that is not a mapping. */
const REQUIRED_KEYS = Object.entries(overlaySchema.fields).filter(([, f]) => f.mode === 'required').map(([k]) => k);
const DOCUMENT_ALLOWED = `a mapping with at least ${REQUIRED_KEYS.join(', ')}`;

/** Where a problem of the whole document is: its start (an editor jumps there). */
const DOCUMENT_START: SourcePosition = { line: 1, column: 1 };

/** How many alias expansions a document may make before it counts as a "billion laughs" bomb. */
const MAX_ALIAS_COUNT = 100;

/** Parses and validates one overlay; throws ConfigError with every problem found. */
export function parseOverlay(file: string, content: Buffer | string): LoadedOverlay {
  const text = decodeText(file, content);
  const plain = parsePlainYaml(text);
  if (plain === undefined) {
    const parsed = parseDocumentOf(file, text);
    return validateOverlay(file, parsed.data, parsed.locate);
  }
  // Positions are only needed for messages: the full parse happens on the first locate().
  let located: LoadedOverlay['locate'] | undefined;
  const locate: LoadedOverlay['locate'] = (keyPath, atKey) => (located ??= locatorOf(parseYamlDocument(text)))(keyPath, atKey);
  return validateOverlay(file, plain.value, locate);
}

interface ParsedDocument {
  readonly doc: Document.Parsed;
  readonly toPosition: (offset: number) => SourcePosition;
}

function parseYamlDocument(text: string): ParsedDocument {
  const lineCounter = new (Y().LineCounter)();
  // logLevel 'error': the yaml library must never print warnings of its own (one line per problem).
  const doc = Y().parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, version: '1.2', logLevel: 'error' });
  const toPosition = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return { doc, toPosition };
}

/** The `yaml` library's reading of the text: its data, or its syntax and alias problems. */
function parseDocumentOf(file: string, text: string): { data: unknown; locate: LoadedOverlay['locate'] } {
  const parsed = parseYamlDocument(text);
  if (parsed.doc.errors.length > 0) throw new ConfigError(syntaxProblems(file, text, parsed.doc, parsed.toPosition));
  return { data: toData(file, parsed.doc, parsed.toPosition), locate: locatorOf(parsed) };
}

function locatorOf({ doc, toPosition }: ParsedDocument): LoadedOverlay['locate'] {
  return (keyPath, atKey = false) => {
    if (atKey && keyPath.length > 0) {
      const parent = doc.getIn(keyPath.slice(0, -1), true);
      if (Y().isMap(parent)) {
        const pair = parent.items.find((p) => Y().isScalar(p.key) && String(p.key.value) === String(keyPath[keyPath.length - 1]));
        const range = pair && Y().isScalar(pair.key) ? pair.key.range : undefined;
        if (range) return toPosition(range[0]);
      }
    }
    for (let n = keyPath.length; n >= 0; n--) {
      const node = (n === 0 ? doc.contents : doc.getIn(keyPath.slice(0, n), true)) as Node | null | undefined;
      if (node && node.range) return toPosition(node.range[0]);
    }
    return undefined;
  };
}

function validateOverlay(file: string, data: unknown, locate: LoadedOverlay['locate']): LoadedOverlay {
  if (data === null || data === undefined) {
    throw new ConfigError([{
      file,
      position: DOCUMENT_START,
      path: '',
      message: 'overlay is empty',
      received: 'no keys',
      allowed: DOCUMENT_ALLOWED,
      fix: 'start from overlays/dev.yaml',
    }]);
  }
  const issues: Issue[] = [];
  const overlay = overlaySchema.check(data, [], issues);
  if (overlay === INVALID || issues.length > 0) {
    // A document of the wrong type: name what it must start with, not every optional key.
    const documentFix = 'write the overlay as "key: value" lines; start from overlays/dev.yaml';
    const shaped = issues.map((i) => (i.path.length === 0 && i.message === 'wrong type' ? { ...i, allowed: DOCUMENT_ALLOWED, fix: documentFix } : i));
    throw new ConfigError(withoutEchoes(shaped).map((i) => issueToProblem(file, i, locate)));
  }
  const expected = path.basename(file).replace(/\.ya?ml$/, '');
  if (overlay.environment !== expected) {
    throw new ConfigError([{
      file,
      position: locate(['environment']),
      path: 'environment',
      message: 'environment does not match the file name',
      received: JSON.stringify(overlay.environment),
      allowed: JSON.stringify(expected),
      fix: `rename the file or set environment: ${expected}`,
    }]);
  }
  return { file, overlay, locate };
}

export function issueToProblem(file: string, issue: Issue, locate: LoadedOverlay['locate']): Problem {
  return {
    file,
    position: locate(issue.path, issue.atKey),
    path: formatPath(issue.path),
    message: issue.message,
    received: issue.received,
    allowed: issue.allowed,
    fix: issue.fix,
  };
}

/**
 * A misspelled key is one mistake, not two: when an unknown key is a likely typo of a missing
 * required key beside it (`namspace` for `namespace`), only the unknown key is reported, and its
 * fix already names the right spelling.
 */
function withoutEchoes(issues: readonly Issue[]): Issue[] {
  const parentOf = (p: Path): string => JSON.stringify(p.slice(0, -1));
  const unknown = issues.filter((i) => i.message === 'unknown key' && i.path.length > 0);
  return issues.filter((i) => {
    if (i.message !== 'missing required key' || i.path.length === 0) return true;
    const missing = String(i.path[i.path.length - 1]);
    return !unknown.some((u) => parentOf(u.path) === parentOf(i.path) && didYouMean(String(u.path[u.path.length - 1]), [missing]) === missing);
  });
}

/** The document as plain data; alias misuse (unknown anchors, alias bombs) is a ConfigError. */
function toData(file: string, doc: Document.Parsed, toPosition: (offset: number) => SourcePosition): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const message = (e as Error).message;
    const aliases = nodesOf(doc).filter(({ node }) => Y().isAlias(node));
    const unresolved = /^Unresolved alias[^:]*: (.*)$/.exec(message);
    if (unresolved) {
      const at = aliases.find(({ node }) => Y().isAlias(node) && node.source === unresolved[1]);
      return fail(file, at, toPosition, {
        message: 'alias refers to an anchor that is not defined above it',
        received: `*${unresolved[1]}`,
        allowed: 'an alias *name after its anchor &name',
        fix: `define &${unresolved[1]} before using it, or write the value out`,
      });
    }
    if (/resource exhaustion|alias count/i.test(message)) {
      const first = aliases[0]?.node;
      return fail(file, aliases[0], toPosition, {
        message: `aliases expand to more than ${MAX_ALIAS_COUNT} copies`,
        received: `${aliases.length} aliases${first && Y().isAlias(first) ? `, the first *${first.source}` : ''}`,
        allowed: `at most ${MAX_ALIAS_COUNT} alias expansions`,
        fix: 'write the values out instead of nesting aliases',
      });
    }
    return fail(file, undefined, toPosition, {
      message: `invalid YAML: ${firstLine(message)}`,
      received: 'a document the YAML parser cannot read',
      allowed: 'YAML 1.2',
      fix: 'fix the YAML syntax',
    });
  }
}

function fail(
  file: string,
  at: { readonly node: Node; readonly path: Path } | undefined,
  toPosition: (offset: number) => SourcePosition,
  p: Omit<Problem, 'file' | 'path' | 'position'>,
): never {
  throw new ConfigError([{
    file,
    position: at?.node.range ? toPosition(at.node.range[0]) : DOCUMENT_START,
    path: at ? formatPath(at.path) : '',
    ...p,
  }]);
}

/**
 * One problem per real mistake. Duplicate keys are each their own problem; of the syntax errors
 * only the first is kept, because the parser's later complaints are usually echoes of it.
 */
function syntaxProblems(file: string, text: string, doc: Document.Parsed, toPosition: (offset: number) => SourcePosition): Problem[] {
  const nodes = nodesOf(doc);
  const problems: Problem[] = [];
  const duplicates = doc.errors.filter((e) => e.code === 'DUPLICATE_KEY');
  for (const error of duplicates) problems.push(duplicateKeyProblem(file, doc, error, toPosition));
  const syntax = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY');
  if (syntax) problems.push(syntaxProblem(file, text, syntax, nodes, toPosition));
  return problems.sort((a, b) => (a.position?.line ?? 0) - (b.position?.line ?? 0) || (a.position?.column ?? 0) - (b.position?.column ?? 0));
}

function duplicateKeyProblem(file: string, doc: Document.Parsed, error: YAMLError, toPosition: (offset: number) => SourcePosition): Problem {
  for (const { node, path: keyPath } of nodesOf(doc)) {
    if (!Y().isMap(node)) continue;
    const seen = new Map<string, number>();
    for (const pair of node.items) {
      if (!Y().isScalar(pair.key) || !pair.key.range) continue;
      const key = String(pair.key.value);
      const first = seen.get(key);
      if (first !== undefined && pair.key.range[0] === error.pos[0]) {
        return {
          file,
          position: toPosition(error.pos[0]),
          path: formatPath([...keyPath, key]),
          message: `duplicate key, first set on line ${toPosition(first).line}`,
          received: describeValue(key),
          allowed: 'each key once per mapping',
          fix: 'keep only one of the two',
        };
      }
      if (first === undefined) seen.set(key, pair.key.range[0]);
    }
  }
  return {
    file,
    position: toPosition(error.pos[0]),
    path: '',
    message: 'duplicate key',
    received: 'a key set twice',
    allowed: 'each key once per mapping',
    fix: 'keep only one of the two',
  };
}

/** What the parser said, in words for the person editing the file, at the place to look. */
function syntaxProblem(
  file: string,
  source: string,
  error: YAMLError,
  nodes: readonly NodeAt[],
  toPosition: (offset: number) => SourcePosition,
): Problem {
  const offset = error.pos[0];
  /** What the file holds where the problem is: the rest of that line. */
  const receivedAt = (from: number): string => {
    const end = source.indexOf('\n', from);
    const rest = source.slice(from, end === -1 ? undefined : end).replace(/\r$/, '').trimEnd();
    return rest === '' ? 'the end of the line' : describeValue(rest);
  };
  // The parser notices an unclosed bracket or quote where the next line starts; point at the opener.
  const opener = (match: (n: Node) => boolean): NodeAt | undefined =>
    nodes.filter(({ node }) => match(node) && node.range != null && node.range[0] < offset).pop();
  const at = (n: NodeAt | undefined, p: Omit<Problem, 'file' | 'path' | 'position'>): Problem => {
    const from = n?.node.range ? n.node.range[0] : offset;
    return { file, position: toPosition(from), path: formatPath(n ? n.path : pathAt(nodes, offset)), received: receivedAt(from), ...p };
  };
  const text = error.message;
  switch (error.code) {
    case 'TAB_AS_INDENT':
      return at(
        undefined,
        { message: 'invalid YAML: tab used for indentation', received: 'a tab character', allowed: 'spaces', fix: 'indent with spaces' },
      );
    case 'MULTIPLE_DOCS':
      return at(undefined, {
        message: 'more than one YAML document in the file',
        received: 'a second document after "---"',
        allowed: 'one document per overlay',
        fix: 'remove the "---" separator and merge the documents, or move the second one to its own overlay',
      });
    case 'MISSING_CHAR':
      if (/quote/.test(text)) {
        const quoted = opener((n) => Y().isScalar(n) && (n.type === 'QUOTE_DOUBLE' || n.type === 'QUOTE_SINGLE'));
        const mark = /'/.test(text) ? "'" : '"';
        return at(quoted, {
          message: 'invalid YAML: quoted string is not closed',
          allowed: `a string between two ${mark} marks on one line`,
          fix: `add the closing ${mark}`,
        });
      }
      break;
    case 'BAD_INDENT':
      if (/^Flow (sequence|map)/.test(text)) {
        const isList = text.startsWith('Flow sequence');
        const flow = opener((n) => (isList ? Y().isSeq(n) : Y().isMap(n)) && Y().isCollection(n) && n.flow === true);
        const [open, close] = isList ? ['[', ']'] : ['{', '}'];
        return at(flow, {
          message: `invalid YAML: "${open}" is not closed`,
          allowed: `${open}a, b${close} on one line, or continuation lines indented under their key`,
          fix: `add the missing "${close}"`,
        });
      }
      if (/same column/.test(text)) {
        return at(undefined, {
          message: 'invalid YAML: key is not aligned with the keys above it',
          allowed: 'every key of a mapping at the same indentation',
          fix: 'indent this line like its siblings',
        });
      }
      break;
    case 'BLOCK_AS_IMPLICIT_KEY':
      return at(undefined, {
        message: 'invalid YAML: a nested mapping cannot start on the line of its key',
        allowed: 'key: value, or key: followed by indented lines',
        fix: 'put the nested keys on their own indented lines, or quote the value if it contains ": "',
      });
    case 'MULTILINE_IMPLICIT_KEY':
      return at(undefined, {
        message: 'invalid YAML: a line without "key: value", or a key spread over two lines',
        allowed: 'key: value',
        fix: 'add the missing ":" or fix the indentation of this line',
      });
    case 'UNEXPECTED_TOKEN':
      return at(undefined, {
        message: `invalid YAML: unexpected ${/"(.*)"$/.exec(text)?.[0] ?? 'character'}`,
        allowed: 'brackets and braces in pairs',
        fix: 'remove it or balance the brackets',
      });
    default:
      break;
  }
  return at(
    undefined,
    { message: `invalid YAML: ${firstLine(text).replace(/\.$/, '')}`, allowed: 'YAML 1.2', fix: 'fix the YAML syntax at this position' },
  );
}

interface NodeAt {
  readonly node: Node;
  readonly path: Path;
}

/** Every node of the document with its key path, in document order (keys are not nodes here). */
function nodesOf(doc: Document.Parsed): NodeAt[] {
  const out: NodeAt[] = [];
  const walk = (node: unknown, keyPath: Path): void => {
    if (!node || !(Y().isCollection(node) || Y().isScalar(node) || Y().isAlias(node))) return;
    out.push({ node, path: keyPath });
    if (Y().isMap(node)) {
      for (const pair of node.items) walk(pair.value, [...keyPath, Y().isScalar(pair.key) ? String(pair.key.value) : '?']);
    } else if (Y().isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...keyPath, i]));
    }
  };
  walk(doc.contents, []);
  return out;
}

/** Key path of the innermost node around `offset`. */
function pathAt(nodes: readonly NodeAt[], offset: number): Path {
  let best: Path = [];
  for (const { node, path: keyPath } of nodes) {
    if (node.range && node.range[0] <= offset && offset < node.range[2] && keyPath.length >= best.length) best = keyPath;
  }
  return best;
}

function decodeText(file: string, content: Buffer | string): string {
  if (typeof content === 'string') return content;
  const notText = (received: string, fix: string): never => {
    throw new ConfigError([{ file, position: DOCUMENT_START, path: '', message: 'not a text file', received, allowed: 'UTF-8 YAML text', fix }]);
  };
  if ((content[0] === 0xff && content[1] === 0xfe) || (content[0] === 0xfe && content[1] === 0xff)) {
    notText('UTF-16 text', 'save the file as UTF-8');
  }
  if (content.includes(0)) notText('binary content', 'check that the file is an overlay, not a build artifact');
  const text = content.toString('utf8');
  // Invalid bytes decode to U+FFFD; a U+FFFD written in the file is the valid sequence EF BF BD.
  for (let i = text.indexOf('\uFFFD'); i >= 0; i = text.indexOf('\uFFFD', i + 1)) {
    const offset = Buffer.byteLength(text.slice(0, i));
    if (content[offset] === 0xef && content[offset + 1] === 0xbf && content[offset + 2] === 0xbd) continue;
    const before = text.slice(0, i);
    const position = { line: before.split('\n').length, column: i - before.lastIndexOf('\n') };
    throw new ConfigError([{
      file,
      position,
      path: '',
      message: 'not UTF-8 text',
      received: `byte 0x${content[offset].toString(16)}`,
      allowed: 'UTF-8 YAML text',
      fix: 'save the file as UTF-8',
    }]);
  }
  return text;
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

export interface LoadOptions {
  /** Directory `dir` is relative to; problems still name files as `<dir>/<name>`. */
  readonly cwd?: string;
}

/** Reads every `*.yaml` in `dir` (sorted by name); errors of all files are reported together. */
export function loadOverlays(dir: string, options: LoadOptions = {}): LoadedOverlay[] {
  const { overlays, problems } = readOverlays(dir, options);
  if (problems.length > 0) throw new ConfigError(problems);
  return overlays;
}

/**
 * Like `loadOverlays`, but returns the overlays that are valid together with the problems of the
 * others, so that a caller can go on checking the valid ones. Throws only when there is nothing
 * to read (no directory, no overlay).
 */
export function readOverlays(dir: string, options: LoadOptions = {}): { overlays: LoadedOverlay[]; problems: Problem[] } {
  const absolute = path.resolve(options.cwd ?? '.', dir);
  let names: string[];
  try {
    names = fs.readdirSync(absolute).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch {
    throw new ConfigError([{
      file: dir,
      path: '',
      message: 'overlay directory not found',
      received: 'no such directory',
      allowed: 'a directory of <env>.yaml overlays',
      fix: 'run from the repository root or pass --overlays <dir>',
    }]);
  }
  if (names.length === 0) {
    throw new ConfigError([{
      file: dir,
      path: '',
      message: 'no overlays found',
      received: 'no .yaml file',
      allowed: '<env>.yaml files',
      fix: 'add overlays/dev.yaml',
    }]);
  }
  const problems: Problem[] = [];
  const loaded: LoadedOverlay[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      loaded.push(parseOverlay(file, readOverlay(file, path.join(absolute, name))));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...e.problems);
    }
  }
  return { overlays: loaded, problems };
}

/** Overlays are small; anything beyond this is not an overlay (and would only slow the parser). */
const MAX_OVERLAY_BYTES = 1024 * 1024;

function readOverlay(file: string, absolute: string): Buffer {
  let size: number;
  try {
    const stat = fs.statSync(absolute);
    if (!stat.isFile()) throw new ConfigError([{
      file,
      path: '',
      message: 'not a regular file',
      received: stat.isDirectory() ? 'a directory' : 'a special file',
      allowed: 'a YAML file',
      fix: 'remove it or rename it so that it does not end in .yaml',
    }]);
    size = stat.size;
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw unreadable(file, e);
  }
  if (size > MAX_OVERLAY_BYTES) {
    throw new ConfigError([{
      file,
      path: '',
      message: 'file is too large for an overlay',
      received: `${size} bytes`,
      allowed: `at most ${MAX_OVERLAY_BYTES} bytes`,
      fix: 'check that the file is an overlay, not a build artifact',
    }]);
  }
  try {
    return fs.readFileSync(absolute);
  } catch (e) {
    throw unreadable(file, e);
  }
}

/** The error of an overlay file that cannot be read. */
function unreadable(file: string, e: unknown): ConfigError {
  return new ConfigError([{
    file,
    path: '',
    message: 'cannot read the file',
    received: (e as NodeJS.ErrnoException).code ?? 'an error',
    allowed: 'a readable file',
    fix: 'check that it exists and is readable',
  }]);
}

const waiverList = t.list(waiver);

/** A waiver as read from a file, with the place it is written (`waivers.yaml:4`). */
export type WaiverEntry = Infer<typeof waiver> & { readonly source: string };

/**
 * The waivers of a file `bulwark check --waivers` reads: its `waivers:`, with the entries an
 * overlay's `waivers` takes, so an overlay itself will do (its other keys are not read). Throws
 * ConfigError (file, line, key path, value, what is allowed) on a bad one.
 */
export function parseWaiverFile(file: string, text: string): WaiverEntry[] {
  const { data, locate } = parseDocumentOf(file, text);
  const list = (data as { waivers?: unknown } | null)?.waivers;
  const missing = {
    path: ['waivers'], message: 'no waivers', received: 'no waivers key', allowed: 'waivers: a list of check, object, reason, expires',
  };
  const issues: Issue[] = list === undefined ? [{ ...missing, fix: 'write the waivers under a top-level waivers: key' }] : [];
  const parsed = list === undefined ? INVALID : waiverList.check(list, ['waivers'], issues);
  if (parsed === INVALID || issues.length > 0) throw new ConfigError(issues.map((i) => issueToProblem(file, i, locate)));
  return parsed.map((w, i) => ({ ...w, source: `${file}:${locate(['waivers', i])?.line ?? 1}` }));
}
