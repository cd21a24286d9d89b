import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ExternalSecret, ExternalSecretSpecSecretStoreRefKind, ExternalSecretSpecTargetCreationPolicy } from '../../imports/external-secrets.io';
import { SecretProviderClass } from '../../imports/secrets-store.csi.x-k8s.io';
import { isPinnedImage } from '../util/image';
import { sortedEntries } from '../util/order';

/** One secret a workload reads: a path in the store and the properties it maps to env vars. */
export interface SecretDeclaration {
  /** Local name; the Kubernetes Secret (if any) is `<workload>-<name>`. */
  readonly name: string;
  /** Path of the secret in the store, e.g. `backend/db`. */
  readonly remoteKey: string;
  /** Environment variable → property of the stored secret. */
  readonly env: Readonly<Record<string, string>>;
}

export type SecretDeliveryMode = 'external-secrets' | 'vault-agent' | 'csi';

/** How a pod's secrets are read from Vault directly (vault-agent, csi). */
export interface VaultConnection {
  /** Vault address, e.g. `https://vault.example.com:8200`. */
  readonly server: string;
  /** KV v2 mount. */
  readonly kvMount: string;
  /** Vault role bound to the workload's service account. */
  readonly role: string;
  /** Kubernetes auth method mount, e.g. `kubernetes`. @default 'kubernetes' */
  readonly authMountPath?: string;
  /** Image of the Vault Agent containers the injector adds, pinned; required for vault-agent delivery. @default - none (csi) */
  readonly agentImage?: string;
  /**
   * Ephemeral storage of the Vault Agent containers the injector adds (its defaults set none).
   * @default - the injector's: none
   */
  readonly agentEphemeralStorage?: { readonly request: string; readonly limit: string };
}

export interface WorkloadSecretsProps {
  readonly workload: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly secrets: readonly SecretDeclaration[];
  readonly delivery: SecretDeliveryMode;
  /** ClusterSecretStore the ExternalSecrets read from. */
  readonly storeName: string;
  readonly refreshInterval: string;
  /** Vault connection, needed by vault-agent and csi delivery. */
  readonly vault?: VaultConnection;
}

/** What a workload's pod needs to receive its secrets, whichever way they are delivered. */
export interface PodSecretWiring {
  readonly env: readonly k8s.EnvVar[];
  readonly volumes: readonly k8s.Volume[];
  readonly volumeMounts: readonly k8s.VolumeMount[];
  readonly podAnnotations: Readonly<Record<string, string>>;
  /** Vault Agent authenticates with the pod's service account token. */
  readonly needsServiceAccountToken: boolean;
}

const CSI_ROOT = '/mnt/secrets';
const VAULT_AGENT_ROOT = '/vault/secrets';

/**
 * Delivers a workload's secrets without a value ever appearing in the manifests: as env vars from
 * Secrets that External Secrets Operator materializes, as files rendered by the Vault Agent
 * injector, or as files mounted by the Secrets Store CSI driver. Same declarations, three renderings.
 */
export class WorkloadSecrets extends Construct {
  public readonly wiring: PodSecretWiring;

  constructor(scope: Construct, id: string, props: WorkloadSecretsProps) {
    super(scope, id);
    if (props.delivery !== 'external-secrets' && props.secrets.length > 0 && !props.vault) {
      throw new Error(
        `workload-secrets "${props.workload}": delivery ${props.delivery} needs a Vault connection; allowed: external-secrets without Vault`,
      );
    }
    const agentImage = props.vault?.agentImage;
    if (props.delivery === 'vault-agent' && props.secrets.length > 0 && (agentImage === undefined || !isPinnedImage(agentImage))) {
      throw new Error(
        `workload-secrets "${props.workload}": invalid vault.agentImage: received ${JSON.stringify(agentImage)}; `
          + 'allowed: an image pinned by tag or digest (the injector\'s default follows the injector\'s version)',
      );
    }
    switch (props.delivery) {
      case 'external-secrets':
        this.wiring = this.externalSecrets(props);
        break;
      case 'vault-agent':
        this.wiring = vaultAgent(props);
        break;
      case 'csi':
        this.wiring = this.csi(props);
        break;
    }
  }

