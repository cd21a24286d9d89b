import { CertificateIssuer, CertificateIssuerProps } from '../../lib/security/certificate-issuer';
import { PlatformSecretStore, PlatformSecretStoreProps } from '../../lib/security/secret-store';
import { findObject, synthObjects } from '../helpers';

describe('PlatformSecretStore', () => {
  const BASE: PlatformSecretStoreProps = {
    name: 'bulwark-prod',
    namespaces: ['bulwark-prod'],
    labels: {},
    provider: 'vault',
    vault: { server: 'https://vault:8200', path: 'secret', authMountPath: 'kubernetes-prod', role: 'bulwark-prod' },
    secrets: [{ remoteKey: 'app/db', properties: ['username', 'password'], owner: 'backend-db' }],
  };

  test('vault: KV v2 with the Kubernetes auth method, usable only from the platform namespace', () => {
    const store = findObject(synthObjects((chart) => new PlatformSecretStore(chart, 's', BASE)), 'ClusterSecretStore');
    expect(store.metadata.namespace).toBeUndefined();
    expect(store.spec).toEqual({
      conditions: [{ namespaces: ['bulwark-prod'] }],
      provider: { vault: { server: 'https://vault:8200', path: 'secret', version: 'v2', auth: { kubernetes: { mountPath: 'kubernetes-prod', role: 'bulwark-prod' } } } },
    });
  });

  test('fake: one placeholder entry per secret path, never a real value', () => {
    const objects = synthObjects((chart) => new PlatformSecretStore(chart, 's', { ...BASE, provider: 'fake', vault: undefined }));
    const store = findObject(objects, 'ClusterSecretStore');
    expect((store.spec as { provider: unknown }).provider).toEqual({
      fake: { data: [{ key: 'app/db', value: '{"password":"placeholder-backend-db-password","username":"placeholder-backend-db-username"}' }] },
    });
  });

  test('fails on provider vault without vault settings', () => {
    expect(() => synthObjects((chart) => new PlatformSecretStore(chart, 's', { ...BASE, vault: undefined })))
      .toThrow('secret-store "bulwark-prod": provider vault needs vault settings');
  });
});

describe('CertificateIssuer', () => {
  const issuer = (props: Partial<CertificateIssuerProps>) => synthObjects((chart) => {
    const i = new CertificateIssuer(chart, 'i', { name: 'bulwark-dev', kind: 'self-signed', labels: {}, ...props });
    i.issue('cert', { name: 'bulwark-dev-frontend-tls', namespace: 'istio-system', hosts: ['app.example.com'], labels: {} });
  });

  test('self-signed: a bootstrap issuer, a CA certificate in cert-manager\'s namespace, and a CA ClusterIssuer', () => {
    const objects = issuer({});
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ClusterIssuer/bulwark-dev-selfsigned', 'Certificate/bulwark-dev-ca', 'ClusterIssuer/bulwark-dev', 'Certificate/bulwark-dev-frontend-tls',
    ]);
    expect(findObject(objects, 'Certificate', 'bulwark-dev-ca')).toMatchObject({
      metadata: { namespace: 'cert-manager' },
      spec: { isCA: true, secretName: 'bulwark-dev-ca' },
    });
    expect(findObject(objects, 'ClusterIssuer', 'bulwark-dev').spec).toEqual({ ca: { secretName: 'bulwark-dev-ca' } });
  });

  test('issues host certificates from the ClusterIssuer into the gateway namespace, ECDSA, rotated', () => {
    expect(findObject(issuer({}), 'Certificate', 'bulwark-dev-frontend-tls')).toMatchObject({
      metadata: { namespace: 'istio-system' },
      spec: {
        secretName: 'bulwark-dev-frontend-tls',
        dnsNames: ['app.example.com'],
        issuerRef: { kind: 'ClusterIssuer', name: 'bulwark-dev', group: 'cert-manager.io' },
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      },
    });
  });

  test('acme: HTTP-01 through the mesh ingress', () => {
    const spec = findObject(issuer({ kind: 'acme', acme: { server: 'https://acme.example/directory', email: 'ops@example.com' } }), 'ClusterIssuer').spec;
    expect(spec).toEqual({ acme: { server: 'https://acme.example/directory', email: 'ops@example.com', privateKeySecretRef: { name: 'bulwark-dev-acme-account' }, solvers: [{ http01: { ingress: { ingressClassName: 'istio' } } }] } });
  });

  test('vault: a dedicated service account whose tokens only cert-manager may create', () => {
    const objects = issuer({ kind: 'vault', vault: { server: 'https://vault:8200', path: 'pki/sign/x', role: 'cm' } });
    expect(findObject(objects, 'Role').rules).toEqual([{
      apiGroups: [''],
      resources: ['serviceaccounts/token'],
      resourceNames: ['bulwark-dev-vault-issuer'],
      verbs: ['create'],
    }]);
    expect(findObject(objects, 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'cert-manager', namespace: 'cert-manager' }]);
    expect(findObject(objects, 'ClusterIssuer').spec).toEqual({ vault: { server: 'https://vault:8200', path: 'pki/sign/x', auth: { kubernetes: { role: 'cm', mountPath: '/v1/auth/kubernetes', serviceAccountRef: { name: 'bulwark-dev-vault-issuer' } } } } });
  });

  test.each([['acme'], ['vault']] as const)('fails on kind %s without its settings', (kind) => {
    expect(() => issuer({ kind })).toThrow(`certificate-issuer "bulwark-dev": kind ${kind} needs ${kind} settings`);
  });
});
