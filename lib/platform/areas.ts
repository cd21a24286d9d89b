import { Area } from '../area/area';
import { BaselineChart } from './baseline-chart';
import { TenantChart } from './tenant-chart';

/** The environment's namespace, its guardrails and the priority classes. */
export const BASELINE_AREA: Area = {
  name: 'baseline',
  charts: (model) => [(app) => new BaselineChart(app, model)],
};

/** One namespace per team (`tenants:` in the overlay). */
export const TENANTS_AREA: Area = {
  name: 'tenants',
  charts: (model) => model.tenants.map((tenant) => (app) => new TenantChart(app, model, tenant)),
};
