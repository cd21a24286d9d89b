/**
 * The connectivity model's NetworkPolicy layer against an independent implementation: np-guard's
 * netpol-analyzer (`.tools/bin/netpolicy`, pinned in scripts/tools.env and built by
 * `scripts/setup.sh netpolicy` through scripts/build-netpolicy/go.mod). Both read the same objects
 * (the workloads, Services, Namespaces and NetworkPolicies, in one flat directory, as the analyzer
 * wants them) and must report the same connections: between workloads, with addresses (merged
 * by connection, since the analyzer and the model split the address space differently), and with
 * pods the input does not hold (the analyzer's exposure analysis). Never skipped: without the
 * binary the test fails, saying how to build it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { Addresses } from '../../lib/connectivity/addresses';
import { inventoryOf } from '../../lib/connectivity/inventory';
import { networkEdges, networkPeers } from '../../lib/connectivity/network-matrix';
import { NetworkPolicyLayer } from '../../lib/connectivity/network-policy';
import { ENTIRE_CLUSTER, namespaceNameOf, Peer, peerRef } from '../../lib/connectivity/peers';
import { Connections } from '../../lib/connectivity/ports';
import { KubeObject } from '../../lib/manifest/kube-object';
import { isEmptySelector, LabelSelector } from '../../lib/manifest/label-selector';
import { readOutputObjects } from '../../lib/manifest/manifest-reader';
import { BIN_DIR } from '../../scripts/gen-schemas';
import { ROOT } from '../helpers';
import { denyAll, namespace, networkPolicy, workload } from './objects';

const NETPOLICY = path.join(BIN_DIR, 'netpolicy');
/** What netpol-analyzer reads; it prints a line for any other kind, into its output. */
const ANALYZED = new Set(['Namespace', 'NetworkPolicy', 'Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Service']);

interface Line {
  readonly src: string;
  readonly dst: string;
  readonly conn: string;
}

const isAddresses = (ref: string): boolean => /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+-/.test(ref);

/**
 * One comparable form of a connection list: workload pairs as they are; connections with
 * addresses merged per workload, direction and connection (the address parts differ between the
 * two); with pods outside the input per workload and direction, those no wider than what the
 * workload has with the entire cluster left out (the analyzer shows only the wider ones).
 */
function canonical(conns: readonly Line[], exposure: { egress: readonly Line[]; ingress: readonly Line[] }): string[] {
  const out: string[] = [];
  const ips = new Map<string, Addresses>();
  for (const { src, dst, conn } of conns) {
    if (!isAddresses(src) && !isAddresses(dst)) {
      out.push(`${src} => ${dst} : ${conn}`);
      continue;
    }
    const [w, direction, range] = isAddresses(dst) ? [src, 'egress', dst] : [dst, 'ingress', src];
    const key = `${w} ${direction} addresses : ${conn}`;
    const addresses = range.split(',').reduce((all, r) => {
      const [a, b] = r.split('-');
      return all.union(rangeOf(a, b));
    }, Addresses.NONE);
    ips.set(key, (ips.get(key) ?? Addresses.NONE).union(addresses));
  }
  for (const [key, addresses] of ips) out.push(`${key.replace(' addresses :', ` ${addresses} :`)}`);
  for (const direction of ['egress', 'ingress'] as const) {
    const byWorkload = new Map<string, { peer: string; conn: string }[]>();
    for (const { src, dst, conn } of exposure[direction]) {
      const [w, peer] = direction === 'egress' ? [src, dst] : [dst, src];
      if (isAddresses(peer) || conn === 'No Connections') continue;
      byWorkload.set(w, [...(byWorkload.get(w) ?? []), { peer, conn }]);
    }
    for (const [w, lines] of byWorkload) {
      const cluster = lines.find((l) => l.peer === 'entire-cluster')?.conn;
      for (const { peer, conn } of lines) {
        if (cluster !== undefined && peer !== 'entire-cluster' && contains(cluster, conn)) continue;
        out.push(`${w} ${direction} ${peer} : ${conn}`);
      }
    }
  }
  return [...new Set(out)].sort();
}

function rangeOf(first: string, last: string): Addresses {
  const n = (ip: string) => ip.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
  return Addresses.ofRanges([[n(first), n(last)]]);
}

