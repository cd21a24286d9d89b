/**
 * The connectivity check on what the fixture overlays synthesize: every rule of the needed-flows
 * table yields its needs from the model, each need is judged at each layer, and taking one
 * allowance out of the objects blocks exactly that need, at that layer, naming the object; adding
 * an allowance no need explains is lateral movement, at the layer that allows it.
 */
import { analyzeConnectivity, connectivityFindings, ConnectivityReport, NeedResult } from '../../lib/connectivity/analyze';
import { FLOW_RULES, neededFlows } from '../../lib/connectivity/needed-flows';
import { KubeObject } from '../../lib/manifest/kube-object';
import { PlatformModel } from '../../lib/model/platform-model';
import { synthEnvironment, withAreaFlows } from '../../lib/synth/synth-environment';
import { ENVIRONMENTS, modelOf } from '../helpers';
import { authorizationPolicy, networkPolicy, serviceEntry } from './objects';

const synthesized = new Map<string, { model: PlatformModel; objects: KubeObject[] }>();

/** The model and objects of a fixture environment (no checks run: these tests are the checks). */
function environment(env: string): { model: PlatformModel; objects: KubeObject[] } {
  let found = synthesized.get(env);
  if (!found) {
    // The model the synth's check judges: with the flows the areas add (the scrapes, the trace export).
    const declared = modelOf(env);
    found = { model: withAreaFlows(declared), objects: synthEnvironment(declared).flatMap((c) => c.objects) };
    synthesized.set(env, found);
  }
  return found;
}

/** The fields of the synthesized policies these tests edit. */
interface PeerSpec {
  readonly podSelector?: { readonly matchLabels?: Record<string, string> };
  readonly namespaceSelector?: { readonly matchLabels?: Record<string, string> };
  readonly ipBlock?: { readonly cidr: string };
}
/** An ingress or egress rule of a NetworkPolicy, or (hosts) an egress listener of a Sidecar. */
interface RuleSpec {
  from: PeerSpec[];
  to: PeerSpec[];
  hosts: string[];
}
interface Editable {
  spec: {
    ingress: RuleSpec[];
    egress: RuleSpec[];
    rules?: { from: { source: { principals: string[] } }[] }[];
  };
}

/** A copy of the environment's objects with `edit` applied to the one of `kind` named `name`. */
function edited(env: string, kind: string, name: string, edit: (o: Editable) => void): KubeObject[] {
  const { objects } = environment(env);
  let found = false;
  const out = objects.map((o) => {
    if (o.kind !== kind || o.metadata.name !== name) return o;
    found = true;
    const copy = structuredClone(o);
    edit(copy as unknown as Editable);
    return copy;
  });
  if (!found) throw new Error(`no ${kind} ${name} in ${env}`);
  return out;
}

function without(env: string, kind: string, name: string): KubeObject[] {
  const out = environment(env).objects.filter((o) => !(o.kind === kind && o.metadata.name === name));
  if (out.length === environment(env).objects.length) throw new Error(`no ${kind} ${name} in ${env}`);
  return out;
}

/** The findings `objects` have that the environment as synthesized does not. */
function newFindings(env: string, objects: readonly KubeObject[]): string[] {
  const { model } = environment(env);
  const before = new Set(connectivityFindings(model, environment(env).objects).map((f) => f.message));
  return connectivityFindings(model, objects).filter((f) => !before.has(f.message)).map((f) => `${f.object}: ${f.message}`);
}

function needsOf(report: ConnectivityReport, rule: string): NeedResult[] {
  return report.needs.filter((n) => n.rule === rule);
}

/** A line that holds each of `parts`, in order (each literal, anything between them). */
const holding = (...parts: string[]) => expect.stringMatching(new RegExp(parts.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('.*')));

const verdicts = (n: NeedResult): string => Object.entries(n.layers).map(([layer, l]) => `${layer} ${l.verdict}`).join(', ');

