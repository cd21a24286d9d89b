import { NamespaceBaseline, NamespaceBaselineProps } from '../../lib/platform/namespace-baseline';
import { findObject, synthObjects } from '../helpers';

const PROPS: NamespaceBaselineProps = {
  environment: 'dev',
  namespace: 'bulwark-dev',
  version: '1.2.3',
  podSecurityVersion: 'v1.28',
  quota: {
    requests: { cpu: '4', memory: '8Gi', 'ephemeral-storage': '4Gi' },
    limits: { cpu: '8', memory: '16Gi', 'ephemeral-storage': '8Gi' },
    pods: 30,
  },
  limitRange: {
    defaultRequest: { cpu: '50m', memory: '64Mi', 'ephemeral-storage': '64Mi' },
    default: { cpu: '250m', memory: '256Mi', 'ephemeral-storage': '256Mi' },
    max: { cpu: '1', memory: '1Gi' },
  },
  dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [53], service: 'kube-dns' },
};

const synth = (props: Partial<NamespaceBaselineProps> = {}) =>
  synthObjects((chart) => new NamespaceBaseline(chart, 'baseline', { ...PROPS, ...props }));

describe('NamespaceBaseline', () => {
  test('labels the namespace restricted in enforce, audit and warn modes at the pinned version', () => {
    const labels = findObject(synth(), 'Namespace').metadata.labels!;
    for (const mode of ['enforce', 'audit', 'warn']) {
      expect(labels[`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
      expect(labels[`pod-security.kubernetes.io/${mode}-version`]).toBe('v1.28');
    }
  });

  test('bounds the namespace with a quota and container defaults, ephemeral storage included (no ephemeral max)', () => {
    const objects = synth();
    expect(findObject(objects, 'ResourceQuota').spec).toEqual({
      hard: {
        'limits.cpu': '8',
        'limits.memory': '16Gi',
        'limits.ephemeral-storage': '8Gi',
        pods: 30,
        'requests.cpu': '4',
        'requests.memory': '8Gi',
        'requests.ephemeral-storage': '4Gi',
      },
    });
    expect(findObject(objects, 'LimitRange').spec).toEqual({
      limits: [{
        type: 'Container',
        default: { cpu: '250m', memory: '256Mi', 'ephemeral-storage': '256Mi' },
        defaultRequest: { cpu: '50m', memory: '64Mi', 'ephemeral-storage': '64Mi' },
        max: { cpu: '1', memory: '1Gi' },
      }],
    });
  });

  test('denies all ingress and egress of every pod by default', () => {
    expect(findObject(synth(), 'NetworkPolicy', 'baseline-default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test('allows DNS to the configured cluster DNS pods only, UDP and TCP', () => {
    const podLabels = { 'dns.operator.openshift.io/daemonset-dns': 'default' };
    const dns = { namespace: 'openshift-dns', podLabels, ports: [5353], service: 'dns-default' };
    const spec = findObject(synth({ dns }), 'NetworkPolicy', 'baseline-allow-dns').spec;
    expect(spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openshift-dns' } },
          podSelector: { matchLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } },
        }],
        ports: [{ protocol: 'UDP', port: 5353 }, { protocol: 'TCP', port: 5353 }],
      }],
    });
  });

  test('puts every namespaced object in the platform namespace', () => {
    for (const o of synth().filter((x) => x.kind !== 'Namespace')) expect(o.metadata.namespace).toBe('bulwark-dev');
  });
});

describe('NamespaceBaseline with a mesh', () => {
  const mesh = { namespace: 'istio-system', controlPlaneLabels: { app: 'istiod' } };
  const objects = synthObjects((chart) => new NamespaceBaseline(chart, 'baseline', { ...PROPS, mesh }));

  test('labels the namespace for sidecar injection and lets every pod reach istiod on 15012 only', () => {
    expect(findObject(objects, 'Namespace').metadata.labels!['istio-injection']).toBe('enabled');
    expect(findObject(objects, 'NetworkPolicy', 'baseline-allow-mesh').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } },
          podSelector: { matchLabels: { app: 'istiod' } },
        }],
        ports: [{ protocol: 'TCP', port: 15012 }],
      }],
    });
  });

  test('adds the namespace mesh policy: STRICT mTLS, deny-all, REGISTRY_ONLY egress', () => {
    expect(objects.filter((o) => ['PeerAuthentication', 'AuthorizationPolicy', 'Sidecar'].includes(o.kind)).map((o) => o.metadata.name))
      .toEqual(['baseline-mtls', 'baseline-deny-all', 'baseline-egress']);
  });

  test('the Sidecar imports the cluster DNS Service: the sidecar intercepts DNS over TCP, and REGISTRY_ONLY drops unknown hosts', () => {
    const egress = (findObject(objects, 'Sidecar').spec as { egress: { hosts: string[] }[] }).egress;
    expect(egress[0].hosts).toContain('kube-system/kube-dns.kube-system.svc.cluster.local');
    const dns = { namespace: 'openshift-dns', podLabels: { app: 'dns' }, ports: [5353], service: 'dns-default' };
    const openshift = synthObjects((chart) => new NamespaceBaseline(chart, 'baseline', { ...PROPS, mesh, dns }));
    expect((findObject(openshift, 'Sidecar').spec as { egress: { hosts: string[] }[] }).egress[0].hosts)
      .toContain('openshift-dns/dns-default.openshift-dns.svc.cluster.local');
  });

  test('without a mesh: no injection label and no mesh objects', () => {
    const bare = synthObjects((chart) => new NamespaceBaseline(chart, 'baseline', PROPS));
    expect(findObject(bare, 'Namespace').metadata.labels!['istio-injection']).toBeUndefined();
    expect(bare.some((o) => o.apiVersion.includes('istio.io'))).toBe(false);
  });
});
