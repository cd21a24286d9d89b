import { ApiObject, App, Chart } from 'cdk8s';
import { chartObjects } from '../../lib/render/chart-objects';
import { l1ShapeOf } from '../../lib/render/fast-json';
import { areaCharts } from '../../lib/synth/synth-environment';
import { ENVIRONMENTS, modelOf } from '../helpers';

const configMap = (chart: Chart, id: string): ApiObject => new ApiObject(chart, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: id } });

describe('chartObjects', () => {
  test.each(ENVIRONMENTS)('%s: every chart yields exactly what chart.toJson() yields, key order included', (env) => {
    // GIVEN every component chart of an environment, each built twice in its own App
    const factories = areaCharts(modelOf(env)).map((c) => c.make);
    expect(factories.length).toBeGreaterThan(5);

    // THEN the fast path (fast ApiObject serialization, no app-wide passes) and cdk8s's own
    // synthesis agree byte for byte
    for (const build of factories) expect(JSON.stringify(chartObjects(build(new App())))).toBe(JSON.stringify(build(new App()).toJson()));
  });

  test.each(ENVIRONMENTS)('%s: every object of an L1 class serializes in one walk (its class is in l1-shapes.generated.ts)', (env) => {
    // GIVEN every object of an environment, its own toJson counting calls
    const kinds = new Map<string, number>();
    let fallbacks = 0;
    for (const { make: build } of areaCharts(modelOf(env))) {
      const chart = build(new App());
      for (const c of chart.node.findAll()) {
        if (!(c instanceof ApiObject)) continue;
        const name = l1ShapeOf(c) ? 'L1' : c.constructor.name;
        kinds.set(name, (kinds.get(name) ?? 0) + 1);
        const own = c.toJson.bind(c);
        c.toJson = () => {
          fallbacks += name === 'L1' ? 1 : 0;
          return own();
        };
      }
      chartObjects(chart);
    }
    // THEN only the generic ApiObject (Gatekeeper constraints) is outside the table, and no object
    // of the table needed cdk8s's path
    expect([...kinds.keys()].sort()).toEqual(['ApiObject', 'L1']);
    expect(kinds.get('L1')).toBeGreaterThan(50);
    expect(fallbacks).toBe(0);
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
});
