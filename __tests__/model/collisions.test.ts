import * as fs from 'fs';
import * as path from 'path';
import { formatProblem } from '../../lib/config/errors';
import { LoadedOverlay, parseOverlay } from '../../lib/config/load-overlay';
import { KubeObject } from '../../lib/manifest/kube-object';
import { outputKindOf } from '../../lib/manifest/output-kind';
import { serverKey } from '../../lib/model/cluster-server';
import {
  objectCollisions, objectHeader, overlayCollisions, SharedObject, sharedObjects, sharedObjectsOfFiles,
} from '../../lib/model/collisions';
import { synthesize } from '../../lib/synth/pipeline';
import { readYamlDocuments } from '../../lib/util/fast-yaml';
import { loadOverlay, ROOT } from '../helpers';

const VALID = fs.readFileSync(path.join(ROOT, '__tests__', 'fixtures', 'valid-overlay.yaml'), 'utf8');

/** valid-overlay.yaml as overlays/<env>.yaml, with only `environment:` changed, then `edit`. */
function overlay(env: string, edit: (text: string) => string = (t) => t): LoadedOverlay {
  const text = edit(VALID.replace(/^environment: dev$/m, `environment: ${env}`));
  return parseOverlay(`overlays/${env}.yaml`, text);
}

/** Moves the overlay to its own namespace and hosts (`<env>` instead of `dev`). */
const ownNames = (env: string) => (t: string): string => t.replace('namespace: bulwark-dev', `namespace: bulwark-${env}`)
  .replace('host: app.dev.example.com', `host: app.${env}.example.com`);

const clusters = (...servers: string[]) => (t: string): string =>
  `${t}\nclusters:\n${servers.map((s, i) => `  - { name: c${i}, server: ${s} }`).join('\n')}\n`;

const lines = (problems: readonly Parameters<typeof formatProblem>[0][]): string[] => problems.map(formatProblem);

