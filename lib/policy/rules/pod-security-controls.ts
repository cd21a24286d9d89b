import { BASELINE_CAPABILITIES, RESTRICTED_VOLUME_SOURCES, SAFE_SYSCTLS, SELINUX_TYPES } from '../../checks/pod-security';
import { JsonValue } from '../../manifest/yaml-emitter';
import { celStringList } from '../cel';
import { compliantPodSpec, securityContext, withContainer, withInitContainer, workload } from '../fixtures';
import { PolicyDefinition } from '../policy-definition';

/** A Rego set literal of strings. */
const regoSet = (values: Iterable<string>): string => `{${[...values].sort().map((v) => JSON.stringify(v)).join(', ')}}`;

/** The capabilities a container may add, with and without the CAP_ prefix (PSS accepts both spellings). */
const CAPABILITIES = [...BASELINE_CAPABILITIES].sort().flatMap((c) => [c, `CAP_${c}`]);
const SOURCES = [...RESTRICTED_VOLUME_SOURCES].sort();

/** `has(x.a) && has(x.a.b) …` for a field path under `root`. */
function hasPath(root: string, fields: readonly string[]): string {
  return fields.map((_, i) => `has(${[root, ...fields.slice(0, i + 1)].join('.')})`).join(' && ');
}

/** The SELinux options at `root` (a securityContext) keep to the container types and set no user or role. */
function seLinuxCel(root: string): string {
  const o = `${root}.seLinuxOptions`;
  const types = celStringList([...SELINUX_TYPES].sort());
  return `!(${hasPath(root, ['seLinuxOptions'])}) || ((!has(${o}.type) || ${o}.type == '' || ${o}.type in ${types}) `
    + `&& (!has(${o}.user) || ${o}.user == '') && (!has(${o}.role) || ${o}.role == ''))`;
}

/** The seccomp profile at `root` (a securityContext) is not Unconfined. */
const notUnconfined = (root: string): string => `!(${hasPath(root, ['seccompProfile', 'type'])}) || ${root}.seccompProfile.type != 'Unconfined'`;

/** The AppArmor profile at `root` (a securityContext), when set, is RuntimeDefault or Localhost. */
const appArmorConfined = (root: string): string =>
  `!(${hasPath(root, ['appArmorProfile', 'type'])}) || ${root}.appArmorProfile.type in ['RuntimeDefault', 'Localhost']`;

/** `has(c.securityContext) && has(c.securityContext.<fields…>)`: the container sets the field. */
const containerSets = (fields: readonly string[]): string => `has(c.securityContext) && ${hasPath('c.securityContext', fields)}`;

/** A pod security context: the compliant one with `extra`. */
const podContext = (extra: Record<string, JsonValue>): PodSpecFields => ({
  securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' }, ...extra },
});

type PodSpecFields = { [key: string]: JsonValue };

/** A Deployment whose container adds `add` after dropping ALL. */
const adding = (add: string[]) => withContainer({ securityContext: securityContext({ capabilities: { drop: ['ALL'], add } }) });

/**
 * The Pod Security Standards controls the other rules leave out, so that admission enforces the
 * standard in full: HostProcess, capabilities beyond the runtime defaults, AppArmor, SELinux, the
 * /proc mount, seccomp Unconfined, unsafe sysctls, volume types, and group 0. The allowed values
 * are the checks' own tables (lib/checks/pod-security.ts).
 */
