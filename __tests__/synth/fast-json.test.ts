import { ApiObject, App, Chart, JsonPatch, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { withFastApiObjectJson } from '../../lib/synth/fast-json';

/** cdk8s's serialization and the fast one, as JSON text (key order included). */
function both(app: App, objects: readonly ApiObject[]): { cdk8s: string; fast: string } {
  const cdk8s = JSON.stringify(objects.map((o) => o.toJson()));
  const fast = withFastApiObjectJson(app, () => JSON.stringify(objects.map((o) => o.toJson())));
  return { cdk8s, fast };
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
      new k8s.KubeConfigMap(chart, 'lazy', { metadata: { name: 'lazy', annotations: { later: Lazy.any({ produce: () => 'produced' }) } }, data: { v: Lazy.any({ produce: () => 'x' }) } }),
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
    const app = new App({ resolvers: [{ resolve: (ctx) => { if (typeof ctx.value === 'string' && ctx.value === 'x') ctx.replaceValue('rewritten'); } }] });
    const o = new ApiObject(new Chart(app, 'c'), 'r', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'r' }, data: { k: 'x' } });
    const { cdk8s, fast } = both(app, [o]);
    expect(fast).toBe(cdk8s);
    expect(fast).toContain('rewritten');
  });

  test('restores ApiObject.prototype.toJson, also when serialization throws', () => {
    const app = new App();
    const original = ApiObject.prototype.toJson;
    const o = new ApiObject(new Chart(app, 'c'), 'bad', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad' }, data: { d: new Date(0) } });
    expect(() => withFastApiObjectJson(app, () => o.toJson())).toThrow(/Failed serializing construct at path 'c\/bad'.*non-simple object of type 'Date'/);
    expect(ApiObject.prototype.toJson).toBe(original);
  });
});
