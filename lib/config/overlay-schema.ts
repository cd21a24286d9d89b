import { RBAC_VERBS } from '../manifest/rbac';
import { FLOATING_TAG, imageTag, isPinnedImage, PINNED_DIGEST_PATTERN, PINNED_TAG_PATTERN } from '../util/image';
import { COMPONENT_NAMES } from './catalog';
import { Checked, Infer, INVALID, Issue, JsonDefinitions, JsonSchema, Path, Shape, t, Type } from './schema-types';

/** The one definition of an overlay file: it yields both the `Overlay` type and its validator. */

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const ENV_VAR_NAME = /^[A-Z_][A-Z0-9_]*$/;
/** Words that mark a setting as secret: such values never go into a ConfigMap. */
const SECRET_WORDS = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/;

/** The likely intended spelling of a bad value, offered in its error when it is valid. */
const suggest = {
  dnsLabel: (v: string): string => v.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, ''),
  hostname: (v: string): string => v.toLowerCase().split('.').map(suggest.dnsLabel).join('.'),
  cpu: (v: string): string => v.replace(/\s+/g, '').toLowerCase().replace(/cores?$/, ''),
  /** Decimal or lowercase units ("512M", "1gb", "512mi") as the binary unit meant. */
  memory: (v: string): string => v.replace(
    /^\s*([0-9]+)\s*([kmgt])i?b?\s*$/i,
    (_, n: string, unit: string) => `${n}${unit === 'k' || unit === 'K' ? 'K' : unit.toUpperCase()}i`,
  ),
  envVar: (v: string): string => v.trim().toUpperCase().replace(/[^A-Z0-9_]+/g, '_'),
  duration: (v: string): string => v.replace(/\s+/g, '').toLowerCase(),
  /** Capitals in the repository (tags and digests are kept as written). */
  image: (v: string): string => {
    const end = v.search(/[:@][^/]*$/);
    return end === -1 ? v.toLowerCase() : v.slice(0, end).toLowerCase() + v.slice(end);
  },
  registryPrefix: (v: string): string => `${v.toLowerCase().replace(/\/*$/, '')}/`,
  /** A host and path without a scheme, as the https URL meant. */
  gitUrl: (v: string): string => (/^[a-z0-9.-]+\.[a-z]+\/\S+$/i.test(v) ? `https://${v.replace(/^[^/]+/, (host) => host.toLowerCase())}` : v),
  /** Runs of separators as one, and none at either end or around a "/". */
  branch: (v: string): string => v.trim().replace(/\s+/g, '-').replace(/([._\/-])[._\/-]*/g, '$1').replace(/^[._\/-]+|[._\/-]+$/g, ''),
};

export const dnsLabel = t.string({
  pattern: DNS_1123_LABEL,
  maxLength: 63,
  describe: 'a DNS-1123 label (lowercase letters, digits and "-", starting and ending alphanumeric)',
  suggest: suggest.dnsLabel,
});
function dnsSubdomainName() {
  return t.string({ pattern: DNS_1123_SUBDOMAIN, maxLength: 253, describe: 'an object name (DNS-1123 subdomain)', suggest: suggest.hostname });
}
const hostname = t.string({
  pattern: DNS_1123_SUBDOMAIN,
  maxLength: 253,
  describe: 'a DNS hostname such as api.example.com',
  suggest: suggest.hostname,
});
const cpu = t.string({ pattern: /^([1-9][0-9]*m|[0-9]+(\.[0-9]{1,3})?)$/, describe: 'a CPU quantity such as "250m" or "2"', suggest: suggest.cpu });
const memory = t.string({ pattern: /^[1-9][0-9]*(Ki|Mi|Gi|Ti)$/, describe: 'a memory quantity in binary units such as "256Mi" or "2Gi"', suggest: suggest.memory });

/** What a namespace gives a container that sets no ephemeral-storage of its own, unless the overlay's limitRange says. */
export const DEFAULT_EPHEMERAL_STORAGE = { request: '64Mi', limit: '256Mi' } as const;

const computeResources = t.object({
  cpu: t.required(cpu, 'CPU, e.g. "250m"'),
  memory: t.required(memory, 'memory, e.g. "256Mi"'),
  'ephemeral-storage': t.optional(
    memory,
    'local ephemeral storage (logs, the writable layer, emptyDirs), e.g. "1Gi"; a component\'s defaults to limitRange.defaultRequest / '
      + `default, those to ${DEFAULT_EPHEMERAL_STORAGE.request} / ${DEFAULT_EPHEMERAL_STORAGE.limit}, a quota's to quota.pods × them`,
  ),
}, { inline: true });

/**
 * A LimitRange's max takes no ephemeral-storage: a container without a limit of its own is then
 * rejected, and the containers injected at admission (the Istio proxy, Vault Agent) come after the
 * LimitRange's defaults are applied.
 */
const maxResources = t.object({
  cpu: t.required(cpu, 'CPU, e.g. "2"'),
  memory: t.required(memory, 'memory, e.g. "4Gi"'),
  'ephemeral-storage': t.optional(t.forbidden(
    'a LimitRange max on ephemeral-storage rejects every pod with an injected container that sets no ephemeral-storage limit',
    'cpu and memory',
    'remove it; quota.limits.ephemeral-storage bounds the namespace, each component\'s resources.limits its containers',
  ), 'never set'),
}, { inline: true });

/** A container the cluster injects at admission states every resource: the resource-limits guard judges the admitted pod. */
const injectedResources = t.object({
  cpu: t.required(cpu, 'CPU, e.g. "100m"'),
  memory: t.required(memory, 'memory, e.g. "128Mi"'),
  'ephemeral-storage': t.required(
    memory,
    'local ephemeral storage, e.g. "64Mi": required, since the LimitRange defaults are applied before the injector adds the container',
  ),
}, { inline: true });

const injectedContainerResources = t.object({
  requests: t.required(injectedResources, 'what the scheduler reserves; at most the limit'),
  limits: t.required(injectedResources, 'the most the container may use; cpu and memory at most limitRange.max'),
}, { inline: true });

/** The resources Bulwark's README installs Istio with (istiod values global.proxy.resources and global.proxy_init.resources). */
export const DEFAULT_PROXY_RESOURCES = {
  requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '64Mi' },
  limits: { cpu: '500m', memory: '512Mi', 'ephemeral-storage': '256Mi' },
} as const;
export const DEFAULT_PROXY_INIT_RESOURCES = {
  requests: { cpu: '10m', memory: '16Mi', 'ephemeral-storage': '16Mi' },
  limits: { cpu: '100m', memory: '64Mi', 'ephemeral-storage': '64Mi' },
} as const;

const meshProxy = t.object({
  resources: t.defaulted(
    injectedContainerResources,
    DEFAULT_PROXY_RESOURCES,
    'of the istio-proxy container the injector adds to every pod: what istiod is installed with (values.global.proxy.resources; '
      + 'README "Prerequisites"); they count against the quota and must fit the LimitRange',
  ),
  initResources: t.defaulted(
    injectedContainerResources,
    DEFAULT_PROXY_INIT_RESOURCES,
    'of the istio-validation init container the injector adds with the CNI node agent (values.global.proxy_init.resources)',
  ),
});

