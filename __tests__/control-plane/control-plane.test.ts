import { runChecks } from '../../lib/checks';
import { noKeyMaterial } from '../../lib/checks/key-material';
import { AUDIT_RULES, auditPolicy } from '../../lib/control-plane/audit-policy';
import { controlPlaneFiles } from '../../lib/control-plane/control-plane-files';
import { AESCBC_KEY_PLACEHOLDER, encryptionConfiguration } from '../../lib/control-plane/encryption-config';
import { findKeyMaterial, findKeyMaterialInValue } from '../../lib/manifest/key-material';
import { KubeObject } from '../../lib/manifest/kube-object';
import { modelOf } from '../helpers';
import { auditLevel } from './audit-policy-matcher';

const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const WHO = [
  { user: 'alice' },
  { user: 'system:kube-proxy' },
  { user: 'system:node:n1', groups: ['system:nodes'] },
  { user: 'system:serviceaccount:bulwark-prod:agent' },
];

describe('audit policy', () => {
  test('every access to a Secret, by anyone, is logged at Metadata: never a body, never skipped', () => {
    for (const who of WHO) {
      for (const verb of VERBS) {
        expect(auditLevel(AUDIT_RULES, { ...who, verb, resource: { group: '', resource: 'secrets', namespace: 'bulwark-prod' } })).toBe('Metadata');
      }
    }
    expect(auditLevel(AUDIT_RULES, { verb: 'create', resource: { group: '', resource: 'serviceaccounts/token', namespace: 'x' } })).toBe('Metadata');
    expect(auditLevel(AUDIT_RULES, { verb: 'create', resource: { group: 'authentication.k8s.io', resource: 'tokenreviews' } })).toBe('Metadata');
  });

  test('RBAC changes with request and response, other changes with request, reads as metadata, noise not at all', () => {
    expect(auditLevel(AUDIT_RULES, {
      user: 'alice',
      verb: 'create',
      resource: { group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: 'x' },
    })).toBe('RequestResponse');
    expect(auditLevel(AUDIT_RULES, { user: 'alice', verb: 'patch', resource: { group: 'apps', resource: 'deployments', namespace: 'x' } }))
      .toBe('Request');
    expect(auditLevel(AUDIT_RULES, { user: 'alice', verb: 'create', resource: { group: '', resource: 'pods/exec', namespace: 'x' } }))
      .toBe('Request');
    expect(auditLevel(AUDIT_RULES, { user: 'alice', verb: 'list', resource: { group: '', resource: 'pods', namespace: 'x' } })).toBe('Metadata');
    expect(auditLevel(AUDIT_RULES, { verb: 'get', path: '/healthz/etcd' })).toBe('None');
    expect(auditLevel(AUDIT_RULES, { verb: 'get', path: '/apis' })).toBe('Metadata');
    expect(auditLevel(AUDIT_RULES, { user: 'system:kube-proxy', verb: 'watch', resource: { group: 'discovery.k8s.io', resource: 'endpointslices' } }))
      .toBe('None');
  });

  test('is an audit.k8s.io/v1 Policy that drops the RequestReceived stage and managed fields', () => {
    expect(auditPolicy()).toMatchObject({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', omitStages: ['RequestReceived'], omitManagedFields: true });
  });
});

describe('encryption at rest', () => {
  test('prod encrypts Secrets with its KMS v2 plugin; identity stays readable last', () => {
    expect(encryptionConfiguration('prod', modelOf('prod').controlPlane.encryption)).toEqual({
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'EncryptionConfiguration',
      resources: [{ resources: ['secrets'], providers: [{ kms: { apiVersion: 'v2', name: 'bulwark-prod-vault', endpoint: 'unix:///var/run/kms-plugin/vault.sock', timeout: '3s' } }, { identity: {} }] }],
    });
  });

  test('a local cluster gets aescbc with a placeholder for the key, never a key', () => {
    const config = encryptionConfiguration('dev', modelOf('dev').controlPlane.encryption) as { resources: { providers: unknown[] }[] };
    expect(config.resources[0].providers[0]).toEqual({ aescbc: { keys: [{ name: 'bulwark-dev-1', secret: AESCBC_KEY_PLACEHOLDER }] } });
    expect(AESCBC_KEY_PLACEHOLDER).toBe('${BULWARK_AESCBC_KEY}');
  });

  test('the control-plane folder holds the two files, each saying how the API server takes it', () => {
    const files = controlPlaneFiles(modelOf('dev'));
    expect([...files.keys()]).toEqual(['audit-policy.yaml', 'encryption-config.yaml']);
    expect(files.get('audit-policy.yaml')).toMatch(/^# kube-apiserver --audit-policy-file=<this file>\n/);
    expect(files.get('encryption-config.yaml')).toMatch(/^# kube-apiserver --encryption-provider-config=<this file>\n/);
  });

  test('fails on an encryption configuration whose provider is kms without a plugin', () => {
    expect(() => encryptionConfiguration('x', { provider: 'kms' })).toThrow('encryption-config: x: provider kms needs kms.name and kms.endpoint');
  });
});

describe('key material', () => {
  const key = 'PdqHYCeanAR7TytNfN5/0ys1fAI7HoywLjeUkM770y4=';

  test('finds a literal aescbc key, an AES-sized base64 string and a PEM private key', () => {
    const config = 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n'
      + '- resources: [secrets]\n  providers:\n  - aescbc:\n      keys:\n      - name: k\n        secret: not-a-placeholder\n';
    expect(findKeyMaterial(config)).toEqual(['/resources/0/providers/0/aescbc/keys/0/secret: aescbc key material is not a ${VARIABLE} placeholder']);
    expect(findKeyMaterialInValue({ data: { k: key } })).toEqual(['/data/k: a base64 string of an AES key\'s length']);
    expect(findKeyMaterial('data:\n  tls.key: |\n    -----BEGIN RSA PRIVATE KEY-----\n    abc\n')).toEqual(['a PEM private key']);
  });

  test('finds each kind deep in lists and maps, among ordinary values', () => {
    const aes128 = 'q83vEjRWeJq83vEjRWeJqw==';
    const value = {
      spec: { containers: [{ name: 'a', env: [{ name: 'X', value: 'ordinary value of some length' }, { name: 'K', value: aes128 }] }] },
      data: [{ nested: { pem: '-----BEGIN EC PRIVATE KEY-----\nabc\n-----END EC PRIVATE KEY-----\n' } }],
      resources: [{ providers: [{ secretbox: { keys: [{ name: 'k', secret: 'short' }] } }] }],
    };
    expect(findKeyMaterialInValue(value, '/x')).toEqual([
      '/x/spec/containers/0/env/1/value: a base64 string of an AES key\'s length',
      '/x/data/0/nested/pem: a PEM private key',
      '/x/resources/0/providers/0/secretbox/keys/0/secret: secretbox key material is not a ${VARIABLE} placeholder',
    ]);
  });

  test('accepts placeholders, digests and ordinary values', () => {
    expect(findKeyMaterialInValue({
      aescbc: { keys: [{ name: 'k', secret: '${BULWARK_AESCBC_KEY}' }] },
      sha: 'a'.repeat(64),
      image: `x@sha256:${'0'.repeat(64)}`,
    })).toEqual([]);
  });

  test('the no-key-material check fails a ConfigMap carrying a key', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' }, data: { key } };
    expect(runChecks([noKeyMaterial], [cm]).map((f) => [f.path, f.message])).toEqual([['data.key', 'a base64 string of an AES key\'s length']]);
  });
});
