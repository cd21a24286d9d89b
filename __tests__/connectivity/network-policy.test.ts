/**
 * The NetworkPolicy layer of the connectivity model, on objects built here: Kubernetes semantics
 * (isolation per direction, union of policies, selectors, ipBlocks, ports), each with a case that
 * must allow and one that must not.
 */
import { Addresses, partition } from '../../lib/connectivity/addresses';
import { inventoryOf } from '../../lib/connectivity/inventory';
import { networkPeers } from '../../lib/connectivity/network-matrix';
import { NetworkPolicyLayer } from '../../lib/connectivity/network-policy';
import { addressPeer, ENTIRE_CLUSTER, Peer, peerRef, podsPeer } from '../../lib/connectivity/peers';
import { Connections } from '../../lib/connectivity/ports';
import { KubeObject } from '../../lib/manifest/kube-object';
import { covers } from '../../lib/manifest/label-selector';
import { synthEnvironment } from '../../lib/synth/synth-environment';
import { ENVIRONMENTS, modelOf } from '../helpers';
import { denyAll, namespace, networkPolicy, workload } from './objects';

/** The connections the layer allows from `from` to `to` (workload names of `objects`, or peers). */
function allowed(objects: readonly KubeObject[], from: string | Peer, to: string | Peer): string {
  const layer = new NetworkPolicyLayer(inventoryOf(objects));
  const peer = (p: string | Peer): Peer => (typeof p === 'string'
    ? layer.workloadPeers.get([...layer.workloadPeers.keys()].find((w) => w.name === p)!)!
    : p);
  return layer.flow(peer(from), peer(to)).connections.toString();
}

const podsOf = (ns: string, labels: Record<string, string>): Peer => podsPeer(
  { matchLabels: { 'kubernetes.io/metadata.name': ns } },
  { matchLabels: labels },
);
const app = (name: string) => ({ matchLabels: { app: name } });
const cidr = (c: string): Peer => addressPeer(Addresses.cidr(c)!);

const shop = [namespace('shop'), workload('web', 'shop'), workload('api', 'shop', { ports: ['http:8080', 'metrics:9090', 'dns:53/UDP'] })];

describe('connections and addresses', () => {
  test('print as netpol-analyzer prints them: protocols sorted, ranges merged, All Connections', () => {
    expect(Connections.union([Connections.ports('UDP', 53), Connections.ports('TCP', 53)]).toString()).toBe('TCP 53,UDP 53');
    const ranges = [Connections.ports('TCP', 80, 90), Connections.ports('TCP', 91), Connections.ports('TCP', 8080)];
    expect(Connections.union(ranges).toString()).toBe('TCP 80-91,8080');
    expect(Connections.ALL.subtract(Connections.ports('TCP', 1, 65535)).toString()).toBe('SCTP 1-65535,UDP 1-65535');
    expect(Connections.protocol('TCP').union(Connections.protocol('UDP')).union(Connections.protocol('SCTP'))).toBe(Connections.ALL);
    expect(Connections.ports('TCP', 8080).intersect(Connections.ports('UDP', 8080)).toString()).toBe('No Connections');
  });

  test('a CIDR less its exceptions; a partition whose parts each block is a union of', () => {
    expect(Addresses.cidr('10.0.0.0/8')!.subtract(Addresses.cidr('10.1.0.0/16')!).toString()).toBe('10.0.0.0-10.0.255.255,10.2.0.0-10.255.255.255');
    expect(Addresses.cidr('10.1.2.3/16')!.toString()).toBe('10.1.0.0-10.1.255.255');
    expect(Addresses.cidr('10.0.0.0/33')).toBeUndefined();
    const parts = partition([Addresses.cidr('10.0.0.0/8')!, Addresses.cidr('10.1.0.0/16')!]).map(String);
    expect(parts).toEqual([
      '0.0.0.0-9.255.255.255,11.0.0.0-255.255.255.255',
      '10.0.0.0-10.0.255.255,10.2.0.0-10.255.255.255',
      '10.1.0.0-10.1.255.255',
    ]);
  });

  test('a selector covers another when every requirement of it follows from the other\'s', () => {
    expect(covers({ matchLabels: { app: 'a' } }, { matchLabels: { app: 'a', tier: 'x' } })).toBe(true);
    expect(covers({ matchLabels: { app: 'a', tier: 'x' } }, { matchLabels: { app: 'a' } })).toBe(false);
    expect(covers({ matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'b'] }] }, { matchLabels: { app: 'a' } })).toBe(true);
    expect(covers({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['b'] }] }, { matchLabels: { app: 'a' } })).toBe(true);
    expect(covers({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, {})).toBe(false);
    expect(covers({}, { matchLabels: { app: 'a' } })).toBe(true);
  });

  test('peers are named as netpol-analyzer names them', () => {
    expect(peerRef(podsOf('kube-system', { 'k8s-app': 'kube-dns' }))).toBe('kube-system/[pod with {k8s-app=kube-dns}]');
    expect(peerRef(podsPeer({ matchLabels: { team: 'a' } }, {}))).toBe('[namespace with {team=a}]/[all pods]');
    expect(peerRef(podsPeer({}, { matchLabels: { app: 'x' } }))).toBe('[all namespaces]/[pod with {app=x}]');
    expect(peerRef(ENTIRE_CLUSTER)).toBe('entire-cluster');
  });
});

