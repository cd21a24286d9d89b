import { KubeObject } from '../manifest/kube-object';
import { podSpecOf as workloadPodSpec, podTemplateOf, WORKLOAD_KINDS } from '../manifest/workload-kinds';

export { POD_KINDS } from '../manifest/workload-kinds';

/** The subset of a pod spec the checks read. */
export interface PodSpecView {
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
  readonly hostUsers?: boolean;
  readonly os?: { readonly name?: string };
  readonly serviceAccountName?: string;
  readonly automountServiceAccountToken?: boolean;
  readonly securityContext?: PodSecurityContextView;
  readonly containers?: readonly ContainerView[];
  readonly initContainers?: readonly ContainerView[];
  readonly ephemeralContainers?: readonly ContainerView[];
  readonly volumes?: readonly VolumeView[];
}

export interface VolumeView {
  readonly name: string;
  readonly hostPath?: unknown;
  readonly secret?: { readonly secretName?: string };
  readonly [source: string]: unknown;
}

export interface SeccompView {
  readonly type?: string;
}

export interface SecurityContextView {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly privileged?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly readOnlyRootFilesystem?: boolean;
  readonly procMount?: string;
  readonly capabilities?: { readonly add?: readonly string[]; readonly drop?: readonly string[] };
  readonly seccompProfile?: SeccompView;
  readonly appArmorProfile?: SeccompView;
  readonly seLinuxOptions?: { readonly type?: string; readonly user?: string; readonly role?: string; readonly level?: string };
  readonly windowsOptions?: { readonly hostProcess?: boolean };
}

export interface PodSecurityContextView extends SecurityContextView {
  readonly fsGroup?: number;
  readonly supplementalGroups?: readonly number[];
  readonly sysctls?: readonly { readonly name: string; readonly value?: string }[];
}

export interface ContainerView {
  readonly name: string;
  readonly image?: string;
  readonly securityContext?: SecurityContextView;
  readonly resources?: { readonly limits?: Record<string, unknown>; readonly requests?: Record<string, unknown> };
  readonly ports?: readonly { readonly hostPort?: number; readonly containerPort?: number }[];
  readonly livenessProbe?: unknown;
  readonly readinessProbe?: unknown;
  readonly env?: readonly {
    readonly name: string;
    readonly value?: string;
    readonly valueFrom?: { readonly secretKeyRef?: { readonly name: string } };
  }[];
  readonly envFrom?: readonly { readonly secretRef?: { readonly name: string } }[];
}

/** The pod spec an object runs, wherever its kind keeps it (WORKLOAD_KINDS); undefined for objects without pods. */
export function podSpecOf(o: KubeObject): PodSpecView | undefined {
  return workloadPodSpec(o) as PodSpecView | undefined;
}

/** The pod spec's path in objects of each kind that runs pods, as a JSON path. */
const POD_PATHS: ReadonlyMap<string, string> = new Map(WORKLOAD_KINDS.map((k) => [k.kind, k.podSpecPath]));

/** A pod spec with its JSON path inside the object. */
export interface PodAt {
  readonly spec: PodSpecView;
  readonly path: string;
}

/** A container with its JSON path inside the object (`spec.template.spec.containers[0]`). */
export interface ContainerAt {
  readonly container: ContainerView;
  readonly path: string;
}

export function podAt(o: KubeObject): PodAt | undefined {
  const spec = podSpecOf(o);
  return spec === undefined ? undefined : { spec, path: POD_PATHS.get(o.kind)! };
}

/** The pods' metadata (the object's own for a Pod, its pod template's otherwise) with its JSON path. */
export function podMetadataAt(pod: PodAt, object: KubeObject): { readonly metadata: Partial<KubeObject['metadata']>; readonly path: string } {
  if (pod.path === 'spec') return { metadata: object.metadata, path: 'metadata' };
  const template = podTemplateOf(object) as { metadata?: Partial<KubeObject['metadata']> } | undefined;
  return { metadata: template?.metadata ?? {}, path: pod.path.replace(/\.spec$/, '.metadata') };
}

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/** Every container of the pod, init and ephemeral ones included, with its path. */
export function containersAt(pod: PodAt): ContainerAt[] {
  const out: ContainerAt[] = [];
  for (const list of CONTAINER_LISTS) {
    const containers = pod.spec[list] ?? [];
    for (let i = 0; i < containers.length; i++) out.push({ container: containers[i], path: `${pod.path}.${list}[${i}]` });
  }
  return out;
}

export function allContainers(pod: PodSpecView): readonly ContainerView[] {
  return [...(pod.initContainers ?? []), ...(pod.containers ?? []), ...(pod.ephemeralContainers ?? [])];
}

/** Kinds whose pods run to completion: no probes, no disruption budget. */
export const BATCH_KINDS: ReadonlySet<string> = new Set(['Job', 'CronJob']);
