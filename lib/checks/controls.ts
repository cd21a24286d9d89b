/**
 * The controls checks map to, one table: Pod Security Standards items by name (baseline and
 * restricted, https://kubernetes.io/docs/concepts/security/pod-security-standards/), the CIS
 * Kubernetes Benchmark's section 5 items a manifest can show (v1.9), and the NSA/CISA Kubernetes
 * Hardening Guidance (v1.2) sections. A check names control ids; the README, the report and the
 * SARIF rules read titles from here.
 */
export type Framework = 'pss-baseline' | 'pss-restricted' | 'cis' | 'nsa';

export interface Control {
  readonly framework: Framework;
  /** What the framework calls it: `Host Namespaces`, `5.2.2`, `Pod security: non-root containers`. */
  readonly ref: string;
  readonly title: string;
}

export const FRAMEWORK_TITLES: Readonly<Record<Framework, string>> = {
  'pss-baseline': 'Pod Security Standards, baseline',
  'pss-restricted': 'Pod Security Standards, restricted',
  cis: 'CIS Kubernetes Benchmark v1.9, section 5 (policies)',
  nsa: 'NSA/CISA Kubernetes Hardening Guidance v1.2',
};

const pssBaseline = (title: string): Control => ({ framework: 'pss-baseline', ref: title, title });
const pssRestricted = (title: string): Control => ({ framework: 'pss-restricted', ref: title, title });
const cis = (ref: string, title: string): Control => ({ framework: 'cis', ref, title });
const nsa = (title: string): Control => ({ framework: 'nsa', ref: title, title });

export const CONTROLS = {
  'pss-baseline/host-process': pssBaseline('HostProcess'),
  'pss-baseline/host-namespaces': pssBaseline('Host Namespaces'),
  'pss-baseline/privileged': pssBaseline('Privileged Containers'),
  'pss-baseline/capabilities': pssBaseline('Capabilities'),
  'pss-baseline/host-path': pssBaseline('HostPath Volumes'),
  'pss-baseline/host-ports': pssBaseline('Host Ports'),
  'pss-baseline/apparmor': pssBaseline('AppArmor'),
  'pss-baseline/selinux': pssBaseline('SELinux'),
  'pss-baseline/proc-mount': pssBaseline('/proc Mount Type'),
  'pss-baseline/seccomp': pssBaseline('Seccomp'),
  'pss-baseline/sysctls': pssBaseline('Sysctls'),
  'pss-restricted/volume-types': pssRestricted('Volume Types'),
  'pss-restricted/privilege-escalation': pssRestricted('Privilege Escalation'),
  'pss-restricted/non-root': pssRestricted('Running as Non-root'),
  'pss-restricted/non-root-user': pssRestricted('Running as Non-root user'),
  'pss-restricted/seccomp': pssRestricted('Seccomp'),
  'pss-restricted/capabilities': pssRestricted('Capabilities'),
  'cis/5.1.1': cis('5.1.1', 'Ensure that the cluster-admin role is only used where required'),
  'cis/5.1.2': cis('5.1.2', 'Minimize access to secrets'),
  'cis/5.1.3': cis('5.1.3', 'Minimize wildcard use in Roles and ClusterRoles'),
  'cis/5.1.4': cis('5.1.4', 'Minimize access to create pods'),
  'cis/5.1.5': cis('5.1.5', 'Ensure that default service accounts are not actively used'),
  'cis/5.1.6': cis('5.1.6', 'Ensure that Service Account Tokens are only mounted where necessary'),
  'cis/5.1.7': cis('5.1.7', 'Avoid use of system:masters group'),
  'cis/5.1.8': cis('5.1.8', 'Limit use of the Bind, Impersonate and Escalate permissions in the Kubernetes cluster'),
  'cis/5.1.13': cis('5.1.13', 'Minimize access to the service account token creation'),
  'cis/5.2.2': cis('5.2.2', 'Minimize the admission of privileged containers'),
  'cis/5.2.3': cis('5.2.3', 'Minimize the admission of containers wishing to share the host process ID namespace'),
  'cis/5.2.4': cis('5.2.4', 'Minimize the admission of containers wishing to share the host IPC namespace'),
  'cis/5.2.5': cis('5.2.5', 'Minimize the admission of containers wishing to share the host network namespace'),
  'cis/5.2.6': cis('5.2.6', 'Minimize the admission of containers with allowPrivilegeEscalation'),
  'cis/5.2.7': cis('5.2.7', 'Minimize the admission of root containers'),
  'cis/5.2.8': cis('5.2.8', 'Minimize the admission of containers with the NET_RAW capability'),
  'cis/5.2.9': cis('5.2.9', 'Minimize the admission of containers with added capabilities'),
  'cis/5.2.10': cis('5.2.10', 'Minimize the admission of containers with capabilities assigned'),
  'cis/5.2.11': cis('5.2.11', 'Minimize the admission of Windows HostProcess containers'),
  'cis/5.2.12': cis('5.2.12', 'Minimize the admission of HostPath volumes'),
  'cis/5.2.13': cis('5.2.13', 'Minimize the admission of containers which use HostPorts'),
  'cis/5.3.2': cis('5.3.2', 'Ensure that all Namespaces have NetworkPolicies defined'),
  'cis/5.4.1': cis('5.4.1', 'Prefer using Secrets as files over Secrets as environment variables'),
  'cis/5.4.2': cis('5.4.2', 'Consider external secret storage'),
  'cis/5.7.2': cis('5.7.2', 'Ensure that the seccomp profile is set to docker/default in your Pod definitions'),
  'cis/5.7.3': cis('5.7.3', 'Apply SecurityContext to your Pods and Containers'),
  'cis/5.7.4': cis('5.7.4', 'The default namespace should not be used'),
  'nsa/non-root': nsa('Pod security: non-root containers'),
  'nsa/immutable-filesystem': nsa('Pod security: immutable container file systems'),
  'nsa/secure-images': nsa('Pod security: building secure container images'),
  'nsa/pod-security': nsa('Pod security: pod security enforcement'),
  'nsa/service-account-tokens': nsa('Pod security: protecting pod service account tokens'),
  'nsa/namespaces': nsa('Network separation: namespaces'),
  'nsa/network-policies': nsa('Network separation: network policies'),
  'nsa/resource-policies': nsa('Network separation: resource policies'),
  'nsa/secrets': nsa('Network separation: secrets'),
  'nsa/rbac': nsa('Authentication and authorization: role-based access control'),
  'nsa/application-security': nsa('Upgrading and application security practices'),
} as const satisfies Record<string, Control>;

export type ControlId = keyof typeof CONTROLS;
