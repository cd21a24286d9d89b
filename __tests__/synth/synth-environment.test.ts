import { ApiObject, App, Chart } from 'cdk8s';
import { BaselineChart } from '../../lib/platform/baseline-chart';
import { chartObjects, synthEnvironment } from '../../lib/synth/synth-environment';
import { WorkloadChart } from '../../lib/workloads/workload-chart';
import { ENVIRONMENTS, modelOf } from '../helpers';

const configMap = (chart: Chart, id: string): ApiObject => new ApiObject(chart, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: id } });

describe('chartObjects', () => {
  test.each(ENVIRONMENTS)('%s: every chart yields exactly what chart.toJson() yields, in the same order', (env) => {
    // GIVEN every component chart of an environment, each built twice in its own App
    const model = modelOf(env);
    const builds = [
      (app: App) => new BaselineChart(app, model),
      ...model.components.map((c) => (app: App) => new WorkloadChart(app, model, c)),
    ];

    // THEN the fast path and cdk8s's own synthesis agree
    for (const build of builds) expect(chartObjects(build(new App()))).toEqual(build(new App()).toJson());
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
