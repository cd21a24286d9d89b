import * as fs from 'fs';
import * as path from 'path';
import { yamlLibrary } from '../util/fast-yaml';
import { byCodePoint } from '../util/order';
import { KubeObject } from './kube-object';
import { OutputKind, outputKindOf } from './output-kind';

/**
 * Reading manifests back: the one place that parses YAML written by Bulwark or by upstream
 * projects (CRDs), and that lists a synthesized tree by kind, for the packager, the policy tests,
 * the e2e run, the bench and the generators alike.
 */

/**
 * Go's YAML parser (what kubectl and the API server use) accepts multi-line quoted scalars whose
 * continuation lines are indented no deeper than their key, as older controller-gen versions emit in
 * CRD descriptions; YAML 1.2 (and the `yaml` package) rejects them. This re-indents such continuation
 * lines, which does not change any value (flow scalar folding strips leading whitespace). It is only
 * applied to text that failed to parse.
 */
export function relaxQuotedScalarIndentation(text: string): string {
  const lines = text.split('\n');
  let open: { quote: string; minIndent: number } | undefined;
  // Index just past the closing quote in `s` (from `from`), or -1 if the scalar stays open.
  const closeAt = (s: string, from: number, quote: string): number => {
    for (let i = from; i < s.length; i++) {
      const c = s[i];
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) {
        if (quote === "'" && s[i + 1] === "'") i++;
        else return i + 1;
      }
    }
    return -1;
  };
  let blockScalarIndent = -1; // inside a literal/folded block scalar started at this indentation
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n];
    const lineIndent = line.length - line.trimStart().length;
    if (blockScalarIndent >= 0) {
      if (line.trim() === '' || lineIndent > blockScalarIndent) continue;
      blockScalarIndent = -1;
    }
    if (!open && /(^|[:\-]\s)\s*[|>][0-9+-]*\s*(#.*)?$/.test(line.trimEnd())) {
      blockScalarIndent = lineIndent;
      continue;
    }
    if (open) {
      const indent = line.length - line.trimStart().length;
      if (line.trim() !== '' && indent < open.minIndent) {
        line = ' '.repeat(open.minIndent) + line.trimStart();
        lines[n] = line;
      }
      if (closeAt(line, 0, open.quote) >= 0) open = undefined;
      continue;
    }
    const m = /^(\s*(?:- +)*)([^'"\s#-][^'"#]*?:[ \t]+)?(['"])/.exec(line);
    if (!m || (m[2] === undefined && !m[1].includes('-'))) continue;
    const start = m[0].length;
    if (closeAt(line, start, m[3]) < 0) open = { quote: m[3], minIndent: m[1].length + 1 };
  }
  return lines.join('\n');
}

export interface ParseOptions {
  /**
   * Accept Go-style quoted scalar indentation (see relaxQuotedScalarIndentation), as upstream CRD
   * files need; Bulwark's own output never does.
   * @default false
   */
  readonly lenient?: boolean;
}

/**
 * Every document of a multi-document YAML text as plain data, empty documents included (as
 * `null`, so that indexes match the documents of the text). Throws `<source>: document <i>: …` on
 * the first document that does not parse.
 */
export function parseYamlDocuments(text: string, source: string, options: ParseOptions = {}): unknown[] {
  const parse = (t: string) => yamlLibrary().parseAllDocuments(t);
  let docs = parse(text);
  const firstError = (ds: typeof docs): string | undefined => {
    for (const [i, d] of ds.entries()) if (d.errors.length > 0) return `document ${i}: ${d.errors[0].message}`;
    return undefined;
  };
  const error = firstError(docs);
  if (error !== undefined) {
    if (options.lenient) docs = parse(relaxQuotedScalarIndentation(text));
    if (!options.lenient || firstError(docs) !== undefined) throw new Error(`${source}: ${error}`);
  }
  return docs.map((d) => d.toJS({ maxAliasCount: -1 }) as unknown);
}

/** Has the fields every Kubernetes object has: apiVersion, kind, metadata.name. */
export function isKubeObject(v: unknown): v is KubeObject {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const m = o.metadata as Record<string, unknown> | undefined;
  return typeof o.apiVersion === 'string' && typeof o.kind === 'string' && typeof m === 'object' && m !== null && typeof m.name === 'string';
}

/** A file of a synthesized environment folder. */
export interface OutputFile {
  /** Path relative to the environment's folder, `/`-separated: `backend/deployment-backend.yaml`. */
  readonly rel: string;
  /** Absolute path. */
  readonly path: string;
  readonly kind: OutputKind;
}

/**
 * The files of `envDir` (one environment of a synthesized tree) of the given kinds, sorted by path
 * (code point order). Files of no kind (put there by hand) are left out.
 */
export function outputFiles(envDir: string, kinds: readonly OutputKind[]): OutputFile[] {
  if (!fs.existsSync(envDir)) throw new Error(`${envDir} does not exist: run make synth first`);
  const out: OutputFile[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix + e.name;
      if (e.isDirectory()) walk(path.join(dir, e.name), `${rel}/`);
      else {
        const kind = outputKindOf(rel);
        if (kind !== undefined && kinds.includes(kind)) out.push({ rel, path: path.join(dir, e.name), kind });
      }
    }
  };
  walk(envDir, '');
  return out.sort((a, b) => byCodePoint(a.rel, b.rel));
}

/** A cluster object read back from a synthesized tree. */
export interface OutputObject {
  readonly object: KubeObject;
  /** Absolute path of its file. */
  readonly path: string;
  /** Its component (the folder under the environment's folder, one subchart). */
  readonly component: string;
}

/**
 * Every cluster object of `envDir` of the given kinds (default: the environment's own, not the Argo
 * CD objects of `gitops`), in path order; throws on a document that is not an object.
 */
export function readOutputObjects(envDir: string, kinds: readonly ('object' | 'gitops')[] = ['object']): OutputObject[] {
  return outputFiles(envDir, kinds).flatMap((f) => {
    const component = f.rel.slice(0, f.rel.indexOf('/'));
    return parseYamlDocuments(fs.readFileSync(f.path, 'utf8'), f.path)
      .filter((doc) => doc !== null && doc !== undefined)
      .map((doc, i) => {
        if (!isKubeObject(doc)) throw new Error(`${f.path}: document ${i} is not a Kubernetes object (apiVersion, kind, metadata.name)`);
        return { object: doc, path: f.path, component };
      });
  });
}
