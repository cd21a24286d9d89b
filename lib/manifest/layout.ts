import { ComponentManifests, KubeObject } from './kube-object';
import { JsonValue, toYaml } from './yaml-emitter';

/**
 * The component folders (and subcharts) of the platform's own charts, which every environment
 * has: named here, below the areas that build them, so that the model can keep components and
 * tenants out of them.
 */
export const PLATFORM_FOLDERS = {
  baseline: 'baseline',
  security: 'security',
  gatekeeperTemplates: 'gatekeeper-templates',
  gatekeeper: 'gatekeeper',
  admissionPolicy: 'admission-policy',
  falco: 'falco',
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
