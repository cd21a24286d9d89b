import { WorkloadNetworkPolicy, WorkloadNetworkPolicyProps } from '../../lib/security/workload-network-policy';
import { findObject, synthObjects } from '../helpers';

const BASE: WorkloadNetworkPolicyProps = {
  metadata: { name: 'backend-traffic', namespace: 'ns' },
  environment: 'dev',
  podSelector: { 'app.kubernetes.io/name': 'backend' },
  allowFrom: [],
  allowFromNamespaces: [],
  dependencies: [],
  externalEgress: [],
  namespacedEgress: [],
};
const synth = (props: Partial<WorkloadNetworkPolicyProps>) => synthObjects((chart) => new WorkloadNetworkPolicy(chart, 'np', { ...BASE, ...props }));

describe('WorkloadNetworkPolicy', () => {
  test('emits nothing when there is nothing to allow', () => {
    expect(synth({})).toEqual([]);
  });

  test('allows egress to external address ranges on their ports only, egress-only policy', () => {
    const externalEgress = [{ name: 'database', cidrs: ['10.0.0.0/16', '10.1.0.0/16'], ports: [5432] }];
    const spec = findObject(synth({ externalEgress }), 'NetworkPolicy').spec;
    expect(spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'backend' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16' } }, { ipBlock: { cidr: '10.1.0.0/16' } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    });
  });

  test('skips host-only endpoints (the mesh egress gateway carries them) and allows pods in other namespaces', () => {
    const spec = findObject(synth({
      externalEgress: [{ name: 'llm-api', cidrs: [], ports: [443] }],
      namespacedEgress: [{ namespace: 'istio-system', podLabels: { istio: 'egressgateway' }, ports: [443] }],
    }), 'NetworkPolicy').spec as { egress: unknown[] };
    expect(spec.egress).toEqual([{
      to: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } },
        podSelector: { matchLabels: { istio: 'egressgateway' } },
      }],
      ports: [{ protocol: 'TCP', port: 443 }],
    }]);
  });
});
