import { ApiObject, App, Chart } from 'cdk8s';
import { KubeObject } from '../manifest/kube-object';
import { withFastApiObjectJson } from './fast-json';

/**
 * What `chart.toJson()` returns, without its app-wide passes: cdk8s re-runs dependency inference,
 * validation and a topological sort over the whole App on every call, which is most of the cost
 * of a small chart. The chart's constructs are validated once (with cdk8s's message), and its
 * objects serialized in construct-tree order, which is cdk8s's order when nothing declares a
 * dependency. A chart whose constructs do declare dependencies goes through `chart.toJson()`, so
 * their order is still honoured. Objects serialize through `withFastApiObjectJson` (fast-json.ts).
 */
export function chartObjects(chart: Chart): KubeObject[] {
  const constructs = chart.node.root.node.findAll();
  if (constructs.some((c) => c.node.dependencies.length > 0)) return chart.toJson() as KubeObject[];
  const errors: string[] = [];
  for (const c of constructs) for (const error of c.node.validate()) errors.push(`[${c.node.path}] ${error}`);
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  const objects: KubeObject[] = [];
  withFastApiObjectJson(App.of(chart), (toJson) => {
    for (const c of constructs) {
      if (c instanceof ApiObject && Chart.of(c) === chart) objects.push(toJson(c) as KubeObject);
    }
  });
  return objects;
}
