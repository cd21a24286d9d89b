import { KubeObject } from '../manifest/kube-object';
import { isPinnedImage } from '../util/image';
import { at, Check, indexOnce, Violation } from './check';
import { podCheck } from './pod-security';
import { BATCH_KINDS, containersAt, podMetadataAt } from './pod-spec';

export const readOnlyRootFilesystem = podCheck({
  id: 'read-only-root-filesystem',
  title: 'Read-only root filesystem',
  description: 'Containers run with a read-only root filesystem; writable paths are explicit emptyDirs.',
  controls: ['nsa/immutable-filesystem', 'cis/5.7.3'],
  remediation: 'Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the process writes.',
}, (pod) => containersAt(pod).filter((c) => c.container.securityContext?.readOnlyRootFilesystem !== true)
  .map((c) => at(`${c.path}.securityContext.readOnlyRootFilesystem`, `container ${c.container.name} must set readOnlyRootFilesystem: true`)));

const RESOURCES = ['cpu', 'memory', 'ephemeral-storage'] as const;

export const resourceLimits = podCheck({
  id: 'resource-limits',
  title: 'Requests and limits',
  description: 'Containers declare CPU, memory and ephemeral-storage requests and limits.',
  controls: ['nsa/resource-policies'],
  remediation: 'Set resources.requests and resources.limits for cpu, memory and ephemeral-storage.',
}, (pod) => containersAt(pod).filter((c) => !c.path.includes('.ephemeralContainers[')).flatMap((c) => {
  const problems: Violation[] = [];
  for (const scope of ['requests', 'limits'] as const) {
    for (const resource of RESOURCES) {
      if (c.container.resources?.[scope]?.[resource] === undefined) {
        problems.push(at(`${c.path}.resources.${scope}`, `container ${c.container.name} has no ${resource} ${scope.slice(0, -1)}`));
      }
    }
  }
  return problems;
}));

export const pinnedImages = podCheck({
  id: 'pinned-images',
  title: 'Pinned images',
  description: 'Images are pinned by tag or digest; "latest" and untagged images are rejected.',
  controls: ['nsa/secure-images', 'nsa/application-security'],
  remediation: 'Name a release tag or a sha256 digest: image: registry/name:1.2.3 (or @sha256:…).',
}, (pod) => containersAt(pod).filter((c) => !isPinnedImage(c.container.image ?? ''))
  .map((c) => at(`${c.path}.image`, `container ${c.container.name} image ${JSON.stringify(c.container.image ?? '')} is not pinned`)));

export const probes = podCheck({
  id: 'probes',
  title: 'Liveness and readiness probes',
  description: 'Long-running containers declare liveness and readiness probes.',
  controls: ['nsa/application-security'],
  remediation: 'Add livenessProbe and readinessProbe (httpGet, grpc, tcpSocket or exec) to the container.',
}, (pod, object) => {
  if (BATCH_KINDS.has(object.kind)) return [];
  return (pod.spec.containers ?? []).flatMap((c, i) => [
    ...(c.livenessProbe === undefined ? [at(`${pod.path}.containers[${i}].livenessProbe`, `container ${c.name} has no livenessProbe`)] : []),
    ...(c.readinessProbe === undefined ? [at(`${pod.path}.containers[${i}].readinessProbe`, `container ${c.name} has no readinessProbe`)] : []),
  ]);
});

/** Environment variable names that say they hold a credential (not where one is: `…_FILE`, `…_DIR`, `…_PATH`). */
const CREDENTIAL_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)S?$/i;

/** A literal value that is a credential: not empty, not a path or URL of where one is read from. */
const isCredentialValue = (value: string | undefined): boolean => value !== undefined && value !== '' && !/^(\/|[a-z]+:\/\/)/.test(value);

export const literalSecretsInEnv = podCheck({
  id: 'literal-secrets-in-env',
  title: 'No credentials as literal env values',
  description: 'No container sets a credential-named environment variable (…PASSWORD, …TOKEN, …API_KEY) to a literal value.',
  controls: ['nsa/secrets', 'cis/5.4.1'],
  remediation: 'Read the value from a Secret (valueFrom.secretKeyRef, better a mounted file) delivered by the secret store.',
}, (pod) => containersAt(pod).flatMap((c) => (c.container.env ?? []).flatMap((e, i) => (CREDENTIAL_NAME.test(e.name) && isCredentialValue(e.value)
  ? [at(`${c.path}.env[${i}].value`, `container ${c.container.name} sets ${e.name} to a literal value`)] : []))));

