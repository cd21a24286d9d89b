import { ApiObject, App, Chart } from 'cdk8s';
import { chartFactories, chartObjects, synthEnvironment } from '../../lib/synth/synth-environment';
import { ENVIRONMENTS, modelOf } from '../helpers';

const configMap = (chart: Chart, id: string): ApiObject => new ApiObject(chart, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: id } });

describe('chartObjects', () => {
  test.each(ENVIRONMENTS)('%s: every chart yields exactly what chart.toJson() yields, key order included', (env) => {
    // GIVEN every component chart of an environment, each built twice in its own App
    const factories = chartFactories(modelOf(env));
    expect(factories.length).toBeGreaterThan(5);

    // THEN the fast path (fast ApiObject serialization, no app-wide passes) and cdk8s's own
    // synthesis agree byte for byte
    for (const build of factories) expect(JSON.stringify(chartObjects(build(new App())))).toBe(JSON.stringify(build(new App()).toJson()));
  });

  test('honours construct dependencies by taking cdk8s\'s path for that chart', () => {
    // GIVEN b declared first but depending on a
    const chart = new Chart(new App(), 'deps');
    const b = configMap(chart, 'b');
    const a = configMap(chart, 'a');
    b.addDependency(a);

    // THEN a comes first, as cdk8s orders it
    expect(chartObjects(chart).map((o) => o.metadata.name)).toEqual(['a', 'b']);
    expect(chartObjects(chart)).toEqual(chart.toJson());
  });

  test('fails with cdk8s\'s message when a construct does not validate', () => {
    const chart = new Chart(new App(), 'invalid');
    configMap(chart, 'x').node.addValidation({ validate: () => ['x is not valid'] });
    expect(() => chartObjects(chart)).toThrow('Validation failed with the following errors:\n  [invalid/x] x is not valid');
  });

  test('synthEnvironment lists every component once, baseline first', () => {
    const components = synthEnvironment(modelOf('prod')).map((c) => c.component);
    expect(components[0]).toBe('baseline');
    expect(new Set(components).size).toBe(components.length);
  });
});
