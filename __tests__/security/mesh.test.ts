import { MeshEdge, MeshEdgeProps } from '../../lib/security/mesh-edge';
import { MeshNamespacePolicy } from '../../lib/security/mesh-namespace-policy';
import { WorkloadMesh, WorkloadMeshProps } from '../../lib/security/workload-mesh';
import { findObject, synthObjects } from '../helpers';

describe('MeshNamespacePolicy', () => {
  const objects = synthObjects((chart) => new MeshNamespacePolicy(chart, 'm', {
    namespace: 'ns',
    name: 'baseline',
    labels: {},
    meshNamespace: 'istio-system',
  }));

  test('requires mTLS, denies every request no policy allows, and only knows registered egress hosts', () => {
    expect(findObject(objects, 'PeerAuthentication').spec).toEqual({ mtls: { mode: 'STRICT' } });
    expect(findObject(objects, 'AuthorizationPolicy')).toMatchObject({ metadata: { name: 'baseline-deny-all', namespace: 'ns' }, spec: {} });
    expect(findObject(objects, 'Sidecar').spec).toEqual({
      egress: [{ hosts: ['./*', 'istio-system/*'] }],
      outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
    });
  });
});

describe('WorkloadMesh', () => {
  const BASE: WorkloadMeshProps = {
    name: 'backend',
    namespace: 'ns',
    labels: {},
    selector: { 'app.kubernetes.io/name': 'backend' },
    servicePort: 80,
    callers: [
      { namespace: 'ns', serviceAccount: 'frontend' },
      { namespace: 'istio-system', serviceAccount: 'gw' },
      { namespace: 'ns', serviceAccount: 'frontend' },
    ],
    traffic: { maxConnections: 100, maxPendingRequests: 64, consecutive5xxErrors: 5, timeout: '15s' },
  };
  const synth = (props: Partial<WorkloadMeshProps> = {}) => synthObjects((chart) => new WorkloadMesh(chart, 'm', { ...BASE, ...props }));

  test('allows exactly the callers\' service account principals, once each, sorted', () => {
    expect(findObject(synth(), 'AuthorizationPolicy').spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { 'app.kubernetes.io/name': 'backend' } },
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/gw', 'cluster.local/ns/ns/sa/frontend'] } }] }],
    });
  });

  test('without callers the policy has no rule, so nothing may call the workload, and there is no client to configure', () => {
    const objects = synth({ callers: [] });
    expect(findObject(objects, 'AuthorizationPolicy').spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { 'app.kubernetes.io/name': 'backend' } },
    });
    expect(objects.map((o) => o.kind)).toEqual(['AuthorizationPolicy']);
  });

  test('fails on an exposed host without callers (the ingress gateway calls it)', () => {
    expect(() => synth({ callers: [], exposure: { host: 'api.example.com', gateway: 'bulwark-ingress' } }))
      .toThrow('workload-mesh "backend": exposure of api.example.com needs the ingress gateway among callers');
  });

  test('clients use ISTIO_MUTUAL with connection limits and outlier detection', () => {
    expect(findObject(synth(), 'DestinationRule').spec).toEqual({
      host: 'backend.ns.svc.cluster.local',
      trafficPolicy: {
        tls: { mode: 'ISTIO_MUTUAL' },
        connectionPool: { tcp: { maxConnections: 100, connectTimeout: '5s' }, http: { http1MaxPendingRequests: 64, http2MaxRequests: 100 } },
        outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
      },
    });
  });

  test('routes an exposed host from the ingress gateway with the timeout; no route when not exposed', () => {
    expect(synth().some((o) => o.kind === 'VirtualService')).toBe(false);
    expect(findObject(synth({ exposure: { host: 'api.example.com', gateway: 'bulwark-ingress' } }), 'VirtualService').spec).toEqual({
      hosts: ['api.example.com'],
      gateways: ['bulwark-ingress'],
      http: [{ route: [{ destination: { host: 'backend.ns.svc.cluster.local', port: { number: 80 } } }], timeout: '15s' }],
    });
  });
});

