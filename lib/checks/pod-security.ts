/**
 * The Pod Security Standards, one check per control, as the admission controller judges them
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/, v1.30+): baseline
 * controls first, then restricted. Windows pods (`spec.os.name: windows`) are exempt from the
 * Linux-only restricted controls, as in the standard.
 */
import { KubeObject } from '../manifest/kube-object';
import { at, Check, Violation } from './check';
import { ContainerAt, containersAt, PodAt, podAt, podMetadataAt, POD_KINDS, SecurityContextView } from './pod-spec';

type PodCheckDefinition = Omit<Check, 'inspect' | 'kinds' | 'profile' | 'severity'> & { readonly severity?: Check['severity'] };

/** A generic error-level check of every pod spec, judged by `judge`. */
export function podCheck(definition: PodCheckDefinition, judge: (pod: PodAt, object: KubeObject, all: readonly KubeObject[]) => Violation[]): Check {
  return {
    severity: 'error',
    profile: 'generic',
    ...definition,
    kinds: POD_KINDS,
    inspect(object, all) {
      const pod = podAt(object);
      return pod === undefined ? [] : judge(pod, object, all);
    },
  };
}

/** The same, judged container by container (init and ephemeral containers included). */
function containerCheck(definition: PodCheckDefinition, judge: (c: ContainerAt, pod: PodAt) => Violation[]): Check {
  return podCheck(definition, (pod) => containersAt(pod).flatMap((c) => judge(c, pod)));
}

const isWindows = (pod: PodAt): boolean => pod.spec.os?.name === 'windows';
const named = (c: ContainerAt): string => `container ${c.container.name}`;

/** The pod's security context and each container's, with their paths and whose they are ("pod", "container app"). */
function contextsAt(pod: PodAt): { readonly sc: SecurityContextView | undefined; readonly path: string; readonly who: string }[] {
  return [
    { sc: pod.spec.securityContext, path: `${pod.path}.securityContext`, who: 'pod' },
    ...containersAt(pod).map((c) => ({ sc: c.container.securityContext, path: `${c.path}.securityContext`, who: named(c) })),
  ];
}

/** A violation for each security context (the pod's, each container's) where `field` is `bad`. */
function contextsWhere<K extends keyof SecurityContextView>(
  pod: PodAt,
  field: K,
  bad: (value: NonNullable<SecurityContextView[K]>) => boolean,
  message: (who: string, value: NonNullable<SecurityContextView[K]>) => string,
): Violation[] {
  return contextsAt(pod).flatMap(({ sc, path, who }) => {
    const value = sc?.[field];
    return value !== undefined && value !== null && bad(value as NonNullable<SecurityContextView[K]>)
      ? [at(`${path}.${field}`, message(who, value as NonNullable<SecurityContextView[K]>))] : [];
  });
}

/** A security context field set at container level, else at pod level, with the path it was read from. */
function effective<K extends keyof SecurityContextView>(c: ContainerAt, pod: PodAt, key: K): { value: SecurityContextView[K]; path: string } {
  const own = c.container.securityContext?.[key];
  if (own !== undefined) return { value: own, path: `${c.path}.securityContext.${key}` };
  const inherited = pod.spec.securityContext?.[key];
  if (inherited !== undefined) return { value: inherited, path: `${pod.path}.securityContext.${key}` };
  return { value: undefined, path: `${c.path}.securityContext.${key}` };
}

// ---- baseline --------------------------------------------------------------------------------

export const hostProcess = containerCheck({
  id: 'host-process',
  title: 'No Windows HostProcess containers',
  description: 'No pod or container sets windowsOptions.hostProcess: a HostProcess container has the node\'s privileges.',
  controls: ['pss-baseline/host-process', 'cis/5.2.11'],
  remediation: 'Remove securityContext.windowsOptions.hostProcess, or run the workload outside the platform\'s namespaces.',
}, (c, pod) => {
  const { value, path } = effective(c, pod, 'windowsOptions');
  return value?.hostProcess === true ? [at(`${path}.hostProcess`, `${named(c)} is a Windows HostProcess container`)] : [];
});

export const hostNamespaces = podCheck({
  id: 'host-namespaces',
  title: 'No host namespaces',
  description: 'Pods share no namespace with the node: hostNetwork, hostPID and hostIPC are unset or false.',
  controls: ['pss-baseline/host-namespaces', 'cis/5.2.3', 'cis/5.2.4', 'cis/5.2.5'],
  remediation: 'Remove hostNetwork, hostPID and hostIPC from the pod spec.',
}, (pod) => (['hostNetwork', 'hostPID', 'hostIPC'] as const)
  .filter((field) => pod.spec[field] === true)
  .map((field) => at(`${pod.path}.${field}`, `pod uses the host's namespace (${field}: true)`)));

