import { PriorityClasses } from '../../lib/platform/priority-classes';
import { TENANT_DEVELOPER_RULES, TenantNamespace } from '../../lib/platform/tenant-namespace';
import { findObject, synthObjects } from '../helpers';

describe('PriorityClasses', () => {
  const values = { 'platform-critical': 1000, workload: 100, batch: 10 };

  test('emits three cluster-scoped classes named per environment; batch never preempts', () => {
    const objects = synthObjects((chart) => new PriorityClasses(chart, 'p', { environment: 'prod', values, labels: {} }));
    expect(objects.map((o) => [o.metadata.name, o.value, o.preemptionPolicy, o.globalDefault])).toEqual([
      ['bulwark-prod-platform-critical', 1000, 'PreemptLowerPriority', false],
      ['bulwark-prod-workload', 100, 'PreemptLowerPriority', false],
      ['bulwark-prod-batch', 10, 'Never', false],
    ]);
  });

  test('fails when the values do not descend', () => {
    expect(() => synthObjects((chart) => new PriorityClasses(chart, 'p', { environment: 'prod', values: { ...values, batch: 500 }, labels: {} })))
      .toThrow('priority-classes: values must descend platform-critical > workload > batch');
  });
});

describe('TenantNamespace', () => {
  const objects = synthObjects((chart) => new TenantNamespace(chart, 't', {
    tenant: 'team-a',
    group: 'idp:team-a',
    environment: 'prod',
    namespace: 'bulwark-prod-team-a',
    version: '1.0.0',
    podSecurityVersion: 'v1.28',
    quota: {
      requests: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '1Gi' },
      limits: { cpu: '2', memory: '2Gi', 'ephemeral-storage': '2Gi' },
      pods: 5,
    },
    limitRange: {
      defaultRequest: { cpu: '10m', memory: '16Mi', 'ephemeral-storage': '64Mi' },
      default: { cpu: '100m', memory: '64Mi', 'ephemeral-storage': '256Mi' },
      max: { cpu: '1', memory: '1Gi' },
    },
    dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [53], service: 'kube-dns' },
  }));

  test('gets the full namespace baseline: PSA restricted, quota, limits, default deny, DNS', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'LimitRange/tenant-team-a-limits',
      'Namespace/bulwark-prod-team-a',
      'NetworkPolicy/tenant-team-a-allow-dns',
      'NetworkPolicy/tenant-team-a-default-deny',
      'ResourceQuota/tenant-team-a-quota',
      'Role/tenant-team-a-developer',
      'RoleBinding/tenant-team-a-developer',
    ]);
    expect(findObject(objects, 'Namespace').metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('binds its group to a namespaced role that cannot read secrets, exec, or change RBAC and network policy', () => {
    const binding = findObject(objects, 'RoleBinding');
    expect(binding).toMatchObject({
      metadata: { namespace: 'bulwark-prod-team-a' },
      roleRef: { kind: 'Role', name: 'tenant-team-a-developer' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'idp:team-a' }],
    });
    const resources = TENANT_DEVELOPER_RULES.flatMap((r) => r.resources ?? []);
    for (const forbidden of ['secrets', 'pods/exec', 'roles', 'rolebindings', 'networkpolicies']) expect(resources).not.toContain(forbidden);
    expect(findObject(objects, 'Role').rules).toEqual(TENANT_DEVELOPER_RULES);
  });
});
