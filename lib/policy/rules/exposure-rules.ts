/**
 * Rules on what namespaces expose and grant, beside the workload rules: Services (no NodePort, no
 * LoadBalancer open to every source), Ingresses (TLS for every host), RBAC inside the guarded
 * namespaces (no wildcards, no escalation verbs, no built-in admin roles bound), and the service
 * account a pod runs as.
 */
import { PRIVILEGE_ESCALATION_VERBS } from '../../manifest/rbac';
import { AdmittedKind } from '../../manifest/workload-kinds';
import { celStringList } from '../cel';
import { compliantPodSpec, TEST_LABELS, TEST_NAMESPACE, workload } from '../fixtures';
import { JsonObject, PolicyDefinition } from '../policy-definition';

const SERVICE: AdmittedKind = { group: '', version: 'v1', kind: 'Service', resource: 'services' };
const INGRESS: AdmittedKind = { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', resource: 'ingresses' };
const ROLE: AdmittedKind = { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', resource: 'roles' };
const ROLE_BINDING: AdmittedKind = { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', resource: 'rolebindings' };

/** The built-in ClusterRoles a RoleBinding may not hand out. */
const ADMIN_ROLES = ['admin', 'cluster-admin', 'edit'];

/** A namespaced object of the test namespace. */
function object(apiVersion: string, kind: string, name: string, fields: JsonObject): JsonObject {
  return { apiVersion, kind, metadata: { name, namespace: TEST_NAMESPACE, labels: { ...TEST_LABELS } }, ...fields };
}

const service = (spec: JsonObject): JsonObject =>
  object('v1', 'Service', 'web', { spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec } });
const ingress = (spec: JsonObject): JsonObject => object('networking.k8s.io/v1', 'Ingress', 'web', { spec });
const rule = (host: string): JsonObject => ({
  host,
  http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] },
});
const role = (rules: JsonObject[]): JsonObject => object('rbac.authorization.k8s.io/v1', 'Role', 'reader', { rules });
const binding = (kind: string, name: string): JsonObject => object('rbac.authorization.k8s.io/v1', 'RoleBinding', 'reader', {
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name },
  subjects: [{ kind: 'ServiceAccount', name: 'web', namespace: TEST_NAMESPACE }],
});

export const serviceExposure: PolicyDefinition = {
  id: 'service-exposure',
  kind: 'ServiceExposure',
  description: 'No Service of type NodePort, and no LoadBalancer without loadBalancerSourceRanges: traffic comes in through the ingress gateway.',
  targets: [SERVICE],
  synthChecks: ['service-node-port', 'service-load-balancer-source-ranges'],
  parameters: () => undefined,
  rego: `violation[{"msg": msg}] {
  obj.spec.type == "NodePort"
  msg := sprintf("%v is of type NodePort", [subject])
}

violation[{"msg": msg}] {
  obj.spec.type == "LoadBalancer"
  count(object.get(obj.spec, "loadBalancerSourceRanges", [])) == 0
  msg := sprintf("%v is a LoadBalancer without loadBalancerSourceRanges", [subject])
}`,
  admission: {
    validations: [
      { expression: '!has(object.spec.type) || object.spec.type != \'NodePort\'', message: 'Services may not be of type NodePort' },
      {
        expression: '!has(object.spec.type) || object.spec.type != \'LoadBalancer\' '
          + '|| (has(object.spec.loadBalancerSourceRanges) && size(object.spec.loadBalancerSourceRanges) > 0)',
        message: 'a LoadBalancer Service names the source ranges it accepts (loadBalancerSourceRanges)',
      },
    ],
  },
  cases: [
    { name: 'cluster-ip', object: service({}), violations: 0 },
    { name: 'load-balancer-with-ranges', object: service({ type: 'LoadBalancer', loadBalancerSourceRanges: ['203.0.113.0/24'] }), violations: 0 },
    { name: 'node-port', object: service({ type: 'NodePort' }), violations: 1 },
    { name: 'open-load-balancer', object: service({ type: 'LoadBalancer' }), violations: 1 },
  ],
};

export const ingressTls: PolicyDefinition = {
  id: 'ingress-tls',
  kind: 'IngressTls',
  description: 'Every Ingress serves TLS, for every host it routes.',
  targets: [INGRESS],
  synthChecks: ['ingress-tls'],
  parameters: () => undefined,
  rego: `violation[{"msg": msg}] {
  count(object.get(obj.spec, "tls", [])) == 0
  msg := sprintf("%v has no tls", [subject])
}

violation[{"msg": msg}] {
  count(object.get(obj.spec, "tls", [])) > 0
  host := obj.spec.rules[_].host
  not covered(host)
  msg := sprintf("%v routes host %v, which its tls does not cover", [subject, host])
}

covered(host) {
  obj.spec.tls[_].hosts[_] == host
}`,
  admission: {
    validations: [
      { expression: 'has(object.spec.tls) && size(object.spec.tls) > 0', message: 'an Ingress serves TLS (spec.tls)' },
      {
        expression: '!has(object.spec.tls) || !has(object.spec.rules) '
          + '|| object.spec.rules.all(r, !has(r.host) || object.spec.tls.exists(t, has(t.hosts) && r.host in t.hosts))',
        message: 'every host of an Ingress is covered by its tls',
      },
    ],
  },
  cases: [
    { name: 'tls', object: ingress({ tls: [{ hosts: ['a.example.com'], secretName: 'a-tls' }], rules: [rule('a.example.com')] }), violations: 0 },
    { name: 'no-tls', object: ingress({ rules: [rule('a.example.com')] }), violations: 1 },
    {
      name: 'uncovered-host',
      object: ingress({ tls: [{ hosts: ['a.example.com'], secretName: 'a-tls' }], rules: [rule('a.example.com'), rule('b.example.com')] }),
      violations: 1,
    },
  ],
};

