/**
 * The CRD schemas generated from crds/sources.json, exercised through the REAL kubeconform and the
 * REAL schemas installed by scripts/install-tools.sh (`make setup`): a valid manifest of every kind
 * the platform is going to emit passes, and one misspelled field fails naming the field.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SCHEMAS_DIR, readToolsEnv } from '../../scripts/gen-schemas';
import { validateManifests } from '../../scripts/validate';
import { CRD_SAMPLES } from './crd-samples';

const { KUBERNETES_VERSION } = readToolsEnv();

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

describe('CRD schemas from crds/sources.json', () => {
  it('GIVEN the samples THEN they cover every kind the platform work needs, one sample per kind', () => {
    expect(CRD_SAMPLES.map((s) => s.kind).sort()).toEqual(
      [
        'AppProject',
        'Application',
        'Assign',
        'AssignMetadata',
        'AuthorizationPolicy',
        'Certificate',
        'ClusterIssuer',
        'ClusterSecretStore',
        'Config',
        'ConstraintTemplate',
        'DestinationRule',
        'ExternalSecret',
        'Gateway',
        'Issuer',
        'ModifySet',
        'PeerAuthentication',
        'SecretProviderClass',
        'SecretStore',
        'ServiceEntry',
        'Sidecar',
        'VirtualService',
      ].sort(),
    );
  });

  it('GIVEN make setup has run THEN a schema file exists for every sample kind', () => {
    const missing = CRD_SAMPLES.filter((s) => {
      const [group, version] = s.apiVersion.split('/');
      return !fs.existsSync(path.join(SCHEMAS_DIR, KUBERNETES_VERSION, group, version, `${s.kind.toLowerCase()}.json`));
    }).map((s) => `${s.apiVersion} ${s.kind}`);
    expect(missing).toEqual([]);
  });

  it('GIVEN all valid samples in one stream WHEN validated THEN every one passes', async () => {
    const r = await validateManifests(CRD_SAMPLES.map((s) => s.yaml).join('---\n'));
    expect(r.problems).toEqual([]);
    expect(r.summary).toEqual({ valid: CRD_SAMPLES.length, invalid: 0, errors: 0, skipped: 0 });
  });

  describe.each(CRD_SAMPLES.map((s) => [s.kind, s] as const))('%s', (_kind, sample) => {
    it('GIVEN a realistic manifest WHEN validated THEN it passes', async () => {
      const r = await validateManifests(sample.yaml);
      expect(r.problems).toEqual([]);
      expect(r.ok).toBe(true);
    });

    it(`GIVEN the field ${sample.typo[0].split(':')[0].replace(/^- /, '')} misspelled WHEN validated THEN it fails naming the field`, async () => {
      // GIVEN
      const [original, misspelled] = sample.typo;
      expect(count(sample.yaml, original)).toBe(1);
      // WHEN
      const r = await validateManifests(sample.yaml.replace(original, misspelled));
      // THEN
      expect(r.ok).toBe(false);
      expect(r.summary).toEqual({ valid: 0, invalid: 1, errors: 0, skipped: 0 });
      // (a misspelled required field is also reported as missing under its real name)
      expect(r.problems).toContainEqual(
        expect.objectContaining({
          kind: sample.kind,
          apiVersion: sample.apiVersion,
          status: 'invalid',
          field: sample.typoAt,
          message: `additional properties '${sample.typoField}' not allowed`,
        }),
      );
      expect(r.problems.every((p) => p.field === sample.typoAt)).toBe(true);
    });
  });

  it('GIVEN PeerAuthentication mtls.mode STRICTT WHEN validated THEN the enum of the upstream CRD rejects it', async () => {
    const peer = CRD_SAMPLES.find((s) => s.kind === 'PeerAuthentication');
    const r = await validateManifests((peer?.yaml ?? '').replace('mode: STRICT', 'mode: STRICTT'));
    expect(r.problems).toEqual([
      expect.objectContaining({ field: '/spec/mtls/mode', message: "value must be one of 'UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'" }),
    ]);
  });

  it('GIVEN a version the CRD declares but does not serve (external-secrets.io/v1beta1) WHEN validated THEN it fails: no schema', async () => {
    const es = CRD_SAMPLES.find((s) => s.kind === 'ExternalSecret');
    const r = await validateManifests((es?.yaml ?? '').replace('external-secrets.io/v1', 'external-secrets.io/v1beta1'));
    expect(r.summary.errors).toBe(1);
    expect(r.problems[0].message).toMatch(/^could not find schema for ExternalSecret .*external-secrets\.io\/v1beta1\/externalsecret\.json/);
  });
});
