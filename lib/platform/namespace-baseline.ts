import { ApiObjectMetadata } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ISTIOD_XDS_PORT } from '../connectivity/needed-flows';
import { standardLabels } from '../manifest/labels';
import { PLATFORM_FOLDERS } from '../manifest/layout';
import { MeshNamespacePolicy } from '../security/mesh-namespace-policy';

export interface NamespaceBaselineProps {
  /** Names the objects (`<name>-quota`, …) and the `app.kubernetes.io/name` label. @default 'baseline' */
  readonly name?: string;
  /** Value of `app.kubernetes.io/component`. @default 'namespace-baseline' */
  readonly role?: string;
  readonly environment: string;
  readonly namespace: string;
  /** Bulwark's version, for `app.kubernetes.io/version`. */
  readonly version: string;
  /** Pod Security Standards version pinned on the namespace, e.g. `v1.28`. */
  readonly podSecurityVersion: string;
  /** Sums the namespace's pods may request and be limited to, ephemeral storage included. */
  readonly quota: {
    readonly requests: NamespaceResources;
    readonly limits: NamespaceResources;
    readonly pods: number;
  };
  /** Defaults for containers that set none (ephemeral storage included) and the largest cpu and memory limits. */
  readonly limitRange: {
    readonly defaultRequest: NamespaceResources;
    readonly default: NamespaceResources;
    readonly max: { readonly cpu: string; readonly memory: string };
  };
  /**
   * The service mesh control plane: namespaces are labelled for sidecar injection and every pod
   * may reach istiod (xDS and certificates). @default - no mesh
   */
  readonly mesh?: {
    readonly namespace: string;
    readonly controlPlaneLabels: Readonly<Record<string, string>>;
    /** Services of other namespaces the sidecars may reach (`<namespace>/<host>`). @default [] */
    readonly egressHosts?: readonly string[];
  };
  /** Where cluster DNS runs: the only egress every pod gets by default. */
  readonly dns: {
    readonly namespace: string;
    readonly podLabels: Readonly<Record<string, string>>;
    readonly ports: readonly number[];
    /** The Service of the DNS pods: the namespace's Sidecar imports it, for DNS over TCP, which the sidecar intercepts. */
    readonly service: string;
  };
}

/** cpu, memory and ephemeral storage quantities. */
export interface NamespaceResources {
  readonly cpu: string;
  readonly memory: string;
  readonly 'ephemeral-storage': string;
}

export const BASELINE_NAME = PLATFORM_FOLDERS.baseline;

/**
 * A namespace that is safe before anything runs in it: Pod Security Admission `restricted` in
 * enforce, audit and warn modes (pinned version), a quota and default limits so no pod runs
 * unbounded, and network policy that denies all traffic except DNS lookups.
 */
export class NamespaceBaseline extends Construct {
  constructor(scope: Construct, id: string, props: NamespaceBaselineProps) {
    super(scope, id);
    const name = props.name ?? BASELINE_NAME;
    const labels = standardLabels({ name, environment: props.environment, component: props.role ?? 'namespace-baseline', version: props.version });
    const meta = (name: string): ApiObjectMetadata => ({ name, namespace: props.namespace, labels });

    new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: props.namespace,
        labels: {
          ...labels,
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': props.podSecurityVersion,
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/audit-version': props.podSecurityVersion,
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/warn-version': props.podSecurityVersion,
          ...(props.mesh ? { 'istio-injection': 'enabled' } : {}),
        },
      },
    });

    const { quota, limitRange } = props;
    new k8s.KubeResourceQuota(this, 'quota', {
      metadata: meta(`${name}-quota`),
      spec: {
        hard: {
          'requests.cpu': k8s.Quantity.fromString(quota.requests.cpu),
          'requests.memory': k8s.Quantity.fromString(quota.requests.memory),
          'requests.ephemeral-storage': k8s.Quantity.fromString(quota.requests['ephemeral-storage']),
          'limits.cpu': k8s.Quantity.fromString(quota.limits.cpu),
          'limits.memory': k8s.Quantity.fromString(quota.limits.memory),
          'limits.ephemeral-storage': k8s.Quantity.fromString(quota.limits['ephemeral-storage']),
          pods: k8s.Quantity.fromNumber(quota.pods),
        },
      },
    });

    const quantities = (r: { readonly cpu: string; readonly memory: string; readonly 'ephemeral-storage'?: string }) => ({
      cpu: k8s.Quantity.fromString(r.cpu),
      memory: k8s.Quantity.fromString(r.memory),
      ...(r['ephemeral-storage'] ? { 'ephemeral-storage': k8s.Quantity.fromString(r['ephemeral-storage']) } : {}),
    });
    new k8s.KubeLimitRange(this, 'limits', {
      metadata: meta(`${name}-limits`),
      spec: {
        limits: [{
          type: 'Container',
          defaultRequest: quantities(limitRange.defaultRequest),
          default: quantities(limitRange.default),
          max: quantities(limitRange.max),
        }],
      },
    });

    new k8s.KubeNetworkPolicy(this, 'default-deny', {
      metadata: meta(`${name}-default-deny`),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });

    const allowEgressTo = (id: string, namespace: string, podLabels: Readonly<Record<string, string>>, ports: k8s.NetworkPolicyPort[]) =>
      new k8s.KubeNetworkPolicy(this, id, {
        metadata: meta(`${name}-${id}`),
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{
            to: [{
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
              podSelector: { matchLabels: { ...podLabels } },
            }],
            ports,
          }],
        },
      });
    allowEgressTo('allow-dns', props.dns.namespace, props.dns.podLabels, props.dns.ports.flatMap((port) => [
      { protocol: 'UDP', port: k8s.IntOrString.fromNumber(port) },
      { protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) },
    ]));

    if (props.mesh) {
      allowEgressTo('allow-mesh', props.mesh.namespace, props.mesh.controlPlaneLabels, [
        { protocol: 'TCP', port: k8s.IntOrString.fromNumber(ISTIOD_XDS_PORT) },
      ]);
      new MeshNamespacePolicy(this, 'mesh-policy', {
        namespace: props.namespace,
        name,
        labels,
        meshNamespace: props.mesh.namespace,
        egressHosts: [`${props.dns.namespace}/${props.dns.service}.${props.dns.namespace}.svc.cluster.local`, ...(props.mesh.egressHosts ?? [])],
      });
    }
  }
}