export const privilegedContainers = containerCheck({
  id: 'privileged-containers',
  title: 'No privileged containers',
  description: 'No container runs privileged: a privileged container can do almost anything the node can.',
  controls: ['pss-baseline/privileged', 'cis/5.2.2', 'nsa/pod-security'],
  remediation: 'Remove securityContext.privileged (or set it to false) and grant the one capability the container needs.',
}, (c) => (c.container.securityContext?.privileged === true ? [at(`${c.path}.securityContext.privileged`, `${named(c)} is privileged`)] : []));

/** The capabilities baseline lets a container add (the container runtime's defaults, less NET_RAW). */
export const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);

const withoutPrefix = (cap: string): string => cap.replace(/^CAP_/, '');

export const baselineCapabilities = containerCheck({
  id: 'baseline-capabilities',
  title: 'No capabilities beyond the runtime defaults',
  description: 'Containers add no capability beyond the runtime\'s defaults (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, '
    + 'MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT): no SYS_ADMIN, no NET_RAW.',
  controls: ['pss-baseline/capabilities', 'cis/5.2.8', 'cis/5.2.9'],
  remediation: 'Remove the capability from securityContext.capabilities.add.',
}, (c) => {
  const added = c.container.securityContext?.capabilities?.add ?? [];
  return added.flatMap((cap, i) => (BASELINE_CAPABILITIES.has(withoutPrefix(cap)) ? []
    : [at(`${c.path}.securityContext.capabilities.add[${i}]`, `${named(c)} adds capability ${cap}`)]));
});

export const hostPathVolumes = podCheck({
  id: 'host-path-volumes',
  title: 'No hostPath volumes',
  description: 'No pod mounts a directory of the node (hostPath volume).',
  controls: ['pss-baseline/host-path', 'cis/5.2.12'],
  remediation: 'Use an emptyDir, a ConfigMap, a Secret or a PersistentVolumeClaim instead of the hostPath volume.',
}, (pod) => (pod.spec.volumes ?? []).flatMap((v, i) => (v.hostPath === undefined ? []
  : [at(`${pod.path}.volumes[${i}].hostPath`, `volume ${v.name} is a hostPath`)])));

export const hostPorts = containerCheck({
  id: 'host-ports',
  title: 'No host ports',
  description: 'No container binds a port of the node (hostPort); a Service exposes it instead.',
  controls: ['pss-baseline/host-ports', 'cis/5.2.13'],
  remediation: 'Remove ports[].hostPort and expose the port through a Service.',
}, (c) => (c.container.ports ?? []).flatMap((p, i) => (p.hostPort === undefined || p.hostPort === 0 ? []
  : [at(`${c.path}.ports[${i}].hostPort`, `${named(c)} binds host port ${p.hostPort}`)])));

const CONFINED_PROFILES = new Set(['RuntimeDefault', 'Localhost']);
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';


export const appArmor = podCheck({
  id: 'apparmor',
  title: 'AppArmor not disabled',
  description: 'No pod or container overrides AppArmor with anything but RuntimeDefault or a Localhost profile (field or annotation).',
  controls: ['pss-baseline/apparmor'],
  remediation: 'Set appArmorProfile.type to RuntimeDefault (or Localhost with a loaded profile), or remove it.',
}, (pod, object) => {
  const problems = contextsAt(pod).flatMap(({ sc, path, who }) => {
    const type = sc?.appArmorProfile?.type;
    return type !== undefined && !CONFINED_PROFILES.has(type) ? [at(`${path}.appArmorProfile.type`, `${who} sets AppArmor profile ${type}`)] : [];
  });
  const { metadata, path } = podMetadataAt(pod, object);
  const annotations = metadata.annotations ?? {};
  for (const key of Object.keys(annotations).sort()) {
    const value = annotations[key];
    if (key.startsWith(APPARMOR_ANNOTATION) && value !== 'runtime/default' && !value.startsWith('localhost/')) {
      problems.push(at(`${path}.annotations["${key}"]`, `annotation ${key} sets AppArmor profile ${value}`));
    }
  }
  return problems;
});

