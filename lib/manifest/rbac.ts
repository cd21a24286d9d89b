/**
 * RBAC verbs, once: what an overlay may grant, what the workload role construct accepts, and
 * what the checks refuse.
 */

/** The verbs a component may be granted (`permissions[].verbs` of an overlay). */
export const RBAC_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] as const;
export type RbacVerb = (typeof RBAC_VERBS)[number];

/** The verbs of a read-only grant. */
export const READ_VERBS: readonly RbacVerb[] = ['get', 'list', 'watch'];

/** Verbs that hand out more than they name: whoever holds them can gain any permission. */
export const PRIVILEGE_ESCALATION_VERBS: readonly string[] = ['escalate', 'bind', 'impersonate'];
