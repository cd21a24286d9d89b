/**
 * The two mesh layers of the connectivity model, on objects built here: Istio's
 * AuthorizationPolicy (who may call a workload, on which ports) and the Sidecar / ServiceEntry
 * egress of a client (where its proxy may send a connection).
 */
import { Addresses } from '../../lib/connectivity/addresses';
import { AuthorizationLayer, Identity, principalOf } from '../../lib/connectivity/authorization';
import { inventoryOf, Workload } from '../../lib/connectivity/inventory';
import { SidecarLayer, SidecarTarget } from '../../lib/connectivity/sidecar';
import { KubeObject } from '../../lib/manifest/kube-object';
import { authorizationPolicy, namespace, serviceEntry, sidecar, workload } from './objects';

const mesh = namespace('shop', { 'istio-injection': 'enabled' });
const api = workload('api', 'shop', { ports: ['http:8080', 'grpc:9000'] });
const web = workload('web', 'shop');
const sa = (ns: string, name: string): Identity => ({ principal: principalOf(ns, name), namespace: ns });

function authorized(objects: readonly KubeObject[], id: Identity, to = 'api'): string {
  const inventory = inventoryOf(objects);
  return new AuthorizationLayer(inventory).verdict(id, inventory.workloads.find((w) => w.name === to)!).connections.toString();
}

describe('AuthorizationLayer', () => {
  const allowNothing = authorizationPolicy('deny-all', 'shop', {});
  const allowWeb = authorizationPolicy('api', 'shop', {
    selector: { matchLabels: { app: 'api' } },
    rules: [{ from: [{ source: { principals: [principalOf('shop', 'web')] } }] }],
  });

  test('no ALLOW policy: every request is allowed; the allow-nothing policy: none is', () => {
    expect(authorized([mesh, api, web], sa('shop', 'web'))).toBe('TCP 1-65535');
    expect(authorized([mesh, api, web, allowNothing], sa('shop', 'web'))).toBe('No Connections');
  });

  test('an ALLOW rule lets exactly its principals through, beside the allow-nothing policy', () => {
    const objects = [mesh, api, web, allowNothing, allowWeb];
    expect(authorized(objects, sa('shop', 'web'))).toBe('TCP 1-65535');
    expect(authorized(objects, sa('shop', 'other'))).toBe('No Connections');
    expect(authorized(objects, {})).toBe('No Connections');
  });

  test('a policy applies to the workloads its selector selects, or to every one of its namespace', () => {
    const objects = [mesh, api, web, allowWeb];
    expect(authorized(objects, sa('shop', 'other'), 'web')).toBe('TCP 1-65535');
    expect(authorized([mesh, api, web, authorizationPolicy('ns', 'shop', { rules: [{ to: [{ operation: { ports: ['8080'] } }] }] })], {}, 'web'))
      .toBe('TCP 8080');
  });

  test('principal patterns, namespaces and ports; notPorts take away', () => {
    const policy = (rules: unknown[]) => [mesh, api, allowNothing, authorizationPolicy('api', 'shop', {
      selector: { matchLabels: { app: 'api' } },
      rules,
    })];
    const fromOps = { from: [{ source: { namespaces: ['ops'] } }] };
    expect(authorized(policy([{ from: [{ source: { principals: ['cluster.local/ns/ops/*'] } }] }]), sa('ops', 'probe'))).toBe('TCP 1-65535');
    expect(authorized(policy([{ ...fromOps, to: [{ operation: { ports: ['8080'] } }] }]), sa('ops', 'x'))).toBe('TCP 8080');
    expect(authorized(policy([{ from: [{ source: { namespaces: ['ops'] } }] }]), sa('shop', 'x'))).toBe('No Connections');
    expect(authorized(policy([{ to: [{ operation: { notPorts: ['9000'] } }] }]), {})).toBe('TCP 1-8999,9001-65535');
  });

  test('DENY wins over ALLOW; a DENY rule that also matches on paths denies only some requests, so not the flow', () => {
    const deny = (rule: Record<string, unknown>) => authorizationPolicy('no-web', 'shop', { action: 'DENY', rules: [rule] });
    const from = { from: [{ source: { principals: [principalOf('shop', 'web')] } }] };
    expect(authorized([mesh, api, allowWeb, deny({ ...from, to: [{ operation: { ports: ['9000'] } }] })], sa('shop', 'web')))
      .toBe('TCP 1-8999,9001-65535');
    expect(authorized([mesh, api, allowWeb, deny({ ...from, to: [{ operation: { paths: ['/admin'] } }] })], sa('shop', 'web'))).toBe('TCP 1-65535');
  });
});

