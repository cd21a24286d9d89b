/**
 * Schemas of Gatekeeper constraint kinds. Gatekeeper creates a CRD for each ConstraintTemplate at
 * run time, so no upstream file holds them: this builds that CRD exactly as Gatekeeper does
 * (frameworks/constraint pkg/client/crds: CreateSchema + CreateCRD — group
 * constraints.gatekeeper.sh, versions v1beta1 and v1alpha1, cluster-scoped, `spec.match` from the
 * pinned Gatekeeper module, `spec.parameters` from the template) and converts it with the same
 * converter as every other CRD, so constraints are validated as strictly as anything else.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { CONSTRAINT_MATCH_SCHEMA } from './gen-policy-schemas';
import {
  crdToSchemas,
  GeneratedSchema,
  isObject,
  JsonObject,
  OBJECT_META_DEFINITION,
  SCHEMAS_DIR,
  SchemaBundle,
  schemaRelativePath,
  stableStringify,
} from './gen-schemas';

export const CONSTRAINTS_GROUP = 'constraints.gatekeeper.sh';

/** What a ConstraintTemplate says about the constraint kind it defines. */
export interface ConstraintTemplateShape {
  kind: string;
  parameters?: JsonObject;
  shortNames?: string[];
}

/** The kind and parameters schema of a ConstraintTemplate object; undefined for anything else. */
export function templateOf(doc: unknown): ConstraintTemplateShape | undefined {
  if (!isObject(doc) || doc.kind !== 'ConstraintTemplate') return undefined;
  if (typeof doc.apiVersion !== 'string' || !doc.apiVersion.startsWith('templates.gatekeeper.sh/')) return undefined;
  const crd = isObject(doc.spec) && isObject(doc.spec.crd) && isObject(doc.spec.crd.spec) ? doc.spec.crd.spec : undefined;
  const kind = crd && isObject(crd.names) ? crd.names.kind : undefined;
  if (typeof kind !== 'string' || kind === '') throw new Error('ConstraintTemplate without spec.crd.spec.names.kind');
  const parameters = crd && isObject(crd.validation) && isObject(crd.validation.openAPIV3Schema)
    ? crd.validation.openAPIV3Schema
    : undefined;
  const shortNames = crd && isObject(crd.names) && Array.isArray(crd.names.shortNames)
    ? crd.names.shortNames.filter((n): n is string => typeof n === 'string')
    : undefined;
  return { kind, parameters, ...(shortNames && shortNames.length > 0 ? { shortNames } : {}) };
}

/** The CustomResourceDefinition Gatekeeper creates for a template (apiextensions.k8s.io/v1). */
export function constraintCrd(template: ConstraintTemplateShape, match: JsonObject): JsonObject {
  const spec: Record<string, JsonObject> = {
    match,
    enforcementAction: { type: 'string', default: 'deny' },
    scopedEnforcementActions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          action: { type: 'string' },
          enforcementPoints: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
        },
      },
    },
  };
  if (template.parameters) spec.parameters = template.parameters;
  const schema: JsonObject = {
    type: 'object',
    properties: {
      metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 63 } } },
      spec: { type: 'object', properties: spec },
      status: { 'x-kubernetes-preserve-unknown-fields': true },
    },
  };
  const plural = template.kind.toLowerCase();
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${CONSTRAINTS_GROUP}`, labels: { 'gatekeeper.sh/constraint': 'yes' } },
    spec: {
      group: CONSTRAINTS_GROUP,
      names: {
        kind: template.kind,
        listKind: `${template.kind}List`,
        plural,
        singular: plural,
        ...(template.shortNames ? { shortNames: template.shortNames } : {}),
        categories: ['constraint', 'constraints'],
      },
      scope: 'Cluster',
      versions: ['v1beta1', 'v1alpha1'].map((name) => ({
        name,
        served: true,
        storage: name === 'v1beta1',
        schema: { openAPIV3Schema: schema },
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'enforcement-action', description: 'Type of enforcement action', jsonPath: '.spec.enforcementAction', type: 'string' },
          { name: 'total-violations', description: 'Total number of violations', jsonPath: '.status.totalViolations', type: 'integer' },
        ],
      })),
    },
  };
}

/** ObjectMeta of the pinned Kubernetes version, from the generated ConfigMap schema. */
export function objectMetaBundle(kubeVersion: string, schemasDir: string = SCHEMAS_DIR): SchemaBundle {
  const file = path.join(schemasDir, schemaRelativePath(kubeVersion, '', 'v1', 'ConfigMap'));
  const configMap: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!isObject(configMap) || !isObject(configMap.definitions)) throw new Error(`${file} has no definitions`);
  const definitions: Record<string, JsonObject> = {};
  for (const [k, v] of Object.entries(configMap.definitions)) if (isObject(v)) definitions[k] = v;
  return { ref: `#/definitions/${OBJECT_META_DEFINITION}`, definitions };
}

/** Every ConstraintTemplate in YAML texts. */
export function templatesIn(texts: readonly string[]): ConstraintTemplateShape[] {
  const out: ConstraintTemplateShape[] = [];
  for (const text of texts) {
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) continue;
      const t = templateOf(doc.toJS());
      if (t) out.push(t);
    }
  }
  return out;
}

/**
 * Writes the constraint schemas of `templates` below `dir` in the kubeconform layout
 * (`<dir>/<kube version>/constraints.gatekeeper.sh/<version>/<kind>.json`); returns them.
 */
export function writeConstraintSchemas(templates: readonly ConstraintTemplateShape[], dir: string, kubeVersion: string): GeneratedSchema[] {
  if (templates.length === 0) return [];
  if (!fs.existsSync(CONSTRAINT_MATCH_SCHEMA)) throw new Error(`${CONSTRAINT_MATCH_SCHEMA} is missing: run make setup`);
  const match = JSON.parse(fs.readFileSync(CONSTRAINT_MATCH_SCHEMA, 'utf8')) as JsonObject;
  const objectMeta = objectMetaBundle(kubeVersion);
  const schemas = templates.flatMap((t) => crdToSchemas(constraintCrd(t, match), { objectMeta, source: `ConstraintTemplate of ${t.kind}` }));
  for (const s of schemas) {
    const file = path.join(dir, schemaRelativePath(kubeVersion, s.group, s.version, s.kind));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, stableStringify(s.schema));
  }
  return schemas;
}
