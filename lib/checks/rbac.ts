import { PRIVILEGE_ESCALATION_VERBS } from '../manifest/rbac';
import { Check } from './check';

interface RuleView {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly verbs?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

const ROLE_KINDS = new Set(['Role', 'ClusterRole']);
const BINDING_KINDS = new Set(['RoleBinding', 'ClusterRoleBinding']);
const PRIVILEGED_ROLES = new Set(['cluster-admin', 'admin', 'edit']);

export const rbacNoWildcards: Check = {
  id: 'rbac-no-wildcards',
  description: 'Roles name every API group, resource and verb: no "*" anywhere, no escalate/bind/impersonate.',
  severity: 'error',
  kinds: ROLE_KINDS,
  inspect(object) {
    if (!ROLE_KINDS.has(object.kind)) return [];
    const rules = (object.rules as readonly RuleView[] | undefined) ?? [];
    return rules.flatMap((r, i) => {
      const problems: string[] = [];
      for (const field of ['apiGroups', 'resources', 'verbs', 'resourceNames', 'nonResourceURLs'] as const) {
        if ((r[field] ?? []).some((v) => v.includes('*'))) problems.push(`rule ${i} uses "*" in ${field}`);
      }
      const dangerous = (r.verbs ?? []).filter((v) => PRIVILEGE_ESCALATION_VERBS.includes(v));
      if (dangerous.length > 0) problems.push(`rule ${i} grants ${dangerous.join(', ')}`);
      return problems;
    });
  },
};

export const rbacSecretsNeedReason: Check = {
  id: 'rbac-secrets-need-reason',
  description: 'A Role that reads or writes Secrets says why (bulwark.dev/grants annotation).',
  severity: 'error',
  kinds: ROLE_KINDS,
  inspect(object) {
    if (!ROLE_KINDS.has(object.kind)) return [];
    const rules = (object.rules as readonly RuleView[] | undefined) ?? [];
    const touchesSecrets = rules.some((r) => (r.resources ?? []).includes('secrets'));
    const grants = object.metadata.annotations?.['bulwark.dev/grants'] ?? '';
    return touchesSecrets && !/secrets[^\n]*: \S/.test(grants) ? ['grants access to secrets without a reason'] : [];
  },
};

export const rbacNoPrivilegedBindings: Check = {
  id: 'rbac-no-privileged-bindings',
  description: 'No binding to cluster-admin, admin or edit, and no ClusterRoleBinding at all: access is namespaced and explicit.',
  severity: 'error',
  kinds: BINDING_KINDS,
  inspect(object) {
    if (!BINDING_KINDS.has(object.kind)) return [];
    const roleRef = object.roleRef as { kind?: string; name?: string } | undefined;
    const problems: string[] = [];
    if (object.kind === 'ClusterRoleBinding') problems.push('cluster-wide binding');
    if (roleRef?.kind === 'ClusterRole' && PRIVILEGED_ROLES.has(roleRef.name ?? '')) problems.push(`binds the built-in ClusterRole ${roleRef.name}`);
    return problems;
  },
};
