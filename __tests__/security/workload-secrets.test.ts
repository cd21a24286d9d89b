import { WorkloadSecrets, WorkloadSecretsProps } from '../../lib/security/workload-secrets';
import { findObject, synthObjects } from '../helpers';

const BASE: WorkloadSecretsProps = {
  workload: 'backend',
  namespace: 'ns',
  labels: { 'app.kubernetes.io/name': 'backend' },
  secrets: [
    { name: 'db-credentials', remoteKey: 'app/backend/db', env: { DB_USERNAME: 'username', DB_PASSWORD: 'password' } },
  ],
  delivery: 'external-secrets',
  storeName: 'bulwark-dev',
  refreshInterval: '1h',
  vault: { server: 'https://vault:8200', kvMount: 'secret', role: 'bulwark', authMountPath: 'kubernetes-dev', agentImage: 'docker.io/hashicorp/vault:1.21.1' },
};

function render(props: Partial<WorkloadSecretsProps> = {}) {
  let wiring: WorkloadSecrets['wiring'] | undefined;
  const objects = synthObjects((chart) => { wiring = new WorkloadSecrets(chart, 's', { ...BASE, ...props }).wiring; });
  return { objects, wiring: wiring! };
}

describe('WorkloadSecrets', () => {
  test('external-secrets: one ExternalSecret owning its Secret, refreshed, read through the ClusterSecretStore', () => {
    const { objects, wiring } = render();
    expect(objects.map((o) => o.kind)).toEqual(['ExternalSecret']);
    expect(findObject(objects, 'ExternalSecret')).toMatchObject({
      apiVersion: 'external-secrets.io/v1',
      metadata: { name: 'backend-db-credentials', namespace: 'ns' },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { kind: 'ClusterSecretStore', name: 'bulwark-dev' },
        target: { name: 'backend-db-credentials', creationPolicy: 'Owner' },
        data: [
          { secretKey: 'password', remoteRef: { key: 'app/backend/db', property: 'password' } },
          { secretKey: 'username', remoteRef: { key: 'app/backend/db', property: 'username' } },
        ],
      },
    });
    expect(wiring.env).toEqual([
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'backend-db-credentials', key: 'password' } } },
      { name: 'DB_USERNAME', valueFrom: { secretKeyRef: { name: 'backend-db-credentials', key: 'username' } } },
    ]);
    expect(wiring.needsServiceAccountToken).toBe(false);
  });

  test('vault-agent: no objects, injector annotations rendering an env file, and a service account token', () => {
    const { objects, wiring } = render({ delivery: 'vault-agent' });
    expect(objects).toEqual([]);
    expect(wiring.podAnnotations).toEqual({
      'vault.hashicorp.com/agent-inject': 'true',
      'vault.hashicorp.com/service': 'https://vault:8200',
      'vault.hashicorp.com/auth-path': 'auth/kubernetes-dev',
      'vault.hashicorp.com/role': 'bulwark',
      'vault.hashicorp.com/agent-run-as-same-user': 'true',
      'vault.hashicorp.com/agent-image': 'docker.io/hashicorp/vault:1.21.1',
      // vault-agent-init logs in before the app starts: the proxy must already run (a native sidecar).
      'sidecar.istio.io/nativeSidecar': 'true',
      'vault.hashicorp.com/agent-inject-secret-db-credentials': 'secret/data/app/backend/db',
      'vault.hashicorp.com/agent-inject-template-db-credentials':
        '{{- with secret "secret/data/app/backend/db" -}}\n'
          + 'export DB_PASSWORD="{{ index .Data.data "password" }}"\n'
          + 'export DB_USERNAME="{{ index .Data.data "username" }}"\n'
          + '{{- end }}\n',
    });
    expect(wiring.env).toEqual([{ name: 'DB_CREDENTIALS_FILE', value: '/vault/secrets/db-credentials' }]);
    expect(wiring.needsServiceAccountToken).toBe(true);
  });

  test('csi: a SecretProviderClass for Vault and a read-only CSI volume', () => {
    const { objects, wiring } = render({ delivery: 'csi' });
    expect(findObject(objects, 'SecretProviderClass')).toMatchObject({
      metadata: { name: 'backend-db-credentials' },
      spec: {
        provider: 'vault',
        parameters: {
          vaultAddress: 'https://vault:8200',
          vaultKubernetesMountPath: 'kubernetes-dev',
          roleName: 'bulwark',
          objects: '- objectName: "password"\n  secretPath: "secret/data/app/backend/db"\n  secretKey: "password"\n'
            + '- objectName: "username"\n  secretPath: "secret/data/app/backend/db"\n  secretKey: "username"\n',
        },
      },
    });
    expect(wiring.volumes).toEqual([{
      name: 'secret-db-credentials',
      csi: { driver: 'secrets-store.csi.k8s.io', readOnly: true, volumeAttributes: { secretProviderClass: 'backend-db-credentials' } },
    }]);
    expect(wiring.volumeMounts).toEqual([{ name: 'secret-db-credentials', mountPath: '/mnt/secrets/db-credentials', readOnly: true }]);
    expect(wiring.env).toEqual([{ name: 'DB_CREDENTIALS_DIR', value: '/mnt/secrets/db-credentials' }]);
  });

  test.each([
    ['no agent image', undefined],
    ['a floating agent image', 'docker.io/hashicorp/vault:latest'],
  ])('fails on vault-agent delivery with %s (the injector would add containers of its own default image)', (_, agentImage) => {
    expect(() => render({ delivery: 'vault-agent', vault: { ...BASE.vault!, agentImage } })).toThrow(
      `workload-secrets "backend": invalid vault.agentImage: received ${JSON.stringify(agentImage)}; allowed: an image pinned by tag or digest`,
    );
  });

  test.each(['vault-agent', 'csi'] as const)('fails on %s delivery without a Vault connection', (delivery) => {
    expect(() => render({ delivery, vault: undefined })).toThrow(`workload-secrets "backend": delivery ${delivery} needs a Vault connection`);
  });
});
