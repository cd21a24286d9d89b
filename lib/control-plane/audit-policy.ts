/**
 * The API server's audit policy (`kube-apiserver --audit-policy-file`). Rules are evaluated in
 * order and the first match decides, so the rule logging Secrets at Metadata level comes before
 * every rule that logs request or response bodies: a Secret's value never reaches the audit log,
 * whoever reads or writes it.
 */

export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';

export type AuditRule = {
  readonly level: AuditLevel;
  readonly users?: readonly string[];
  readonly userGroups?: readonly string[];
  readonly verbs?: readonly string[];
  readonly resources?: readonly { readonly group: string; readonly resources?: readonly string[] }[];
  readonly nonResourceURLs?: readonly string[];
};

export const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'] as const;

/** Kinds whose bodies hold credentials or may: logged without request or response body. */
export const SENSITIVE_RESOURCES: readonly { readonly group: string; readonly resources: readonly string[] }[] = [
  { group: '', resources: ['secrets', 'configmaps', 'serviceaccounts/token'] },
  { group: 'authentication.k8s.io', resources: ['tokenreviews'] },
];

export const AUDIT_RULES: readonly AuditRule[] = [
  // Probes and version checks: noise.
  { level: 'None', nonResourceURLs: ['/healthz*', '/livez*', '/readyz*', '/version'] },
  // kube-proxy watches services and endpoints all day.
  {
    level: 'None',
    users: ['system:kube-proxy'],
    verbs: ['watch'],
    resources: [{ group: '', resources: ['endpoints', 'services', 'services/status'] }, { group: 'discovery.k8s.io', resources: ['endpointslices'] }],
  },
  // Node heartbeats.
  { level: 'None', userGroups: ['system:nodes'], verbs: ['get', 'update'], resources: [{ group: 'coordination.k8s.io', resources: ['leases'] }] },
  // Events are their own record.
  { level: 'None', resources: [{ group: '', resources: ['events'] }, { group: 'events.k8s.io', resources: ['events'] }] },
  // Who touched a Secret (or a ConfigMap, a token), never what it holds.
  { level: 'Metadata', resources: SENSITIVE_RESOURCES },
  // Changes to who may do what, with the full request and response.
  { level: 'RequestResponse', verbs: WRITE_VERBS, resources: [{ group: 'rbac.authorization.k8s.io' }] },
  // Every other change, with its request body.
  { level: 'Request', verbs: WRITE_VERBS },
  // Every other read: who, what, when.
  { level: 'Metadata' },
];

/** The audit.k8s.io/v1 Policy document. */
export function auditPolicy(): Record<string, unknown> {
  return {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    // RequestReceived duplicates ResponseComplete for every request.
    omitStages: ['RequestReceived'],
    omitManagedFields: true,
    rules: AUDIT_RULES.map((r) => ({
      level: r.level,
      ...(r.users ? { users: [...r.users] } : {}),
      ...(r.userGroups ? { userGroups: [...r.userGroups] } : {}),
      ...(r.verbs ? { verbs: [...r.verbs] } : {}),
      ...(r.resources ? { resources: r.resources.map((g) => ({ group: g.group, ...(g.resources ? { resources: [...g.resources] } : {}) })) } : {}),
      ...(r.nonResourceURLs ? { nonResourceURLs: [...r.nonResourceURLs] } : {}),
    })),
  };
}
