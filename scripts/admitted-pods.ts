/**
 * The pods the API server admits for the workloads of an environment: each pod template as the
 * mutating webhooks leave it, so that the guards judge what they would judge at admission, not
 * only what dist/ holds. Gatekeeper and the admission policies see the pod after Istio's injector
 * (CNI mode: istio-validation, then istio-proxy, a native sidecar where the pod asks for one) and,
 * on pods annotated for it, Vault Agent's (vault-agent-init appended to the init containers, the
 * vault-agent sidecar) have added their containers; the LimitRange defaults were applied before,
 * so the injected containers keep only the resources their injector gives them.
 *
 * The injectors' behaviour modelled here, from their sources: Istio's injection template
 * (manifests/charts/istio-control/istio-discovery/files/injection-template.yaml: the security
 * context of uid 1337, `values.global.proxy.resources`, `values.global.proxy_init.resources`,
 * `sidecar.istio.io/nativeSidecar`) and vault-k8s (agent-inject/agent: the default requests and
 * limits, `agent-run-as-same-user`, `agent-requests-ephemeral`, the init container appended unless
 * `agent-init-first`).
 */
import { MeshConfig } from '../lib/config/overlay-schema';
import { podTemplateOf } from '../lib/manifest/workload-kinds';
import { ISTIO_PROXY_REGISTRY } from '../lib/model/platform-model';

type Json = Record<string, unknown>;
interface Container extends Json {
  name: string;
  securityContext?: Json;
  resources?: Json;
}
interface PodSpec extends Json {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: Json;
}
interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}
export interface Workload {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Json;
}
export interface AdmittedPod {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: PodSpec;
}

/** The proxy image of the injection simulated here: a pinned tag on the registry the platform allows for it. */
export const SIMULATED_PROXY_IMAGE = `${ISTIO_PROXY_REGISTRY}proxyv2:1.28.1`;

/** vault-k8s defaults (agent-inject/agent/agent.go) for what the platform does not annotate. */
const VAULT_AGENT_DEFAULTS = { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } } as const;

/** The security context Istio's template gives both of its containers in CNI mode. */
const ISTIO_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsGroup: 1337,
  runAsNonRoot: true,
  runAsUser: 1337,
};

function istioContainers(mesh: Pick<MeshConfig, 'proxy'>): { validation: Container; proxy: Container } {
  return {
    validation: {
      name: 'istio-validation',
      image: SIMULATED_PROXY_IMAGE,
      args: ['istio-iptables', '--run-validation', '--skip-rule-apply'],
      securityContext: ISTIO_SECURITY_CONTEXT,
      resources: mesh.proxy.initResources,
    },
    proxy: {
      name: 'istio-proxy',
      image: SIMULATED_PROXY_IMAGE,
      args: ['proxy', 'sidecar'],
      ports: [{ containerPort: 15090, name: 'http-envoy-prom', protocol: 'TCP' }],
      securityContext: ISTIO_SECURITY_CONTEXT,
      resources: mesh.proxy.resources,
    },
  };
}

function vaultAgentContainers(annotations: Record<string, string>, app: Container): Container[] {
  if (annotations['vault.hashicorp.com/agent-inject'] !== 'true') return [];
  const ephemeral = (scope: 'requests' | 'limits') => annotations[`vault.hashicorp.com/agent-${scope}-ephemeral`];
  const resources = {
    requests: { ...VAULT_AGENT_DEFAULTS.requests, ...(ephemeral('requests') ? { 'ephemeral-storage': ephemeral('requests') } : {}) },
    limits: { ...VAULT_AGENT_DEFAULTS.limits, ...(ephemeral('limits') ? { 'ephemeral-storage': ephemeral('limits') } : {}) },
  };
  const user = annotations['vault.hashicorp.com/agent-run-as-same-user'] === 'true'
    ? { runAsUser: app.securityContext?.runAsUser, runAsGroup: app.securityContext?.runAsGroup }
    : { runAsUser: 100, runAsGroup: 1000 };
  const securityContext = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    ...Object.fromEntries(Object.entries(user).filter(([, v]) => v !== undefined)),
  };
  const image = annotations['vault.hashicorp.com/agent-image'] ?? 'hashicorp/vault:1.20.4';
  return ['vault-agent-init', 'vault-agent'].map((name) => ({ name, image, args: ['agent'], securityContext, resources }));
}

/**
 * The pod admitted for one workload, or undefined when the object has no pod template. Pods of a
 * namespace without sidecar injection would keep their template; every platform namespace injects.
 */
export function admittedPod(w: Workload, mesh: Pick<MeshConfig, 'proxy'>): AdmittedPod | undefined {
  const template = podTemplateOf(w) as PodTemplate | undefined;
  if (!template) return undefined;
  const annotations = template.metadata?.annotations ?? {};
  const spec = structuredClone(template.spec);
  const { validation, proxy } = istioContainers(mesh);
  const native = annotations['sidecar.istio.io/nativeSidecar'] === 'true';
  const [vaultInit, vaultSidecar] = vaultAgentContainers(annotations, spec.containers[0]);
  const init = [validation, ...(native ? [{ ...proxy, restartPolicy: 'Always' }] : []), ...(spec.initContainers ?? [])];
  spec.initContainers = vaultInit ? [...init, vaultInit] : init;
  spec.containers = [...spec.containers, ...(native ? [] : [proxy]), ...(vaultSidecar ? [vaultSidecar] : [])];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${w.metadata.name}-admitted`,
      ...(w.metadata.namespace ? { namespace: w.metadata.namespace } : {}),
      labels: { ...(template.metadata?.labels ?? {}), 'security.istio.io/tlsMode': 'istio' },
      annotations: { ...annotations, 'sidecar.istio.io/status': '{"initContainers":["istio-validation"],"containers":["istio-proxy"]}' },
    },
    spec,
  };
}