/** An image reference pinned by tag or digest; a floating `latest` is not a release. */
export const imageReference = t
  .string({ pattern: /^[a-z0-9][a-z0-9._\-/:]*(@sha256:[a-f0-9]{64})?$/, describe: 'an image reference such as ghcr.io/org/app:1.2.3 or ghcr.io/org/app@sha256:<64 hex>', suggest: suggest.image })
  .refine((image) => {
    if (isPinnedImage(image)) return undefined;
    const tag = imageTag(image);
    if (tag === undefined || tag === '') {
      return {
        message: 'image has no tag',
        received: JSON.stringify(image),
        allowed: 'a pinned tag or digest',
        fix: `pin a version, e.g. ${image}:1.0.0`,
      };
    }
    if (tag === FLOATING_TAG) {
      return {
        message: 'image uses the floating "latest" tag',
        received: JSON.stringify(image),
        allowed: 'a pinned tag or digest',
        fix: 'pin a release tag or a sha256 digest',
      };
    }
    return undefined;
  }, {
    anyOf: [
      { type: 'string', pattern: PINNED_DIGEST_PATTERN },
      { type: 'string', pattern: PINNED_TAG_PATTERN, not: { type: 'string', pattern: `:${FLOATING_TAG}$` } },
    ],
  });

const envVarName = t.string({ pattern: ENV_VAR_NAME, describe: 'an environment variable name in UPPER_SNAKE_CASE', suggest: suggest.envVar });

const settingName = envVarName.refine((name) =>
  SECRET_WORDS.test(name)
    ? {
        message: 'setting looks like a secret and would be stored in plain text',
        received: JSON.stringify(name),
        allowed: 'non-secret settings only',
        fix: 'remove it from config; secrets come from the secret store, never from an overlay',
      }
    : undefined, { not: { type: 'string', pattern: SECRET_WORDS.source } });

export const componentName = t.oneOf(COMPONENT_NAMES);

const RESOURCE = /^[a-z][a-z0-9]*(\/[a-z]+)?$/;

/** One RBAC grant. Wildcards cannot be expressed: every verb and resource is named. */
const permission = t.object({
  apiGroups: t.defaulted(
    t.list(
      t.string({ pattern: /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$/, minLength: 0, describe: 'an API group ("" for the core group), never "*"' }),
      { minItems: 1, unique: true },
    ),
    [''],
    'API groups; "" is the core group',
  ),
  resources: t.required(
    t.list(t.string({ pattern: RESOURCE, describe: 'a resource such as configmaps or pods/log, never "*"' }), { minItems: 1, unique: true }),
    'resources, plural, e.g. configmaps',
  ),
  verbs: t.required(t.list(t.oneOf(RBAC_VERBS), { minItems: 1, unique: true }), 'verbs, e.g. [get, list, watch]'),
  resourceNames: t.optional(t.list(dnsSubdomainName(), { minItems: 1, unique: true }), 'restrict the grant to these objects'),
  reason: t.optional(
    t.string({ minLength: 10, describe: 'a sentence explaining why (at least 10 characters)' }),
    'why the component needs it; required for secrets',
  ),
}, { inline: true });

const autoscaling = t.object({
  minReplicas: t.required(t.integer(1, 100), 'fewest pods'),
  maxReplicas: t.required(t.integer(1, 1000), 'most pods'),
  targetCPUUtilization: t.defaulted(t.integer(10, 100), 70, 'average CPU utilization (% of requests) to scale at'),
}, { inline: true });

export const SECRET_DELIVERIES = ['external-secrets', 'vault-agent', 'csi'] as const;
export type SecretDelivery = (typeof SECRET_DELIVERIES)[number];

const duration = t.string({ pattern: /^([0-9]+(ms|s|m|h))+$/, describe: 'a duration such as "30s", "1h" or "1h30m"', suggest: suggest.duration });

/** A secret a component needs: a reference into the secret store, never a value. */
const secretReference = t.object({
  remoteKey: t.required(
    t.string({ pattern: /^[A-Za-z0-9][A-Za-z0-9_.\/-]*$/, describe: 'a path in the secret store, e.g. backend/db' }),
    'path of the secret in the store',
  ),
  env: t.required(
    t.map(envVarName, t.string({ pattern: /^[A-Za-z0-9_.-]+$/, describe: 'a property of the stored secret, e.g. password' })),
    'environment variable → property of the stored secret',
  ),
  value: t.optional(
    t.forbidden(
      'a literal secret value in an overlay would be committed in plain text',
      'a reference (remoteKey + env) only',
      'store the value in the secret store and reference it with remoteKey',
    ),
    'never set: secrets are references',
  ),
  values: t.optional(
    t.forbidden(
      'literal secret values in an overlay would be committed in plain text',
      'a reference (remoteKey + env) only',
      'store the values in the secret store and reference them with remoteKey',
    ),
    'never set: secrets are references',
  ),
}, { inline: true });

const traffic = t.object({
  maxConnections: t.defaulted(t.integer(1, 100000), 100, 'TCP connections per upstream host'),
  maxPendingRequests: t.defaulted(t.integer(1, 100000), 64, 'queued HTTP requests before the circuit opens'),
  consecutive5xxErrors: t.defaulted(t.integer(1, 1000), 5, 'errors before a host is ejected (outlier detection)'),
  timeout: t.defaulted(duration, '15s', 'request timeout at the gateway'),
}, { inline: true });

const labelMap = t.map(
  t.string({ pattern: LABEL_KEY, describe: 'a label key' }),
  t.string({ pattern: LABEL_VALUE, minLength: 0, describe: 'a label value' }),
);

/** A workload that is not a platform component and calls one (canary analysis, smoke tests). */
const caller = t.object({
  namespace: t.required(dnsLabel, 'namespace the caller runs in; not one of the environment\'s own (a component there uses dependsOn)'),
  podLabels: t.required(labelMap, 'labels selecting the caller\'s pods (network policy)'),
  serviceAccount: t.required(dnsLabel, 'service account of the caller\'s pods (its mesh identity)'),
  reason: t.required(t.string({ minLength: 10, describe: 'a sentence explaining why (at least 10 characters)' }), 'why it calls the component'),
}, { inline: true });

/**
 * The upper bounds (ms) of the buckets of Istio's istio_request_duration_milliseconds histogram, as
 * the proxy's stats filter records it by default: a latency SLO counts the requests of the bucket
 * whose bound is its threshold, so only these are exact thresholds.
 */
export const ISTIO_DURATION_BUCKETS_MS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
] as const;

/** A share of requests in percent, such as 99.9: below 100, since 100 leaves no error budget. */
const percentTarget = t.decimal(50, 99.999, 3);

const latencyThreshold = t.integer(1, 3600000).refine((ms) => (ISTIO_DURATION_BUCKETS_MS as readonly number[]).includes(ms)
  ? undefined
  : {
      message: 'latency threshold is not a bucket bound of istio_request_duration_milliseconds, so the share of slower requests cannot be counted',
      received: String(ms),
      allowed: `one of ${ISTIO_DURATION_BUCKETS_MS.filter((b) => b >= 1).join(', ')}`,
      fix: `use ${ISTIO_DURATION_BUCKETS_MS.filter((b) => b >= ms)[0] ?? 3600000}, the next bound up`,
    }, { enum: ISTIO_DURATION_BUCKETS_MS.filter((b) => b >= 1) });

