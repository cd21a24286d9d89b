import type { Problem } from '../config/errors';
import type { ComponentOverlay, Overlay } from '../config/overlay-schema';
import type { RuleInput } from './platform-model';

/**
 * Where a platform pod must reach something that is not a component: the flows a workload's own
 * policies allow besides its declared dependencies, resolved from overlay data (never written by
 * hand per component), and the rules that keep that data complete.
 */

/** Where Vault listens: address ranges outside the cluster, or pods of a namespace inside it. */
export type VaultNetworkModel =
  | { readonly cidrs: readonly string[] }
  | { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> };

/** Vault as a pod that calls it from inside (Vault Agent) reaches it. */
export interface VaultEndpoint {
  /** The host of `secretStore.vault.server`: the mesh's name for Vault (ServiceEntry or Sidecar egress host). */
  readonly host: string;
  /** The port of `secretStore.vault.server` (443 when it names none). */
  readonly port: number;
  readonly network: VaultNetworkModel;
  /** Image of the Vault Agent containers the injector adds, pinned and on the allowed registries. */
  readonly agentImage: string;
}

/** What a component's pod needs of these, as the model says. */
type ComponentDelivery = Pick<ComponentOverlay, 'secretDelivery'> & { readonly secrets: object };

/**
 * Whether the component's own pod calls Vault: Vault Agent runs in the pod (an init container and a
 * sidecar the injector adds) and logs in with the pod's token. The CSI driver does not: its Vault
 * provider runs on the node and calls Vault itself; External Secrets' controller does so too.
 */
export function callsVaultFromPod(c: ComponentDelivery): boolean {
  return c.secretDelivery === 'vault-agent' && Object.keys(c.secrets).length > 0;
}

/** The host and port of an https URL (443 by default). */
export function urlHostPort(url: string): { host: string; port: number } {
  const { hostname, port } = new URL(url);
  return { host: hostname, port: port === '' ? 443 : Number(port) };
}

/** Vault as the overlay places it, when a component's pod calls it (undefined otherwise). */
export function vaultEndpointOf(overlay: Overlay): VaultEndpoint | undefined {
  const vault = overlay.secretStore.vault;
  if (!vault?.network || !Object.values(overlay.components).some(callsVaultFromPod)) return undefined;
  const { cidrs, namespace, podLabels } = vault.network;
  return {
    ...urlHostPort(vault.server),
    network: cidrs ? { cidrs } : { namespace: namespace!, podLabels: podLabels! },
    agentImage: vault.agentImage,
  };
}

/** The components whose pods call Vault, sorted. */
function vaultAgentComponents({ components }: RuleInput): string[] {
  return components.filter(([, c]) => callsVaultFromPod(c)).map(([name]) => name);
}

/** A pod running Vault Agent must be allowed to reach Vault, so the overlay must say where Vault is. */
export function vaultAgentReachesVault(input: RuleInput): Problem[] {
  const { overlay, problem } = input;
  const names = vaultAgentComponents(input);
  const vault = overlay.secretStore.vault;
  if (names.length === 0 || overlay.secretStore.provider !== 'vault' || !vault || vault.network) return [];
  return [problem(['secretStore', 'vault'], {
    message: `Vault Agent calls Vault from the pods of ${names.join(', ')}, but nothing says where Vault listens, so no policy can allow it`,
    received: 'no network',
    allowed: 'network: {cidrs} when Vault runs outside the cluster, or network: {namespace, podLabels} inside it',
    fix: 'add secretStore.vault.network, e.g. network: { cidrs: [10.40.8.0/24] } (the Vault servers\' addresses)',
  })];
}

