import { KubeObject } from '../manifest/kube-object';
import { podSpecOf as workloadPodSpec } from '../manifest/workload-kinds';

export { POD_KINDS } from '../manifest/workload-kinds';

/** The subset of a pod spec the checks read. */
export interface PodSpecView {
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
  readonly securityContext?: SecurityContextView;
  readonly containers?: readonly ContainerView[];
  readonly initContainers?: readonly ContainerView[];
  readonly volumes?: readonly { readonly name: string; readonly hostPath?: unknown; readonly secret?: { readonly secretName?: string } }[];
}

export interface SecurityContextView {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly privileged?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly readOnlyRootFilesystem?: boolean;
  readonly capabilities?: { readonly add?: readonly string[]; readonly drop?: readonly string[] };
  readonly seccompProfile?: { readonly type?: string };
}

export interface ContainerView {
  readonly name: string;
  readonly image?: string;
  readonly securityContext?: SecurityContextView;
  readonly resources?: { readonly limits?: Record<string, unknown>; readonly requests?: Record<string, unknown> };
  readonly ports?: readonly { readonly hostPort?: number }[];
  readonly livenessProbe?: unknown;
  readonly env?: readonly { readonly name: string; readonly valueFrom?: { readonly secretKeyRef?: { readonly name: string } } }[];
  readonly envFrom?: readonly { readonly secretRef?: { readonly name: string } }[];
  readonly readinessProbe?: unknown;
}

/** The pod spec an object runs, wherever its kind keeps it (WORKLOAD_KINDS); undefined for objects without pods. */
export function podSpecOf(o: KubeObject): PodSpecView | undefined {
  return workloadPodSpec(o) as PodSpecView | undefined;
}

export function allContainers(pod: PodSpecView): readonly ContainerView[] {
  return [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
}
