/**
 * Unit tests of the schema conversion in scripts/gen-schemas.ts, plus checks that the converted
 * schemas behave as intended inside the REAL kubeconform (installed by scripts/install-tools.sh).
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { relaxQuotedScalarIndentation } from '../../lib/manifest/manifest-reader';
import {
  JsonObject,
  OBJECT_META_DEFINITION,
  SCHEMAS_DIR,
  crdToSchemas,
  crdsFromYaml,
  readCrdSources,
  readToolsEnv,
  schemaLocationTemplate,
  schemaRelativePath,
  stableStringify,
  swaggerToSchemas,
  readKubernetesSupplements,
} from '../../scripts/gen-schemas';
import { KUBECONFORM_BIN, validateManifests } from '../../scripts/validate';

const { KUBERNETES_VERSION } = readToolsEnv();

const WIDGET_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
    - name: v1beta1
      served: false
      storage: false
      schema:
        openAPIV3Schema: {type: object}
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          description: A widget.
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size:
                  type: integer
                  minimum: 1
                port:
                  x-kubernetes-int-or-string: true
                  anyOf: [{type: integer}, {type: string}]
                color:
                  type: string
                  nullable: true
                  enum: [red, blue]
                config:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
                  properties:
                    known: {type: string}
                template:
                  type: object
                  x-kubernetes-embedded-resource: true
                  x-kubernetes-preserve-unknown-fields: true
                labels:
                  type: object
                  additionalProperties: {type: string}
                opaque:
                  type: object
              oneOf:
                - required: [size]
                  properties:
                    size: {maximum: 10}
            status:
              type: object
              properties:
                ready: {type: boolean}
`;

function widgetSchema(): JsonObject {
  const schemas = crdToSchemas(parse(WIDGET_CRD));
  expect(schemas).toHaveLength(1);
  return schemas[0].schema;
}

function child(o: JsonObject, ...keys: string[]): JsonObject {
  let cur: JsonObject = o;
  for (const k of keys) {
    const next = cur[k];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) throw new Error(`no object at ${keys.join('.')}`);
    cur = next;
  }
  return cur;
}

describe('crdToSchemas', () => {
  it('GIVEN a served and an unserved version WHEN converted THEN only the served version yields a schema with pinned apiVersion/kind', () => {
    const [s] = crdToSchemas(parse(WIDGET_CRD));
    expect({ group: s.group, version: s.version, kind: s.kind }).toEqual({ group: 'example.com', version: 'v1', kind: 'Widget' });
    expect(child(s.schema, 'properties', 'apiVersion')).toEqual({ type: 'string', enum: ['example.com/v1'] });
    expect(child(s.schema, 'properties', 'kind')).toEqual({ type: 'string', enum: ['Widget'] });
    expect(s.schema.required).toEqual(['apiVersion', 'kind']);
    expect(s.schema.description).toBeUndefined();
  });

  it('GIVEN objects with properties WHEN converted THEN they are closed, except preserve-unknown-fields nodes and maps', () => {
    const s = widgetSchema();
    // an object without properties keeps nothing through API-server pruning, so it is closed too
    expect(child(s, 'properties', 'spec', 'properties', 'opaque')).toEqual({ type: 'object', additionalProperties: false });
    expect(s.additionalProperties).toBe(false);
    expect(child(s, 'properties', 'spec').additionalProperties).toBe(false);
    expect(child(s, 'properties', 'status').additionalProperties).toBe(false);
    expect(child(s, 'properties', 'spec', 'properties', 'config').additionalProperties).toBeUndefined();
    expect(child(s, 'properties', 'spec', 'properties', 'labels').additionalProperties).toEqual({ type: 'string' });
  });

  it('GIVEN int-or-string, nullable enums, embedded resources and oneOf WHEN converted THEN each maps to draft-04 correctly', () => {
    const spec = child(widgetSchema(), 'properties', 'spec');
    expect(child(spec, 'properties', 'port').type).toEqual(['integer', 'string']);
    expect(child(spec, 'properties', 'color')).toEqual({ type: ['string', 'null'], enum: ['red', 'blue', null] });
    expect(child(spec, 'properties', 'template', 'properties')).toEqual({
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { $ref: `#/definitions/${OBJECT_META_DEFINITION}` },
    });
    // junctor branches must not close the object: they only constrain fields declared structurally
    expect(spec.oneOf).toEqual([{ required: ['size'], properties: { size: { maximum: 10 } } }]);
  });

  it('GIVEN an int-or-string with anyOf: null and allOf (OpenShift\'s Route targetPort) WHEN converted THEN null is no junctor, allOf stays', () => {
    const crd = parse(WIDGET_CRD) as JsonObject;
    const text = JSON.stringify(crd).replace(
      '"port":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]}',
      '"port":{"allOf":[{"not":{"enum":[0]}},{"not":{"enum":[""]}}],"anyOf":null,"x-kubernetes-int-or-string":true}',
    );
    expect(text).not.toBe(JSON.stringify(crd));
    const port = child(crdToSchemas(JSON.parse(text))[0].schema, 'properties', 'spec', 'properties', 'port');
    expect(port).toEqual({ allOf: [{ not: { enum: [0] } }, { not: { enum: [''] } }], type: ['integer', 'string'] });
  });

  it('GIVEN the default ObjectMeta WHEN converted THEN metadata references a local, closed ObjectMeta definition', () => {
    const s = widgetSchema();
    expect(child(s, 'properties', 'metadata')).toEqual({ $ref: `#/definitions/${OBJECT_META_DEFINITION}` });
    expect(child(s, 'definitions', OBJECT_META_DEFINITION).additionalProperties).toBe(false);
  });

  it('GIVEN a v1beta1 CRD without preserveUnknownFields: false WHEN converted THEN nothing is closed (the API server prunes nothing)', () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1beta1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'olds.example.com' },
      spec: {
        group: 'example.com',
        version: 'v1',
        names: { kind: 'Old' },
        validation: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } } } },
      },
    };
    const [s] = crdToSchemas(crd);
    expect(child(s.schema, 'properties', 'spec').additionalProperties).toBeUndefined();
    expect(child(s.schema, 'properties', 'apiVersion').enum).toEqual(['example.com/v1']);
  });

  it('GIVEN something that is not a CRD WHEN converted THEN it throws', () => {
    expect(() => crdToSchemas({ apiVersion: 'v1', kind: 'ConfigMap' })).toThrow('not a CustomResourceDefinition');
    const versionless = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', spec: { group: 'x.io', names: { kind: 'X' } } };
    expect(() => crdToSchemas(versionless)).toThrow('spec.versions is missing');
  });

  it('GIVEN a multi-document YAML WHEN read THEN only CRD documents produce schemas', () => {
    const schemas = crdsFromYaml(`apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\n${WIDGET_CRD}`, 'inline.yaml');
    expect(schemas.map((s) => `${s.group}/${s.version}/${s.kind}`)).toEqual(['example.com/v1/Widget']);
  });

  it('GIVEN controller-gen style quoted descriptions continued at the key indentation WHEN read THEN it parses like Go YAML does', () => {
    // GIVEN: invalid YAML 1.2 (the `yaml` package rejects it) that kubectl accepts; common in older operator CRDs
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  names: {kind: Gadget, plural: gadgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              description: 'It''s a gadget: with a colon
              and a continuation line at the key indentation.'
              type: object
              properties:
                note:
                  description: |
                    block scalar: 'not a quote start
                  default: "x"
                  type: string
`;
    expect(parseAllDocuments(crd)[0].errors).not.toEqual([]);
    // WHEN
    const schemas = crdsFromYaml(crd, 'gadgets.yaml');
    // THEN
    expect(schemas).toHaveLength(1);
    expect(child(schemas[0].schema, 'properties', 'spec')).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: { note: { type: 'string', default: 'x' } },
    });
    expect(relaxQuotedScalarIndentation("a:\n  b: 'x\n  y'\n")).toBe("a:\n  b: 'x\n   y'\n");
  });

  it('GIVEN the converted Widget schema WHEN kubeconform validates widgets THEN typos and wrong types fail, preserved fields pass', async () => {
    // GIVEN
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-crd-'));
    const [s] = crdToSchemas(parse(WIDGET_CRD));
    const file = path.join(dir, schemaRelativePath(KUBERNETES_VERSION, s.group, s.version, s.kind));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, stableStringify(s.schema));
    const widget = (spec: string): string => `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, labels: {a: b}}\nspec: ${spec}\n`;
    const run = (yamlText: string): Promise<{ code: number; out: string }> =>
      new Promise((resolve) => {
        const child = execFile(
          KUBECONFORM_BIN,
          ['-strict', '-output', 'json', '-kubernetes-version', KUBERNETES_VERSION.slice(1), '-schema-location', schemaLocationTemplate(dir), '-'],
          (err, out) => resolve({ code: err ? Number(err.code) : 0, out }),
        );
        child.stdin?.end(yamlText);
      });
    try {
      // WHEN / THEN
      const preserved = '{size: 3, port: http, color: null, config: {anything: [1, 2]}, template: {apiVersion: v1, kind: Pod, spec: {}}}';
      expect(await run(widget(preserved))).toEqual({
        code: 0,
        out: '{\n  "resources": []\n}\n',
      });
      const typo = await run(widget('{size: 3, colour: red}'));
      expect(typo.code).toBe(1);
      expect(typo.out).toContain("additional properties 'colour' not allowed");
      const wrongType = await run(widget('{size: three}'));
      expect(wrongType.out).toMatch(/at '\/spec\/size': got string, want integer/);
      const oneOf = await run(widget('{size: 11}'));
      expect(oneOf.out).toContain('oneOf');
      const pruned = await run(widget('{size: 1, opaque: {dropped: true}}'));
      expect(pruned.out).toContain("additional properties 'dropped' not allowed");
      const badMeta = await run('apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, lables: {a: b}}\nspec: {size: 1}\n');
      expect(badMeta.out).toContain("additional properties 'lables' not allowed");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Kubernetes schemas', () => {
  const k8sSchema = (rel: string): JsonObject => {
    const file = path.join(SCHEMAS_DIR, KUBERNETES_VERSION, rel);
    if (!fs.existsSync(file)) throw new Error(`${file} missing; run \`make setup\``);
    return JSON.parse(fs.readFileSync(file, 'utf8')) as JsonObject;
  };

  it('GIVEN the generated Deployment schema THEN apiVersion/kind are pinned and every object with properties is closed', () => {
    const s = k8sSchema('apps/v1/deployment.json');
    expect(child(s, 'properties', 'apiVersion')).toEqual({ type: 'string', enum: ['apps/v1'] });
    expect(child(s, 'properties', 'kind')).toEqual({ type: 'string', enum: ['Deployment'] });
    const defs = child(s, 'definitions');
    expect(child(defs, 'io.k8s.apimachinery.pkg.util.intstr.IntOrString')).toEqual({ type: ['integer', 'string'] });
    expect(child(defs, 'io.k8s.api.apps.v1.DeploymentSpec').required).toEqual(['selector', 'template']);
    const open = Object.entries(defs)
      .filter(([, d]) => typeof d === 'object' && d !== null && !Array.isArray(d) && 'properties' in d && d.additionalProperties !== false);
    expect(open.map(([n]) => n)).toEqual([]);
    expect(fs.readFileSync(path.join(SCHEMAS_DIR, KUBERNETES_VERSION, 'apps/v1/deployment.json'), 'utf8')).toBe(stableStringify(s));
  });

  it('GIVEN the recursive JSONSchemaProps WHEN the CRD schema is generated THEN it is a local self-reference', () => {
    const props = child(
      k8sSchema('apiextensions.k8s.io/v1/customresourcedefinition.json'),
      'definitions',
      'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps',
    );
    expect(child(props, 'properties', 'properties', 'additionalProperties')).toEqual({
      $ref: '#/definitions/io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps',
    });
  });

  it('GIVEN a CustomResourceDefinition manifest WHEN validated THEN the recursive schema accepts it', async () => {
    const r = await validateManifests({ stdin: WIDGET_CRD });
    expect(r.problems).toEqual([]);
    expect(r.summary.valid).toBe(1);
  });

  it('GIVEN a tiny swagger document WHEN converted THEN refs become local definitions and multi-GVK definitions fan out', () => {
    const swagger: JsonObject = {
      definitions: {
        'a.Thing': {
          type: 'object',
          properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, spec: { $ref: '#/definitions/a.Spec', description: 'x' } },
          'x-kubernetes-group-version-kind': [
            { group: '', version: 'v1', kind: 'Thing' },
            { group: 'g.io', version: 'v2', kind: 'Thing' },
          ],
        },
        'a.Spec': {
          type: 'object',
          required: ['port'],
          properties: { port: { type: 'string', format: 'int-or-string' }, next: { $ref: '#/definitions/a.Spec' } },
        },
      },
    };
    const out = swaggerToSchemas(swagger);
    expect(out.map((s) => `${s.group}/${s.version}/${s.kind}`)).toEqual(['/v1/Thing', 'g.io/v2/Thing']);
    expect(out[1].schema).toEqual({
      type: 'object',
      additionalProperties: false,
      required: ['apiVersion', 'kind'],
      properties: {
        apiVersion: { type: 'string', enum: ['g.io/v2'] },
        kind: { type: 'string', enum: ['Thing'] },
        spec: { $ref: '#/definitions/a.Spec' },
      },
      definitions: {
        'a.Spec': {
          type: 'object',
          additionalProperties: false,
          required: ['port'],
          properties: { port: { type: ['integer', 'string'] }, next: { $ref: '#/definitions/a.Spec' } },
        },
      },
    });
  });

  it('GIVEN a type-less definition without an override WHEN converted THEN generation fails loudly', () => {
    const swagger: JsonObject = {
      definitions: {
        'a.Thing': {
          properties: { x: { $ref: '#/definitions/a.Mystery' } },
          'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Thing' }],
        },
        'a.Mystery': { description: '?' },
      },
    };
    expect(() => swaggerToSchemas(swagger)).toThrow('a.Mystery has neither type nor properties');
  });
});

describe('crds/sources.json', () => {
  it('GIVEN the committed source list THEN it parses as a list of pinned module sources', () => {
    const sources = readCrdSources();
    expect(Array.isArray(sources)).toBe(true);
    for (const s of sources) expect(s.version).toMatch(/^v\d+\.\d+\.\d+/);
  });
});

describe('Kubernetes supplements', () => {
  test('ValidatingAdmissionPolicy v1 comes from the pinned later release, beside the 1.28 schemas', () => {
    const { KUBERNETES_VERSION } = readToolsEnv();
    const index = JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, KUBERNETES_VERSION, 'index.json'), 'utf8')) as {
      schemas: Record<string, { source: string }>;
    };
    expect(index.schemas['admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy'].source).toMatch(/^k8s\.io\/kubernetes@v1\.30\.14\//);
    expect(index.schemas['admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding'].source).toMatch(/^k8s\.io\/kubernetes@v1\.30\.14\//);
    expect(index.schemas['apps/v1/Deployment'].source).toMatch(new RegExp(`^k8s\\.io/kubernetes@${KUBERNETES_VERSION}/`));
  });

  test('fails on a malformed kubernetesSupplements entry', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-sup-'));
    const file = path.join(dir, 'sources.json');
    try {
      fs.writeFileSync(file, JSON.stringify({ kubernetesSupplements: [{ version: 'v1.30.14', kinds: 'ValidatingAdmissionPolicy' }], sources: [] }));
      expect(() => readKubernetesSupplements(file))
        .toThrow('kubernetesSupplements must be a list of { "version": "vX.Y.Z", "kinds": ["group/version/Kind", ...] }');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
