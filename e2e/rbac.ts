/**
 * RBAC questions for the e2e tests: what each ServiceAccount of dist/ should and should not be
 * allowed to do, derived from the Roles, ClusterRoles, RoleBindings and ClusterRoleBindings of
 * dist/ (a role that a binding references but dist/ does not define, e.g. the built-in "view", is
 * read from the API server). Every question is then put to the API server as a
 * SubjectAccessReview, which is what `kubectl auth can-i --as=system:serviceaccount:<ns>:<name>`
 * asks too, and the answer must equal the expectation computed here.
 *
 * Questions per ServiceAccount:
 *  - "granted": one per verb x resource (x resourceName) of every rule bound to it; expected allowed.
 *  - "sample": secrets (get/list/watch), pods/exec, pod creation, deployment deletion, token
 *    requests, RBAC escalation and cluster-wide lists; expected denied unless a bound rule grants
 *    it (the expectation is evaluated, never assumed).
 */
import { KubeObject } from './kube';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  readonly user: string;
  readonly groups: string[];
  /** Namespace the sample questions are asked in (the ServiceAccount's, or the binding's). */
  readonly namespace: string;
  /** For messages: the ServiceAccount name, or "group <name>". */
  readonly name: string;
  readonly kind: 'ServiceAccount' | 'Group' | 'User';
}

export interface Question {
  readonly subject: Subject;
  /** '' = cluster-wide */
  readonly namespace: string;
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource: string;
  readonly name: string;
  readonly nonResourceURL?: string;
  readonly origin: 'granted' | 'sample';
  readonly expectAllowed: boolean;
  /** Which binding/role grants it, for messages. */
  readonly because?: string;
}

interface BoundRule {
  readonly rule: PolicyRule;
  /** Namespace the rule applies in; '' for ClusterRoleBindings (every namespace and cluster scope). */
  readonly namespace: string;
  readonly via: string;
}

