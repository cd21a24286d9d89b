import { KubeObject } from '../synth/kube-object';

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

/** The pod spec an object runs, wherever its kind keeps it; undefined for objects without pods. */
export function podSpecOf(o: KubeObject): PodSpecView | undefined {
  const at = (value: unknown, ...keys: string[]): unknown =>
    keys.reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined), value);
  switch (o.kind) {
    case 'Pod':
      return o.spec as PodSpecView | undefined;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return at(o.spec, 'template', 'spec') as PodSpecView | undefined;
    case 'CronJob':
      return at(o.spec, 'jobTemplate', 'spec', 'template', 'spec') as PodSpecView | undefined;
    default:
      return undefined;
  }
}

export function allContainers(pod: PodSpecView): readonly ContainerView[] {
  return [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
}