export const rbacLimits: PolicyDefinition = {
  id: 'rbac-limits',
  kind: 'RbacLimits',
  description: 'Roles in the guarded namespaces name their API groups, resources and verbs (no "*", no escalate, bind or impersonate), '
    + 'and no RoleBinding hands out cluster-admin, admin or edit.',
  targets: [ROLE, ROLE_BINDING],
  synthChecks: ['rbac-no-wildcards', 'rbac-no-escalation', 'rbac-cluster-admin-bindings'],
  parameters: () => undefined,
  rego: `escalation_verbs := {${PRIVILEGE_ESCALATION_VERBS.map((v) => JSON.stringify(v)).join(', ')}}

admin_roles := {${ADMIN_ROLES.map((r) => JSON.stringify(r)).join(', ')}}

violation[{"msg": msg}] {
  obj.kind == "Role"
  r := obj.rules[i]
  field := {"apiGroups", "resources", "verbs"}[_]
  contains(r[field][_], "*")
  msg := sprintf("%v: rule %v uses \\"*\\" in %v", [subject, i, field])
}

violation[{"msg": msg}] {
  obj.kind == "Role"
  r := obj.rules[i]
  verb := r.verbs[_]
  escalation_verbs[verb]
  msg := sprintf("%v: rule %v grants %v", [subject, i, verb])
}

violation[{"msg": msg}] {
  obj.kind == "RoleBinding"
  obj.roleRef.kind == "ClusterRole"
  admin_roles[obj.roleRef.name]
  msg := sprintf("%v binds the built-in ClusterRole %v", [subject, obj.roleRef.name])
}`,
  admission: {
    validations: [
      {
        expression: 'object.kind != \'Role\' || !has(object.rules) || object.rules.all(r, '
          + '(!has(r.apiGroups) || r.apiGroups.all(g, !g.contains(\'*\'))) && (!has(r.resources) || r.resources.all(x, !x.contains(\'*\'))) '
          + '&& r.verbs.all(v, !v.contains(\'*\')))',
        message: 'Roles name their API groups, resources and verbs: no "*"',
      },
      {
        expression: 'object.kind != \'Role\' || !has(object.rules) '
          + `|| object.rules.all(r, r.verbs.all(v, !(v in ${celStringList(PRIVILEGE_ESCALATION_VERBS)})))`,
        message: 'Roles may not grant escalate, bind or impersonate',
      },
      {
        expression: `object.kind != 'RoleBinding' || object.roleRef.kind != 'ClusterRole' || !(object.roleRef.name in ${celStringList(ADMIN_ROLES)})`,
        message: 'RoleBindings may not hand out cluster-admin, admin or edit',
      },
    ],
  },
  cases: [
    { name: 'named-role', object: role([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }]), violations: 0 },
    { name: 'view-binding', object: binding('ClusterRole', 'view'), violations: 0 },
    { name: 'wildcard-resources', object: role([{ apiGroups: ['apps'], resources: ['*'], verbs: ['get'] }]), violations: 1 },
    { name: 'bind-verb', object: role([{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['bind'] }]), violations: 1 },
    { name: 'cluster-admin-binding', object: binding('ClusterRole', 'cluster-admin'), violations: 1 },
  ],
};

export const serviceAccounts: PolicyDefinition = {
  id: 'service-accounts',
  kind: 'ServiceAccounts',
  description: 'Pods run as a service account of their own, never the namespace\'s default one.',
  synthChecks: ['default-service-account'],
  parameters: () => undefined,
  rego: `violation[{"msg": msg}] {
  not own_account
  msg := sprintf("%v runs as the default service account; set serviceAccountName", [subject])
}

own_account {
  name := pod_spec.serviceAccountName
  name != ""
  name != "default"
}`,
  admission: {
    validations: [{
      expression: 'has(variables.podSpec.serviceAccountName) && variables.podSpec.serviceAccountName != \'\' '
        + '&& variables.podSpec.serviceAccountName != \'default\'',
      message: 'pods run as a service account of their own (serviceAccountName), not default',
    }],
  },
  cases: [
    { name: 'own-account', object: workload({ podSpec: compliantPodSpec({ serviceAccountName: 'web' }) }), violations: 0 },
    { name: 'own-account-cronjob', object: workload({ kind: 'CronJob', podSpec: compliantPodSpec({ serviceAccountName: 'web' }) }), violations: 0 },
    { name: 'no-account', object: workload({ podSpec: compliantPodSpec() }), violations: 1 },
    { name: 'default-account', object: workload({ kind: 'Pod', podSpec: compliantPodSpec({ serviceAccountName: 'default' }) }), violations: 1 },
  ],
};
