import { Check } from './check';
import { allContainers, POD_KINDS, podSpecOf } from './pod-spec';

/** Pod Security Standards "restricted", as the admission controller would judge it. */
export const podSecurityRestricted: Check = {
  id: 'pod-security-restricted',
  description: 'Pods meet Pod Security Standards restricted: non-root, no privilege escalation, capabilities dropped, '
    + 'RuntimeDefault seccomp, no host namespaces or hostPath.',
  severity: 'error',
  kinds: POD_KINDS,
  inspect(object) {
    const pod = podSpecOf(object);
    if (!pod) return [];
    const problems: string[] = [];
    if (pod.hostNetwork || pod.hostPID || pod.hostIPC) problems.push('uses host namespaces (hostNetwork/hostPID/hostIPC)');
    for (const v of pod.volumes ?? []) if (v.hostPath !== undefined) problems.push(`volume ${v.name} is a hostPath`);
    const podContext = pod.securityContext ?? {};
    if (podContext.runAsUser === 0) problems.push('pod runs as user 0');
    for (const c of allContainers(pod)) {
      const sc = c.securityContext ?? {};
      const where = `container ${c.name}`;
      if (sc.privileged) problems.push(`${where} is privileged`);
      if (sc.allowPrivilegeEscalation !== false) problems.push(`${where} must set allowPrivilegeEscalation: false`);
      if (!(sc.runAsNonRoot ?? podContext.runAsNonRoot)) problems.push(`${where} must run as non-root (runAsNonRoot: true)`);
      if (sc.runAsUser === 0) problems.push(`${where} runs as user 0`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where} must drop ALL capabilities`);
      const added = (sc.capabilities?.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE');
      if (added.length > 0) problems.push(`${where} adds capabilities ${added.join(', ')}`);
      const seccomp = sc.seccompProfile?.type ?? podContext.seccompProfile?.type;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${where} must use seccomp RuntimeDefault or Localhost`);
      if ((c.ports ?? []).some((p) => p.hostPort !== undefined)) problems.push(`${where} uses a hostPort`);
    }
    return problems;
  },
};