/** Whether connection text `outer` allows everything `inner` does (as the analyzer prints them). */
function contains(outer: string, inner: string): boolean {
  const parse = (text: string): Connections => {
    if (text === 'All Connections') return Connections.ALL;
    return Connections.union(text.split(/,(?=[A-Z])/).map((part) => {
      const [protocol, ports] = part.split(' ') as ['TCP' | 'UDP' | 'SCTP', string];
      return Connections.union(ports.split(',').map((p) => (/^[0-9]/.test(p)
        ? Connections.ports(protocol, Number(p.split('-')[0]), Number(p.split('-')[1] ?? p))
        : Connections.named(protocol, p))));
    }));
  };
  return parse(outer).contains(parse(inner));
}

/**
 * netpol-analyzer knows no Argo Rollouts Rollout: it reads one as the Deployment it replaces (the same
 * selector and pod template, at the same path), and its names are mapped back.
 */
function asAnalyzed(o: KubeObject): KubeObject {
  if (o.kind !== 'Rollout') return o;
  const { selector, template, replicas } = (o.spec ?? {}) as Record<string, unknown>;
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: o.metadata, spec: { selector, template, replicas } };
}

/** What netpol-analyzer lists for `objects`, in the comparable form. */
function analyzer(objects: readonly KubeObject[]): string[] {
  if (!fs.existsSync(NETPOLICY)) {
    throw new Error(`${NETPOLICY} is missing: build it with scripts/setup.sh netpolicy (make unit and make test do)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-netpolicy-'));
  try {
    const input = path.join(dir, 'objects');
    fs.mkdirSync(input);
    objects.map(asAnalyzed).filter((o) => ANALYZED.has(o.kind)).forEach((o, i) => {
      fs.writeFileSync(path.join(input, `${String(i).padStart(4, '0')}-${o.kind.toLowerCase()}-${o.metadata.name}.yaml`), stringify(o));
    });
    const out = path.join(dir, 'connections.json');
    execFileSync(NETPOLICY, ['list', '--dirpath', input, '--exposure', '-o', 'json', '-f', out, '-q'], { stdio: 'pipe' });
    const result = JSON.parse(fs.readFileSync(out, 'utf8')) as {
      connlist_results?: Line[];
      exposure_results?: { egress_exposure?: Line[]; ingress_exposure?: Line[] };
    };
    const rollouts = new Set(objects.filter((o) => o.kind === 'Rollout')
      .map((o) => `${o.metadata.namespace ?? 'default'}/${o.metadata.name}[Deployment]`));
    return canonical(result.connlist_results ?? [], {
      egress: result.exposure_results?.egress_exposure ?? [],
      ingress: result.exposure_results?.ingress_exposure ?? [],
    }).map((line) => line.replace(/[^\s]+\[Deployment\]/g, (ref) => (rollouts.has(ref) ? ref.replace(/\[Deployment\]$/, '[Rollout]') : ref)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** netpol-analyzer's name of a selector's expressions: Go's text of each requirement, values in the rule's order. */
function expressionsText(selector: LabelSelector): string {
  const labels = Object.keys(selector.matchLabels ?? {}).sort().map((k) => `${k}=${selector.matchLabels![k]}`);
  const expressions = (selector.matchExpressions ?? [])
    .map((r) => `{Key:${r.key},Operator:${r.operator},Values:[${(r.values ?? []).join(' ')}],}`).sort();
  return [...labels, ...expressions].join(',');
}

/** How netpol-analyzer names a peer: as the model does, but for matchExpressions. */
function analyzerRef(p: Peer): string {
  if (p.kind !== 'pods' || ![p.namespaces, p.pods].some((s) => (s.matchExpressions ?? []).length > 0)) return peerRef(p);
  const name = namespaceNameOf(p.namespaces);
  const ns = name ?? (isEmptySelector(p.namespaces) ? '[all namespaces]' : `[namespace with {${expressionsText(p.namespaces)}}]`);
  return `${ns}/${isEmptySelector(p.pods) ? '[all pods]' : `[pod with {${expressionsText(p.pods)}}]`}`;
}

/**
 * What the model's NetworkPolicy layer allows for `objects`, over the analyzer's peers, in the
 * same form: flows between workloads and with addresses end to end (the source's egress and the
 * destination's ingress), and, as the analyzer's exposure analysis means it, what each workload's
 * own policies let out to or in from pods the input does not hold (one direction: the model's
 * matrix also applies those pods' own policies where the input holds them, see below).
 */
function model(objects: readonly KubeObject[]): string[] {
  const layer = new NetworkPolicyLayer(inventoryOf(objects));
  const peers = networkPeers(layer);
  const lines = networkEdges(layer, peers).filter(({ from, to }) => from.kind !== 'pods' && to.kind !== 'pods')
    .map(({ from, to, connections }) => ({ src: peerRef(from), dst: peerRef(to), conn: connections.toString() }));
  const exposure = { egress: [] as Line[], ingress: [] as Line[] };
  for (const w of layer.workloadPeers.values()) {
    for (const p of [...peers.pods, ENTIRE_CLUSTER]) {
      const out = layer.verdict('egress', w, p).connections;
      const into = layer.verdict('ingress', p, w).connections;
      if (!out.isEmpty()) exposure.egress.push({ src: peerRef(w), dst: analyzerRef(p), conn: out.toString() });
      if (!into.isEmpty()) exposure.ingress.push({ src: analyzerRef(p), dst: peerRef(w), conn: into.toString() });
    }
  }
  return canonical(lines, exposure);
}

const app = (name: string) => ({ matchLabels: { app: name } });
const inNamespace = (ns: string, labels: Record<string, string>) => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
  podSelector: { matchLabels: labels },
});

const ENVS = fs.readdirSync(path.join(ROOT, 'overlays')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length)).sort();

describe('netpol-analyzer and the connectivity model agree on the NetworkPolicy layer', () => {
  test.each(ENVS)('dist/%s', (env) => {
    const objects = readOutputObjects(path.join(ROOT, 'dist', env)).map((o) => o.object);
    const theirs = analyzer(objects);
    expect(theirs.length).toBeGreaterThan(0);
    expect(model(objects)).toEqual(theirs);
  });

  const shop = (extra: KubeObject[]) => [
    namespace('shop', { team: 'shop' }),
    namespace('ops', { team: 'ops' }),
    workload('web', 'shop', { labels: { app: 'web', tier: 'front' } }),
    workload('api', 'shop', { labels: { app: 'api', tier: 'back' }, ports: ['http:8080', 'metrics:9090', 'dns:5353/UDP'] }),
    workload('db', 'shop', { labels: { app: 'db', tier: 'data' }, ports: ['pg:5432'] }),
    workload('probe', 'ops', { labels: { app: 'probe' } }),
    ...extra,
  ];

  test.each([
    ['no policies: everything open', shop([])],
    ['default deny, then allows that add up', shop([
      denyAll('shop'),
      ...[{ port: 'http' }, { port: 9090 }].map((port, i) => networkPolicy(`web-out-${i}`, 'shop', {
        podSelector: app('web'),
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: app('api') }], ports: [port] }],
      })),
      networkPolicy('api-in', 'shop', {
        podSelector: app('api'),
        ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'edge'] }] } }] }],
      }),
    ])],
    ['named ports, endPort, ports without a port', shop([
      networkPolicy('api-in', 'shop', {
        podSelector: app('api'),
        ingress: [{ ports: [{ port: 'http' }, { port: 'dns', protocol: 'UDP' }, { port: 30000, endPort: 30100 }, { protocol: 'SCTP' }] }],
      }),
    ])],
    ['ipBlocks with exceptions, egress and ingress', shop([
      networkPolicy('db-out', 'shop', {
        podSelector: app('db'),
        policyTypes: ['Egress', 'Ingress'],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.3.0/24'] } }], ports: [{ port: 443 }] }],
        ingress: [{ from: [{ ipBlock: { cidr: '192.168.0.0/16' } }, { podSelector: app('api') }], ports: [{ port: 'pg' }] }],
      }),
    ])],
    ['namespace selectors by label and by name, ANDed with pod selectors, and pods the input does not hold', shop([
      denyAll('shop'),
      networkPolicy('api-in', 'shop', {
        podSelector: app('api'),
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { team: 'ops' } }, podSelector: { matchLabels: { app: 'probe' } } }] },
          { from: [inNamespace('istio-system', { istio: 'ingressgateway' })], ports: [{ port: 8080 }] },
        ],
      }),
      networkPolicy('web-out', 'shop', {
        podSelector: app('web'),
        policyTypes: ['Egress'],
        egress: [
          { to: [inNamespace('kube-system', { 'k8s-app': 'kube-dns' })], ports: [{ port: 53, protocol: 'UDP' }] },
          { to: [{ namespaceSelector: {} }], ports: [{ port: 443 }] },
        ],
      }),
    ])],
  ])('objects built here: %s', (_name, objects) => {
    expect(model(objects)).toEqual(analyzer(objects));
  });
});

/**
 * Where the two differ, on purpose-built objects; each difference is pinned with the reason the
 * model is right (Kubernetes' NetworkPolicy semantics), so that a new analyzer version that fixes
 * or changes it shows up here.
 */
describe('where netpol-analyzer and the model differ, and why the model is right', () => {
  const base = [
    namespace('shop'),
    namespace('ops'),
    workload('api', 'shop', { labels: { app: 'api' }, ports: ['http:8080', 'dns:5353/UDP'] }),
    workload('probe', 'ops', { labels: { app: 'probe' } }),
  ];
  const difference = (objects: readonly KubeObject[]) => {
    const theirs = analyzer(objects);
    const ours = model(objects);
    return { onlyAnalyzer: theirs.filter((l) => !ours.includes(l)), onlyModel: ours.filter((l) => !theirs.includes(l)) };
  };

  test('a named port of another protocol: the analyzer resolves it for its entire-cluster exposure; the model and its pair analysis do not', () => {
    // TCP "dns" names no TCP port of api (its "dns" is UDP): the rule matches nothing on TCP. The analyzer's
    // cluster-wide exposure replaces the name with 5353 without comparing protocols (Pod.checkAndConvertNamedPortsInConnection),
    // while its workload-to-workload path checks them (getPortsRange); the model checks them everywhere.
    const objects = [...base, networkPolicy('api-in', 'shop', {
      podSelector: app('api'),
      ingress: [{ ports: [{ port: 'dns', protocol: 'TCP' }, { port: 'http' }] }],
    })];
    expect(difference(objects)).toEqual({
      onlyAnalyzer: ['shop/api[Deployment] ingress entire-cluster : TCP 5353,8080'],
      onlyModel: ['shop/api[Deployment] ingress entire-cluster : TCP 8080'],
    });
    expect(analyzer(objects)).toContain('ops/probe[Deployment] => shop/api[Deployment] : TCP 8080');
  });

  test('a selection narrower than another rule\'s: the model gives it both rules\' connections, the analyzer only its own rule\'s', () => {
    // Every pod labelled app=probe,version=v2 in ops is also app=probe in ops: the first rule admits it too. The
    // analyzer matches a rule to a representative peer only when their selectors are equal or the rule's is empty
    // (SelectorsFullMatch), so the narrower peer loses the wider rule's port.
    const ops = (labels: Record<string, string>) => inNamespace('ops', labels);
    const objects = [...base.filter((o) => o.metadata.name !== 'probe'), networkPolicy('api-in', 'shop', {
      podSelector: app('api'),
      ingress: [
        { from: [ops({ app: 'probe' })], ports: [{ port: 8080 }] },
        { from: [ops({ app: 'probe', version: 'v2' })], ports: [{ port: 9000 }] },
      ],
    })];
    expect(difference(objects)).toEqual({
      onlyAnalyzer: ['shop/api[Deployment] ingress ops/[pod with {app=probe,version=v2}] : TCP 9000'],
      onlyModel: ['shop/api[Deployment] ingress ops/[pod with {app=probe,version=v2}] : TCP 8080,9000'],
    });
  });

  test('a pod the input does not hold, in a namespace whose policies it holds: the model applies them end to end', () => {
    // The analyzer's exposure is one direction: api admits any pod of shop labelled tier=front. Such a pod is also
    // selected by shop's deny-all for egress, so it cannot connect: the model's matrix has no such flow.
    const objects = [...base, denyAll('shop'), networkPolicy('api-in', 'shop', {
      podSelector: app('api'),
      ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'front' } } }] }],
    })];
    expect(difference(objects)).toEqual({ onlyAnalyzer: [], onlyModel: [] });
    expect(analyzer(objects)).toContain('shop/api[Deployment] ingress shop/[pod with {tier=front}] : All Connections');
    const layer = new NetworkPolicyLayer(inventoryOf(objects));
    const edges = networkEdges(layer, networkPeers(layer), new Set(['shop'])).map((e) => `${peerRef(e.from)} -> ${peerRef(e.to)}`);
    expect(edges.filter((e) => e.startsWith('shop/[pod with {tier=front}]'))).toEqual([]);
  });
});
