import { ApiObject, App, Chart, JsonPatch, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { ClusterIssuer } from '../../imports/cert-manager.io';
import { ServiceMonitor } from '../../imports/monitoring.coreos.com';
import { DestinationRule } from '../../imports/networking.istio.io';
import { l1ShapeOf, withFastApiObjectJson } from '../../lib/render/fast-json';

/** cdk8s's serialization and the fast one, as JSON text (key order included). */
function both(app: App, objects: readonly ApiObject[]): { cdk8s: string; fast: string } {
  const cdk8s = JSON.stringify(objects.map((o) => o.toJson()));
  const fast = withFastApiObjectJson(app, (toJson) => JSON.stringify(objects.map(toJson)));
  return { cdk8s, fast };
}

/** `both`, and whether the fast path called any object's own toJson (cdk8s's path). */
function bothCountingFallbacks(app: App, objects: readonly ApiObject[]): { cdk8s: string; fast: string; fallbacks: number } {
  const cdk8s = JSON.stringify(objects.map((o) => o.toJson()));
  let fallbacks = 0;
  for (const o of objects) {
    const own = o.toJson.bind(o);
    o.toJson = () => {
      fallbacks++;
      return own();
    };
  }
  const fast = withFastApiObjectJson(app, (toJson) => JSON.stringify(objects.map(toJson)));
  return { cdk8s, fast, fallbacks };
}

describe('withFastApiObjectJson', () => {
  test('serializes like cdk8s: sorted keys, nulls dropped, empty metadata maps dropped, Lazy and IntOrString resolved', () => {
    // GIVEN objects with every kind of value cdk8s treats specially
    const app = new App();
    const chart = new Chart(app, 'c', { labels: { chart: 'label' } });
    const objects = [
      new ApiObject(chart, 'plain', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'plain', annotations: {}, finalizers: [] },
        data: { b: '2', a: '1', gone: undefined as unknown as string, nothing: null as unknown as string },
        zlist: [3, null, { y: 1, x: [] }],
        nested: { empty: {}, list: [] },
      }),
      new k8s.KubeService(chart, 'svc', { metadata: { name: 'svc' }, spec: { ports: [{ port: 80, targetPort: k8s.IntOrString.fromNumber(8080) }] } }),
      new k8s.KubeConfigMap(chart, 'lazy', {
        metadata: { name: 'lazy', annotations: { later: Lazy.any({ produce: () => 'produced' }) } },
        data: { v: Lazy.any({ produce: () => 'x' }) },
      }),
      new ApiObject(chart, 'token', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'token' }, data: { t: { resolve: () => 'resolved' } } }),
    ];

    // THEN both agree byte for byte, and the values are resolved
    const { cdk8s, fast } = both(app, objects);
    expect(fast).toBe(cdk8s);
    expect(fast).toContain('"targetPort":8080');
    expect(fast).toContain('"later":"produced"');
    expect(fast).toContain('"t":"resolved"');
    expect(fast).toContain('"data":{"a":"1","b":"2"}');
  });

  test('leaves objects with JSON patches to cdk8s', () => {
    const app = new App();
    const o = new ApiObject(new Chart(app, 'c'), 'p', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p' } });
    o.addJsonPatch(JsonPatch.add('/data', { k: 'v' }));
    const { cdk8s, fast } = both(app, [o]);
    expect(fast).toBe(cdk8s);
    expect(fast).toContain('"data":{"k":"v"}');
  });

  test('leaves Apps with custom resolvers to cdk8s', () => {
    // GIVEN a resolver that rewrites every string
    const app = new App({
      resolvers: [{
        resolve: (ctx) => {
          if (typeof ctx.value === 'string' && ctx.value === 'x') ctx.replaceValue('rewritten');
        },
      }],
    });
    const o = new ApiObject(new Chart(app, 'c'), 'r', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'r' }, data: { k: 'x' } });
    const { cdk8s, fast } = both(app, [o]);
    expect(fast).toBe(cdk8s);
    expect(fast).toContain('rewritten');
  });

  test('restores ApiObject.prototype.toJson, also when serialization throws', () => {
    const app = new App();
    const original = ApiObject.prototype.toJson;
    const o = new ApiObject(new Chart(app, 'c'), 'bad', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad' }, data: { d: new Date(0) } });
    expect(() => withFastApiObjectJson(app, (toJson) => toJson(o))).toThrow(/Failed serializing construct at path 'c\/bad'.*non-simple object of type 'Date'/);
    expect(ApiObject.prototype.toJson).toBe(original);
  });
});