export const podSecurityControls: PolicyDefinition = {
  id: 'pod-security-controls',
  kind: 'PodSecurityControls',
  description: 'Pod Security Standards in full beside the other rules: no Windows HostProcess, capabilities only from the runtime defaults, '
    + 'AppArmor and SELinux not relaxed, the default /proc mount, no seccomp Unconfined, safe sysctls only, core volume types only, '
    + 'never group 0.',
  synthChecks: ['host-process', 'baseline-capabilities', 'apparmor', 'selinux', 'proc-mount', 'seccomp-not-unconfined', 'sysctls',
    'volume-types', 'run-as-non-root-group'],
  parameters: () => undefined,
  rego: `baseline_capabilities := ${regoSet(BASELINE_CAPABILITIES)}

safe_sysctls := ${regoSet(SAFE_SYSCTLS)}

selinux_types := ${regoSet(SELINUX_TYPES)}

volume_sources := ${regoSet(RESTRICTED_VOLUME_SOURCES)}

confined_profiles := {"RuntimeDefault", "Localhost"}

pod_annotations = object.get(obj.metadata, "annotations", {}) {
  obj.kind == "Pod"
}

pod_annotations = object.get(object.get(obj.spec.template, "metadata", {}), "annotations", {}) {
  template_kinds[obj.kind]
}

pod_annotations = object.get(object.get(obj.spec.jobTemplate.spec.template, "metadata", {}), "annotations", {}) {
  obj.kind == "CronJob"
}

# The security contexts of the pod and of each container, each with who it belongs to.
contexts[[who, sc]] {
  sc := pod_spec.securityContext
  who := "the pod"
}

contexts[[who, sc]] {
  c := containers[_]
  sc := c.securityContext
  who := sprintf("container %v", [c.name])
}

violation[{"msg": msg}] {
  [who, sc] := contexts[_]
  sc.windowsOptions.hostProcess == true
  msg := sprintf("%v: %v is a Windows HostProcess container", [subject, who])
}

violation[{"msg": msg}] {
  c := containers[_]
  capability := c.securityContext.capabilities.add[_]
  not baseline_capabilities[trim_prefix(capability, "CAP_")]
  msg := sprintf("%v: container %v adds capability %v, beyond the runtime defaults", [subject, c.name, capability])
}

violation[{"msg": msg}] {
  [who, sc] := contexts[_]
  type := sc.appArmorProfile.type
  not confined_profiles[type]
  msg := sprintf("%v: %v sets AppArmor profile %v", [subject, who, type])
}

violation[{"msg": msg}] {
  value := pod_annotations[key]
  startswith(key, "container.apparmor.security.beta.kubernetes.io/")
  value != "runtime/default"
  not startswith(value, "localhost/")
  msg := sprintf("%v: annotation %v sets AppArmor profile %v", [subject, key, value])
}

violation[{"msg": msg}] {
  [who, sc] := contexts[_]
  type := sc.seLinuxOptions.type
  type != ""
  not selinux_types[type]
  msg := sprintf("%v: %v sets SELinux type %v", [subject, who, type])
}

violation[{"msg": msg}] {
  [who, sc] := contexts[_]
  field := {"user", "role"}[_]
  value := sc.seLinuxOptions[field]
  value != ""
  msg := sprintf("%v: %v sets SELinux %v %v", [subject, who, field, value])
}

violation[{"msg": msg}] {
  c := containers[_]
  c.securityContext.procMount != "Default"
  msg := sprintf("%v: container %v sets procMount %v", [subject, c.name, c.securityContext.procMount])
}

violation[{"msg": msg}] {
  [who, sc] := contexts[_]
  sc.seccompProfile.type == "Unconfined"
  msg := sprintf("%v: %v sets seccomp profile Unconfined", [subject, who])
}

violation[{"msg": msg}] {
  sysctl := pod_spec.securityContext.sysctls[_]
  not safe_sysctls[sysctl.name]
  msg := sprintf("%v sets the unsafe sysctl %v", [subject, sysctl.name])
}

violation[{"msg": msg}] {
  volume := pod_spec.volumes[_]
  volume[source]
  source != "name"
  source != "hostPath"
  not volume_sources[source]
  msg := sprintf("%v: volume %v is of type %v", [subject, volume.name, source])
}

violation[{"msg": msg}] {
  [who, sc] := contexts[_]
  field := {"runAsGroup", "fsGroup"}[_]
  sc[field] == 0
  msg := sprintf("%v: %v sets %v 0", [subject, who, field])
}

violation[{"msg": msg}] {
  pod_spec.securityContext.supplementalGroups[_] == 0
  msg := sprintf("%v adds supplemental group 0", [subject])
}`,
  admission: {
    validations: [
      {
        expression: `!(${hasPath('variables.podSpec', ['securityContext', 'windowsOptions', 'hostProcess'])} `
          + '&& variables.podSpec.securityContext.windowsOptions.hostProcess) '
          + `&& variables.containers.all(c, !(${containerSets(['windowsOptions', 'hostProcess'])} && c.securityContext.windowsOptions.hostProcess))`,
        message: 'no Windows HostProcess containers',
      },
      {
        expression: `variables.containers.all(c, !(${containerSets(['capabilities', 'add'])}) `
          + `|| c.securityContext.capabilities.add.all(cap, cap in ${celStringList(CAPABILITIES)}))`,
        message: 'containers may add only the runtime\'s default capabilities',
      },
      {
        expression: `(!has(variables.podSpec.securityContext) || ${appArmorConfined('variables.podSpec.securityContext')}) `
          + `&& variables.containers.all(c, !has(c.securityContext) || ${appArmorConfined('c.securityContext')})`,
        message: 'AppArmor profiles may only be RuntimeDefault or Localhost',
      },
      {
        expression: `(!has(variables.podSpec.securityContext) || ${seLinuxCel('variables.podSpec.securityContext')}) `
          + `&& variables.containers.all(c, !has(c.securityContext) || ${seLinuxCel('c.securityContext')})`,
        message: 'SELinux options may set only a container type, never a user or role',
      },
      {
        expression: `variables.containers.all(c, !(${containerSets(['procMount'])}) || c.securityContext.procMount == 'Default')`,
        message: 'containers keep the default /proc mount',
      },
      {
        expression: `(!has(variables.podSpec.securityContext) || ${notUnconfined('variables.podSpec.securityContext')}) `
          + `&& variables.containers.all(c, !has(c.securityContext) || ${notUnconfined('c.securityContext')})`,
        message: 'seccomp may not be Unconfined',
      },
      {
        expression: `!(${hasPath('variables.podSpec', ['securityContext', 'sysctls'])}) `
          + `|| variables.podSpec.securityContext.sysctls.all(s, s.name in ${celStringList([...SAFE_SYSCTLS].sort())})`,
        message: 'pods may set only the safe sysctls',
      },
      {
        expression: '!has(variables.podSpec.volumes) '
          + `|| variables.podSpec.volumes.all(v, has(v.hostPath) || ${SOURCES.map((s) => `has(v.${s})`).join(' || ')})`,
        message: `volumes may only be of the core types (${SOURCES.join(', ')})`,
      },
      {
        expression: '!has(variables.podSpec.securityContext) || ((!has(variables.podSpec.securityContext.runAsGroup) '
          + '|| variables.podSpec.securityContext.runAsGroup != 0) && (!has(variables.podSpec.securityContext.fsGroup) '
          + '|| variables.podSpec.securityContext.fsGroup != 0) && (!has(variables.podSpec.securityContext.supplementalGroups) '
          + '|| !(0 in variables.podSpec.securityContext.supplementalGroups)))',
        message: 'pods may not run as group 0',
      },
      {
        expression: `variables.containers.all(c, !(${containerSets(['runAsGroup'])}) || c.securityContext.runAsGroup != 0)`,
        message: 'containers may not run as group 0',
      },
    ],
  },
  cases: [
    { name: 'compliant-deployment', object: workload(), violations: 0 },
    { name: 'compliant-cronjob', object: workload({ kind: 'CronJob' }), violations: 0 },
    { name: 'net-bind-service-and-chown', object: adding(['NET_BIND_SERVICE', 'CAP_CHOWN']), violations: 0 },
    { name: 'host-process', object: withContainer({ securityContext: securityContext({ windowsOptions: { hostProcess: true } }) }), violations: 1 },
    { name: 'sys-admin', object: adding(['SYS_ADMIN']), violations: 1 },
    {
      name: 'apparmor-unconfined',
      object: withContainer({ securityContext: securityContext({ appArmorProfile: { type: 'Unconfined' } }) }),
      violations: 1,
    },
    { name: 'selinux-spc', object: withInitContainer({ securityContext: securityContext({ seLinuxOptions: { type: 'spc_t' } }) }), violations: 1 },
    { name: 'proc-unmasked', object: withContainer({ securityContext: securityContext({ procMount: 'Unmasked' }) }, 'StatefulSet'), violations: 1 },
    {
      name: 'seccomp-unconfined-pod',
      object: workload({ podSpec: compliantPodSpec(podContext({ seccompProfile: { type: 'Unconfined' } })) }),
      violations: 1,
    },
    {
      name: 'unsafe-sysctl',
      object: workload({ kind: 'Pod', podSpec: compliantPodSpec(podContext({ sysctls: [{ name: 'kernel.msgmax', value: '65536' }] })) }),
      violations: 1,
    },
    {
      name: 'nfs-volume',
      object: workload({ podSpec: compliantPodSpec({ volumes: [{ name: 'shared', nfs: { server: 'nfs.example.com', path: '/exports' } }] }) }),
      violations: 1,
    },
    {
      name: 'fs-group-0',
      object: workload({ kind: 'Job', podSpec: compliantPodSpec(podContext({ fsGroup: 0 })) }),
      violations: 1,
    },
  ],
};