describe('MeshEdge', () => {
  const BASE: MeshEdgeProps = {
    namespace: 'ns',
    labels: {},
    meshNamespace: 'istio-system',
    ingressGateway: { labels: { istio: 'ingressgateway' } },
    egressGateway: { service: 'istio-egressgateway', labels: { istio: 'egressgateway' } },
    published: [{ component: 'frontend', host: 'app.example.com', credentialName: 'bulwark-dev-frontend-tls' }],
    external: [
      { name: 'llm-api', hosts: ['api.openai.com'], cidrs: [], ports: [443], protocol: 'TLS' },
      { name: 'database', hosts: ['db.internal'], cidrs: ['10.0.0.0/16'], ports: [5432], protocol: 'TCP' },
    ],
  };
  const objects = synthObjects((chart) => new MeshEdge(chart, 'e', BASE));

  test('terminates TLS for each published host with its certificate and redirects HTTP', () => {
    expect(findObject(objects, 'Gateway', 'bulwark-ingress').spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [
        { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['app.example.com'], tls: { httpsRedirect: true } },
        {
          port: { number: 443, name: 'https-frontend', protocol: 'HTTPS' },
          hosts: ['app.example.com'],
          tls: { mode: 'SIMPLE', credentialName: 'bulwark-dev-frontend-tls' },
        },
      ],
    });
  });

  test('registers every external service (the REGISTRY_ONLY allow-list)', () => {
    expect(findObject(objects, 'ServiceEntry', 'external-llm-api').spec).toEqual({
      hosts: ['api.openai.com'],
      ports: [{ number: 443, name: 'tls-443', protocol: 'TLS' }],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
      exportTo: ['.'],
    });
    expect(findObject(objects, 'ServiceEntry', 'external-database').spec).toEqual({
      hosts: ['db.internal'],
      addresses: ['10.0.0.0/16'],
      ports: [{ number: 5432, name: 'tcp-5432', protocol: 'TCP' }],
      location: 'MESH_EXTERNAL',
      resolution: 'NONE',
      exportTo: ['.'],
    });
  });

  test('routes TLS services through the egress gateway by SNI; TCP ones go direct', () => {
    expect(findObject(objects, 'Gateway', 'bulwark-egress').spec).toEqual({
      selector: { istio: 'egressgateway' },
      servers: [{ port: { number: 443, name: 'tls', protocol: 'TLS' }, hosts: ['api.openai.com'], tls: { mode: 'PASSTHROUGH' } }],
    });
    const route = findObject(objects, 'VirtualService', 'egress-llm-api').spec as { tls: { route: { destination: { host: string } }[] }[] };
    expect(route.tls.map((r) => r.route[0].destination.host)).toEqual(['istio-egressgateway.istio-system.svc.cluster.local', 'api.openai.com']);
    expect(objects.filter((o) => o.kind === 'VirtualService')).toHaveLength(1);
  });

  test('routes TLS to another port than 443 by that port: the sidecar sends it to the gateway\'s TLS port, the gateway on to the host\'s', () => {
    const vault = { name: 'registry', hosts: ['registry.example.com'], cidrs: [], ports: [8443], protocol: 'TLS' as const };
    const routed = synthObjects((chart) => new MeshEdge(chart, 'e', { ...BASE, external: [vault] }));
    expect(findObject(routed, 'VirtualService', 'egress-registry').spec).toEqual({
      hosts: ['registry.example.com'],
      gateways: ['mesh', 'bulwark-egress'],
      tls: [
        {
          match: [{ gateways: ['mesh'], port: 8443, sniHosts: ['registry.example.com'] }],
          route: [{ destination: { host: 'istio-egressgateway.istio-system.svc.cluster.local', port: { number: 443 } } }],
        },
        {
          match: [{ gateways: ['bulwark-egress'], port: 443, sniHosts: ['registry.example.com'] }],
          route: [{ destination: { host: 'registry.example.com', port: { number: 8443 } } }],
        },
      ],
    });
  });

  test('emits no gateways when nothing is published and nothing leaves through the egress gateway', () => {
    const bare = synthObjects((chart) => new MeshEdge(chart, 'e', { ...BASE, published: [], external: [BASE.external[1]] }));
    expect(bare.map((o) => o.kind)).toEqual(['ServiceEntry']);
  });
});