/** Vault is outside the cluster (cidrs) or inside it (namespace and podLabels), not both, not neither. */
export function vaultNetworkIsOneOf({ overlay, problem }: RuleInput): Problem[] {
  const network = overlay.secretStore.vault?.network;
  if (!network) return [];
  const inCluster = network.namespace !== undefined || network.podLabels !== undefined;
  const allowed = 'cidrs (Vault outside the cluster), or namespace and podLabels (Vault in the cluster)';
  if (network.cidrs && inCluster) {
    return [problem(['secretStore', 'vault', 'network'], {
      message: 'Vault is placed both outside the cluster (cidrs) and inside it (namespace, podLabels)',
      received: JSON.stringify(Object.keys(network).sort()),
      allowed,
      fix: 'keep cidrs when Vault runs outside the cluster, or namespace and podLabels when it runs inside',
    })];
  }
  if (network.cidrs) return [];
  if (network.namespace === undefined || network.podLabels === undefined) {
    const missing = network.namespace === undefined ? 'namespace' : 'podLabels';
    return [problem(['secretStore', 'vault', 'network'], {
      message: `network names no cidrs and no ${missing}`,
      received: JSON.stringify(network),
      allowed,
      fix: `add ${missing}, or cidrs instead`,
    })];
  }
  if (Object.keys(network.podLabels).length === 0) {
    return [problem(['secretStore', 'vault', 'network', 'podLabels'], {
      message: 'podLabels selects every pod of the namespace',
      received: '{}',
      allowed: 'the labels of the Vault pods',
      fix: 'add them, e.g. { app.kubernetes.io/name: vault }',
    })];
  }
  // In the cluster, the pods are reached through their Service: the server must name it.
  const { host } = urlHostPort(overlay.secretStore.vault!.server);
  const service = new RegExp(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?\\.${network.namespace}(\\.svc(\\.cluster\\.local)?)?$`);
  return service.test(host) ? [] : [problem(['secretStore', 'vault', 'server'], {
    message: `Vault runs in namespace ${network.namespace}, but the server is not a Service of that namespace`,
    received: JSON.stringify(host),
    allowed: `a Service host <name>.${network.namespace}.svc (optionally .cluster.local)`,
    fix: `use https://vault.${network.namespace}.svc:8200, or network: {cidrs} when Vault is reached outside the cluster`,
  })];
}

/**
 * The injector adds Vault Agent containers of `agentImage` to every vault-agent pod: the cluster's
 * registry policy judges them like the platform's own, so their image must be on the list.
 */
export function vaultAgentImageProblems(input: RuleInput, registries: readonly string[]): Problem[] {
  const { overlay, problem } = input;
  const names = vaultAgentComponents(input);
  const vault = overlay.secretStore.vault;
  if (names.length === 0 || !vault || registries.some((r) => vault.agentImage.startsWith(r))) return [];
  return [problem(['secretStore', 'vault', 'agentImage'], {
    message: `the Vault Agent injector adds containers of this image to the pods of ${names.join(', ')}; the cluster policy would reject them`,
    received: JSON.stringify(vault.agentImage),
    allowed: `an image starting with ${registries.join(', ')}`,
    fix: `add ${repositoryOf(vault.agentImage)} to policy.allowedRegistries, `
      + 'or set secretStore.vault.agentImage to a pinned mirror on an allowed registry',
  })];
}

/** Everything of an image reference up to its last "/": the prefix a registry list names. */
export function repositoryOf(image: string): string {
  return image.slice(0, image.lastIndexOf('/') + 1);
}

/** Whether the component's service account holds permissions, so its pod calls the API server. */
export function callsApiServer(c: Pick<ComponentOverlay, 'permissions'>): boolean {
  return c.permissions.length > 0;
}

/** The API server as the pods of the components that hold permissions reach it. */
export const API_SERVER_HOST = 'kubernetes.default.svc.cluster.local';
/** The namespace of the `kubernetes` Service. */
export const API_SERVER_NAMESPACE = 'default';

/** A service account granted permissions must be able to use them: the overlay must say where the API server is. */
export function grantsReachApiServer({ overlay, components, problem }: RuleInput): Problem[] {
  if (overlay.apiServer.cidrs.length > 0) return [];
  return components.filter(([, c]) => callsApiServer(c)).map(([name]) => problem(['components', name, 'permissions'], {
    message: 'the service account holds permissions, but nothing says where the API server listens, so no policy can let the pod call it',
    received: 'no apiServer.cidrs',
    allowed: `apiServer: {cidrs, ports} (ports default to ${overlay.apiServer.ports.join(' and ')})`,
    fix: 'add apiServer: { cidrs: [<the API server endpoints\' range>] } '
      + '(kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes), or remove the permissions',
  }, true));
}