describe('the needed-flows table', () => {
  test('every rule has an id, when it applies, its ends, ports, reason and fix; ids are unique', () => {
    expect(new Set(FLOW_RULES.map((r) => r.id)).size).toBe(FLOW_RULES.length);
    for (const r of FLOW_RULES) {
      for (const field of [r.when, r.source, r.destination, r.ports, r.reason, r.fix]) expect(field.length).toBeGreaterThan(3);
    }
  });

  test('every rule applies in some fixture environment, and only when its condition holds', () => {
    const applied = new Set(ENVIRONMENTS.flatMap((env) => neededFlows(environment(env).model).map((n) => n.rule)));
    expect([...applied].sort()).toEqual(FLOW_RULES.map((r) => r.id).sort());
    const dev = neededFlows(environment('dev').model);
    // dev delivers secrets by External Secrets only: no pod calls Vault.
    expect(dev.filter((n) => n.rule === 'vault-agent' || n.rule === 'vault-csi')).toEqual([]);
    // prod: the agent runs Vault Agent, mcp reads through CSI; the API server for exactly the two service accounts with grants.
    const prod = neededFlows(environment('prod').model);
    expect(prod.filter((n) => n.rule === 'vault-agent').map((n) => n.reason)).toEqual([expect.stringContaining('agent\'s Vault Agent')]);
    expect(prod.filter((n) => n.rule === 'vault-csi').map((n) => n.reason)).toEqual([expect.stringContaining('mcp\'s secrets')]);
    expect(prod.filter((n) => n.rule === 'api-server').map((n) => n.from)).toEqual([
      { kind: 'component', name: 'agent' },
      { kind: 'component', name: 'mcp' },
    ]);
  });

  test('cluster DNS and istiod are needed from every namespace of the environment, tenants included', () => {
    const prod = neededFlows(environment('prod').model);
    const from = (rule: string) => prod.filter((n) => n.rule === rule).map((n) => (n.from.kind === 'namespace' ? n.from.namespace : ''));
    expect(from('cluster-dns')).toEqual(['bulwark-prod', 'bulwark-prod-team-a', 'bulwark-prod-team-b']);
    expect(from('istiod')).toEqual(from('cluster-dns'));
  });
});

describe('each need at each layer', () => {
  test('the synthesized environments allow every need at every layer that governs it', () => {
    for (const env of ENVIRONMENTS) {
      const report = analyzeConnectivity(environment(env).model, environment(env).objects);
      expect(report.needs.filter((n) => n.blocked).map((n) => `${n.rule}: ${n.from} -> ${n.to}: ${verdicts(n)}`)).toEqual([]);
    }
  });

  test('which layers govern which rule', () => {
    const report = analyzeConnectivity(environment('prod').model, environment('prod').objects);
    const governing = (rule: string) => verdicts(needsOf(report, rule)[0]);
    expect(governing('depends-on')).toBe('NetworkPolicy allow, AuthorizationPolicy allow, Sidecar-ServiceEntry allow');
    expect(governing('depends-on-endpoint')).toBe('NetworkPolicy allow, AuthorizationPolicy n/a, Sidecar-ServiceEntry allow');
    expect(governing('cluster-dns')).toBe('NetworkPolicy allow, AuthorizationPolicy n/a, Sidecar-ServiceEntry allow');
    expect(governing('istiod')).toBe('NetworkPolicy allow, AuthorizationPolicy n/a, Sidecar-ServiceEntry n/a');
    expect(governing('api-server')).toBe('NetworkPolicy allow, AuthorizationPolicy n/a, Sidecar-ServiceEntry allow');
    expect(governing('vault-agent')).toBe('NetworkPolicy allow, AuthorizationPolicy n/a, Sidecar-ServiceEntry allow');
    expect(governing('vault-csi')).toBe('NetworkPolicy n/a, AuthorizationPolicy n/a, Sidecar-ServiceEntry n/a');
    expect(governing('ingress-gateway')).toBe('NetworkPolicy allow, AuthorizationPolicy allow, Sidecar-ServiceEntry n/a');
    expect(governing('egress-gateway')).toBe('NetworkPolicy allow, AuthorizationPolicy n/a, Sidecar-ServiceEntry allow');
    expect(governing('callers')).toBe('NetworkPolicy allow, AuthorizationPolicy allow, Sidecar-ServiceEntry n/a');
  });
});