describe('NetworkPolicyLayer', () => {
  test('a pod selected by no policy of a direction is open in that direction', () => {
    expect(allowed(shop, 'web', 'api')).toBe('All Connections');
    const onlyIngress = [...shop, networkPolicy('api-in', 'shop', { podSelector: app('api'), ingress: [] })];
    expect(allowed(onlyIngress, 'web', 'api')).toBe('No Connections');
    expect(allowed(onlyIngress, 'api', 'web')).toBe('All Connections');
  });

  test('policyTypes defaults to Ingress, plus Egress when the policy has egress rules', () => {
    const egressRules = [...shop, networkPolicy('web-out', 'shop', { podSelector: app('web'), egress: [{ ports: [{ port: 8080 }] }] })];
    expect(allowed(egressRules, 'web', 'api')).toBe('TCP 8080');
    expect(allowed(egressRules, 'api', 'web')).toBe('No Connections');
  });

  test('the policies of a direction add up; a flow needs both the source\'s egress and the destination\'s ingress', () => {
    const objects = [
      ...shop,
      denyAll('shop'),
      networkPolicy('web-out-a', 'shop', { podSelector: app('web'), policyTypes: ['Egress'], egress: [{ ports: [{ port: 8080 }] }] }),
      networkPolicy('web-out-b', 'shop', { podSelector: app('web'), policyTypes: ['Egress'], egress: [{ ports: [{ port: 9090 }] }] }),
    ];
    expect(allowed(objects, 'web', 'api')).toBe('No Connections');
    const withIngress = [...objects, networkPolicy('api-in', 'shop', { podSelector: app('api'), ingress: [{ from: [{ podSelector: {} }] }] })];
    expect(allowed(withIngress, 'web', 'api')).toBe('TCP 8080,9090');
  });

  test('named ports resolve against the destination pod, on the rule\'s protocol; endPort makes a range', () => {
    const objects = [
      ...shop,
      networkPolicy('api-in', 'shop', {
        podSelector: app('api'),
        ingress: [{ ports: [{ port: 'http' }, { port: 'dns', protocol: 'TCP' }, { port: 'dns', protocol: 'UDP' }, { port: 30000, endPort: 30010 }] }],
      }),
    ];
    expect(allowed(objects, 'web', 'api')).toBe('TCP 8080,30000-30010,UDP 53');
    // Towards pods the input does not hold, a named port stays a name.
    const out = [...shop, networkPolicy('web-out', 'shop', { podSelector: app('web'), egress: [{ ports: [{ port: 'https' }] }] })];
    expect(allowed(out, 'web', podsOf('other', { app: 'x' }))).toBe('TCP https');
    expect(allowed(out, 'web', 'api')).toBe('No Connections');
  });

  test('podSelector and namespaceSelector in one peer entry are ANDed; separate entries are ORed', () => {
    const objects = [
      ...shop,
      namespace('ops', { team: 'ops' }),
      workload('probe', 'ops', { labels: { app: 'probe' } }),
      workload('other', 'ops', { labels: { app: 'other' } }),
      networkPolicy('api-in', 'shop', {
        podSelector: app('api'),
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } }, podSelector: { matchLabels: { app: 'probe' } } }] }],
      }),
    ];
    expect(allowed(objects, 'probe', 'api')).toBe('All Connections');
    expect(allowed(objects, 'other', 'api')).toBe('No Connections');
    expect(allowed(objects, 'web', 'api')).toBe('No Connections');
    const ored = objects.slice(0, -1).concat(networkPolicy('api-in', 'shop', {
      podSelector: app('api'),
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }, { podSelector: app('web') }] }],
    }));
    expect([allowed(ored, 'other', 'api'), allowed(ored, 'web', 'api')]).toEqual(['All Connections', 'All Connections']);
  });

  test('matchExpressions select with In, NotIn, Exists and DoesNotExist', () => {
    const objects = [
      namespace('shop'),
      workload('a', 'shop', { labels: { app: 'a', tier: 'front' } }),
      workload('b', 'shop', { labels: { app: 'b', tier: 'back' } }),
      workload('c', 'shop', { labels: { app: 'c' } }),
      workload('api', 'shop'),
      networkPolicy('api-in', 'shop', {
        podSelector: app('api'),
        ingress: [{
          from: [{
            podSelector: {
              matchExpressions: [
                { key: 'tier', operator: 'Exists' },
                { key: 'tier', operator: 'NotIn', values: ['back'] },
                { key: 'app', operator: 'In', values: ['a', 'b', 'c'] },
              ],
            },
          }, { podSelector: { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }, { key: 'app', operator: 'In', values: ['c'] }] } }],
        }],
      }),
    ];
    expect(['a', 'b', 'c'].map((w) => allowed(objects, w, 'api'))).toEqual(['All Connections', 'No Connections', 'All Connections']);
  });

  test('ipBlocks select addresses less their exceptions, never pods', () => {
    const objects = [
      ...shop,
      networkPolicy('web-out', 'shop', {
        podSelector: app('web'),
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 5432 }] }],
      }),
    ];
    expect(allowed(objects, 'web', cidr('10.2.0.0/16'))).toBe('TCP 5432');
    expect(allowed(objects, 'web', cidr('10.1.3.0/24'))).toBe('No Connections');
    expect(allowed(objects, 'web', cidr('10.0.0.0/8'))).toBe('No Connections');
    expect(allowed(objects, 'web', 'api')).toBe('No Connections');
  });

  test('a rule selects pods the input does not hold when its selectors cover theirs; a pod of a namespace with policies is judged by them', () => {
    const objects = [
      ...shop,
      namespace('tenant'),
      denyAll('tenant'),
      networkPolicy('dns', 'tenant', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{
          to: [{
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          }],
        }],
      }),
    ];
    const anyTenantPod = podsPeer({ matchLabels: { 'kubernetes.io/metadata.name': 'tenant' } }, {});
    expect(allowed(objects, anyTenantPod, podsOf('kube-system', { 'k8s-app': 'kube-dns', version: '1' }))).toBe('All Connections');
    expect(allowed(objects, anyTenantPod, podsOf('kube-system', { app: 'other' }))).toBe('No Connections');
    expect(allowed(objects, anyTenantPod, 'api')).toBe('No Connections');
  });
});