/** A component's service-level objectives, measured from the mesh (Istio's standard metrics, server side). */
const sloTargets = t.object({
  availability: t.optional(percentTarget, 'share of requests (%) answered without a 5xx, e.g. 99.9', { default: 'monitoring.slo.availability' }),
  latency: t.optional(t.object({
    thresholdMs: t.optional(latencyThreshold, 'a request slower than this many milliseconds counts against the objective', {
      default: 'monitoring.slo.latency.thresholdMs',
    }),
    target: t.optional(percentTarget, 'share of requests (%) faster than thresholdMs, e.g. 99', { default: 'monitoring.slo.latency.target' }),
  }, { inline: true }), 'latency objective: target % of requests faster than thresholdMs', { default: 'monitoring.slo.latency' }),
}, { inline: true });

export const DELIVERY_STRATEGIES = ['canary', 'blue-green'] as const;
export type DeliveryStrategy = (typeof DELIVERY_STRATEGIES)[number];

/** One step of a canary; exactly one of its keys (a model rule says so where the step is). */
const canaryStep = t.object({
  setWeight: t.optional(
    t.integer(1, 100),
    'percent of the requests the canary takes from here on (Istio route weights; of the pods, for a component nobody calls)',
  ),
  pause: t.optional(duration, 'how long to wait before the next step'),
  analysis: t.optional(
    duration,
    'how long the canary\'s SLIs are measured before the next step (a measurement every delivery.interval); a failed one aborts and rolls back',
  ),
}, { inline: true });

/** Progressive delivery by Argo Rollouts: a Rollout instead of the Deployment. */
const delivery = t.object({
  strategy: t.required(
    t.oneOf(DELIVERY_STRATEGIES),
    'canary: the new version takes a growing share of the requests, analysed at each analysis step; '
      + 'blue-green: it runs beside the old one behind a preview Service, analysed, then takes every request at once',
  ),
  steps: t.optional(t.list(canaryStep, { minItems: 1 }), 'canary only: the steps in order, each one of setWeight, pause or analysis', {
    default: 'setWeight 20, analysis 5m, setWeight 50, analysis 5m',
  }),
  prePromotionAnalysis: t.optional(duration, 'blue-green only: how long the preview\'s SLIs are measured before it becomes active', {
    default: '5m',
  }),
  interval: t.defaulted(duration, '1m', 'time between two measurements of an analysis'),
}, { inline: true });

export const PRIORITY_CLASSES = ['platform-critical', 'workload', 'batch'] as const;
export type PriorityClassName = (typeof PRIORITY_CLASSES)[number];

export const componentSchema = t.object({
  kind: t.optional(
    componentName,
    'catalog entry this component instantiates, e.g. payments: {kind: backend, …}',
    { default: 'the component\'s name' },
  ),
  image: t.required(imageReference, 'image pinned by tag or digest; no tag or latest is an error'),
  replicas: t.optional(t.integer(0, 100), 'number of pods; leave out when autoscaling is set', { default: '1' }),
  resources: t.required(t.object({
    requests: t.required(computeResources, 'what the scheduler reserves; at most the limit'),
    limits: t.required(computeResources, 'the most the container may use; at most limitRange.max'),
  }), 'requests and limits for the container'),
  host: t.optional(hostname, 'public hostname, served by the mesh ingress gateway with a certificate; unique'),
  config: t.defaulted(
    t.map(settingName, t.string({ minLength: 0, describe: 'a string (quote numbers and booleans)' })),
    {},
    'non-secret settings, delivered as environment variables from a ConfigMap; names that look secret are refused',
  ),
  dependsOn: t.defaulted(
    t.list(dnsLabel, { unique: true }),
    [],
    'components and external endpoints this one calls, not itself; network policy and mesh policy allow exactly these',
  ),
  permissions: t.defaulted(
    t.list(permission),
    [],
    'Kubernetes API access of the component\'s service account (default: none); no "*", secrets need a reason',
  ),
  callers: t.defaulted(
    t.list(caller),
    [],
    'workloads outside the platform that call this component on its service port (canary analysis, smoke tests); '
      + 'with its dependents and its host\'s ingress gateway, the only callers its network and mesh policy admit',
  ),
  autoscaling: t.optional(autoscaling, 'HorizontalPodAutoscaler on CPU; replaces replicas'),
  priorityClass: t.defaulted(t.oneOf(PRIORITY_CLASSES), 'workload', 'scheduling priority'),
  secrets: t.defaulted(t.map(dnsLabel, secretReference), {}, 'secrets the component reads, by name: references into the secret store, never values'),
  secretDelivery: t.defaulted(
    t.oneOf(SECRET_DELIVERIES),
    'external-secrets',
    'how secrets reach the pod: External Secrets (env vars), Vault Agent injection (files) or the Secrets Store CSI driver (files); '
      + 'the last two need a Vault store',
  ),
  traffic: t.defaultedObject(traffic, 'mesh connection limits, circuit breaking and timeout'),
  delivery: t.optional(
    delivery,
    'progressive delivery by Argo Rollouts (a Rollout, Istio route weights, SLO analysis from Prometheus; needs monitoring)',
    { default: 'a Deployment, rolled by Kubernetes' },
  ),
  slo: t.optional(sloTargets, 'service-level objectives (availability, latency) the SLIs, alerts and canary analysis measure; needs monitoring', {
    default: 'monitoring.slo, when monitoring is set',
  }),
});

const ipv4Cidr = t.string({ pattern: /^([0-9]{1,3}\.){3}[0-9]{1,3}\/([0-9]|[12][0-9]|3[0-2])$/, describe: 'an IPv4 CIDR such as 10.20.0.0/16' });

const externalEndpoint = t.object({
  hosts: t.defaulted(t.list(hostname, { unique: true }), [], 'DNS names (mesh egress allow-list)'),
  cidrs: t.defaulted(t.list(ipv4Cidr, { unique: true }), [], 'address ranges (network policy egress)'),
  ports: t.required(t.list(t.integer(1, 65535), { minItems: 1, unique: true }), 'TCP ports'),
  protocol: t.defaulted(t.oneOf(['TLS', 'HTTPS', 'HTTP', 'TCP'] as const), 'TLS', 'protocol, for the mesh ServiceEntry'),
}, { inline: true });

const https = t.string({ pattern: /^https:\/\/[A-Za-z0-9.-]+(:[0-9]+)?(\/[^\s]*)?$/, describe: 'an https:// URL' });

const gateway = t.object({
  service: t.required(dnsLabel, 'Service name of the gateway'),
  labels: t.required(labelMap, 'labels selecting the gateway pods'),
  serviceAccount: t.required(dnsLabel, 'service account of the gateway pods (its mTLS identity)'),
  port: t.required(t.integer(1, 65535), 'container port the gateway listens on for TLS'),
}, { inline: true });

/** The Vault Agent image the injector's own default names (vault-k8s); pinned here so the platform does not float with the injector. */
export const DEFAULT_VAULT_AGENT_IMAGE = 'docker.io/hashicorp/vault:1.21.1';

