import { WorkloadRole } from '../../lib/security/workload-role';
import { findObject, synthObjects } from '../helpers';

const PROPS = { name: 'agent', namespace: 'ns', serviceAccountName: 'agent', labels: { 'app.kubernetes.io/name': 'agent' } };

describe('WorkloadRole', () => {
  test('emits nothing until something is granted', () => {
    expect(synthObjects((chart) => new WorkloadRole(chart, 'rbac', PROPS))).toEqual([]);
  });

  test('grantRead of named objects grants get only, bound to the service account, with the reason shown', () => {
    const objects = synthObjects((chart) => {
      new WorkloadRole(chart, 'rbac', PROPS).grantRead(['configmaps'], { resourceNames: ['agent-config'], reason: 'reads its prompts' });
    });
    const role = findObject(objects, 'Role');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['agent-config'], verbs: ['get'] }]);
    expect(role.metadata.annotations).toEqual({ 'bulwark.dev/grants': 'get configmaps/agent-config: reads its prompts' });
    expect(findObject(objects, 'RoleBinding')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'agent' },
      subjects: [{ kind: 'ServiceAccount', name: 'agent', namespace: 'ns' }],
    });
  });

  test('grantRead of a whole resource grants get, list and watch; grants accumulate in one Role', () => {
    const objects = synthObjects((chart) => {
      const role = new WorkloadRole(chart, 'rbac', PROPS);
      role.grantRead(['services']);
      role.grant({ apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'], reason: 'restarts itself' });
    });
    expect(objects.filter((o) => o.kind === 'Role')).toHaveLength(1);
    expect(findObject(objects, 'Role').rules).toEqual([
      { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] },
    ]);
  });

  test.each([
    ['a wildcard verb', { resources: ['pods'], verbs: ['*'] }, 'invalid verbs: received ["*"]; allowed: named values only, never "*"'],
    ['a wildcard resource', { resources: ['*'], verbs: ['get'] }, 'invalid resources: received ["*"]'],
    ['a wildcard group', { apiGroups: ['*'], resources: ['pods'], verbs: ['get'] }, 'invalid apiGroups'],
    ['an unknown verb', { resources: ['pods'], verbs: ['escalate'] }, 'invalid verb: received "escalate"'],
    [
      'secrets without a reason',
      { resources: ['secrets'], verbs: ['get'] },
      'invalid grant on secrets: received ["secrets"]; allowed: secrets only with a reason',
    ],
  ])('fails on %s', (_, grant, message) => {
    expect(() => synthObjects((chart) => new WorkloadRole(chart, 'rbac', PROPS).grant(grant as never))).toThrow(`workload-role "agent": ${message}`);
  });
});
