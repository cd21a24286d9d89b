/**
 * Reading what the e2e tests apply: the objects of dist/<env>/ and the CRDs of crds/sources.json.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { goModuleDir, readCrdSources, relaxQuotedScalarIndentation } from '../scripts/gen-schemas';
import { KubeObject } from './kube';

/**
 * Folders of dist/<env>/ that hold configuration of the control plane itself (audit policy,
 * encryption configuration), not API objects: never applied, see e2e/control-plane.ts.
 */
export const CONTROL_PLANE_DIR = 'control-plane';

export interface DistObject {
  readonly object: KubeObject;
  /** Path relative to the repository root, e.g. dist/prod/backend/deployment-backend.yaml */
  readonly file: string;
  /** Top-level folder under dist/<env>/ (the component or subchart), e.g. "backend". */
  readonly component: string;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

export function parseYaml(text: string, source: string): unknown[] {
  let docs = parseAllDocuments(text);
  if (docs.some((d) => d.errors.length > 0)) {
    const retry = parseAllDocuments(relaxQuotedScalarIndentation(text));
    if (retry.some((d) => d.errors.length > 0)) {
      const bad = docs.find((d) => d.errors.length > 0)!;
      throw new Error(`${source}: ${bad.errors[0].message}`);
    }
    docs = retry;
  }
  return docs.map((d) => d.toJS({ maxAliasCount: -1 }) as unknown).filter((v) => v !== null && v !== undefined);
}

function isKubeObject(v: unknown): v is KubeObject {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const m = o.metadata as Record<string, unknown> | undefined;
  return typeof o.apiVersion === 'string' && typeof o.kind === 'string' && typeof m === 'object' && m !== null && typeof m.name === 'string';
}

/** Every object of <distDir>/<env>/ except the control-plane folder, in file order. */
export function loadDistObjects(root: string, distDir: string, env: string): DistObject[] {
  const envDir = path.join(distDir, env);
  if (!fs.existsSync(envDir)) throw new Error(`${envDir} does not exist (run make synth)`);
  const out: DistObject[] = [];
  for (const file of walk(envDir)) {
    const rel = path.relative(envDir, file);
    const component = rel.split(path.sep)[0];
    if (component === CONTROL_PLANE_DIR || !rel.includes(path.sep)) continue;
    for (const [i, doc] of parseYaml(fs.readFileSync(file, 'utf8'), file).entries()) {
      if (!isKubeObject(doc)) throw new Error(`${file}: document ${i} is not a Kubernetes object (apiVersion, kind, metadata.name)`);
      out.push({ object: doc, file: path.relative(root, file), component });
    }
  }
  return out;
}

export interface CrdDocument {
  readonly object: KubeObject;
  readonly source: string;
}

/**
 * The CRDs listed in crds/sources.json, read from the same `go mod download` module folders that
 * scripts/gen-schemas.ts turns into kubeconform schemas (same pinned module versions and paths).
 */
export function loadCrds(sourcesFile?: string): CrdDocument[] {
  const out: CrdDocument[] = [];
  for (const src of readCrdSources(sourcesFile)) {
    const dir = goModuleDir(src.module, src.version);
    for (const p of src.paths) {
      const where = `${src.module}@${src.version}/${p}`;
      for (const doc of parseYaml(fs.readFileSync(path.join(dir, p), 'utf8'), where)) {
        if (isKubeObject(doc) && doc.kind === 'CustomResourceDefinition') out.push({ object: doc, source: where });
      }
    }
  }
  return out;
}

/** Identity of an object on the server: group (not version), kind, namespace, name. */
export function objectKey(o: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  return `${group}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}
