import { Construct } from 'constructs';
import { ClusterSecretStore, ClusterSecretStoreSpecProvider, ClusterSecretStoreSpecProviderVaultVersion } from '../../imports/external-secrets.io';
import { environmentPrefix } from '../manifest/names';
import { sortedEntries } from '../util/order';

/** The environment's ClusterSecretStore (cluster-scoped, so named per environment). */
export function secretStoreName(environment: string): string {
  return environmentPrefix(environment);
}

/** A secret some workload reads, as the store must hold it. */
export interface StoredSecret {
  readonly remoteKey: string;
  readonly properties: readonly string[];
  /** Who reads it, for the placeholder values of the fake provider. */
  readonly owner: string;
}

export interface PlatformSecretStoreProps {
  /** ClusterSecretStore name (cluster-scoped, so it carries the environment). */
  readonly name: string;
  /** The only namespaces allowed to read through this store. */
  readonly namespaces: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly provider: 'vault' | 'fake';
  readonly vault?: { readonly server: string; readonly path: string; readonly authMountPath: string; readonly role: string };
  /** Needed by the fake provider, which must hold one entry per secret read. */
  readonly secrets: readonly StoredSecret[];
}

/**
 * The environment's ClusterSecretStore: Vault with the Kubernetes auth method, or, for local
 * clusters without Vault, the ESO `fake` provider holding placeholder values that name what a real
 * store would hold (never a real secret).
 */
export class PlatformSecretStore extends Construct {
  constructor(scope: Construct, id: string, props: PlatformSecretStoreProps) {
    super(scope, id);
    if (props.provider === 'vault' && !props.vault) {
      throw new Error(`secret-store "${props.name}": provider vault needs vault settings (server, path, authMountPath, role)`);
    }
    const provider: ClusterSecretStoreSpecProvider = props.provider === 'vault'
      ? {
        vault: {
          server: props.vault!.server,
          path: props.vault!.path,
          version: ClusterSecretStoreSpecProviderVaultVersion.V2,
          auth: { kubernetes: { mountPath: props.vault!.authMountPath, role: props.vault!.role } },
        },
      }
      : { fake: { data: fakeData(props.secrets) } };
    new ClusterSecretStore(this, 'store', {
      metadata: { name: props.name, labels: { ...props.labels } },
      spec: {
        provider,
        conditions: [{ namespaces: [...props.namespaces] }],
      },
    });
  }
}

function fakeData(secrets: readonly StoredSecret[]): { key: string; value: string }[] {
  const byKey = new Map<string, Record<string, string>>();
  for (const s of secrets) {
    const values = byKey.get(s.remoteKey) ?? {};
    for (const p of s.properties) values[p] = `placeholder-${s.owner}-${p}`;
    byKey.set(s.remoteKey, values);
  }
  return [...byKey.keys()].sort().map((key) => ({ key, value: JSON.stringify(sortKeys(byKey.get(key)!)) }));
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(sortedEntries(record));
}
