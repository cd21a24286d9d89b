import { compliantContainer, compliantPodSpec, securityContext, withContainer, withInitContainer, workload } from '../fixtures';
import { PolicyDefinition } from '../policy-definition';

/** A container field set on the container, or else inherited from the pod (CEL). */
const inherited = (field: string, test: (v: string) => string, absent: string): string =>
  `(has(c.securityContext) && has(c.securityContext.${field})) ? ${test(`c.securityContext.${field}`)} : `
  + `(has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.${field}) ? `
  + `${test(`variables.podSpec.securityContext.${field}`)} : ${absent})`;

/** A container that leaves runAsNonRoot and seccompProfile to the pod. */
const podLevelContainer = () =>
  compliantContainer('app', { securityContext: securityContext({ runAsNonRoot: undefined, seccompProfile: undefined }) });

export const podSecurityRestricted: PolicyDefinition = {
  id: 'pod-security-restricted',
  kind: 'PodSecurityRestricted',
  description: 'Pod Security Standards restricted essentials: no privilege escalation, non-root, never uid 0, '
    + 'all capabilities dropped (only NET_BIND_SERVICE may be added), seccomp RuntimeDefault or Localhost.',
  synthChecks: ['privilege-escalation', 'run-as-non-root', 'run-as-non-root-user', 'restricted-capabilities', 'seccomp-restricted'],
  parameters: () => undefined,
  rego: `container_context(c, key) = value {
  value := object.get(object.get(c, "securityContext", {}), key, null)
}

pod_context(key) = value {
  value := object.get(object.get(pod_spec, "securityContext", {}), key, null)
}

# A field of the container's securityContext, or else the pod's.
effective(c, key) = value {
  value := container_context(c, key)
  value != null
}

effective(c, key) = value {
  container_context(c, key) == null
  value := pod_context(key)
}

violation[{"msg": msg}] {
  c := containers[_]
  not container_context(c, "allowPrivilegeEscalation") == false
  msg := sprintf("%v: container %v must set securityContext.allowPrivilegeEscalation: false", [subject, c.name])
}

violation[{"msg": msg}] {
  c := containers[_]
  not effective(c, "runAsNonRoot") == true
  msg := sprintf("%v: container %v must run as non-root (runAsNonRoot: true on the container or the pod)", [subject, c.name])
}

violation[{"msg": msg}] {
  c := containers[_]
  effective(c, "runAsUser") == 0
  msg := sprintf("%v: container %v runs as uid 0", [subject, c.name])
}

violation[{"msg": msg}] {
  c := containers[_]
  not drops_all(c)
  msg := sprintf("%v: container %v must drop ALL capabilities", [subject, c.name])
}

drops_all(c) {
  c.securityContext.capabilities.drop[_] == "ALL"
}

violation[{"msg": msg}] {
  c := containers[_]
  capability := c.securityContext.capabilities.add[_]
  capability != "NET_BIND_SERVICE"
  msg := sprintf("%v: container %v adds capability %v (only NET_BIND_SERVICE is allowed)", [subject, c.name, capability])
}

violation[{"msg": msg}] {
  c := containers[_]
  not seccomp_restricted(c)
  msg := sprintf("%v: container %v must use seccomp profile RuntimeDefault or Localhost", [subject, c.name])
}

seccomp_restricted(c) {
  profile := effective(c, "seccompProfile")
  {"RuntimeDefault", "Localhost"}[profile.type]
}`,
  admission: {
    validations: [
      {
        expression: 'variables.containers.all(c, has(c.securityContext) && has(c.securityContext.allowPrivilegeEscalation) '
          + '&& c.securityContext.allowPrivilegeEscalation == false)',
        message: 'every container must set securityContext.allowPrivilegeEscalation: false',
      },
      {
        expression: `variables.containers.all(c, ${inherited('runAsNonRoot', (v) => v, 'false')})`,
        message: 'every container must run as non-root (runAsNonRoot: true on the container or the pod)',
      },
      {
        expression: `variables.containers.all(c, ${inherited('runAsUser', (v) => `${v} != 0`, 'true')})`,
        message: 'no container may run as uid 0',
      },
      {
        expression: 'variables.containers.all(c, has(c.securityContext) && has(c.securityContext.capabilities) '
          + "&& has(c.securityContext.capabilities.drop) && c.securityContext.capabilities.drop.exists(d, d == 'ALL'))",
        message: 'every container must drop ALL capabilities',
      },
      {
        expression: 'variables.containers.all(c, !(has(c.securityContext) && has(c.securityContext.capabilities) '
          + "&& has(c.securityContext.capabilities.add)) || c.securityContext.capabilities.add.all(a, a == 'NET_BIND_SERVICE'))",
        message: 'containers may add only the NET_BIND_SERVICE capability',
      },
      {
        expression: `variables.containers.all(c, ${inherited('seccompProfile', (v) => `${v}.type in ['RuntimeDefault', 'Localhost']`, 'false')})`,
        message: 'every container must use seccomp profile RuntimeDefault or Localhost',
      },
    ],
  },
  cases: [
    { name: 'restricted-deployment', object: workload(), violations: 0 },
    { name: 'restricted-rollout', object: workload({ kind: 'Rollout' }), violations: 0 },
    {
      name: 'rollout-escalation',
      object: withContainer({ securityContext: securityContext({ allowPrivilegeEscalation: true }) }, 'Rollout'),
      violations: 1,
    },
    {
      name: 'settings-inherited-from-the-pod',
      object: workload({ kind: 'Pod', podSpec: compliantPodSpec({ containers: [podLevelContainer()] }) }),
      violations: 0,
    },
    {
      name: 'net-bind-service-added',
      object: withContainer({ securityContext: securityContext({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }) }),
      violations: 0,
    },
    { name: 'privilege-escalation', object: withContainer({ securityContext: securityContext({ allowPrivilegeEscalation: true }) }), violations: 1 },
    { name: 'no-security-context', object: withContainer({ securityContext: {} }, 'StatefulSet'), violations: 2 },
    {
      name: 'nothing-set-anywhere',
      object: workload({ kind: 'Pod', podSpec: { containers: [podLevelContainer()] } }),
      violations: 2,
    },
    { name: 'runs-as-uid-0', object: withContainer({ securityContext: securityContext({ runAsUser: 0 }) }), violations: 1 },
    {
      name: 'adds-sys-admin',
      object: withContainer({ securityContext: securityContext({ capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } }) }, 'DaemonSet'),
      violations: 1,
    },
    {
      name: 'seccomp-unconfined',
      object: withContainer({ securityContext: securityContext({ seccompProfile: { type: 'Unconfined' } }) }),
      violations: 1,
    },
    {
      name: 'init-container-escalates',
      object: withInitContainer({ securityContext: securityContext({ allowPrivilegeEscalation: true }) }, 'CronJob'),
      violations: 1,
    },
  ],
};
