import { PRIVILEGE_ESCALATION_VERBS } from '../manifest/rbac';
import { at, Check, Violation } from './check';

interface RuleView {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly verbs?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

interface SubjectView {
  readonly kind?: string;
  readonly name?: string;
}

const ROLE_KINDS = new Set(['Role', 'ClusterRole']);
const BINDING_KINDS = new Set(['RoleBinding', 'ClusterRoleBinding']);
const PRIVILEGED_ROLES = new Set(['cluster-admin', 'admin', 'edit']);
const READ_SECRET_VERBS = ['get', 'list', 'watch'];

type RuleCheckDefinition = Omit<Check, 'inspect' | 'kinds' | 'profile' | 'severity'> & { readonly severity?: Check['severity'] };

/** A check of each rule of each Role and ClusterRole: `judge` returns the messages of one rule. */
function ruleCheck(definition: RuleCheckDefinition, judge: (rule: RuleView) => readonly string[]): Check {
  return {
    severity: 'error',
    profile: 'generic',
    ...definition,
    kinds: ROLE_KINDS,
    inspect(object) {
      if (!ROLE_KINDS.has(object.kind)) return [];
      const rules = (object.rules as readonly RuleView[] | undefined) ?? [];
      return rules.flatMap((r, i) => judge(r).map((message) => at(`rules[${i}]`, `rule ${i} ${message}`)));
    },
  };
}

/** Whether a rule grants one of `verbs` on `resource` of the core group (wildcards count). */
function grants(rule: RuleView, group: string, resource: string, verbs: readonly string[]): boolean {
  const inGroup = (rule.apiGroups ?? []).some((g) => g === group || g === '*');
  const onResource = (rule.resources ?? []).some((r) => r === resource || r === '*');
  const withVerb = (rule.verbs ?? []).some((v) => v === '*' || verbs.includes(v));
  return inGroup && onResource && withVerb;
}

export const rbacNoWildcards = ruleCheck({
  id: 'rbac-no-wildcards',
  title: 'No RBAC wildcards',
  description: 'Roles name every API group, resource and verb: no "*" anywhere.',
  controls: ['cis/5.1.3', 'nsa/rbac'],
  remediation: 'List the API groups, resources and verbs the subject needs instead of "*".',
}, (r) => (['apiGroups', 'resources', 'verbs', 'resourceNames', 'nonResourceURLs'] as const)
  .filter((field) => (r[field] ?? []).some((v) => v.includes('*'))).map((field) => `uses "*" in ${field}`));

export const rbacNoEscalation = ruleCheck({
  id: 'rbac-no-escalation',
  title: 'No escalate, bind or impersonate',
  description: 'No role grants escalate, bind or impersonate, with which a subject can give itself any permission.',
  controls: ['cis/5.1.8', 'nsa/rbac'],
  remediation: 'Remove escalate, bind and impersonate from the rule\'s verbs.',
}, (r) => {
  const dangerous = (r.verbs ?? []).filter((v) => PRIVILEGE_ESCALATION_VERBS.includes(v));
  return dangerous.length > 0 ? [`grants ${dangerous.join(', ')}`] : [];
});

export const rbacSecretsAccess = ruleCheck({
  id: 'rbac-secrets-access',
  title: 'Secrets access is narrow',
  description: 'A role that reads Secrets names them (resourceNames): no get, list or watch of every Secret of a namespace.',
  controls: ['cis/5.1.2', 'nsa/rbac'],
  remediation: 'Add resourceNames with the Secrets the subject reads, or mount the Secret instead of reading it from the API.',
}, (r) => (grants(r, '', 'secrets', READ_SECRET_VERBS) && (r.resourceNames ?? []).length === 0 ? ['reads every Secret (no resourceNames)'] : []));

export const rbacPodExec = ruleCheck({
  id: 'rbac-pod-exec',
  title: 'No exec, attach or port-forward',
  description: 'No role grants pods/exec, pods/attach or pods/portforward, which run commands in or tunnel into other workloads.',
  controls: ['nsa/rbac'],
  remediation: 'Remove pods/exec, pods/attach and pods/portforward from the rule; '
    + 'debug through logs and ephemeral containers with a break-glass role.',
}, (r) => ['pods/exec', 'pods/attach', 'pods/portforward'].filter((sub) => grants(r, '', sub, ['create', 'get']))
  .map((sub) => `grants ${sub}`));

/** Resources whose create runs arbitrary pods. */
const POD_CREATORS = [
  ['', 'pods'], ['apps', 'deployments'], ['apps', 'statefulsets'], ['apps', 'daemonsets'], ['apps', 'replicasets'],
  ['batch', 'jobs'], ['batch', 'cronjobs'],
] as const;

export const rbacPodCreation = ruleCheck({
  id: 'rbac-pod-creation',
  title: 'No pod creation',
  description: 'No role lets its subject create pods or the workloads that create them: '
    + 'it could run any image under any service account of the namespace.',
  controls: ['cis/5.1.4', 'nsa/rbac'],
  remediation: 'Let the delivery pipeline (Argo CD, Helm) create workloads; remove create on pods and workload kinds from the role.',
}, (r) => POD_CREATORS.filter(([group, resource]) => grants(r, group, resource, ['create']))
  .map(([group, resource]) => `grants create on ${group === '' ? '' : `${group}/`}${resource}`));

export const rbacTokenCreation = ruleCheck({
  id: 'rbac-token-creation',
  title: 'No token creation',
  description: 'No role grants create on serviceaccounts/token for every service account of a namespace (without resourceNames): '
    + 'it mints tokens of other identities.',
  controls: ['cis/5.1.13', 'nsa/rbac'],
  remediation: 'Name the one service account whose tokens the subject mints (resourceNames), or use projected service account tokens.',
}, (r) => (grants(r, '', 'serviceaccounts/token', ['create']) && (r.resourceNames ?? []).length === 0
  ? ['grants create on serviceaccounts/token of every service account'] : []));

export const rbacSecretsNeedReason: Check = {
  id: 'rbac-secrets-need-reason',
  title: 'Secrets grants say why',
  description: 'A Role that reads or writes Secrets says why (bulwark.dev/grants annotation).',
  severity: 'error',
  profile: 'bulwark',
  controls: ['cis/5.1.2'],
  remediation: 'Give the grant a reason in the overlay (permissions[].reason); the construct writes the annotation.',
  kinds: ROLE_KINDS,
  inspect(object) {
    if (!ROLE_KINDS.has(object.kind)) return [];
    const rules = (object.rules as readonly RuleView[] | undefined) ?? [];
    const touchesSecrets = rules.some((r) => (r.resources ?? []).includes('secrets'));
    const grants = object.metadata.annotations?.['bulwark.dev/grants'] ?? '';
    return touchesSecrets && !/secrets[^\n]*: \S/.test(grants) ? [at('metadata.annotations', 'grants access to secrets without a reason')] : [];
  },
};

export const rbacClusterAdminBindings: Check = {
  id: 'rbac-cluster-admin-bindings',
  title: 'No built-in admin roles bound',
  description: 'No binding hands out cluster-admin, admin or edit, and none binds the system:masters group.',
  severity: 'error',
  profile: 'generic',
  controls: ['cis/5.1.1', 'cis/5.1.7', 'nsa/rbac'],
  remediation: 'Bind a Role that lists what the subject needs instead of a built-in admin role.',
  kinds: BINDING_KINDS,
  inspect(object) {
    if (!BINDING_KINDS.has(object.kind)) return [];
    const roleRef = object.roleRef as { kind?: string; name?: string } | undefined;
    const problems: Violation[] = [];
    if (roleRef?.kind === 'ClusterRole' && PRIVILEGED_ROLES.has(roleRef.name ?? '')) {
      problems.push(at('roleRef.name', `binds the built-in ClusterRole ${roleRef.name}`));
    }
    ((object.subjects as readonly SubjectView[] | undefined) ?? []).forEach((s, i) => {
      if (s.kind === 'Group' && s.name === 'system:masters') problems.push(at(`subjects[${i}]`, 'binds the system:masters group'));
    });
    return problems;
  },
};

export const rbacNoClusterBindings: Check = {
  id: 'rbac-no-cluster-bindings',
  title: 'Namespaced access only',
  description: 'No ClusterRoleBinding: the platform\'s access is namespaced and explicit.',
  severity: 'error',
  profile: 'bulwark',
  controls: ['nsa/rbac'],
  remediation: 'Bind the role in each namespace it is needed with a RoleBinding.',
  kinds: new Set(['ClusterRoleBinding']),
  inspect(object) {
    return object.kind === 'ClusterRoleBinding' ? [at('kind', 'cluster-wide binding')] : [];
  },
};