export const SELINUX_TYPES: ReadonlySet<string> = new Set(['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

function seLinuxProblems(options: SecurityContextView['seLinuxOptions'], path: string, who: string): Violation[] {
  if (options === undefined) return [];
  const problems: Violation[] = [];
  if (options.type !== undefined && options.type !== '' && !SELINUX_TYPES.has(options.type)) {
    problems.push(at(`${path}.type`, `${who} sets SELinux type ${options.type}`));
  }
  for (const field of ['user', 'role'] as const) {
    const value = options[field];
    if (value !== undefined && value !== '') problems.push(at(`${path}.${field}`, `${who} sets SELinux ${field} ${value}`));
  }
  return problems;
}

export const seLinux = podCheck({
  id: 'selinux',
  title: 'SELinux not relaxed',
  description: 'No pod or container sets a custom SELinux user or role, or a type other than container_t, container_init_t, '
    + 'container_kvm_t or container_engine_t.',
  controls: ['pss-baseline/selinux'],
  remediation: 'Remove seLinuxOptions.user and .role, and keep seLinuxOptions.type to one of the container types.',
}, (pod) => contextsAt(pod).flatMap(({ sc, path, who }) => seLinuxProblems(sc?.seLinuxOptions, `${path}.seLinuxOptions`, who)));

export const procMount = containerCheck({
  id: 'proc-mount',
  title: 'Default /proc mount',
  description: 'Containers keep the default /proc mask (procMount unset or Default).',
  controls: ['pss-baseline/proc-mount'],
  remediation: 'Remove securityContext.procMount or set it to Default.',
}, (c) => {
  const mount = c.container.securityContext?.procMount;
  return mount === undefined || mount === 'Default' ? [] : [at(`${c.path}.securityContext.procMount`, `${named(c)} sets procMount ${mount}`)];
});

export const seccompNotUnconfined = podCheck({
  id: 'seccomp-not-unconfined',
  title: 'Seccomp not disabled',
  description: 'No pod or container sets the seccomp profile Unconfined.',
  controls: ['pss-baseline/seccomp'],
  remediation: 'Set seccompProfile.type to RuntimeDefault.',
}, (pod) => contextsAt(pod).flatMap(({ sc, path, who }) => (sc?.seccompProfile?.type === 'Unconfined'
  ? [at(`${path}.seccompProfile.type`, `${who} sets seccomp profile Unconfined`)] : [])));

/** The sysctls baseline allows: namespaced, and isolated from the node and other pods. */
export const SAFE_SYSCTLS: ReadonlySet<string> = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
]);

export const sysctls = podCheck({
  id: 'sysctls',
  title: 'Only safe sysctls',
  description: 'Pods set only the safe sysctls (kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, …), which cannot reach the node.',
  controls: ['pss-baseline/sysctls'],
  remediation: 'Remove the sysctl from securityContext.sysctls, or tune the node instead.',
}, (pod) => (pod.spec.securityContext?.sysctls ?? []).flatMap((s, i) => (SAFE_SYSCTLS.has(s.name) ? []
  : [at(`${pod.path}.securityContext.sysctls[${i}].name`, `pod sets the unsafe sysctl ${s.name}`)])));

// ---- restricted ------------------------------------------------------------------------------

/** The volume sources restricted allows. */
export const RESTRICTED_VOLUME_SOURCES: ReadonlySet<string> = new Set([
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret',
]);

export const volumeTypes = podCheck({
  id: 'volume-types',
  title: 'Only core volume types',
  description: 'Pods mount only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected and secret volumes.',
  controls: ['pss-restricted/volume-types'],
  remediation: 'Replace the volume with a PersistentVolumeClaim (the cluster\'s storage class provides the backend) or a csi volume.',
}, (pod) => (pod.spec.volumes ?? []).flatMap((v, i) => {
  // hostPath is its own baseline check: reported there, once.
  const sources = Object.keys(v).filter((k) => k !== 'name' && k !== 'hostPath' && !RESTRICTED_VOLUME_SOURCES.has(k));
  return sources.map((source) => at(`${pod.path}.volumes[${i}].${source}`, `volume ${v.name} is of type ${source}`));
}));

export const privilegeEscalation = containerCheck({
  id: 'privilege-escalation',
  title: 'No privilege escalation',
  description: 'Containers set allowPrivilegeEscalation: false, so no process gains more privileges than its parent (setuid, file capabilities).',
  controls: ['pss-restricted/privilege-escalation', 'cis/5.2.6', 'nsa/pod-security'],
  remediation: 'Set securityContext.allowPrivilegeEscalation: false on the container.',
}, (c, pod) => (isWindows(pod) || c.container.securityContext?.allowPrivilegeEscalation === false ? []
  : [at(`${c.path}.securityContext.allowPrivilegeEscalation`, `${named(c)} must set allowPrivilegeEscalation: false`)]));

export const runAsNonRoot = containerCheck({
  id: 'run-as-non-root',
  title: 'Run as non-root',
  description: 'Every container must run as a non-root user: runAsNonRoot: true on the container or the pod.',
  controls: ['pss-restricted/non-root', 'cis/5.2.7', 'nsa/non-root'],
  remediation: 'Set securityContext.runAsNonRoot: true on the pod (and a non-zero runAsUser if the image has no USER).',
}, (c, pod) => {
  const { value, path } = effective(c, pod, 'runAsNonRoot');
  return value === true ? [] : [at(path, `${named(c)} must run as non-root (runAsNonRoot: true)`)];
});

