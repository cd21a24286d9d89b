import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { standardLabels } from '../manifest/labels';
import { NamespaceBaseline, NamespaceBaselineProps } from './namespace-baseline';

export interface TenantNamespaceProps extends Omit<NamespaceBaselineProps, 'name' | 'role'> {
  /** Team name. */
  readonly tenant: string;
  /** Identity-provider group whose members work in the namespace. */
  readonly group: string;
}

/**
 * What a team may do in its own namespace: run and operate workloads. Not: read Secrets, exec into
 * pods, change RBAC or network policy, or touch any other namespace (the binding is namespaced).
 */
export const TENANT_DEVELOPER_RULES: readonly k8s.PolicyRule[] = [
  {
    apiGroups: ['apps'],
    resources: ['deployments', 'statefulsets', 'replicasets'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
  },
  {
    apiGroups: [''],
    resources: ['services', 'configmaps', 'persistentvolumeclaims', 'serviceaccounts'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
  },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'delete'] },
  { apiGroups: [''], resources: ['pods/log', 'events'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
];

/** A team's namespace: the same guardrails as the platform's, plus a namespaced developer role. */
export class TenantNamespace extends Construct {
  constructor(scope: Construct, id: string, props: TenantNamespaceProps) {
    super(scope, id);
    const name = `tenant-${props.tenant}`;
    new NamespaceBaseline(this, 'baseline', { ...props, name, role: 'tenant' });
    const labels = standardLabels({ name, environment: props.environment, component: 'tenant', version: props.version });
    const roleName = `${name}-developer`;
    new k8s.KubeRole(this, 'role', {
      metadata: { name: roleName, namespace: props.namespace, labels },
      rules: TENANT_DEVELOPER_RULES.map((r) => ({ ...r, apiGroups: [...r.apiGroups!], resources: [...r.resources!], verbs: [...r.verbs] })),
    });
    new k8s.KubeRoleBinding(this, 'binding', {
      metadata: { name: roleName, namespace: props.namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: props.group }],
    });
  }
}