/** Where Vault listens: address ranges outside the cluster, or pods of a namespace inside it. */
const vaultNetwork = t.object({
  cidrs: t.optional(t.list(ipv4Cidr, { minItems: 1, unique: true }), 'address ranges of the Vault servers outside the cluster'),
  namespace: t.optional(dnsLabel, 'namespace of the Vault pods in the cluster'),
  podLabels: t.optional(labelMap, 'labels selecting the Vault pods in namespace'),
}, { inline: true });

const secretStore = t.object({
  provider: t.required(t.oneOf(['vault', 'fake'] as const), 'vault, or fake for local clusters without Vault (placeholder values only)'),
  refreshInterval: t.defaulted(duration, '1h', 'how often secrets are re-read from the store'),
  vault: t.optional(t.object({
    server: t.required(https, 'Vault address'),
    path: t.required(t.string({ pattern: /^[a-z0-9][a-z0-9_/-]*$/, describe: 'a KV mount path such as secret' }), 'KV v2 mount'),
    authMountPath: t.defaulted(
      t.string({ pattern: /^[a-z0-9][a-z0-9_/-]*$/, describe: 'an auth mount path' }),
      'kubernetes',
      'Kubernetes auth method mount',
    ),
    role: t.required(
      t.string({ pattern: /^[a-z0-9][a-z0-9_-]*$/, describe: 'a Vault role name' }),
      'Vault role bound to the platform service accounts',
    ),
    network: t.optional(
      vaultNetwork,
      'where the Vault servers listen, for the pods that call Vault themselves (Vault Agent): cidrs when Vault runs outside the '
        + 'cluster, or namespace and podLabels inside it; required when a component uses secretDelivery: vault-agent',
    ),
    agentImage: t.defaulted(
      imageReference,
      DEFAULT_VAULT_AGENT_IMAGE,
      'image of the Vault Agent containers the injector adds to a vault-agent pod (vault.hashicorp.com/agent-image); '
        + 'it must match policy.allowedRegistries',
    ),
  }, { inline: true }), 'Vault connection; required when provider is vault (network: where Vault listens, for Vault Agent pods; '
    + `agentImage: the image of the agent the injector adds, default ${DEFAULT_VAULT_AGENT_IMAGE})`),
});

const certificates = t.object({
  issuer: t.required(t.oneOf(['self-signed', 'acme', 'vault'] as const), 'self-signed CA (local), ACME, or Vault PKI'),
  acme: t.optional(t.object({
    server: t.required(https, 'ACME directory URL'),
    email: t.required(t.string({ pattern: /^[^@\s]+@[^@\s]+\.[a-z]+$/, describe: 'an email address' }), 'account contact'),
  }, { inline: true }), 'ACME account; required when issuer is acme'),
  vault: t.optional(t.object({
    server: t.required(https, 'Vault address'),
    path: t.required(t.string({ pattern: /^[a-z0-9][a-z0-9_/-]*$/, describe: 'a PKI sign path such as pki/sign/bulwark' }), 'PKI sign path'),
    role: t.required(t.string({ pattern: /^[a-z0-9][a-z0-9_-]*$/, describe: 'a Vault role name' }), 'Vault role of cert-manager'),
  }, { inline: true }), 'Vault PKI; required when issuer is vault'),
});

const mesh = t.object({
  namespace: t.defaulted(dnsLabel, 'istio-system', 'namespace of istiod and the gateways'),
  cni: t.defaulted(
    t.boolean(),
    true,
    'Istio runs its CNI node agent, which sets up each pod\'s traffic redirection; without it, injection adds istio-init '
      + '(NET_ADMIN, NET_RAW, root), which Pod Security restricted rejects: false is an error',
  ),
  controlPlaneLabels: t.defaulted(labelMap, { app: 'istiod' }, 'labels selecting istiod pods'),
  proxy: t.defaultedObject(meshProxy, 'the containers Istio\'s injector adds to every pod, as istiod is installed'),
  ingressGateway: t.defaulted(
    gateway,
    { service: 'istio-ingressgateway', labels: { istio: 'ingressgateway' }, serviceAccount: 'istio-ingressgateway-service-account', port: 8443 },
    'ingress gateway pods',
  ),
  egressGateway: t.defaulted(
    gateway,
    { service: 'istio-egressgateway', labels: { istio: 'egressgateway' }, serviceAccount: 'istio-egressgateway-service-account', port: 8443 },
    'egress gateway pods',
  ),
});

const nonEmptyLabels = labelMap.refine((labels) => Object.keys(labels).length > 0 ? undefined : {
  message: 'no labels: the selector would match every pod of the namespace',
  received: '{}',
  allowed: 'at least one label',
  fix: 'add the labels of Prometheus\' pods, e.g. {app.kubernetes.io/name: prometheus}',
}, { minProperties: 1 });

const prometheusUrl = t.string({
  pattern: /^https?:\/\/[a-z0-9.-]+(:[0-9]+)?(\/[^\s]*)?$/,
  describe: 'an http:// or https:// URL such as http://prometheus-operated.monitoring.svc:9090',
});

/** The Prometheus (prometheus-operator) that scrapes the platform: who it is, for the policies that admit it. */
const prometheus = t.object({
  serviceAccount: t.required(
    dnsLabel,
    'service account of the Prometheus pods (their mesh identity, admitted by the components\' AuthorizationPolicy)',
  ),
  podLabels: t.required(nonEmptyLabels, 'labels selecting the Prometheus pods (admitted by the components\' NetworkPolicy)'),
  url: t.required(prometheusUrl, 'where Prometheus answers queries (canary analysis, dashboards), e.g. http://prometheus-operated.monitoring.svc:9090'),
  certificatesPath: t.defaulted(
    t.string({ pattern: /^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/, describe: 'an absolute path such as /etc/prom-certs' }),
    '/etc/prom-certs',
    'where Prometheus\' istio-proxy writes its workload certificate (OUTPUT_CERTS) and Prometheus mounts it: '
      + 'the scrapes present it, so STRICT mTLS holds',
  ),
}, { inline: true });

const monitoring = t.object({
  namespace: t.defaulted(dnsLabel, 'monitoring', 'namespace Prometheus runs in; not one of the environment\'s own'),
  prometheus: t.required(prometheus, 'the Prometheus that scrapes the components: serviceAccount, podLabels, url, certificatesPath'),
  selectorLabels: t.defaulted(
    labelMap,
    {},
    'labels every ServiceMonitor, PodMonitor and PrometheusRule carries, for the Prometheus\' serviceMonitorSelector, podMonitorSelector '
      + 'and ruleSelector (kube-prometheus-stack: {release: <its release>})',
  ),
  interval: t.defaulted(duration, '30s', 'scrape interval of the components and their sidecars'),
  slo: t.defaultedObject(t.object({
    availability: t.defaulted(percentTarget, 99.9, 'share of requests (%) answered without a 5xx'),
    latency: t.defaultedObject(t.object({
      thresholdMs: t.defaulted(latencyThreshold, 500, 'a request slower than this many milliseconds counts against the objective'),
      target: t.defaulted(percentTarget, 99, 'share of requests (%) faster than thresholdMs'),
    }, { inline: true }), 'latency objective'),
  }), 'service-level objectives of every component that sets none (components.<name>.slo overrides them)'),
});

