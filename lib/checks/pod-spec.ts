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

/** `value[keys[0]][keys[1]]…`, or undefined where a step is not an object. */
function at(value: unknown, keys: readonly string[]): unknown {
  let v = value;
  for (const k of keys) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

const TEMPLATE_SPEC = ['template', 'spec'];
const JOB_TEMPLATE_SPEC = ['jobTemplate', 'spec', 'template', 'spec'];

/** Every kind podSpecOf finds a pod spec in: the `kinds` of the checks that look at pods. */
export const POD_KINDS: ReadonlySet<string> = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

/** The pod spec an object runs, wherever its kind keeps it; undefined for objects without pods. */
export function podSpecOf(o: KubeObject): PodSpecView | undefined {
  // Called by several checks for every object: no allocation on this path.
  switch (o.kind) {
    case 'Pod':
      return o.spec as PodSpecView | undefined;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return at(o.spec, TEMPLATE_SPEC) as PodSpecView | undefined;
    case 'CronJob':
      return at(o.spec, JOB_TEMPLATE_SPEC) as PodSpecView | undefined;
    default:
      return undefined;
  }
}

export function allContainers(pod: PodSpecView): readonly ContainerView[] {
  return [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
}