describe('overlayCollisions', () => {
  test('GIVEN qa, a copy of dev with only environment: changed THEN its namespace and its host collide, reported at qa, naming dev\'s place', () => {
    expect(lines(overlayCollisions([overlay('dev'), overlay('qa')]))).toEqual([
      'overlays/qa.yaml:3:12: namespace: namespace "bulwark-dev" is also dev\'s (namespace, overlays/dev.yaml:3:12), '
        + 'on the same cluster https://kubernetes.default.svc: both environments would manage its objects; received "bulwark-dev"; '
        + 'allowed: a namespace no other environment on that cluster has; '
        + 'fix: set namespace: bulwark-qa, or deliver qa to another cluster (clusters)',
      'overlays/qa.yaml:43:11: components.frontend.host: public host "app.dev.example.com" is also dev\'s '
        + '(components.frontend.host, overlays/dev.yaml:43:11), on the same cluster https://kubernetes.default.svc: '
        + 'its ingress gateway would route the host to only one of them; received "app.dev.example.com"; '
        + 'allowed: a host no other environment on that cluster serves; '
        + 'fix: give frontend a host of its own, e.g. app.qa.example.com, or deliver qa to another cluster (clusters)',
    ]);
  });

  test('no false positive: the same copy delivered to another cluster, or with names of its own, collides with nothing', () => {
    expect(overlayCollisions([overlay('dev'), overlay('qa', clusters('https://qa.example.com'))])).toEqual([]);
    expect(overlayCollisions([overlay('dev'), overlay('qa', ownNames('qa'))])).toEqual([]);
  });

  test('one shared cluster of several is enough, and spellings of one API server are one server', () => {
    const dev = overlay('dev', clusters('https://a.example.com', 'https://shared.example.com:443/'));
    const qa = overlay('qa', (t) => clusters('https://shared.example.com', 'https://b.example.com')(ownNames('qa')(t)).replace('app.qa.', 'app.dev.'));
    expect(lines(overlayCollisions([dev, qa]))).toEqual([
      expect.stringMatching(/^overlays\/qa\.yaml:43:11: components\.frontend\.host: .* on the same cluster https:\/\/shared\.example\.com: /),
    ]);
    expect(serverKey('https://Kubernetes.Default.Svc:443/')).toBe('https://kubernetes.default.svc');
    expect(serverKey('https://k8s.example.com:6443/api/')).toBe('https://k8s.example.com:6443/api');
  });

  test('a tenant\'s namespace collides with another environment\'s namespace, at the tenant\'s name', () => {
    const quota = '{ requests: { cpu: "1", memory: 1Gi }, limits: { cpu: "1", memory: 1Gi }, pods: 1 }';
    const tenants = `\ntenants:\n  - name: team-a\n    group: g\n    quota: ${quota}\n`;
    const prod = overlay('prod', (t) => ownNames('prod')(t).replace('namespace: bulwark-prod', 'namespace: bulwark') + tenants);
    const team = overlay('team', (t) => ownNames('team')(t).replace('namespace: bulwark-team', 'namespace: bulwark-team-a'));
    expect(lines(overlayCollisions([team, prod]))).toEqual([
      expect.stringMatching(/^overlays\/team\.yaml:3:12: namespace: namespace "bulwark-team-a" is also prod's \(tenants\[0\]\.name, overlays\/prod\.yaml:47:11\), /),
    ]);
    expect(lines(overlayCollisions([team, prod], { only: 'prod' }))).toEqual([
      expect.stringMatching(/^overlays\/prod\.yaml:47:11: tenants\[0\]\.name: namespace "bulwark-team-a" is also team's \(namespace, .*; fix: rename the tenant or change namespace, /),
    ]);
  });

  test('GIVEN three copies THEN each later one names every earlier one; with only, that environment\'s collisions alone', () => {
    const envs = [overlay('qb'), overlay('dev'), overlay('qa'), overlay('staging', ownNames('staging'))];
    const namespaces = lines(overlayCollisions(envs)).filter((l) => l.includes(': namespace: '));
    expect(namespaces.map((l) => l.slice(0, l.indexOf(', on the same')))).toEqual([
      'overlays/qa.yaml:3:12: namespace: namespace "bulwark-dev" is also dev\'s (namespace, overlays/dev.yaml:3:12)',
      'overlays/qb.yaml:3:12: namespace: namespace "bulwark-dev" is also dev\'s (namespace, overlays/dev.yaml:3:12) '
        + 'and qa\'s (namespace, overlays/qa.yaml:3:12)',
    ]);
    const onlyDev = lines(overlayCollisions(envs, { only: 'dev' }));
    expect(onlyDev).toHaveLength(2);
    expect(onlyDev[0]).toMatch(/^overlays\/dev\.yaml:3:12: namespace: namespace "bulwark-dev" is also qa's \(namespace, overlays\/qa\.yaml:3:12\) and qb's /);
    expect(overlayCollisions(envs, { only: 'staging' })).toEqual([]);
  });
});

describe('objectCollisions', () => {
  const dev = overlay('dev');
  const qa = overlay('qa', ownNames('qa'));
  const role: SharedObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'reader', component: 'backend' };

  test('GIVEN a cluster-scoped object made by two environments on one cluster THEN an error at the later one\'s component, naming the other', () => {
    const problems = objectCollisions([dev, qa], [{ environment: 'dev', objects: [role] }, { environment: 'qa', objects: [role] }]);
    expect(lines(problems)).toEqual([
      'overlays/qa.yaml:22:3: components.backend: ClusterRole/reader is also made by dev (components.backend, overlays/dev.yaml:22:3), '
        + 'on the same cluster https://kubernetes.default.svc: one environment\'s sync would overwrite or prune the other\'s; '
        + 'received ClusterRole/reader; allowed: cluster-scoped and shared-namespace names that carry the environment (bulwark-qa-…); '
        + 'fix: name it through lib/manifest/names.ts (environmentName), or deliver qa to another cluster (clusters)',
    ]);
  });

  test('an object of a platform chart is placed at environment:, one in a shared namespace is compared with its namespace', () => {
    const gateway: SharedObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      namespace: 'istio-system',
      name: 'edge',
      component: 'security',
    };
    const elsewhere = { ...gateway, namespace: 'other' };
    const problems = objectCollisions([dev, qa], [{ environment: 'dev', objects: [gateway] }, { environment: 'qa', objects: [gateway, elsewhere] }]);
    expect(lines(problems)).toEqual([expect.stringMatching(/^overlays\/qa\.yaml:2:14: environment: Gateway\/istio-system\/edge is also made by dev \(environment, overlays\/dev\.yaml:2:14\), /)]);
  });

  test('fails on objects in a namespace another environment on the cluster owns (dashboards.namespace set to it), at their environment', () => {
    const dashboard = (name: string): SharedObject => ({
      apiVersion: 'v1', kind: 'ConfigMap', namespace: 'bulwark-qa', name, component: 'dashboards',
    });
    const two = [dashboard('bulwark-dev-dashboard-a'), dashboard('bulwark-dev-dashboard-b')];
    const problems = objectCollisions([dev, qa], [{ environment: 'dev', objects: two }]);
    expect(lines(problems)).toEqual([
      'overlays/dev.yaml:2:14: environment: ConfigMap/bulwark-qa/bulwark-dev-dashboard-a and 1 more object would be in namespace "bulwark-qa", '
        + 'qa\'s own (namespace, overlays/qa.yaml:3:12), on the same cluster https://kubernetes.default.svc: it would live under qa\'s policies '
        + 'and quota, and dev\'s AppProject would allow syncing into that namespace; received "bulwark-qa"; allowed: a namespace no other '
        + 'environment on that cluster owns (a shared service\'s, such as Grafana\'s or Falco\'s), or one of dev\'s own; fix: point the setting '
        + 'that places it (dashboards.namespace, monitoring.namespace, policy.falcoNamespace, mesh.namespace) at the shared service\'s namespace, '
        + 'or deliver dev to another cluster (clusters)',
    ]);
    const monitoring = { ...dashboard('bulwark-dev-dashboard-a'), namespace: 'monitoring' };
    const qaMonitoring = { ...monitoring, name: 'bulwark-qa-dashboard-a' };
    expect(objectCollisions([dev, qa], [{ environment: 'dev', objects: [monitoring] }, { environment: 'qa', objects: [qaMonitoring] }])).toEqual([]);
    expect(objectCollisions([dev, qa], [{ environment: 'dev', objects: [dashboard('x')] }], { only: 'qa' })).toEqual([]);
    const elsewhere = overlay('qa', (t) => clusters('https://qa.example.com')(ownNames('qa')(t)));
    expect(objectCollisions([dev, elsewhere], [{ environment: 'dev', objects: [dashboard('x')] }])).toEqual([]);
  });

  test('no false positive: another cluster, another API group, another name, or an environment not at hand', () => {
    const elsewhere = overlay('qa', (t) => clusters('https://qa.example.com')(ownNames('qa')(t)));
    expect(objectCollisions([dev, elsewhere], [{ environment: 'dev', objects: [role] }, { environment: 'qa', objects: [role] }])).toEqual([]);
    const otherGroup = { ...role, apiVersion: 'example.com/v1' };
    const otherName = { ...role, name: 'writer' };
    const others = [{ environment: 'dev', objects: [role] }, { environment: 'qa', objects: [otherGroup, otherName] }];
    expect(objectCollisions([dev, qa], others)).toEqual([]);
    expect(objectCollisions([dev, qa], [{ environment: 'qa', objects: [role] }])).toEqual([]);
  });
});