/** Grafana dashboards, one ConfigMap each, for the dashboard sidecar of Grafana's Helm chart (kube-prometheus-stack's included). */
const dashboards = t.object({
  namespace: t.optional(
    dnsLabel,
    'namespace Grafana\'s dashboard sidecar watches (its searchNamespace): where the dashboard ConfigMaps go; not one of the environment\'s own',
    { default: 'monitoring.namespace' },
  ),
  folder: t.optional(
    t.string({
      pattern: /^[A-Za-z0-9][A-Za-z0-9 ._-]*$/,
      maxLength: 63,
      describe: 'a Grafana folder name such as "Bulwark dev" (letters, digits, spaces, ".", "_", "-"; no "/")',
    }),
    'Grafana folder of the dashboards: the ConfigMaps\' grafana_folder annotation, which the sidecar reads with '
      + 'folderAnnotation: grafana_folder and provider.foldersFromFilesStructure: true',
    { default: 'no annotation: the sidecar\'s own folder' },
  ),
});

const tenant = t.object({
  name: t.required(dnsLabel, 'team name; its namespace is <namespace>-<name>'),
  group: t.required(
    t.string({ pattern: /^[A-Za-z0-9][A-Za-z0-9:._@\/-]*$/, describe: 'an identity-provider group name' }),
    'group whose members work in the tenant namespace',
  ),
  quota: t.required(t.object({
    requests: t.required(computeResources, 'sum of requests allowed'),
    limits: t.required(computeResources, 'sum of limits allowed'),
    pods: t.required(t.integer(1, 10000), 'maximum number of pods'),
  }, { inline: true }), 'ResourceQuota of the tenant namespace'),
});

export const ENFORCEMENT_ACTIONS = ['deny', 'warn', 'dryrun'] as const;
export type EnforcementAction = (typeof ENFORCEMENT_ACTIONS)[number];
export const POLICY_SCOPES = ['environment', 'cluster'] as const;

/** An image prefix: a registry host (optionally with port) and repository path, ending in "/". */
const registryPrefix = t.string({
  pattern: /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*\/$/,
  describe: 'an image registry or repository prefix ending in "/", such as ghcr.io/my-org/',
  suggest: suggest.registryPrefix,
});

/** Namespaces of the cluster's own machinery, never guarded when policy.scope is cluster. */
const DEFAULT_EXEMPT_NAMESPACES = [
  'kube-system', 'kube-public', 'kube-node-lease', 'gatekeeper-system', 'istio-system', 'cert-manager', 'external-secrets', 'falco',
];
const DEFAULT_REQUIRED_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/part-of'];

/** Cluster-time guardrails: Gatekeeper constraints and mutators, ValidatingAdmissionPolicies, Falco rules. */
const policy = t.object({
  enforcementAction: t.defaulted(
    t.oneOf(ENFORCEMENT_ACTIONS),
    'deny',
    'what the cluster does with a violation: deny the request, warn, or only record it (dryrun)',
  ),
  scope: t.defaulted(
    t.oneOf(POLICY_SCOPES),
    'environment',
    'environment: guard only this environment\'s namespaces (several environments may share a cluster); '
      + 'cluster: every namespace except exemptNamespaces',
  ),
  exemptNamespaces: t.defaulted(
    t.list(dnsLabel, { minItems: 1, unique: true }),
    DEFAULT_EXEMPT_NAMESPACES,
    'namespaces neither guarded nor mutated when scope is cluster (system components)',
  ),
  allowedRegistries: t.optional(
    t.list(registryPrefix, { minItems: 1, unique: true }),
    'image prefixes pods may pull from, the Istio proxy\'s included; every component image must match one',
    { default: 'the repositories of the overlay\'s images, and docker.io/istio/' },
  ),
  requiredLabels: t.defaulted(
    t.list(t.string({ pattern: LABEL_KEY, describe: 'a label key' }), { minItems: 1, unique: true }),
    DEFAULT_REQUIRED_LABELS,
    'labels every workload in a guarded namespace must carry (the mutators add these two to workloads that lack them)',
  ),
  falcoNamespace: t.defaulted(dnsLabel, 'falco', 'namespace Falco runs in: the platform\'s rules ConfigMap goes there'),
  minReplicas: t.defaulted(
    t.integer(1, 100),
    1,
    'fewest replicas a Deployment, StatefulSet or Rollout (or its HorizontalPodAutoscaler\'s minReplicas) may ask for in a guarded '
      + 'namespace; production sets 2 or more, so that one lost node or one eviction never takes a service down',
  ),
});

const encryption = t.object({
  provider: t.required(
    t.oneOf(['kms', 'aescbc'] as const),
    'kms (a KMS v2 plugin; production) or aescbc (local clusters; the key is filled in at install, never committed)',
  ),
  kms: t.optional(t.object({
    name: t.required(
      t.string({ pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, maxLength: 63, describe: 'a KMS provider name (lowercase letters, digits and "-")' }),
      'KMS provider name; unique in the cluster, it prefixes every stored ciphertext',
    ),
    endpoint: t.required(
      t.string({ pattern: /^unix:\/\/\/[A-Za-z0-9._/-]+$/, describe: 'a unix socket URL such as unix:///var/run/kms-plugin/kms.sock' }),
      'gRPC endpoint of the KMS v2 plugin on the control-plane nodes',
    ),
    timeout: t.defaulted(duration, '3s', 'how long the API server waits for the plugin'),
  }, { inline: true }), 'KMS v2 plugin; required when provider is kms'),
}, { inline: true });

/** API server configuration files (not cluster objects): dist/<env>/control-plane/. */
const controlPlane = t.object({
  encryption: t.defaulted(
    encryption,
    { provider: 'aescbc' },
    'encryption of Secrets at rest (EncryptionConfiguration): provider kms with kms: {name, endpoint: unix:///…, timeout} (KMS v2), or aescbc (key filled in at install)',
  ),
});

const clusterDns = t.object({
  namespace: t.required(dnsLabel, 'namespace of the cluster DNS pods'),
  podLabels: t.required(labelMap, 'labels selecting the cluster DNS pods'),
  ports: t.required(t.list(t.integer(1, 65535), { minItems: 1, unique: true }), 'DNS ports (UDP and TCP)'),
  service: t.defaulted(
    dnsLabel,
    'kube-dns',
    'the Service of the cluster DNS pods in namespace (OpenShift: dns-default): every namespace\'s Sidecar imports it, '
      + 'since the sidecar intercepts DNS over TCP and REGISTRY_ONLY drops what it does not know',
  ),
}, { inline: true });

/** The OpenTelemetry Collector image Bulwark pins when the overlay names none (the contrib distribution: health_check included). */
export const DEFAULT_COLLECTOR_IMAGE = 'docker.io/otel/opentelemetry-collector-contrib:0.140.0';

/** Where Jaeger v2 (an OpenTelemetry Collector distribution) receives OTLP from the platform's collector. */
const jaeger = t.object({
  endpoint: t.optional(dnsLabel, 'Jaeger outside the cluster: the name of its externalEndpoints entry (hosts, cidrs, ports, protocol)'),
  service: t.optional(t.object({
    namespace: t.required(dnsLabel, 'namespace of the Jaeger collector'),
    name: t.required(dnsLabel, 'its Service'),
    podLabels: t.required(labelMap, 'labels selecting its pods (network policy)'),
  }, { inline: true }), 'Jaeger in the cluster: its Service, namespace and pod labels'),
  port: t.defaulted(t.integer(1, 65535), 4317, 'port Jaeger receives OTLP over gRPC on'),
}, { inline: true });

