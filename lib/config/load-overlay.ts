import * as fs from 'fs';
import * as path from 'path';
import { isMap, isScalar, LineCounter, Node, parseDocument } from 'yaml';
import { ConfigError, Problem, SourcePosition } from './errors';
import { Overlay, overlaySchema } from './overlay-schema';
import { INVALID, Issue, Path } from './schema-types';

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

/** Parses and validates one overlay; throws ConfigError with every problem found. */
export function parseOverlay(file: string, content: Buffer | string): LoadedOverlay {
  const text = decodeText(file, content);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, version: '1.2' });
  const toPosition = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => ({
      file,
      position: toPosition(e.pos[0]),
      path: '',
      message: e.code === 'DUPLICATE_KEY' ? 'duplicate key' : `invalid YAML: ${firstLine(e.message)}`,
      fix: e.code === 'DUPLICATE_KEY' ? 'keep only one of the two keys' : undefined,
    })));
  }
  const locate = (keyPath: Path, atKey = false): SourcePosition | undefined => {
    if (atKey && keyPath.length > 0) {
      const parent = doc.getIn(keyPath.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(keyPath[keyPath.length - 1]));
        const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
        if (range) return toPosition(range[0]);
      }
    }
    for (let n = keyPath.length; n >= 0; n--) {
      const node = (n === 0 ? doc.contents : doc.getIn(keyPath.slice(0, n), true)) as Node | null | undefined;
      if (node && node.range) return toPosition(node.range[0]);
    }
    return undefined;
  };
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || data === undefined) {
    throw new ConfigError([{ file, path: '', message: 'overlay is empty', allowed: overlaySchema.allowed, fix: 'start from overlays/dev.yaml' }]);
  }
  const issues: Issue[] = [];
  const overlay = overlaySchema.check(data, [], issues);
  if (overlay === INVALID || issues.length > 0) {
    throw new ConfigError(issues.map((i) => issueToProblem(file, i, locate)));
  }
  const expected = path.basename(file).replace(/\.ya?ml$/, '');
  if (overlay.environment !== expected) {
    throw new ConfigError([{ file, position: locate(['environment']), path: 'environment', message: 'environment does not match the file name', received: JSON.stringify(overlay.environment), allowed: JSON.stringify(expected), fix: `rename the file or set environment: ${expected}` }]);
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

function decodeText(file: string, content: Buffer | string): string {
  if (typeof content === 'string') return content;
  const looksBinary = content.includes(0);
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return binary(file);
  }
  return looksBinary ? binary(file) : text;
}

function binary(file: string): never {
  throw new ConfigError([{ file, path: '', message: 'not a text file', received: 'binary content', allowed: 'UTF-8 YAML text', fix: 'check that the file is an overlay, not a build artifact' }]);
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** Reads every `*.yaml` in `dir` (sorted by name); errors of all files are reported together. */
export function loadOverlays(dir: string): LoadedOverlay[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch {
    throw new ConfigError([{ file: dir, path: '', message: 'overlay directory not found', fix: 'run from the repository root or pass --overlays <dir>' }]);
  }
  if (names.length === 0) {
    throw new ConfigError([{ file: dir, path: '', message: 'no overlays found', allowed: '<env>.yaml files', fix: 'add overlays/dev.yaml' }]);
  }
  const problems: Problem[] = [];
  const loaded: LoadedOverlay[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      loaded.push(parseOverlay(file, fs.readFileSync(file)));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return loaded;
}
