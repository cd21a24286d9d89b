import { ComponentManifests, KubeObject } from './kube-object';
import { KUSTOMIZATION_FILE } from './output-kind';
import { JsonValue, toYaml } from './yaml-emitter';

/**
 * The component folders (and subcharts) of the platform's own charts, which every environment
 * has: named here, below the areas that build them, so that the model can keep components and
 * tenants out of them.
 */
export const PLATFORM_FOLDERS = {
  alerts: 'alerts',
  baseline: 'baseline',
  security: 'security',
  gatekeeperTemplates: 'gatekeeper-templates',
  gatekeeper: 'gatekeeper',
  admissionPolicy: 'admission-policy',
  falco: 'falco',
  tracing: 'tracing',
  traceCollector: 'otel-collector',
  dashboards: 'dashboards',
  metrics: 'metrics',
} as const;

/** The folder (and subchart) of a tenant's namespace and role: `tenant-<name>`. */
export function tenantFolder(tenant: string): string {
  return `tenant-${tenant}`;
}

/** Where an object lands inside its component folder: `<kind>-<name>.yaml`, lowercase. */
export function manifestFileName(o: KubeObject): string {
  return `${o.kind.toLowerCase()}-${o.metadata.name}.yaml`;
}

/**
 * Lays out one environment as `<env>/<component>/<kind>-<name>.yaml`: one folder per component
 * (one subchart each), one object per file so that reviews and GitOps diffs stay small.
 */
export function environmentFiles(environment: string, components: readonly ComponentManifests[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const { component, objects, files: artifacts } of components) {
    const add = (name: string, content: string): void => {
      const rel = `${environment}/${component}/${name}`;
      if (files.has(rel)) {
        throw new Error(`two objects of ${component} in ${environment} map to the same file ${rel}: give them distinct names`);
      }
      files.set(rel, content);
    };
    for (const o of objects) add(manifestFileName(o), toYaml(o as unknown as JsonValue));
    for (const [name, content] of artifacts ?? []) add(name, content);
  }
  return files;
}

/**
 * The layout of the dist branch, the rendered output the GitOps controller syncs from. It follows
 * Argo CD's source hydrator: one path per environment (never the branch root), each with its
 * manifests, a `hydrator.metadata` and a `README.md`; the root holds the source commit's
 * `hydrator.metadata` and a `.gitattributes`. The publisher writes it; the ApplicationSets,
 * `make diff` and the e2e run read it. Paths are `/`-separated (git paths, not OS paths).
 */
export const DIST_BRANCH_LAYOUT = {
  /** The branch the publisher writes and Argo CD syncs unless told otherwise. */
  defaultBranch: 'dist',
  /** The folder of the per-environment paths: `environments/<env>/`. */
  environments: 'environments',
  /** The folder of every environment's Argo CD objects (`bootstrap/<env>/`) and their kustomization. */
  bootstrap: 'bootstrap',
  /** The hydrator's metadata file, at the root and in every environment's path. */
  metadata: 'hydrator.metadata',
  /** How an environment's path was produced and from which commit. */
  readme: 'README.md',
  /** At the branch root: marks the generated files (`linguist-generated`). */
  gitattributes: '.gitattributes',
  /** The kustomization of a path (an environment's, and the bootstrap path's). */
  kustomization: KUSTOMIZATION_FILE,
} as const;

/** The dist branch path of an environment's manifests: `environments/<env>` (no trailing slash). */
export function environmentPath(environment: string): string {
  return `${DIST_BRANCH_LAYOUT.environments}/${environment}`;
}

/** The dist branch path of an environment's Argo CD objects: `bootstrap/<env>` (no trailing slash). */
export function bootstrapPath(environment: string): string {
  return `${DIST_BRANCH_LAYOUT.bootstrap}/${environment}`;
}
