/**
 * Manifests of any origin (Helm output, a tenant's YAML, dist/), read for `bulwark check`: every
 * object of every file with where it came from, and, for the files that have findings, the line of
 * each finding's field.
 */
import * as fs from 'fs';
import * as path from 'path';
import { KubeObject } from '../manifest/kube-object';
import { isKubeObject } from '../manifest/manifest-reader';
import { loadYamlStream, yamlLibrary } from '../util/fast-yaml';
import { byCodePoint } from '../util/order';

/** One object and where it is: the file, the document in it, and its path in the document (`items[3]` of a List). */
export interface SourcedObject {
  readonly object: KubeObject;
  readonly file: string;
  readonly document: number;
  /** JSON path prefix of the object inside its document; empty for a document that is the object. */
  readonly prefix: string;
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

const MANIFEST_FILE = /\.(ya?ml|json)$/;

/** The manifest files of `inputs` (files as given, directories' *.yaml, *.yml and *.json, recursively, sorted); `-` stays `-`. */
export function manifestFiles(inputs: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => byCodePoint(a.name, b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (MANIFEST_FILE.test(entry.name)) out.push(full);
    }
  };
  for (const input of inputs) {
    if (input === '-') {
      out.push('-');
      continue;
    }
    const full = path.resolve(cwd, input);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(full);
    } catch {
      throw new ManifestError(`${input}: no such file or directory`);
    }
    if (stat.isDirectory()) walk(full);
    else out.push(full);
  }
  return out.map((f) => (f === '-' ? f : path.relative(cwd, f) || f));
}

/** A document with apiVersion and kind but no name: a tool's configuration (Kustomization, an audit Policy), not a cluster object. */
export interface SkippedDocument {
  readonly file: string;
  readonly kind: string;
}

/** Has apiVersion and kind, but no metadata.name. */
function isConfigDocument(v: unknown): v is { kind: string } {
  const o = v as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  if (typeof o !== 'object' || o === null) return false;
  return typeof o.apiVersion === 'string' && typeof o.kind === 'string' && typeof o.metadata?.name !== 'string';
}

/**
 * The objects of one file's text, in order; a `kind: List` contributes its items. Configuration
 * documents (no metadata.name) go to `skipped`; anything else that is not an object is an error.
 */
export function objectsOfText(text: string, file: string, skipped: SkippedDocument[] = []): SourcedObject[] {
  const docs = loadYamlStream(text) ?? parseOrThrow(text, file);
  const out: SourcedObject[] = [];
  docs.forEach((doc, document) => {
    if (doc === null || doc === undefined) return;
    const o = doc as { kind?: unknown; items?: unknown };
    if (typeof o === 'object' && typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) {
      o.items.forEach((item, i) => {
        if (isKubeObject(item)) out.push({ object: item, file, document, prefix: `items[${i}]` });
      });
    } else if (isKubeObject(doc)) out.push({ object: doc, file, document, prefix: '' });
    else if (isConfigDocument(doc)) skipped.push({ file, kind: doc.kind });
    else {
      throw new ManifestError(`${file}: document ${document + 1} is not a Kubernetes object (it needs apiVersion, kind and metadata.name)`);
    }
  });
  return out;
}

function parseOrThrow(text: string, file: string): unknown[] {
  const { LineCounter, parseAllDocuments } = yamlLibrary();
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const d of list) {
    const e = d.errors[0];
    if (e) {
      const { line, col } = lines.linePos(e.pos[0]);
      throw new ManifestError(`${file}:${line}:${col}: ${e.message.split('\n')[0]}`);
    }
  }
  return list.map((d) => d.toJS({ maxAliasCount: -1 }) as unknown);
}

/** `spec.containers[0]["a.b/c"]` → ['spec', 'containers', 0, 'a.b/c']. */
export function pathSegments(jsonPath: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /([^.[\]]+)|\[([0-9]+)\]|\["((?:[^"\\]|\\.)*)"\]/g;
  for (const m of jsonPath.matchAll(re)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(`"${m[3]}"`) as string);
  }
  return out;
}

/**
 * Finds lines in one file's text: `lineOf(document, path)` is the line of the field at `path`
 * of that document, or of its nearest existing parent (the field may be missing, as in "has no
 * livenessProbe"). Parses the text once, with `yaml`, on first use.
 */
export function lineFinder(text: string): (document: number, jsonPath: string) => number {
  let parsed: { docs: import('yaml').Document.Parsed[]; lines: import('yaml').LineCounter } | undefined;
  return (document, jsonPath) => {
    if (!parsed) {
      const { LineCounter, parseAllDocuments } = yamlLibrary();
      const lines = new LineCounter();
      const docs = parseAllDocuments(text, { lineCounter: lines });
      parsed = { docs: Array.isArray(docs) ? docs : [docs], lines };
    }
    const { isMap, isSeq, isPair, isScalar } = yamlLibrary();
    const doc = parsed.docs[document];
    if (!doc) return 1;
    let node: unknown = doc.contents;
    let offset = (doc.contents as { range?: number[] } | null)?.range?.[0] ?? 0;
    for (const key of pathSegments(jsonPath)) {
      let next: unknown;
      if (isMap(node) && typeof key === 'string') {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
        if (pair) {
          offset = (pair.key as { range?: number[] }).range?.[0] ?? offset;
          next = pair.value;
        }
      } else if (isSeq(node) && typeof key === 'number') {
        next = node.items[key];
        const range = (next as { range?: number[] } | undefined)?.range;
        if (range) offset = range[0];
      }
      if (next === undefined || next === null) break;
      node = next;
    }
    return parsed.lines.linePos(offset).line;
  };
}