const collectorResources = t.object({
  requests: t.required(computeResources, 'what the scheduler reserves; at most the limit'),
  limits: t.required(computeResources, 'the most the container may use; at most limitRange.max'),
}, { inline: true });

/** Distributed tracing: the platform's OpenTelemetry Collector, what the components and sidecars send it, where it exports. */
const tracing = t.object({
  operator: t.defaulted(
    t.boolean(),
    false,
    'the OpenTelemetry operator runs in the cluster: the collector is an OpenTelemetryCollector (v1beta1) it manages; '
      + 'false: a plain Deployment, ConfigMap and Service',
  ),
  samplingPercentage: t.required(
    t.decimal(0, 100, 2),
    'share of requests the sidecars trace (Istio Telemetry randomSamplingPercentage), 0 to 100 in steps of 0.01: high in dev, low in prod',
  ),
  jaeger: t.required(jaeger, 'where the collector exports spans: endpoint (outside the cluster) or service (inside), and port'),
  collector: t.defaultedObject(t.object({
    image: t.defaulted(imageReference, DEFAULT_COLLECTOR_IMAGE, 'collector image, pinned, from policy.allowedRegistries'),
    replicas: t.defaulted(t.integer(1, 10), 1, 'collector pods (a PodDisruptionBudget from 2)'),
    resources: t.defaulted(
      collectorResources,
      { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
      'requests and limits of the collector container (ephemeral storage: the LimitRange default)',
    ),
  }), 'the collector\'s image, replicas and resources'),
});

/**
 * Where Argo CD reads from: a Git URL it can clone (https, ssh, or a local file:// repository);
 * no braces, which the ApplicationSet's Go templates would read as actions.
 */
const gitRepositoryUrl = t.string({
  pattern: /^(https:\/\/[a-z0-9.-]+(:[0-9]+)?\/[^\s{}]+|ssh:\/\/[^\s@{}]+@[a-z0-9.-]+(:[0-9]+)?\/[^\s{}]+|git@[a-z0-9.-]+:[^\s{}]+|file:\/\/\/[^\s{}]+)$/,
  describe: 'a Git repository URL: https://host/org/repo.git, ssh://git@host/org/repo.git, git@host:org/repo.git or file:///path/repo.git',
  suggest: suggest.gitUrl,
});

/** A branch name as `git check-ref-format --branch` accepts it, restricted to plain segments. */
const gitBranch = t.string({
  pattern: /^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*(\/[A-Za-z0-9]+([._-][A-Za-z0-9]+)*)*$/,
  maxLength: 200,
  describe: 'a Git branch name such as dist or releases/dist (letters, digits, ".", "_", "-", segments separated by "/")',
  suggest: suggest.branch,
});

/** GitOps delivery: the Argo CD AppProject and ApplicationSet of the environment (dist/<env>/argocd/). */
const gitops = t.object({
  repoURL: t.defaulted(
    gitRepositoryUrl,
    'https://github.com/bulwark-platform/bulwark.git',
    'repository whose dist branch Argo CD syncs; the AppProject allows this source only',
  ),
  branch: t.defaulted(gitBranch, 'dist', 'branch Argo CD syncs (targetRevision): the rendered dist branch, never the source branch'),
  namespace: t.defaulted(
    dnsLabel,
    'argocd',
    'namespace Argo CD runs in: the AppProject and ApplicationSet go there; not one of the environment\'s own namespaces',
  ),
  automated: t.optional(t.object({
    prune: t.defaulted(t.boolean(), false, 'delete objects that are no longer in the dist branch'),
    selfHeal: t.defaulted(t.boolean(), false, 'revert changes made in the cluster by hand'),
  }, { inline: true }), 'sync every change of the branch; prune: also delete what left it, selfHeal: revert hand edits (both default false)', {
    default: 'manual sync',
  }),
});

/** A cluster an environment is delivered to, as Argo CD knows it. */
const cluster = t.object({
  name: t.required(dnsLabel, 'cluster name, unique; the Application of the environment on it is bulwark-<env>-<name>'),
  server: t.required(https, 'API server URL, as registered in Argo CD (https://kubernetes.default.svc: the cluster Argo CD runs in)'),
}, { inline: true });

/**
 * Where the Kubernetes API server listens, as a pod's traffic reaches it: the `kubernetes` Service's
 * ClusterIP is rewritten to its endpoints before network policy (and the mesh proxy connects to the
 * endpoints itself), so policy names the endpoints' addresses and ports, never the ClusterIP.
 */
const apiServer = t.object({
  cidrs: t.defaulted(
    t.list(ipv4Cidr, { unique: true }),
    [],
    'address ranges of the API server endpoints (kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes) '
      + 'of every cluster the environment is delivered to; required when a component has permissions',
  ),
  ports: t.defaulted(
    t.list(t.integer(1, 65535), { minItems: 1, unique: true }),
    [443, 6443],
    'TCP ports: the Service\'s 443 and the endpoints\' own (6443 on kubeadm clusters, 443 on most managed ones)',
  ),
});

/**
 * A credential of an alert receiver, by reference: a key of a Secret in the environment's namespace
 * (AlertmanagerConfig's SecretKeySelector). A value written in the overlay instead would be
 * committed in plain text: it is refused, and never repeated in the error.
 */
class CredentialReference<T> extends Type<T> {
  public readonly allowed: string;
  constructor(private readonly inner: Type<T>) {
    super();
    this.allowed = inner.allowed;
  }
  public check(value: unknown, path: Path, issues: Issue[]): Checked<T> {
    if (typeof value === 'string' || typeof value === 'number') {
      issues.push({
        path,
        message: 'a plaintext credential in an overlay would be committed in plain text',
        received: 'a literal value (not shown)',
        allowed: 'a reference: {remoteKey: <path>, property: <name>} in the secret store, or {secret: <name>, key: <key>} of a Secret',
        fix: 'store the credential in the secret store and write {remoteKey: <its path>, property: <its name>}',
      });
      return INVALID;
    }
    return this.inner.check(value, path, issues);
  }
  public jsonSchema(definitions: JsonDefinitions): JsonSchema {
    return this.inner.jsonSchema(definitions);
  }
  public get shape(): Shape {
    return this.inner.shape;
  }
}

/** Either a key of an existing Secret, or a property in the secret store (an ExternalSecret syncs it). */
const secretKeyReference = new CredentialReference(t.object({
  secret: t.optional(dnsSubdomainName(), 'an existing Secret in the environment\'s namespace that holds the credential (with key)'),
  key: t.optional(t.string({ pattern: /^[-._a-zA-Z0-9]+$/, describe: 'a key of a Secret, e.g. routing-key' }), 'its key'),
  remoteKey: t.optional(
    t.string({ pattern: /^[A-Za-z0-9][A-Za-z0-9_.\/-]*$/, describe: 'a path in the secret store, e.g. bulwark/prod/alertmanager' }),
    'path of the credential in the secret store (with property): an ExternalSecret alerts-<receiver> syncs it',
  ),
  property: t.optional(t.string({ pattern: /^[A-Za-z0-9_.-]+$/, describe: 'a property of the stored secret, e.g. routing-key' }), 'its property'),
}, { inline: true }).refine((r) => {
  const secret = r.secret !== undefined && r.key !== undefined && r.remoteKey === undefined && r.property === undefined;
  const store = r.secret === undefined && r.key === undefined && r.remoteKey !== undefined && r.property !== undefined;
  return secret || store ? undefined : {
    message: 'a credential reference names a Secret and its key, or a path in the secret store and its property',
    received: ['secret', 'key', 'remoteKey', 'property'].filter((k) => r[k as keyof typeof r] !== undefined).join(', ') || 'nothing',
    allowed: '{secret, key} or {remoteKey, property}',
    fix: 'write {remoteKey: <path>, property: <name>} (synced from the secret store) or {secret: <name>, key: <key>}',
  };
}));

/** Alert severities: critical pages someone now, warning opens a ticket. */
export const ALERT_SEVERITIES = ['critical', 'warning'] as const;
export const RECEIVER_TYPES = ['pagerduty', 'slack', 'webhook'] as const;

/** Where notifications go: exactly one integration, its credential a Secret reference. */
const alertReceiver = t.object({
  pagerduty: t.optional(t.object({
    routingKey: t.required(secretKeyReference, 'PagerDuty Events API v2 integration key, by Secret reference'),
  }, { inline: true }), 'PagerDuty: {routingKey: {secret, key}}'),
  slack: t.optional(t.object({
    channel: t.required(t.string({ pattern: /^[#@]?[a-z0-9][a-z0-9._-]*$/, describe: 'a Slack channel such as #alerts' }), 'channel to post to'),
    apiURL: t.required(secretKeyReference, 'the incoming webhook URL, by Secret reference'),
  }, { inline: true }), 'Slack: {channel, apiURL: {secret, key}}'),
  webhook: t.optional(t.object({
    url: t.required(secretKeyReference, 'the endpoint URL (it may carry a token), by Secret reference'),
  }, { inline: true }), 'a webhook: {url: {secret, key}}'),
}).refine((r) => {
  const set = RECEIVER_TYPES.filter((type) => r[type] !== undefined);
  return set.length === 1 ? undefined : {
    message: set.length === 0 ? 'a receiver without an integration notifies nobody' : 'a receiver has one integration',
    received: set.length === 0 ? 'none' : set.join(', '),
    allowed: `exactly one of ${RECEIVER_TYPES.join(', ')}`,
    fix: set.length === 0 ? 'add pagerduty, slack or webhook' : 'split it into one receiver per integration, and route to each',
  };
}, { minProperties: 1, maxProperties: 1 });

const alertRoute = t.object({
  receiver: t.required(dnsLabel, 'receiver of the alerts it matches (a key of alerting.receivers)'),
  severity: t.optional(t.oneOf(ALERT_SEVERITIES), 'only alerts of this severity', { default: 'every severity' }),
  team: t.optional(dnsLabel, 'only alerts of this team (alerting.team, an owner in alerting.owners, or a tenant)', { default: 'every team' }),
}, { inline: true });

const burnRate = t.decimal(1, 1000, 1);

/** Alerts (PrometheusRule) and their routing (AlertmanagerConfig): dist/<env>/alerts/. */
const alerting = t.object({
  team: t.defaulted(dnsLabel, 'platform', 'team label of the platform alerts and of the components alerting.owners does not name'),
  owners: t.defaulted(t.map(dnsLabel, dnsLabel), {}, 'component → team label of its alerts (a tenant\'s alerts carry the tenant\'s name)'),
  runbookUrl: t.defaulted(
    https,
    'https://github.com/bulwark-platform/bulwark/blob/main/docs/runbooks.md',
    'page with a section per alert: each alert\'s runbook_url is <runbookUrl>#<alert name in lowercase>',
  ),
  burnRates: t.defaultedObject(t.object({
    page: t.defaulted(burnRate, 14.4, 'critical when the error budget burns this many times as fast as allowed, over 1h and 5m'),
    pageSlow: t.defaulted(burnRate, 6, 'critical at this burn rate over 6h and 30m'),
    ticket: t.defaulted(burnRate, 3, 'warning at this burn rate over 1d and 2h'),
    ticketSlow: t.defaulted(burnRate, 1, 'warning at this burn rate over 3d and 6h'),
  }), 'SLO alerts: multiwindow, multi-burn-rate (Google SRE workbook); each rate over both its windows'),
  thresholds: t.defaultedObject(t.object({
    restarts: t.defaulted(t.integer(1, 1000), 3, 'warning when a container restarts this many times within an hour'),
    quotaPercent: t.defaulted(t.integer(1, 100), 90, 'warning when a namespace uses this share (%) of a ResourceQuota limit'),
    certificateDays: t.defaulted(
      t.integer(1, 365),
      14,
      'critical when a certificate expires within this many days (cert-manager renews 15 days before: renewal failed)',
    ),
    falcoPriority: t.defaulted(
      t.oneOf(['emergency', 'alert', 'critical', 'error', 'warning', 'notice'] as const),
      'warning',
      'critical on every Falco rule match of this priority or higher',
    ),
  }), 'alert thresholds'),
  for: t.defaultedObject(t.object({
    budgetBurnPage: t.defaulted(duration, '2m', 'a critical burn rate holds this long before it pages'),
    budgetBurnTicket: t.defaulted(duration, '15m', 'a warning burn rate holds this long'),
    restarts: t.defaulted(duration, '5m', 'restarts above the threshold hold this long'),
    notReady: t.defaulted(duration, '15m', 'a container is not ready this long'),
    quota: t.defaulted(duration, '15m', 'quota usage above the threshold holds this long'),
    certificate: t.defaulted(duration, '1h', 'a certificate is within its expiry threshold this long'),
    externalSecret: t.defaulted(duration, '15m', 'an ExternalSecret is not synced this long'),
    gatekeeper: t.defaulted(duration, '15m', 'Gatekeeper\'s audit reports violations this long'),
    falco: t.defaulted(duration, '0s', 'Falco rule matches are seen this long (0s: at once)'),
  }), 'how long each condition holds before its alert fires (Prometheus for:)'),
  receivers: t.required(t.map(dnsLabel, alertReceiver), 'where notifications go, by name: one integration each, credentials by Secret reference'),
  routes: t.defaulted(
    t.list(alertRoute),
    [],
    'receivers by severity and team, the first matching route wins; the alerts none matches go to defaultReceiver',
  ),
  defaultReceiver: t.required(dnsLabel, 'receiver of the alerts no route matches'),
});

/** A check's finding accepted for some objects until a date (lib/checks/waivers.ts). */
export const waiver = t.object({
  check: t.required(
    t.string({ pattern: /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, describe: 'a check id such as rbac-pod-creation (README, "Checks")' }),
    'the id of the check whose findings it accepts',
  ),
  object: t.required(
    t.string({ pattern: /^[A-Za-z*][A-Za-z0-9*]*\/[a-z0-9*.:-]+(\/[a-z0-9*.:-]+)?$/, describe: 'Kind/namespace/name or Kind/name, * for any characters but /' }),
    'the objects it covers, e.g. Role/bulwark-prod-team-*/tenant-*-developer',
  ),
  reason: t.required(t.string({ minLength: 10, describe: 'a sentence explaining why (at least 10 characters)' }), 'why the finding is accepted'),
  expires: t.required(
    t.string({ pattern: /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/, describe: 'a date such as 2027-06-30' }),
    'the last day it holds; after it, the waiver itself fails the synth',
  ),
});

/** Argo CD's own name and address for the cluster it runs in. */
export const IN_CLUSTER = { name: 'in-cluster', server: 'https://kubernetes.default.svc' } as const;

export const overlaySchema = t.object({
  environment: t.required(dnsLabel, 'environment name, equal to the file name (dev for overlays/dev.yaml)'),
  namespace: t.required(dnsLabel, 'namespace the workloads run in'),
  podSecurityVersion: t.defaulted(
    t.string({ pattern: /^v1\.[0-9]+$/, describe: 'a Kubernetes minor version such as "v1.28"' }),
    'v1.28',
    'Pod Security Standards version pinned on the namespace',
  ),
  quota: t.required(t.object({
    requests: t.required(computeResources, 'sum of requests allowed in the namespace'),
    limits: t.required(computeResources, 'sum of limits allowed in the namespace'),
    pods: t.required(t.integer(1, 10000), 'maximum number of pods'),
  }), 'ResourceQuota of the namespace; it must hold every replica of every component (autoscalers at their maximum)'),
  limitRange: t.required(t.object({
    defaultRequest: t.required(computeResources, 'request given to containers that set none'),
    default: t.required(computeResources, 'limit given to containers that set none'),
    max: t.required(maxResources, 'largest limit a container may set (cpu and memory)'),
  }), 'LimitRange of the namespace'),
  dns: t.defaulted(
    clusterDns,
    { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [53], service: 'kube-dns' },
    'where cluster DNS runs (OpenShift: openshift-dns, port 5353, Service dns-default); egress to it is the only default allow',
  ),
  secretStore: t.required(secretStore, 'where secrets come from (External Secrets Operator ClusterSecretStore)'),
  certificates: t.required(certificates, 'how cert-manager issues certificates for public hosts'),
  mesh: t.defaultedObject(mesh, 'Istio control plane and gateways'),
  priorityClasses: t.defaulted(t.object({
    'platform-critical': t.required(t.integer(1, 1000000000), 'priority of platform-critical pods'),
    workload: t.required(t.integer(1, 1000000000), 'priority of workload pods'),
    batch: t.required(t.integer(1, 1000000000), 'priority of batch pods (never preempt)'),
  }, { inline: true }), { 'platform-critical': 1000000, workload: 100000, batch: 1000 }, 'values of the three PriorityClasses'),
  externalEndpoints: t.defaulted(t.map(dnsLabel, externalEndpoint), {}, 'services outside the cluster that components may call'),
  tenants: t.defaulted(t.list(tenant), [], 'teams, each with its own restricted namespace <namespace>-<name>'),
  waivers: t.defaulted(
    t.list(waiver),
    [],
    'findings of a check accepted for some objects, each with a reason and an expiry date; listed in the compliance report',
  ),
  policy: t.defaultedObject(policy, 'cluster-time guardrails: Gatekeeper, ValidatingAdmissionPolicy, Falco'),
  apiServer: t.defaultedObject(
    apiServer,
    'where the Kubernetes API server listens: the service accounts that hold permissions, and only they, may reach it',
  ),
  controlPlane: t.defaulted(controlPlane, { encryption: { provider: 'aescbc' } }, 'API server configuration: audit policy and encryption at rest'),
  tracing: t.optional(
    tracing,
    'distributed tracing: an OpenTelemetry Collector receiving OTLP from the components and their sidecars, exporting to Jaeger',
    { default: 'no tracing objects' },
  ),
  gitops: t.defaultedObject(
    gitops,
    'GitOps delivery by Argo CD from the dist branch: the environment\'s AppProject and ApplicationSet, in dist/<env>/argocd/',
  ),
  monitoring: t.optional(
    monitoring,
    'metrics: a ServiceMonitor per component that serves metrics, a PodMonitor for the sidecars, the SLI recording rules; '
      + 'the scrapes are admitted by the components\' policies',
    { default: 'no monitoring objects' },
  ),
  dashboards: t.optional(
    dashboards,
    'Grafana dashboards as ConfigMaps labelled grafana_dashboard: "1": the platform overview, one per component (rate, errors, '
      + 'duration from its SLIs), the mesh, the security signals; needs monitoring',
    { default: 'no dashboards' },
  ),
  clusters: t.defaulted(
    t.list(cluster, { minItems: 1 }),
    [IN_CLUSTER],
    'clusters the environment is delivered to (one Argo CD Application each); names and servers unique',
  ),
  alerting: t.optional(
    alerting,
    'alert rules (SLO burn rates per component, restarts, readiness, quota, certificates, ExternalSecrets, Gatekeeper, Falco) '
      + 'and their routing to receivers by severity and team; needs monitoring',
    { default: 'no alerting objects' },
  ),
  components: t.required(t.map(
    t.string({
      pattern: DNS_1123_LABEL,
      maxLength: 52,
      describe: 'a component name (DNS-1123 label of at most 52 characters)',
      suggest: suggest.dnsLabel,
    }),
    componentSchema,
    { catalog: { names: COMPONENT_NAMES, otherwise: 'kind', definition: 'component' } },
  ), 'components deployed in this environment'),
});

export type Overlay = Infer<typeof overlaySchema>;
export type ComponentOverlay = Infer<typeof componentSchema>;
export type ComputeResources = Infer<typeof computeResources>;
/** Resources with the ephemeral storage resolved (the model's). */
export type ResolvedResources = ComputeResources & { readonly 'ephemeral-storage': string };
export type Permission = Infer<typeof permission>;
export type ExternalEndpoint = Infer<typeof externalEndpoint>;
export type Tenant = Infer<typeof tenant>;
export type SecretReference = Infer<typeof secretReference>;
export type Traffic = Infer<typeof traffic>;
export type MeshConfig = Infer<typeof mesh>;
export type SecretStoreConfig = Infer<typeof secretStore>;
export type CertificatesConfig = Infer<typeof certificates>;
export type PolicyConfig = Infer<typeof policy>;
export type ControlPlaneConfig = Infer<typeof controlPlane>;
export type GitopsConfig = Infer<typeof gitops>;
export type ClusterConfig = Infer<typeof cluster>;
export type VaultNetwork = Infer<typeof vaultNetwork>;
export type ApiServerConfig = Infer<typeof apiServer>;
export type Caller = Infer<typeof caller>;
export type DeliveryConfig = Infer<typeof delivery>;
export type CanaryStepConfig = Infer<typeof canaryStep>;
export type MonitoringConfig = Infer<typeof monitoring>;
export type DashboardsConfig = Infer<typeof dashboards>;
export type SloTargets = Infer<typeof sloTargets>;
export type AlertingConfig = Infer<typeof alerting>;
export type AlertReceiverConfig = Infer<typeof alertReceiver>;
export type TracingConfig = Infer<typeof tracing>;