describe('the matrix computes what the pairwise evaluation does', () => {
  test.each(ENVIRONMENTS)('every pair of %s\'s matrix, rule by rule (withPeers) and policy by policy', (env) => {
    const model = modelOf(env);
    const objects = synthEnvironment(model).flatMap((c) => c.objects);
    const matrix = new NetworkPolicyLayer(inventoryOf(objects));
    const pairwise = new NetworkPolicyLayer(inventoryOf(objects));
    const peers = networkPeers(matrix, model.policy.namespaces.map((ns) => podsPeer({ matchLabels: { 'kubernetes.io/metadata.name': ns } }, {})));
    matrix.withPeers([...peers.pods, ENTIRE_CLUSTER, ...peers.addresses]);
    const all = [...matrix.workloadPeers.values(), ...peers.pods, ENTIRE_CLUSTER, ...peers.addresses];
    // The same workloads in the other layer: its own Peer objects, matched by name.
    const twin = (p: Peer): Peer => (p.kind === 'workload' ? [...pairwise.workloadPeers.values()].find((q) => peerRef(q) === peerRef(p))! : p);
    let compared = 0;
    for (const from of all) {
      for (const to of all) {
        if (from === to) continue;
        expect(`${peerRef(from)} -> ${peerRef(to)}: ${matrix.flow(from, to).connections}`)
          .toBe(`${peerRef(from)} -> ${peerRef(to)}: ${pairwise.flow(twin(from), twin(to)).connections}`);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });
});