export function serviceAccountSubject(namespace: string, name: string): Subject {
  return {
    user: `system:serviceaccount:${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
    namespace,
    name,
    kind: 'ServiceAccount',
  };
}

/**
 * A member of a Group (or a User) that a RoleBinding/ClusterRoleBinding of dist/ names: a person,
 * e.g. a tenant's developers. The user name of a group member is made up (it must match nothing).
 */
export function bindingSubjects(objects: readonly KubeObject[]): Subject[] {
  const out = new Map<string, Subject>();
  for (const b of objects) {
    if (b.apiVersion !== 'rbac.authorization.k8s.io/v1' || (b.kind !== 'RoleBinding' && b.kind !== 'ClusterRoleBinding')) continue;
    const ns = b.kind === 'RoleBinding' ? (b.metadata.namespace ?? 'default') : 'default';
    for (const s of (b.subjects as Record<string, string>[] | undefined) ?? []) {
      if (s.kind === 'Group' && !s.name.startsWith('system:')) {
        out.set(`G/${s.name}/${ns}`, {
          user: `bulwark-e2e:member-of:${s.name}`,
          groups: [s.name, 'system:authenticated'],
          namespace: ns,
          name: `group ${s.name}`,
          kind: 'Group',
        });
      } else if (s.kind === 'User' && !s.name.startsWith('system:')) {
        out.set(`U/${s.name}/${ns}`, {
          user: s.name,
          groups: ['system:authenticated'],
          namespace: ns,
          name: `user ${s.name}`,
          kind: 'User',
        });
      }
    }
  }
  return [...out.values()];
}

/** kubectl auth can-i syntax of a question, for messages. */
export function describeQuestion(q: Question): string {
  if (q.nonResourceURL) return `${q.subject.user} ${q.verb} ${q.nonResourceURL}`;
  const res = `${q.resource}${q.subresource ? `/${q.subresource}` : ''}${q.group ? `.${q.group}` : ''}${q.name ? `/${q.name}` : ''}`;
  return `${q.subject.name}@${q.subject.namespace}: ${q.verb} ${res} ${q.namespace ? `-n ${q.namespace}` : '--all-namespaces'}`;
}

function has(list: readonly string[] | undefined, v: string): boolean {
  return (list ?? []).includes('*') || (list ?? []).includes(v);
}

function resourceMatches(resources: readonly string[] | undefined, resource: string, subresource: string): boolean {
  const full = subresource ? `${resource}/${subresource}` : resource;
  for (const r of resources ?? []) {
    if (r === '*' || r === full) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

/** Would `rules` allow `q` (the RBAC authorizer's rule matching, without aggregation)? */
export function ruleAllows(
  rule: PolicyRule,
  q: Pick<Question, 'verb' | 'group' | 'resource' | 'subresource' | 'name' | 'nonResourceURL'>,
): boolean {
  if (!has(rule.verbs, q.verb)) return false;
  const url = q.nonResourceURL;
  if (url !== undefined) {
    return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === url || (u.endsWith('*') && url.startsWith(u.slice(0, -1))));
  }
  if (!has(rule.apiGroups, q.group)) return false;
  if (!resourceMatches(rule.resources, q.resource, q.subresource)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (q.name !== '' && names.includes(q.name));
}

function subjectMatches(s: Record<string, unknown>, sa: Subject, bindingNamespace: string): boolean {
  if (s.kind === 'ServiceAccount') return s.name === sa.name && ((s.namespace as string | undefined) ?? bindingNamespace) === sa.namespace;
  if (s.kind === 'User') return s.name === sa.user;
  if (s.kind === 'Group') return sa.groups.includes(s.name as string);
  return false;
}

export type RoleLookup = (kind: 'Role' | 'ClusterRole', name: string, namespace: string) => Promise<PolicyRule[] | undefined>;

/** Rules bound to `sa` by the bindings in `objects`; unknown roles are reported in `missing`. */
export async function boundRules(
  objects: readonly KubeObject[],
  sa: Subject,
  lookup: RoleLookup,
): Promise<{ rules: BoundRule[]; missing: string[] }> {
  const rules: BoundRule[] = [];
  const missing: string[] = [];
  for (const b of objects) {
    if (b.apiVersion !== 'rbac.authorization.k8s.io/v1' || (b.kind !== 'RoleBinding' && b.kind !== 'ClusterRoleBinding')) continue;
    const ns = b.kind === 'RoleBinding' ? (b.metadata.namespace ?? 'default') : '';
    const subjects = (b.subjects as Record<string, unknown>[] | undefined) ?? [];
    if (!subjects.some((s) => subjectMatches(s, sa, ns))) continue;
    const roleRef = b.roleRef as { kind: 'Role' | 'ClusterRole'; name: string };
    const found = await lookup(roleRef.kind, roleRef.name, ns);
    const via = `${b.kind} ${ns ? `${ns}/` : ''}${b.metadata.name} -> ${roleRef.kind} ${roleRef.name}`;
    if (!found) {
      missing.push(via);
      continue;
    }
    for (const rule of found) rules.push({ rule, namespace: ns, via });
  }
  return { rules, missing };
}

function allowedBy(rules: readonly BoundRule[], q: Omit<Question, 'expectAllowed' | 'origin' | 'because' | 'subject'>): BoundRule | undefined {
  return rules.find((r) => (r.namespace === '' || r.namespace === q.namespace) && ruleAllows(r.rule, q));
}

const SAMPLE = (ns: string): Omit<Question, 'expectAllowed' | 'origin' | 'because' | 'subject'>[] => {
  const q = (namespace: string, verb: string, group: string, resource: string, subresource = '') =>
    ({ namespace, verb, group, resource, subresource, name: '' });
  return [
    q(ns, 'get', '', 'secrets'),
    q(ns, 'list', '', 'secrets'),
    q(ns, 'watch', '', 'secrets'),
    q(ns, 'create', '', 'pods', 'exec'),
    q(ns, 'create', '', 'pods'),
    q(ns, 'delete', 'apps', 'deployments'),
    q(ns, 'create', '', 'serviceaccounts', 'token'),
    q(ns, 'create', 'rbac.authorization.k8s.io', 'rolebindings'),
    q('', 'list', '', 'pods'),
    q('', 'list', '', 'secrets'),
    q('', 'list', '', 'namespaces'),
    q('', 'create', 'rbac.authorization.k8s.io', 'clusterrolebindings'),
  ];
};

const WILDCARD_SAMPLE: Record<'verb' | 'group' | 'resource', string> = { verb: 'get', group: '', resource: 'configmaps' };

/** Every question for one ServiceAccount. */
export function questionsFor(sa: Subject, rules: readonly BoundRule[]): Question[] {
  const out: Question[] = [];
  const seen = new Set<string>();
  const add = (q: Question): void => {
    const key = JSON.stringify([q.namespace, q.verb, q.group, q.resource, q.subresource, q.name, q.nonResourceURL ?? '']);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(q);
  };
  for (const r of rules) {
    const pick = (list: readonly string[] | undefined, which: 'verb' | 'group' | 'resource'): string[] =>
      (list ?? []).map((v) => (v === '*' ? WILDCARD_SAMPLE[which] : v));
    if (r.rule.nonResourceURLs?.length) {
      for (const url of r.rule.nonResourceURLs) {
        for (const verb of pick(r.rule.verbs, 'verb')) {
          add({
            subject: sa,
            namespace: '',
            verb,
            group: '',
            resource: '',
            subresource: '',
            name: '',
            nonResourceURL: url.replace(/\*$/, 'x'),
            origin: 'granted',
            expectAllowed: true,
            because: r.via,
          });
        }
      }
      continue;
    }
    const namespace = r.namespace; // '' (cluster-wide) for a ClusterRoleBinding
    for (const group of pick(r.rule.apiGroups, 'group')) {
      for (const full of pick(r.rule.resources, 'resource')) {
        const [resource, subresource = ''] = full.replace(/^\*\//, 'pods/').split('/', 2);
        for (const verb of pick(r.rule.verbs, 'verb')) {
          const names = r.rule.resourceNames?.length ? r.rule.resourceNames : [''];
          for (const name of names) {
            add({ subject: sa, namespace, verb, group, resource, subresource, name, origin: 'granted', expectAllowed: true, because: r.via });
          }
        }
      }
    }
  }
  for (const s of SAMPLE(sa.namespace)) {
    const by = allowedBy(rules, s);
    add({ ...s, subject: sa, origin: 'sample', expectAllowed: by !== undefined, because: by?.via });
  }
  return out;
}

/** The SubjectAccessReview body for a question. */
export function subjectAccessReview(q: Question): unknown {
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user: q.subject.user,
      groups: q.subject.groups,
      ...(q.nonResourceURL !== undefined
        ? { nonResourceAttributes: { path: q.nonResourceURL, verb: q.verb } }
        : {
            resourceAttributes: {
              namespace: q.namespace,
              verb: q.verb,
              group: q.group,
              resource: q.resource,
              subresource: q.subresource,
              name: q.name,
            },
          }),
    },
  };
}