describe('L1 classes in one walk (l1-shapes.generated.ts)', () => {
  test('serializes like the class\'s own toJson: schema order, unions unwrapped, maps sorted, unknown keys dropped, without calling it', () => {
    // GIVEN a Deployment with every kind of field: IntOrString, Quantity maps, Lazy values in
    // struct, list and map positions, null list items, a key the schema does not have
    const app = new App();
    const chart = new Chart(app, 'c');
    const deployment = new k8s.KubeDeployment(chart, 'd', {
      metadata: { name: 'd', labels: { z: '1', a: '2' }, annotations: { note: Lazy.any({ produce: () => 'later' }) } },
      spec: {
        selector: { matchLabels: { app: 'd' } },
        strategy: {
          rollingUpdate: {
            maxSurge: Lazy.any({ produce: () => k8s.IntOrString.fromString('25%') }) as unknown as k8s.IntOrString,
            maxUnavailable: k8s.IntOrString.fromNumber(0),
          },
        },
        template: {
          metadata: { labels: { app: 'd' } },
          spec: {
            containers: [{
              name: 'app',
              image: 'registry.example/app:1.0.0',
              args: Lazy.any({ produce: () => ['--b', '--a'] }) as unknown as string[],
              env: [{ name: 'Z', value: 'z' }, null as unknown as k8s.EnvVar, { name: 'A', value: 'a' }],
              resources: {
                limits: { memory: k8s.Quantity.fromString('256Mi'), cpu: k8s.Quantity.fromString('500m') },
                requests: {
                  cpu: k8s.Quantity.fromNumber(1),
                  memory: Lazy.any({ produce: () => k8s.Quantity.fromString('64Mi') }) as unknown as k8s.Quantity,
                },
              },
              securityContext: Lazy.any({
                produce: () => ({ runAsNonRoot: true, allowPrivilegeEscalation: false }),
              }) as unknown as k8s.SecurityContext,
            }],
            nodeSelector: { zone: 'b', arch: 'amd64', gone: null as unknown as string },
          },
        },
        notInTheSchema: 'dropped',
      } as k8s.DeploymentSpec,
    });
    // and two imports/ bindings, one with keys the converter renames (accessKeyId → accessKeyID)
    const rule = new DestinationRule(chart, 'r', {
      metadata: { name: 'r' },
      spec: { host: 'r.svc', trafficPolicy: { portLevelSettings: [{ port: { number: 80 } }] } },
    });
    const issuer = new ClusterIssuer(chart, 'i', {
      metadata: { name: 'i' },
      spec: { acme: { server: 'https://acme.example', privateKeySecretRef: { name: 'k' }, solvers: [{ dns01: { route53: { region: 'eu-west-1', accessKeyId: 'AKID', hostedZoneId: 'Z1' } } }] } },
    });

    // and a map of lists of structs (a ServiceMonitor endpoint's proxyConnectHeader), keys unsorted
    const monitor = new ServiceMonitor(chart, 'm', {
      metadata: { name: 'm' },
      spec: {
        selector: { matchLabels: { app: 'd' } },
        endpoints: [{
          port: 'http-metrics',
          proxyConnectHeader: { 'X-Z': [{ name: 'z', key: 'k' }], 'X-A': [{ key: 'k', name: 'a' }, null as unknown as { key: string }] },
        }],
      },
    });

    // THEN the one walk serves them all, and agrees with cdk8s byte for byte
    const objects = [deployment, rule, issuer, monitor];
    for (const o of objects) expect(l1ShapeOf(o)).toBeDefined();
    const { cdk8s, fast, fallbacks } = bothCountingFallbacks(app, objects);
    expect(fallbacks).toBe(0);
    expect(fast).toBe(cdk8s);
    expect(fast).toContain('"maxSurge":"25%","maxUnavailable":0');
    expect(fast).toContain('"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":1,"memory":"64Mi"}');
    expect(fast).toContain('"args":["--b","--a"]');
    expect(fast).toContain('"env":[{"name":"Z","value":"z"},null,{"name":"A","value":"a"}]');
    expect(fast).not.toContain('notInTheSchema');
    expect(fast).toContain('"route53":{"accessKeyID":"AKID","hostedZoneID":"Z1","region":"eu-west-1"}');
    expect(fast).toContain('"proxyConnectHeader":{"X-A":[{"key":"k","name":"a"},null],"X-Z":[{"key":"k","name":"z"}]}');
  });

  test('takes cdk8s\'s path for an object with a value its shape does not expect, or with JSON patches', () => {
    // GIVEN a map where a string belongs (cdk8s spreads its characters), and a patched object
    const app = new App();
    const chart = new Chart(app, 'c');
    const odd = new k8s.KubeConfigMap(chart, 'odd', { metadata: { name: 'odd' }, data: 'ab' as unknown as Record<string, string> });
    const patched = new k8s.KubeConfigMap(chart, 'patched', { metadata: { name: 'patched' } });
    patched.addJsonPatch(JsonPatch.add('/data', { k: 'v' }));

    // THEN both go through their own toJson, with cdk8s's result
    const { cdk8s, fast, fallbacks } = bothCountingFallbacks(app, [odd, patched]);
    expect(fallbacks).toBe(2);
    expect(fast).toBe(cdk8s);
    expect(fast).toContain('"data":{"0":"a","1":"b"}');
  });

  test('a Date where the schema has one takes cdk8s\'s path, and fails with its message', () => {
    const app = new App();
    const o = new k8s.KubeConfigMap(new Chart(app, 'c'), 'dated', { metadata: { name: 'dated', creationTimestamp: new Date(0) } });
    expect(() => o.toJson()).toThrow();
    expect(() => withFastApiObjectJson(app, (toJson) => toJson(o))).toThrow(/Failed serializing construct at path 'c\/dated'.*non-simple object of type 'Date'/);
  });

  test('a subclass of an L1 class (it may override toJson) is not in the table', () => {
    class Custom extends k8s.KubeConfigMap {}
    const chart = new Chart(new App(), 'c');
    expect(l1ShapeOf(new Custom(chart, 'x', { metadata: { name: 'x' } }))).toBeUndefined();
    expect(l1ShapeOf(new k8s.KubeConfigMap(chart, 'y', { metadata: { name: 'y' } }))).toBeDefined();
  });
});
