import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthesize } from '../../lib/synth/pipeline';
import { constraintCrd } from '../../scripts/constraint-schemas';
import { goTypeSchema, parseGoTypes } from '../../scripts/gen-policy-schemas';
import { validateManifests } from '../../scripts/validate';
import { loadOverlay } from '../helpers';

const GO = `
// Policy defines the configuration of audit logging.
type Policy struct {
	metav1.TypeMeta \`json:",inline"\`
	// Rules specify the audit Level a request should be recorded at.
	Rules []PolicyRule \`json:"rules" protobuf:"bytes,2,rep,name=rules"\`
	OmitManagedFields bool \`json:"omitManagedFields,omitempty"\`
}

type PolicyRule struct {
	Level Level \`json:"level"\`
	Timeout *metav1.Duration \`json:"timeout,omitempty"\`
	Internal string \`json:"-"\`
}

type Level string

const (
	LevelNone Level = "None"
	LevelMetadata Level = "Metadata"
)
`;

describe('control-plane schemas from Go types', () => {
  test('structs are closed objects, non-omitempty fields required, named strings enums', () => {
    expect(goTypeSchema(parseGoTypes(GO), 'Policy', {})).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        rules: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              level: { type: 'string', enum: ['None', 'Metadata'] },
              timeout: { type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$' },
            },
            required: ['level'],
          },
        },
        omitManagedFields: { type: 'boolean' },
      },
      required: ['apiVersion', 'kind', 'rules'],
    });
  });

  test('fails on a Go type it does not know, rather than guessing', () => {
    expect(() => goTypeSchema(parseGoTypes('type X struct {\n\tY types.UID `json:"y"`\n}\n'), 'X', {}))
      .toThrow('Go type types.UID is not handled by scripts/gen-policy-schemas.ts: add it to goTypeSchema');
  });
});

describe('validation of policy objects and control-plane files', () => {
  // The prod fixture's own output: its files, and its control-plane folder written out.
  const prod = synthesize([loadOverlay('prod')], { platformVersion: '1.2.3' }).files;
  const file = (rel: string): string => {
    const text = prod.get(`prod/${rel}`);
    if (text === undefined) throw new Error(`the prod fixture synthesizes no prod/${rel}`);
    return text;
  };
  const template = file('gatekeeper-templates/constrainttemplate-bulwarkprodallowedregistries.yaml');
  const constraint = file('gatekeeper/bulwarkprodallowedregistries-allowed-registries.yaml');
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-cp-'));
    fs.mkdirSync(path.join(dir, 'prod', 'control-plane'), { recursive: true });
    for (const name of ['audit-policy.yaml', 'encryption-config.yaml']) {
      fs.writeFileSync(path.join(dir, 'prod', 'control-plane', name), file(`control-plane/${name}`));
    }
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a constraint validates against the schema made from its template, strictly', async () => {
    expect((await validateManifests({ stdin: `${template}---\n${constraint}` })).ok).toBe(true);
    const misspelled = await validateManifests({
      stdin: `${template}---\n${constraint.replace('  parameters:\n    registries:', '  parameters:\n    registry:')}`,
    });
    expect(misspelled.problems.map((p) => `${p.kind} ${p.field}: ${p.message}`))
      .toEqual(["BulwarkProdAllowedRegistries /spec/parameters: additional properties 'registry' not allowed"]);
    const badMatch = await validateManifests({ stdin: `${template}---\n${constraint.replace('  match:\n', '  match:\n    labelSelectr: {}\n')}` });
    expect(badMatch.problems.map((p) => `${p.field}: ${p.message}`)).toEqual(["/spec/match: additional properties 'labelSelectr' not allowed"]);
  });

  test('a constraint without its template has no schema: an error, never a skip', async () => {
    const r = await validateManifests({ stdin: constraint });
    expect(r.summary).toMatchObject({ errors: 1, skipped: 0 });
  });

  test('the constraint CRD is what Gatekeeper makes: cluster-scoped, v1beta1 stored, v1alpha1 served', () => {
    const crd = constraintCrd({ kind: 'BulwarkX' }, { type: 'object' }) as {
      metadata: { name: string };
      spec: { scope: string; versions: { name: string; storage: boolean }[] };
    };
    expect(crd.metadata.name).toBe('bulwarkx.constraints.gatekeeper.sh');
    expect(crd.spec.scope).toBe('Cluster');
    expect(crd.spec.versions.map((v) => [v.name, v.storage])).toEqual([['v1beta1', true], ['v1alpha1', false]]);
  });

  test('control-plane files validate against their own schemas only', async () => {
    const { summary } = await validateManifests([path.join(dir, 'prod', 'control-plane')]);
    expect(summary).toMatchObject({ valid: 2, invalid: 0, errors: 0, skipped: 0 });
    const audit = file('control-plane/audit-policy.yaml');
    // Outside a control-plane folder an audit Policy is not a cluster object: no schema.
    expect((await validateManifests({ stdin: audit })).summary).toMatchObject({ errors: 1 });
  });

  test('fails on a control-plane file with a misspelled field', async () => {
    const misspelled = path.join(dir, 'misspelled', 'control-plane');
    fs.mkdirSync(misspelled, { recursive: true });
    fs.writeFileSync(path.join(misspelled, 'encryption-config.yaml'), file('control-plane/encryption-config.yaml').replace('endpoint:', 'endpiont:'));
    const r = await validateManifests([path.dirname(misspelled)]);
    expect(r.problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
      "/resources/0/providers/0/kms: additional properties 'endpiont' not allowed",
      "/resources/0/providers/0/kms: missing property 'endpoint'",
    ]);
  });
});