describe('fails when a needed flow is blocked, naming the layer and the object', () => {
  test('cluster-dns at NetworkPolicy: the namespace baseline\'s DNS allowance removed', () => {
    expect(newFindings('prod', without('prod', 'NetworkPolicy', 'baseline-allow-dns'))).toEqual([
      'Namespace/bulwark-prod: needed flow blocked at NetworkPolicy: every pod of bulwark-prod -> cluster DNS (kube-system/k8s-app=kube-dns) '
        + '(TCP 53,UDP 53), cluster-dns: pods of bulwark-prod resolve names through cluster DNS; bulwark-prod/agent[Deployment], '
        + 'bulwark-prod/backend[Deployment], bulwark-prod/frontend[Deployment] and 3 more: no egress rule of the policies selecting it allows '
        + 'TCP 53,UDP 53 to kube-system/[pod with {k8s-app=kube-dns}] (NetworkPolicy/bulwark-prod/baseline-default-deny, '
        + 'NetworkPolicy/bulwark-prod/baseline-allow-mesh, NetworkPolicy/bulwark-prod/agent-traffic and 3 more); '
        + 'fix: the namespace baseline allows it from dns (namespace, podLabels, ports) and its Sidecar imports dns.service',
    ]);
  });

  test('istiod at NetworkPolicy', () => {
    const found = newFindings('dev', without('dev', 'NetworkPolicy', 'baseline-allow-mesh'));
    expect(found).toEqual([holding('Namespace/bulwark-dev: needed flow blocked at NetworkPolicy: every pod of bulwark-dev -> istiod ',
      'no egress rule of the policies selecting it allows TCP 15012 to istio-system/[pod with {app=istiod}]')]);
  });

  test('depends-on at NetworkPolicy (the callee\'s ingress) and at AuthorizationPolicy (the caller\'s principal)', () => {
    const noIngress = edited('prod', 'NetworkPolicy', 'mcp-traffic', (o) => {
      const notAgent = (p: PeerSpec) => p.podSelector?.matchLabels?.['app.kubernetes.io/name'] !== 'agent';
      o.spec.ingress = o.spec.ingress.map((r) => ({ ...r, from: r.from.filter(notAgent) })).filter((r) => r.from.length > 0);
    });
    expect(newFindings('prod', noIngress)).toEqual([
      holding('Deployment/bulwark-prod/agent: needed flow blocked at NetworkPolicy: component agent -> component mcp (TCP 8080), '
        + 'depends-on: agent dependsOn mcp; bulwark-prod/mcp[Deployment]: no ingress rule of the policies selecting it allows TCP 8080 from '
        + 'bulwark-prod/agent[Deployment] (NetworkPolicy/bulwark-prod/baseline-default-deny, NetworkPolicy/bulwark-prod/mcp-traffic); fix: '),
    ]);
    const noPrincipal = edited('prod', 'AuthorizationPolicy', 'mcp', (o) => {
      const source = o.spec.rules![0].from[0].source;
      source.principals = source.principals.filter((p) => !p.endsWith('/sa/agent'));
    });
    expect(newFindings('prod', noPrincipal)).toEqual([
      holding('Deployment/bulwark-prod/agent: needed flow blocked at AuthorizationPolicy: component agent -> component mcp ',
        'cluster.local/ns/bulwark-prod/sa/agent may not call bulwark-prod/mcp[Deployment] on TCP 8080: no rule of '
        + 'AuthorizationPolicy/bulwark-prod/baseline-deny-all, AuthorizationPolicy/bulwark-prod/mcp allows it'),
    ]);
  });

  test('depends-on at Sidecar-ServiceEntry: the callee has no Service', () => {
    expect(newFindings('prod', without('prod', 'Service', 'mcp'))).toEqual(expect.arrayContaining([
      holding('needed flow blocked at Sidecar-ServiceEntry: component agent -> component mcp ', 'no Service selects the pods of mcp on that port'),
    ]));
  });

  test('api-server at NetworkPolicy and at Sidecar-ServiceEntry', () => {
    const noEgress = edited('prod', 'NetworkPolicy', 'mcp-traffic', (o) => {
      o.spec.egress = o.spec.egress.filter((r) => !r.to.some((p) => p.ipBlock));
    });
    expect(newFindings('prod', noEgress)).toEqual([
      holding('Deployment/bulwark-prod/mcp: needed flow blocked at NetworkPolicy: component mcp -> the API server (172.16.1.0/28) (TCP 443,6443), ',
        'api-server: ',
        'no egress rule of the policies selecting it allows TCP 443,6443 to 172.16.1.0-172.16.1.15 ('),
    ]);
    const noHost = edited('prod', 'Sidecar', 'baseline-egress', (o) => {
      o.spec.egress[0].hosts = o.spec.egress[0].hosts.filter((h) => !h.startsWith('default/'));
    });
    expect(newFindings('prod', noHost)).toEqual([
      holding('Deployment/bulwark-prod/agent: needed flow blocked at Sidecar-ServiceEntry: component agent -> the API server ',
        'Sidecar/bulwark-prod/baseline-egress (REGISTRY_ONLY) sends TCP to kubernetes.default.svc.cluster.local:443 to the black hole'),
      holding('Deployment/bulwark-prod/mcp: needed flow blocked at Sidecar-ServiceEntry: component mcp -> the API server'),
    ]);
  });

  test('vault-agent at Sidecar-ServiceEntry: no ServiceEntry for Vault', () => {
    expect(newFindings('staging', without('staging', 'ServiceEntry', 'vault'))).toEqual([
      holding('Deployment/bulwark-staging/agent: needed flow blocked at Sidecar-ServiceEntry: component agent -> Vault ', 'vault-agent: ',
        'imports a ServiceEntry for it'),
    ]);
  });

  test('ingress-gateway at AuthorizationPolicy, egress-gateway at NetworkPolicy, callers at NetworkPolicy', () => {
    // The ingress gateway is frontend's only caller: without it, the policy has no rule (an empty principals list would match anyone).
    const noGateway = edited('prod', 'AuthorizationPolicy', 'frontend', (o) => {
      delete o.spec.rules;
    });
    expect(newFindings('prod', noGateway)).toEqual([
      holding('needed flow blocked at AuthorizationPolicy: the ingress gateway (istio-system/istio=ingressgateway) -> component frontend (TCP 8080), '
        + 'ingress-gateway: '),
    ]);
    const noEgressGateway = edited('prod', 'NetworkPolicy', 'agent-traffic', (o) => {
      o.spec.egress = o.spec.egress.filter((r) => !r.to.some((p) => p.podSelector?.matchLabels?.istio === 'egressgateway'));
    });
    expect(newFindings('prod', noEgressGateway)).toEqual([
      holding('Deployment/bulwark-prod/agent: needed flow blocked at NetworkPolicy: component agent -> api.openai.com (TCP 8443), egress-gateway: ',
        'no egress rule of the policies selecting it allows TCP 8443 to istio-system/[pod with {istio=egressgateway}]'),
    ]);
    const noCallers = edited('prod', 'NetworkPolicy', 'podinfo-traffic', (o) => {
      const fromFlagger = (p: PeerSpec) => p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'flagger';
      o.spec.ingress = o.spec.ingress.filter((r) => !r.from.some(fromFlagger));
    });
    expect(newFindings('prod', noCallers)).toEqual([
      holding('Deployment/bulwark-prod/podinfo: needed flow blocked at NetworkPolicy: ',
        'flagger-loadtester (flagger/app=loadtester) -> component podinfo (TCP 9898), callers: canary analysis'),
    ]);
  });

  test('depends-on-endpoint at Sidecar-ServiceEntry: no ServiceEntry for the database', () => {
    expect(newFindings('dev', without('dev', 'ServiceEntry', 'external-database'))).toEqual([
      holding('Deployment/bulwark-dev/backend: needed flow blocked at Sidecar-ServiceEntry: ',
        'component backend -> postgres.dev.bulwark.internal (TCP 5432), depends-on-endpoint: '),
    ]);
  });
});