export const runAsNonRootUser = podCheck({
  id: 'run-as-non-root-user',
  title: 'No user ID 0',
  description: 'No pod or container sets runAsUser: 0.',
  controls: ['pss-restricted/non-root-user', 'cis/5.2.7', 'nsa/non-root'],
  remediation: 'Set runAsUser to a non-zero user ID, or remove it and let the image\'s USER apply.',
}, (pod) => contextsWhere(pod, 'runAsUser', (uid) => uid === 0, (who) => `${who} runs as user 0`));

export const runAsNonRootGroup = podCheck({
  id: 'run-as-non-root-group',
  title: 'No group ID 0',
  description: 'No pod or container runs with group 0 (runAsGroup, fsGroup or supplementalGroups), which owns most of an image\'s files.',
  controls: ['cis/5.2.7', 'nsa/non-root'],
  remediation: 'Set runAsGroup and fsGroup to a non-zero group ID and remove 0 from supplementalGroups.',
}, (pod) => {
  const sc = pod.spec.securityContext ?? {};
  const problems: Violation[] = [];
  if (sc.fsGroup === 0) problems.push(at(`${pod.path}.securityContext.fsGroup`, 'pod sets fsGroup 0'));
  (sc.supplementalGroups ?? []).forEach((g, i) => {
    if (g === 0) problems.push(at(`${pod.path}.securityContext.supplementalGroups[${i}]`, 'pod adds supplemental group 0'));
  });
  return [...problems, ...contextsWhere(pod, 'runAsGroup', (gid) => gid === 0, (who) => `${who} runs as group 0`)];
});

export const seccompRestricted = containerCheck({
  id: 'seccomp-restricted',
  title: 'Seccomp RuntimeDefault',
  description: 'Every container runs under seccomp RuntimeDefault or a Localhost profile, set on the container or the pod.',
  controls: ['pss-restricted/seccomp', 'cis/5.7.2', 'nsa/pod-security'],
  remediation: 'Set securityContext.seccompProfile.type: RuntimeDefault on the pod.',
}, (c, pod) => {
  if (isWindows(pod)) return [];
  const { value, path } = effective(c, pod, 'seccompProfile');
  // Unconfined is baseline's finding (seccomp-not-unconfined): reported there, once.
  if (value?.type === 'Unconfined' || (value?.type !== undefined && CONFINED_PROFILES.has(value.type))) return [];
  return [at(value === undefined ? path : `${path}.type`, `${named(c)} must use seccomp RuntimeDefault or Localhost`)];
});

export const restrictedCapabilities = containerCheck({
  id: 'restricted-capabilities',
  title: 'Capabilities dropped',
  description: 'Every container drops ALL capabilities and adds back at most NET_BIND_SERVICE.',
  controls: ['pss-restricted/capabilities', 'cis/5.2.8', 'cis/5.2.9', 'cis/5.2.10'],
  remediation: 'Set securityContext.capabilities.drop: [ALL]; add back only NET_BIND_SERVICE, if the container binds a port below 1024.',
}, (c, pod) => {
  if (isWindows(pod)) return [];
  const caps = c.container.securityContext?.capabilities;
  const problems: Violation[] = [];
  if (!(caps?.drop ?? []).includes('ALL')) problems.push(at(`${c.path}.securityContext.capabilities.drop`, `${named(c)} must drop ALL capabilities`));
  (caps?.add ?? []).forEach((cap, i) => {
    // A capability beyond the runtime's defaults is baseline's finding; restricted reports the rest.
    if (withoutPrefix(cap) !== 'NET_BIND_SERVICE' && BASELINE_CAPABILITIES.has(withoutPrefix(cap))) {
      problems.push(at(`${c.path}.securityContext.capabilities.add[${i}]`, `${named(c)} adds capability ${cap}`));
    }
  });
  return problems;
});

/** Every Pod Security Standards control, baseline then restricted. */
export const POD_SECURITY_CHECKS: readonly Check[] = [
  hostProcess, hostNamespaces, privilegedContainers, baselineCapabilities, hostPathVolumes, hostPorts, appArmor, seLinux,
  procMount, seccompNotUnconfined, sysctls,
  volumeTypes, privilegeEscalation, runAsNonRoot, runAsNonRootUser, runAsNonRootGroup, seccompRestricted, restrictedCapabilities,
];

/** The ids of the PSS checks, for the policy rules that enforce the same controls at admission. */
export const POD_SECURITY_CHECK_IDS: readonly string[] = POD_SECURITY_CHECKS.map((c) => c.id);

