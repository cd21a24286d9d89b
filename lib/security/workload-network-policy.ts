import { ApiObjectMetadata } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { selectorLabels } from '../manifest/labels';

/** A peer workload in the same namespace and the container port it serves on. */
export interface PeerWorkload {
  readonly name: string;
  readonly containerPort: number;
}

/** Address ranges outside the cluster a workload may reach. */
export interface ExternalEgress {
  readonly name: string;
  readonly cidrs: readonly string[];
  readonly ports: readonly number[];
}

/** Pods in another namespace, selected by namespace name and pod labels, and their ports. */
export interface NamespacedPeer {
  readonly namespace: string;
  /** @default - every pod of the namespace */
  readonly podLabels?: Readonly<Record<string, string>>;
  readonly ports: readonly number[];
}

/** Pods of another namespace that call the workload. */
export interface NamespacedCaller extends Omit<NamespacedPeer, 'ports'> {
  /** The container ports they may call, when not the workload's ingress ports (a scrape: the metrics port only). @default ingressPorts */
  readonly ports?: readonly (number | string)[];
}

export interface WorkloadNetworkPolicyProps {
  readonly metadata: ApiObjectMetadata;
  readonly environment: string;
  readonly podSelector: Readonly<Record<string, string>>;
  /** Workloads of the namespace allowed to call this one on its `http` port. */
  readonly allowFrom: readonly string[];
  /** Pods of other namespaces allowed to call this one on its `http` port (ingress gateways). */
  readonly allowFromNamespaces: readonly NamespacedCaller[];
  readonly dependencies: readonly PeerWorkload[];
  readonly externalEgress: readonly ExternalEgress[];
  /** Egress to pods in other namespaces (e.g. the mesh egress gateway). */
  readonly namespacedEgress: readonly NamespacedPeer[];
  /** Container ports (numbers or names) the callers may reach. @default ['http'] */
  readonly ingressPorts?: readonly (number | string)[];
}

const tcp = (p: number | string): k8s.NetworkPolicyPort => ({
  protocol: 'TCP',
  port: typeof p === 'number' ? k8s.IntOrString.fromNumber(p) : k8s.IntOrString.fromString(p),
});

/**
 * The exact allow-list of one workload, on top of the namespace's default deny: ingress from its
 * declared callers, egress to its declared dependencies. Emits nothing when there is nothing to allow.
 */
export class WorkloadNetworkPolicy extends Construct {
  constructor(scope: Construct, id: string, props: WorkloadNetworkPolicyProps) {
    super(scope, id);
    const podsNamed = (name: string): k8s.NetworkPolicyPeer => ({
      podSelector: { matchLabels: selectorLabels({ name, environment: props.environment }) },
    });
    const inNamespace = (namespace: string, podLabels?: Readonly<Record<string, string>>): k8s.NetworkPolicyPeer => ({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
      podSelector: podLabels ? { matchLabels: { ...podLabels } } : undefined,
    });
    const ingress: k8s.NetworkPolicyIngressRule[] = [];
    const served = (props.ingressPorts ?? ['http']).map(tcp);
    if (props.allowFrom.length > 0) ingress.push({ from: props.allowFrom.map(podsNamed), ports: served });
    for (const peer of props.allowFromNamespaces) {
      ingress.push({ from: [inNamespace(peer.namespace, peer.podLabels)], ports: peer.ports ? peer.ports.map(tcp) : served });
    }
    const egress: k8s.NetworkPolicyEgressRule[] = [
      ...props.dependencies.map((dep) => ({ to: [podsNamed(dep.name)], ports: [tcp(dep.containerPort)] })),
      ...props.externalEgress.filter((e) => e.cidrs.length > 0).map((e) => ({
        to: e.cidrs.map((cidr) => ({ ipBlock: { cidr } })),
        ports: e.ports.map((p) => tcp(p)),
      })),
      ...props.namespacedEgress.map((n) => ({ to: [inNamespace(n.namespace, n.podLabels)], ports: n.ports.map((p) => tcp(p)) })),
    ];
    if (ingress.length === 0 && egress.length === 0) return;
    const policyTypes = [...(ingress.length > 0 ? ['Ingress'] : []), ...(egress.length > 0 ? ['Egress'] : [])];
    new k8s.KubeNetworkPolicy(this, 'policy', {
      metadata: props.metadata,
      spec: {
        podSelector: { matchLabels: { ...props.podSelector } },
        policyTypes,
        ingress: ingress.length > 0 ? ingress : undefined,
        egress: egress.length > 0 ? egress : undefined,
      },
    });
  }
}