describe('fails on lateral movement, at the layer that allows it', () => {
  test('at NetworkPolicy: frontend\'s egress to every pod of the namespace, and mcp\'s ingress from every pod', () => {
    const app = (name: string) => ({ matchLabels: { 'app.kubernetes.io/name': name } });
    const wide = [...environment('dev').objects, networkPolicy('frontend-wide', 'bulwark-dev', {
      podSelector: app('frontend'),
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: {} }], ports: [{ port: 8080 }] }],
    })];
    // Only the egress side: mcp's ingress still admits its callers only, so nothing more gets through.
    expect(newFindings('dev', wide)).toEqual([]);
    const both = [...wide, networkPolicy('mcp-wide', 'bulwark-dev', {
      podSelector: app('mcp'),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: {} }] }],
    })];
    expect(newFindings('dev', both)).toEqual([
      'NetworkPolicy/bulwark-dev/frontend-wide: lateral movement at NetworkPolicy: bulwark-dev/frontend[Deployment] -> bulwark-dev/mcp[Deployment] '
        + 'is allowed TCP 8080 that no needed flow explains '
        + '(by NetworkPolicy/bulwark-dev/frontend-wide egress[0], NetworkPolicy/bulwark-dev/mcp-wide ingress[0]); '
        + 'fix: declare the flow it serves (dependsOn, callers), or remove what allows it',
    ]);
  });

  test('at AuthorizationPolicy: a principal no need names', () => {
    const objects = edited('dev', 'AuthorizationPolicy', 'backend', (o) => {
      o.spec.rules![0].from[0].source.principals.push('cluster.local/ns/bulwark-dev/sa/podinfo');
    });
    expect(newFindings('dev', objects)).toEqual([
      'AuthorizationPolicy/bulwark-dev/backend: lateral movement at AuthorizationPolicy: cluster.local/ns/bulwark-dev/sa/podinfo may call '
        + 'bulwark-dev/backend[Deployment] on TCP 8080 that no needed flow explains (by AuthorizationPolicy/bulwark-dev/backend); '
        + 'fix: declare the flow it serves (dependsOn, callers), or remove what allows it',
    ]);
  });

  test('at AuthorizationPolicy: an ALLOW rule without sources lets any identity in', () => {
    const objects = [...environment('dev').objects, authorizationPolicy('open', 'bulwark-dev', {
      selector: { matchLabels: { 'app.kubernetes.io/name': 'mcp' } },
      rules: [{}],
    })];
    expect(newFindings('dev', objects)).toEqual(expect.arrayContaining([
      holding('AuthorizationPolicy/bulwark-dev/open: lateral movement at AuthorizationPolicy: [any other identity] may call '
        + 'bulwark-dev/mcp[Deployment] on TCP 8080'),
    ]));
  });

  test('through the mesh: a ServiceEntry the egress gateway route reaches, for a component that needs another host', () => {
    const objects = [...environment('prod').objects, serviceEntry('extra', 'bulwark-prod', {
      hosts: ['api.example.com'],
      ports: [{ number: 443, name: 'tls-443', protocol: 'TLS' }],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
      exportTo: ['.'],
    })];
    // The model does not route api.example.com through the gateway: the network layer would need all addresses.
    expect(newFindings('prod', objects)).toEqual([]);
    const routed = [...environment('prod').objects, serviceEntry('extra', 'bulwark-prod', {
      hosts: ['api.openai.com'],
      ports: [{ number: 8443, name: 'tls-8443', protocol: 'TLS' }],
      exportTo: ['.'],
    })];
    expect(newFindings('prod', routed)).toEqual([
      'ServiceEntry/bulwark-prod/extra: lateral movement through the mesh: bulwark-prod/agent[Deployment] may reach api.openai.com:8443 '
        + '(ServiceEntry/bulwark-prod/extra, imported by Sidecar/bulwark-prod/baseline-egress; the network layer lets it through the egress gateway) '
        + 'and no needed flow explains it; fix: declare the flow it serves (dependsOn, callers), or remove what allows it',
    ]);
  });
});
