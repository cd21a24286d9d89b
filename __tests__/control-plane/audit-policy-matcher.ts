import { AuditLevel, AuditRule } from '../../lib/control-plane/audit-policy';

/**
 * The API server's audit rule matching (k8s.io/apiserver pkg/audit/policy/checker.go), enough to
 * ask which level a request is logged at: the first matching rule decides; an empty list matches
 * everything; resource rules never match non-resource requests and the other way round.
 */
export interface AuditRequest {
  readonly user?: string;
  readonly groups?: readonly string[];
  readonly verb: string;
  /** A resource request: group, resource (with "/subresource"), namespace. */
  readonly resource?: { readonly group: string; readonly resource: string; readonly namespace?: string };
  /** A non-resource request path, e.g. /healthz. */
  readonly path?: string;
}

function matches(rule: AuditRule, r: AuditRequest): boolean {
  if (rule.users && !rule.users.includes(r.user ?? '')) return false;
  if (rule.userGroups && !rule.userGroups.some((g) => (r.groups ?? []).includes(g))) return false;
  if (rule.verbs && !rule.verbs.includes(r.verb)) return false;
  if (r.resource) {
    if (rule.nonResourceURLs) return false;
    if (!rule.resources) return true;
    return rule.resources.some((g) => g.group === r.resource!.group
      && (!g.resources || g.resources.some((name) => resourceMatches(name, r.resource!.resource))));
  }
  if (rule.resources) return false;
  if (!rule.nonResourceURLs) return true;
  return rule.nonResourceURLs.some((u) => (u.endsWith('*') ? r.path!.startsWith(u.slice(0, -1)) : r.path === u));
}

function resourceMatches(pattern: string, resource: string): boolean {
  if (pattern === resource) return true;
  const [name, sub] = resource.split('/');
  return pattern === `${name}/*` || (sub !== undefined && pattern === `*/${sub}`);
}

export function auditLevel(rules: readonly AuditRule[], r: AuditRequest): AuditLevel {
  return rules.find((rule) => matches(rule, r))?.level ?? 'None';
}