describe('sharedObjects', () => {
  const object = (kind: string, name: string, namespace?: string, apiVersion = 'v1'): KubeObject => ({
    apiVersion,
    kind,
    metadata: { name, namespace },
  });

  test('keeps the cluster-scoped objects and those outside the namespaces the environment creates, with their folder', () => {
    const shared = sharedObjects([
      { component: 'baseline', objects: [object('Namespace', 'bulwark-dev'), object('ResourceQuota', 'quota', 'bulwark-dev')] },
      { component: 'security', objects: [object('Certificate', 'tls', 'istio-system', 'cert-manager.io/v1')] },
      {
        component: 'backend',
        objects: [object('ConfigMap', 'config', 'bulwark-dev'), object('PriorityClass', 'p', undefined, 'scheduling.k8s.io/v1')],
      },
    ]);
    expect(shared.map((o) => `${o.component}: ${o.kind}/${o.namespace ?? ''}/${o.name}`)).toEqual([
      'baseline: Namespace//bulwark-dev',
      'security: Certificate/istio-system/tls',
      'backend: PriorityClass//p',
    ]);
  });
});

describe('objectHeader', () => {
  test('GIVEN every object file of a synthesized environment THEN its first lines say what a full parse says', () => {
    const { files } = synthesize([loadOverlay('prod')], { platformVersion: '1.2.3' });
    const objects = [...files].filter(([rel]) => ['object', 'gitops'].includes(outputKindOf(rel.slice('prod/'.length)) ?? ''));
    expect(objects.length).toBeGreaterThan(100);
    const differing = objects.filter(([, text]) => {
      const parsed = (readYamlDocuments(text) as { values: KubeObject[] }).values[0];
      const { apiVersion, kind, metadata: { name, namespace } } = parsed;
      const header = { apiVersion, kind, metadata: namespace === undefined ? { name } : { name, namespace } };
      return JSON.stringify(objectHeader(text)) !== JSON.stringify(header);
    });
    expect(differing.map(([rel]) => rel)).toEqual([]);
  });

  test('a text of another shape has no header, and is parsed whole', () => {
    const flow = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, namespace: n }\n';
    const quoted = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \'a\'\n';
    const two = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n';
    expect([flow, quoted, two].map(objectHeader)).toEqual([undefined, undefined, undefined]);
    expect(objectHeader('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: "true"\n'))
      .toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'true' } });
    const elsewhere = flow.replace('namespace: n', 'namespace: other');
    const shared = sharedObjectsOfFiles([{ rel: 'x/a.yaml', text: elsewhere }, { rel: 'y/b.yaml', text: two }]);
    expect(shared.map((o) => `${o.component}: ${o.namespace ?? ''}/${o.name}`)).toEqual(['x: other/a', 'y: /a', 'y: /b']);
  });
});