  private externalSecrets(props: WorkloadSecretsProps): PodSecretWiring {
    const env: k8s.EnvVar[] = [];
    for (const s of props.secrets) {
      const secretName = `${props.workload}-${s.name}`;
      const properties = [...new Set(Object.values(s.env))].sort();
      new ExternalSecret(this, s.name, {
        metadata: { name: secretName, namespace: props.namespace, labels: { ...props.labels } },
        spec: {
          refreshInterval: props.refreshInterval,
          secretStoreRef: { kind: ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE, name: props.storeName },
          target: { name: secretName, creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER },
          data: properties.map((property) => ({ secretKey: property, remoteRef: { key: s.remoteKey, property } })),
        },
      });
      for (const [name, property] of sortedEntries(s.env)) {
        env.push({ name, valueFrom: { secretKeyRef: { name: secretName, key: property } } });
      }
    }
    return { env, volumes: [], volumeMounts: [], podAnnotations: {}, needsServiceAccountToken: false };
  }

  private csi(props: WorkloadSecretsProps): PodSecretWiring {
    const vault = props.vault!;
    const wiring = { env: [] as k8s.EnvVar[], volumes: [] as k8s.Volume[], volumeMounts: [] as k8s.VolumeMount[] };
    for (const s of props.secrets) {
      const className = `${props.workload}-${s.name}`;
      const objects = [...new Set(Object.values(s.env))].sort()
        .map((property) => `- objectName: "${property}"\n  secretPath: "${vault.kvMount}/data/${s.remoteKey}"\n  secretKey: "${property}"\n`)
        .join('');
      new SecretProviderClass(this, s.name, {
        metadata: { name: className, namespace: props.namespace, labels: { ...props.labels } },
        spec: {
          provider: 'vault',
          parameters: { vaultAddress: vault.server, vaultKubernetesMountPath: vault.authMountPath ?? 'kubernetes', roleName: vault.role, objects },
        },
      });
      const volume = `secret-${s.name}`;
      wiring.volumes.push({
        name: volume,
        csi: { driver: 'secrets-store.csi.k8s.io', readOnly: true, volumeAttributes: { secretProviderClass: className } },
      });
      wiring.volumeMounts.push({ name: volume, mountPath: `${CSI_ROOT}/${s.name}`, readOnly: true });
      wiring.env.push({ name: `${envName(s.name)}_DIR`, value: `${CSI_ROOT}/${s.name}` });
    }
    return { ...wiring, podAnnotations: {}, needsServiceAccountToken: false };
  }
}

function vaultAgent(props: WorkloadSecretsProps): PodSecretWiring {
  if (props.secrets.length === 0) return { env: [], volumes: [], volumeMounts: [], podAnnotations: {}, needsServiceAccountToken: false };
  const vault = props.vault!;
  // The injector's defaults name its own Vault, auth mount and image: each is set from the store,
  // so the pod calls the Vault its policies allow, with an image the registry policy admits.
  const annotations: Record<string, string> = {
    'vault.hashicorp.com/agent-inject': 'true',
    'vault.hashicorp.com/service': vault.server,
    'vault.hashicorp.com/auth-path': `auth/${vault.authMountPath ?? 'kubernetes'}`,
    'vault.hashicorp.com/role': vault.role,
    'vault.hashicorp.com/agent-run-as-same-user': 'true',
    'vault.hashicorp.com/agent-image': vault.agentImage!,
    // The vault-agent-init container logs in to Vault before the app starts; with the proxy as a
    // classic sidecar, the CNI's redirection sends that traffic to a proxy not yet running. As a
    // native sidecar (an init container that keeps running, Kubernetes 1.29+), the proxy starts
    // before the injector's init container, which appends itself after it.
    'sidecar.istio.io/nativeSidecar': 'true',
    ...(vault.agentEphemeralStorage ? {
      'vault.hashicorp.com/agent-requests-ephemeral': vault.agentEphemeralStorage.request,
      'vault.hashicorp.com/agent-limits-ephemeral': vault.agentEphemeralStorage.limit,
    } : {}),
  };
  const env: k8s.EnvVar[] = [];
  for (const s of props.secrets) {
    const path = `${vault.kvMount}/data/${s.remoteKey}`;
    annotations[`vault.hashicorp.com/agent-inject-secret-${s.name}`] = path;
    const lines = sortedEntries(s.env).map(([name, property]) => `export ${name}="{{ index .Data.data "${property}" }}"`);
    annotations[`vault.hashicorp.com/agent-inject-template-${s.name}`] = `{{- with secret "${path}" -}}\n${lines.join('\n')}\n{{- end }}\n`;
    env.push({ name: `${envName(s.name)}_FILE`, value: `${VAULT_AGENT_ROOT}/${s.name}` });
  }
  return { env, volumes: [], volumeMounts: [], podAnnotations: annotations, needsServiceAccountToken: true };
}

function envName(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}