function sends(objects: readonly KubeObject[], target: SidecarTarget, from = 'web'): { governed: boolean; allowed: boolean } {
  const inventory = inventoryOf(objects);
  const client: Workload = inventory.workloads.find((w) => w.name === from)!;
  const { governed, allowed } = new SidecarLayer(inventory).verdict(client, target);
  return { governed, allowed };
}

describe('SidecarLayer', () => {
  const registryOnly = (hosts: string[], extra: Record<string, unknown> = {}) => sidecar('egress', 'shop', {
    egress: [{ hosts }],
    outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
    ...extra,
  });
  const api443 = serviceEntry('llm', 'shop', { hosts: ['api.example.com'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], exportTo: ['.'] });
  const db = serviceEntry('db', 'shop', {
    hosts: ['db.internal'],
    addresses: ['10.50.0.0/16'],
    ports: [{ number: 5432, name: 'tcp', protocol: 'TCP' }],
  });
  const allowed = { governed: true, allowed: true };
  const blocked = { governed: true, allowed: false };

  test('REGISTRY_ONLY lets out only what an egress host imports: Services by namespace/host, ServiceEntries of an imported namespace', () => {
    const objects = [mesh, web, registryOnly(['./*', 'istio-system/*', 'default/kubernetes.default.svc.cluster.local']), api443, db];
    expect(sends(objects, { namespace: 'shop', host: 'api.shop.svc.cluster.local', port: 80 })).toEqual(allowed);
    expect(sends(objects, { namespace: 'default', host: 'kubernetes.default.svc.cluster.local', port: 443 })).toEqual(allowed);
    expect(sends(objects, { namespace: 'kube-system', port: 53 })).toEqual(blocked);
    expect(sends(objects, { host: 'api.example.com', port: 443 })).toEqual(allowed);
    expect(sends(objects, { host: 'api.example.com', port: 8443 })).toEqual(blocked);
    expect(sends(objects, { host: 'evil.example.com', port: 443 })).toEqual(blocked);
    expect(sends(objects, { addresses: Addresses.cidr('10.50.1.0/24'), port: 5432 })).toEqual(allowed);
    expect(sends(objects, { addresses: Addresses.cidr('10.60.0.0/24'), port: 5432 })).toEqual(blocked);
  });

  test('a ServiceEntry exported to its own namespace only is unknown elsewhere; an egress listener with a port imports that port only', () => {
    const other = [namespace('ops', { 'istio-injection': 'enabled' }), workload('probe', 'ops'), sidecar('egress', 'ops', {
      egress: [{ hosts: ['shop/*'] }],
      outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
    })];
    expect(sends([mesh, ...other, api443, db], { host: 'api.example.com', port: 443 }, 'probe')).toEqual(blocked);
    expect(sends([mesh, ...other, api443, db], { host: 'db.internal', port: 5432 }, 'probe')).toEqual(allowed);
    const ported = sidecar('egress', 'shop', {
      egress: [{ hosts: ['default/*'], port: { number: 443, protocol: 'HTTPS', name: 'https' } }],
      outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
    });
    expect(sends([mesh, web, ported], { namespace: 'default', host: 'kubernetes.default.svc.cluster.local', port: 443 })).toEqual(allowed);
    expect(sends([mesh, web, ported], { namespace: 'default', host: 'kubernetes.default.svc.cluster.local', port: 6443 })).toEqual(blocked);
  });

  test('a workload\'s own Sidecar (workloadSelector) replaces the namespace\'s; ALLOW_ANY lets unknown hosts out', () => {
    const own = sidecar('web', 'shop', { workloadSelector: { labels: { app: 'web' } }, egress: [{ hosts: ['./*'] }] });
    const objects = [mesh, web, api, registryOnly(['./*']), own];
    expect(sends(objects, { host: 'evil.example.com', port: 443 })).toEqual(allowed);
    expect(sends(objects, { host: 'evil.example.com', port: 443 }, 'api')).toEqual(blocked);
  });

  test('no sidecar (injection off) or no Sidecar object in the input: not this layer\'s to decide', () => {
    const off = workload('web', 'shop', { annotations: { 'sidecar.istio.io/inject': 'false' } });
    expect(sends([mesh, off, registryOnly(['./*'])], { host: 'evil.example.com', port: 443 })).toEqual({ governed: false, allowed: true });
    expect(sends([mesh, web], { host: 'evil.example.com', port: 443 })).toEqual({ governed: false, allowed: true });
    expect(sends([namespace('shop'), web, registryOnly(['./*'])], { host: 'evil.example.com', port: 443 }))
      .toEqual({ governed: false, allowed: true });
  });
});
