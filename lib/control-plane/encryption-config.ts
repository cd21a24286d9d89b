import { ControlPlaneConfig } from '../config/overlay-schema';
import { environmentName } from '../manifest/names';

/**
 * The API server's encryption at rest (`kube-apiserver --encryption-provider-config`) for
 * Secrets: a KMS v2 plugin where the overlay names one, else AES-CBC with a key the operator
 * fills in at install time. The key never lands in dist/: the file holds the placeholder
 * `${BULWARK_AESCBC_KEY}` (see scripts/render-encryption-config.sh). `identity` comes last so
 * that Secrets written before encryption was enabled stay readable until they are rewritten.
 */

/** Environment variable whose value (32 random bytes, base64) replaces the placeholder at install. */
export const AESCBC_KEY_VARIABLE = 'BULWARK_AESCBC_KEY';
export const AESCBC_KEY_PLACEHOLDER = `\${${AESCBC_KEY_VARIABLE}}`;

export const ENCRYPTED_RESOURCES = ['secrets'] as const;

export function encryptionConfiguration(environment: string, config: ControlPlaneConfig['encryption']): Record<string, unknown> {
  let provider: Record<string, unknown>;
  if (config.provider === 'kms') {
    if (!config.kms) throw new Error(`encryption-config: ${environment}: provider kms needs kms.name and kms.endpoint`);
    provider = { kms: { apiVersion: 'v2', name: config.kms.name, endpoint: config.kms.endpoint, timeout: config.kms.timeout } };
  } else {
    provider = { aescbc: { keys: [{ name: environmentName(environment, '1'), secret: AESCBC_KEY_PLACEHOLDER }] } };
  }
  return {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [{ resources: [...ENCRYPTED_RESOURCES], providers: [provider, { identity: {} }] }],
  };
}
