import { COMPONENT_NAMES } from './catalog';
import { Infer, t } from './schema-types';

/** The one definition of an overlay file: it yields both the `Overlay` type and its validator. */

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const ENV_VAR_NAME = /^[A-Z_][A-Z0-9_]*$/;
/** Words that mark a setting as secret: such values never go into a ConfigMap. */
const SECRET_WORDS = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/;

export const dnsLabel = t.string({ pattern: DNS_1123_LABEL, maxLength: 63, describe: 'a DNS-1123 label (lowercase letters, digits and "-", starting and ending alphanumeric)' });
const hostname = t.string({ pattern: DNS_1123_SUBDOMAIN, maxLength: 253, describe: 'a DNS hostname such as api.example.com' });
const cpu = t.string({ pattern: /^([1-9][0-9]*m|[0-9]+(\.[0-9]{1,3})?)$/, describe: 'a CPU quantity such as "250m" or "2"' });
const memory = t.string({ pattern: /^[1-9][0-9]*(Ki|Mi|Gi|Ti)$/, describe: 'a memory quantity in binary units such as "256Mi" or "2Gi"' });

const computeResources = t.object({
  cpu: t.required(cpu, 'CPU, e.g. "250m"'),
  memory: t.required(memory, 'memory, e.g. "256Mi"'),
});

/** An image reference pinned by tag or digest; a floating `latest` is not a release. */
export const imageReference = t
  .string({ pattern: /^[a-z0-9][a-z0-9._\-/:]*(@sha256:[a-f0-9]{64})?$/, describe: 'an image reference such as ghcr.io/org/app:1.2.3 or ghcr.io/org/app@sha256:<64 hex>' })
  .refine((image) => {
    if (image.includes('@sha256:')) return undefined;
    const lastSegment = image.slice(image.lastIndexOf('/') + 1);
    const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : undefined;
    if (tag === undefined || tag === '') {
      return { message: 'image has no tag', received: JSON.stringify(image), allowed: 'a pinned tag or digest', fix: `pin a version, e.g. ${image}:1.0.0` };
    }
    if (tag === 'latest') {
      return { message: 'image uses the floating "latest" tag', received: JSON.stringify(image), allowed: 'a pinned tag or digest', fix: 'pin a release tag or a sha256 digest' };
    }
    return undefined;
  });

const settingName = t
  .string({ pattern: ENV_VAR_NAME, describe: 'an environment variable name in UPPER_SNAKE_CASE' })
  .refine((name) =>
    SECRET_WORDS.test(name)
      ? { message: 'setting looks like a secret and would be stored in plain text', received: JSON.stringify(name), allowed: 'non-secret settings only', fix: 'remove it from config; secrets come from the secret store, never from an overlay' }
      : undefined);

export const componentName = t.oneOf(COMPONENT_NAMES);

export const componentSchema = t.object({
  image: t.required(imageReference, 'image pinned by tag or digest, e.g. ghcr.io/org/app:1.2.3'),
  replicas: t.defaulted(t.integer(0, 100), 1, 'number of pods'),
  resources: t.required(t.object({
    requests: t.required(computeResources, 'what the scheduler reserves'),
    limits: t.required(computeResources, 'the most the container may use'),
  }), 'requests and limits for the container'),
  host: t.optional(hostname, 'public hostname; the component is exposed through an Ingress when set'),
  config: t.defaulted(t.map(settingName, t.string({ minLength: 0, describe: 'a string (quote numbers and booleans)' })), {}, 'non-secret settings, delivered as environment variables from a ConfigMap'),
  dependsOn: t.defaulted(t.list(componentName, { unique: true }), [], 'components this one calls; network policy allows exactly these'),
});

export const overlaySchema = t.object({
  environment: t.required(dnsLabel, 'environment name, equal to the file name (dev for overlays/dev.yaml)'),
  namespace: t.required(dnsLabel, 'namespace the workloads run in'),
  podSecurityVersion: t.defaulted(t.string({ pattern: /^v1\.[0-9]+$/, describe: 'a Kubernetes minor version such as "v1.28"' }), 'v1.28', 'Pod Security Standards version pinned on the namespace'),
  quota: t.required(t.object({
    requests: t.required(computeResources, 'sum of requests allowed in the namespace'),
    limits: t.required(computeResources, 'sum of limits allowed in the namespace'),
    pods: t.required(t.integer(1, 10000), 'maximum number of pods'),
  }), 'ResourceQuota of the namespace'),
  limitRange: t.required(t.object({
    defaultRequest: t.required(computeResources, 'request given to containers that set none'),
    default: t.required(computeResources, 'limit given to containers that set none'),
    max: t.required(computeResources, 'largest limit a container may set'),
  }), 'LimitRange of the namespace'),
  dns: t.defaulted(t.object({
    namespace: t.required(dnsLabel, 'namespace of the cluster DNS pods'),
    podLabels: t.required(t.map(t.string({ pattern: LABEL_KEY, describe: 'a label key' }), t.string({ pattern: LABEL_VALUE, minLength: 0, describe: 'a label value' })), 'labels selecting the cluster DNS pods'),
    ports: t.required(t.list(t.integer(1, 65535), { minItems: 1, unique: true }), 'DNS ports (UDP and TCP)'),
  }), { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [53] }, 'where cluster DNS runs; egress to it is the only default allow'),
  ingress: t.optional(t.object({
    className: t.required(dnsLabel, 'IngressClass name, e.g. nginx'),
    controllerNamespace: t.required(dnsLabel, 'namespace of the ingress controller pods, allowed in by network policy'),
  }), 'ingress controller used by components that set host'),
  components: t.required(t.map(componentName, componentSchema), 'components deployed in this environment'),
});

export type Overlay = Infer<typeof overlaySchema>;
export type ComponentOverlay = Infer<typeof componentSchema>;
export type ComputeResources = Infer<typeof computeResources>;
