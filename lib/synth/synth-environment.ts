import { App } from 'cdk8s';
import { Area, ChartFactory } from '../area/area';
import { withSyncWave } from '../manifest/apply-order';
import { ComponentManifests, withoutClusterNamespace } from '../manifest/kube-object';
import { OUTPUT_FOLDERS, RESERVED_FOLDERS } from '../manifest/output-kind';
import { PlatformModel, withFlows } from '../model/platform-model';
import { chartObjects } from '../render/chart-objects';
import { AREAS } from './areas';

/**
 * The model every area builds from: the declared one with the flows areas need of each other
 * (`Area.flows`) joined to their components, before anything is built. The connectivity check
 * judges the objects against this model's needs.
 */
export function withAreaFlows(declared: PlatformModel, areas: readonly Area[] = AREAS): PlatformModel {
  return withFlows(declared, areas.flatMap((area) => area.flows?.(declared) ?? []));
}

/** The charts of every area for one environment, in output order. */
export function areaCharts(model: PlatformModel, areas: readonly Area[] = AREAS): { area: Area; make: ChartFactory }[] {
  return areas.flatMap((area) => (area.charts?.(model) ?? []).map((make) => ({ area, make })));
}

/**
 * Builds what every area adds to one environment and returns its objects (and its files that are
 * not cluster objects), each component also handed to `onComponent` as soon as it exists. Each
 * chart gets its own App and is serialized by `chartObjects` right away (its constructs can then
 * be collected), never by one app-wide pass per chart, so synthesis stays linear in components.
 * The charts' objects carry the sync wave of their apply stage (`withSyncWave`); then the areas'
 * `fromObjects` see all of them, then come the files.
 */
export function synthEnvironment(
  declared: PlatformModel,
  onComponent?: (component: ComponentManifests) => void,
  areas: readonly Area[] = AREAS,
): ComponentManifests[] {
  const components: ComponentManifests[] = [];
  const produced = (c: ComponentManifests): void => {
    onComponent?.(c);
    components.push(c);
  };
  // What areas contribute to each other travels through the model, before anything is built.
  const model = withAreaFlows(declared, areas);
  const owners = new Map<string, string>();
  for (const { area, make } of areaCharts(model, areas)) {
    const chart = make(new App());
    const component = chart.node.id;
    if (RESERVED_FOLDERS.has(component)) {
      throw new Error(`area ${area.name}: chart ${JSON.stringify(component)} would take a folder reserved for files of another kind `
        + `(${[...RESERVED_FOLDERS].join(', ')}); give the chart another id`);
    }
    const owner = owners.get(component);
    if (owner !== undefined) {
      throw new Error(`area ${area.name}: chart ${JSON.stringify(component)} would share its folder with a chart of area ${owner}; `
        + 'give one of them another id');
    }
    owners.set(component, area.name);
    produced({ component, objects: chartObjects(chart).map((o) => withSyncWave(withoutClusterNamespace(o))) });
  }
  const own = components.flatMap((c) => c.objects);
  for (const area of areas) {
    for (const { kind, chart: make } of area.fromObjects?.(model, own) ?? []) {
      produced({ component: OUTPUT_FOLDERS[kind], objects: chartObjects(make(new App())).map(withoutClusterNamespace) });
    }
  }
  // Files after every chart, so that the folders of other kinds come last in every environment.
  for (const area of areas) {
    for (const { kind, files } of area.files?.(model) ?? []) produced({ component: OUTPUT_FOLDERS[kind], objects: [], files });
  }
  return components;
}
