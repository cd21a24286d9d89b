/**
 * Reading what the e2e tests apply: the objects of dist/<env>/ and the CRDs of crds/sources.json.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isKubeObject, parseYamlDocuments, readOutputObjects } from '../lib/manifest/manifest-reader';
import { crdSourceDir, readCrdSources } from '../scripts/gen-schemas';
import { KubeObject } from './kube';

export interface DistObject {
  readonly object: KubeObject;
  /** Path relative to the repository root, e.g. dist/prod/backend/deployment-backend.yaml */
  readonly file: string;
  /** Top-level folder under dist/<env>/ (the component or subchart), e.g. "backend". */
  readonly component: string;
}

/** Every cluster object of <distDir>/<env>/ (no API-server files, no packages), in file order. */
export function loadDistObjects(root: string, distDir: string, env: string): DistObject[] {
  return readOutputObjects(path.join(distDir, env)).map((o) => ({
    object: o.object as KubeObject,
    file: path.relative(root, o.path),
    component: o.component,
  }));
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
    const dir = crdSourceDir(src);
    for (const p of src.paths) {
      const where = `${src.module}@${src.version}/${p}`;
      for (const doc of parseYamlDocuments(fs.readFileSync(path.join(dir, p), 'utf8'), where, { lenient: true })) {
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
