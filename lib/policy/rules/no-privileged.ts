import { compliantPodSpec, securityContext, withContainer, workload } from '../fixtures';
import { PolicyDefinition } from '../policy-definition';

export const noPrivileged: PolicyDefinition = {
  id: 'no-privileged',
  kind: 'NoPrivileged',
  description: 'No privileged container, no host network, PID or IPC namespace, no hostPath volume, no hostPort.',
  synthChecks: ['privileged-containers', 'host-namespaces', 'host-path-volumes', 'host-ports'],
  parameters: () => undefined,
  rego: `violation[{"msg": msg}] {
  c := containers[_]
  c.securityContext.privileged == true
  msg := sprintf("%v: container %v is privileged", [subject, c.name])
}

violation[{"msg": msg}] {
  field := {"hostNetwork", "hostPID", "hostIPC"}[_]
  pod_spec[field] == true
  msg := sprintf("%v shares a host namespace (%v)", [subject, field])
}

violation[{"msg": msg}] {
  volume := pod_spec.volumes[_]
  volume.hostPath
  msg := sprintf("%v mounts the host path %v (volume %v)", [subject, volume.hostPath.path, volume.name])
}

violation[{"msg": msg}] {
  c := containers[_]
  port := c.ports[_]
  port.hostPort > 0
  msg := sprintf("%v: container %v binds host port %v", [subject, c.name, port.hostPort])
}`,
  admission: {
    validations: [
      {
        expression: 'variables.containers.all(c, !(has(c.securityContext) && has(c.securityContext.privileged) && c.securityContext.privileged))',
        message: 'no container may be privileged',
      },
      {
        expression: '!(has(variables.podSpec.hostNetwork) && variables.podSpec.hostNetwork) '
          + '&& !(has(variables.podSpec.hostPID) && variables.podSpec.hostPID) '
          + '&& !(has(variables.podSpec.hostIPC) && variables.podSpec.hostIPC)',
        message: 'pods may not share the host network, PID or IPC namespace',
      },
      {
        expression: '!has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, !has(v.hostPath))',
        message: 'pods may not mount hostPath volumes',
      },
      {
        expression: 'variables.containers.all(c, !has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == 0))',
        message: 'containers may not bind host ports',
      },
    ],
  },
  cases: [
    { name: 'unprivileged-deployment', object: workload(), violations: 0 },
    { name: 'unprivileged-daemonset', object: workload({ kind: 'DaemonSet' }), violations: 0 },
    { name: 'unprivileged-rollout', object: workload({ kind: 'Rollout' }), violations: 0 },
    { name: 'privileged-rollout', object: withContainer({ securityContext: securityContext({ privileged: true }) }, 'Rollout'), violations: 1 },
    { name: 'privileged-container', object: withContainer({ securityContext: securityContext({ privileged: true }) }), violations: 1 },
    {
      name: 'host-network-and-pid',
      object: workload({ kind: 'Pod', podSpec: compliantPodSpec({ hostNetwork: true, hostPID: true }) }),
      violations: 2,
    },
    {
      name: 'host-path-volume',
      object: workload({ podSpec: compliantPodSpec({ volumes: [{ name: 'docker', hostPath: { path: '/var/run/docker.sock' } }] }) }),
      violations: 1,
    },
    { name: 'host-port', object: withContainer({ ports: [{ containerPort: 8080, hostPort: 8080 }] }, 'Job'), violations: 1 },
  ],
};