export const noSecretData: Check = {
  id: 'no-plaintext-secrets',
  title: 'No Secrets with inline data',
  description: 'No Secret carries data in the manifests: secrets come from a secret store at run time.',
  severity: 'error',
  profile: 'generic',
  controls: ['cis/5.4.2', 'nsa/secrets'],
  remediation: 'Deliver the Secret through External Secrets (or another store) and keep only the reference in the manifests.',
  kinds: new Set(['Secret']),
  inspect(object) {
    if (object.kind !== 'Secret') return [];
    return (['data', 'stringData'] as const).filter((f) => Object.keys((object[f] as object | undefined) ?? {}).length > 0)
      .map((f) => at(f, 'Secret carries data; deliver it through the secret store instead'));
  },
};

// ---- service accounts --------------------------------------------------------------------------

export const defaultServiceAccount = podCheck({
  id: 'default-service-account',
  title: 'Own service account',
  description: 'Pods run as a service account of their own, not the namespace\'s default one.',
  controls: ['cis/5.1.5', 'nsa/service-account-tokens'],
  remediation: 'Create a ServiceAccount for the workload and set spec.serviceAccountName.',
}, (pod) => {
  const name = pod.spec.serviceAccountName;
  return name === undefined || name === '' || name === 'default'
    ? [at(`${pod.path}.serviceAccountName`, `pod runs as the default service account`)] : [];
});

/** Vault Agent's injector annotation: the agent logs in to Vault with the pod's service account token. */
const VAULT_AGENT_INJECT = 'vault.hashicorp.com/agent-inject';

/** `namespace/serviceAccount` of every subject some RoleBinding or ClusterRoleBinding grants to. */
const boundAccounts = new WeakMap<readonly KubeObject[], Set<string>>();
/** `namespace/name` → automountServiceAccountToken of each ServiceAccount. */
const accountAutomount = new WeakMap<readonly KubeObject[], Map<string, boolean | undefined>>();

interface SubjectView {
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
}

function bound(all: readonly KubeObject[]): Set<string> {
  const out = new Set<string>();
  for (const o of all) {
    if (o.kind !== 'RoleBinding' && o.kind !== 'ClusterRoleBinding') continue;
    for (const s of (o.subjects as readonly SubjectView[] | undefined) ?? []) {
      if (s.kind === 'ServiceAccount') out.add(`${s.namespace ?? o.metadata.namespace}/${s.name}`);
    }
  }
  return out;
}

export const serviceAccountTokenAutomount = podCheck({
  id: 'service-account-token-automount',
  title: 'Token mounted only when used',
  description: 'A pod mounts its service account token only when it uses it: some binding grants the account access to the API, '
    + 'or Vault Agent logs in with it; otherwise automountServiceAccountToken is false on the pod or its ServiceAccount.',
  controls: ['cis/5.1.6', 'nsa/service-account-tokens'],
  remediation: 'Set automountServiceAccountToken: false on the pod (or its ServiceAccount) when it does not call the API server.',
}, (pod, object, all) => {
  const account = `${object.metadata.namespace}/${pod.spec.serviceAccountName || 'default'}`;
  if (pod.spec.automountServiceAccountToken === false) return [];
  const automount = indexOnce(accountAutomount, all, (objects) => new Map(objects.filter((o) => o.kind === 'ServiceAccount')
    .map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o.automountServiceAccountToken as boolean | undefined])));
  if (pod.spec.automountServiceAccountToken === undefined && automount.get(account) === false) return [];
  if (indexOnce(boundAccounts, all, bound).has(account)) return [];
  if (pod.spec.automountServiceAccountToken === true && podMetadataAt(pod, object).metadata.annotations?.[VAULT_AGENT_INJECT] === 'true') return [];
  return [at(`${pod.path}.automountServiceAccountToken`, `pod mounts the token of ${account}, which no binding grants anything`)];
});
