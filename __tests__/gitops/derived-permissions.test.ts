import { controllerOwnedFields } from '../../lib/gitops/controller-owned-fields';
import { projectPermissions } from '../../lib/gitops/project-permissions';
import { KubeObject } from '../../lib/manifest/kube-object';

const object = (apiVersion: string, kind: string, name: string, namespace?: string, spec?: unknown): KubeObject =>
  ({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, ...(spec ? { spec } : {}) });
const hpa = (name: string, namespace: string, target: { apiVersion: string; kind: string; name: string }) =>
  object('autoscaling/v2', 'HorizontalPodAutoscaler', name, namespace, { scaleTargetRef: target, minReplicas: 1, maxReplicas: 2 });

describe('controllerOwnedFields', () => {
  test('names the replicas of each workload an autoscaler targets, once, if the environment emits it, sorted', () => {
    const objects = [
      object('apps/v1', 'Deployment', 'web', 'shop'),
      object('apps/v1', 'StatefulSet', 'db', 'shop'),
      hpa('web', 'shop', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }),
      hpa('web-again', 'shop', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }),
      hpa('db', 'shop', { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' }),
      // Targets the environment does not emit, or in another namespace: not its fields to ignore.
      hpa('gone', 'shop', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gone' }),
      hpa('web', 'other', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }),
    ];
    expect(controllerOwnedFields(objects)).toEqual([
      { group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'web', jsonPointers: ['/spec/replicas'] },
      { group: 'apps', kind: 'StatefulSet', namespace: 'shop', name: 'db', jsonPointers: ['/spec/replicas'] },
    ]);
    expect(controllerOwnedFields([object('apps/v1', 'Deployment', 'web', 'shop')])).toEqual([]);
  });
});

describe('projectPermissions', () => {
  test('lists group/kinds by scope and every server × namespace of the namespaced objects, sorted, without repeats', () => {
    const objects = [
      object('v1', 'ConfigMap', 'b', 'shop'),
      object('v1', 'ConfigMap', 'a', 'ops'),
      object('apps/v1', 'Deployment', 'web', 'shop'),
      object('v1', 'Namespace', 'shop'),
      object('constraints.gatekeeper.sh/v1beta1', 'ShopRequiredLabels', 'labels'),
      object('scheduling.k8s.io/v1', 'PriorityClass', 'high'),
    ];
    const clusters = [{ name: 'b', server: 'https://b.example.com' }, { name: 'a', server: 'https://a.example.com' }];
    expect(projectPermissions(objects, clusters)).toEqual({
      clusterResources: [
        { group: '', kind: 'Namespace' },
        { group: 'constraints.gatekeeper.sh', kind: 'ShopRequiredLabels' },
        { group: 'scheduling.k8s.io', kind: 'PriorityClass' },
      ],
      namespacedResources: [{ group: '', kind: 'ConfigMap' }, { group: 'apps', kind: 'Deployment' }],
      destinations: [
        { server: 'https://a.example.com', namespace: 'ops' },
        { server: 'https://a.example.com', namespace: 'shop' },
        { server: 'https://b.example.com', namespace: 'ops' },
        { server: 'https://b.example.com', namespace: 'shop' },
      ],
    });
  });
});
