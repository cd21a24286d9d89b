import { Area } from '../area/area';
import { WorkloadChart } from './workload-chart';

/** One chart per component the overlay runs. */
export const WORKLOADS_AREA: Area = {
  name: 'workloads',
  charts: (model) => model.components.map((component) => (app) => new WorkloadChart(app, model, component)),
};
