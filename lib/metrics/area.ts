import { Area } from '../area/area';
import { MetricsChart } from './metrics-chart';
import { scrapeFlows } from './scrape-targets';

/**
 * Metrics: what Prometheus scrapes of the environment and records of it, and the scrapes as flows
 * into the components, which their policies admit; nothing without the overlay's `monitoring`.
 */
export const METRICS_AREA: Area = {
  name: 'metrics',
  charts: (model) => {
    const { monitoring } = model;
    return monitoring ? [(app) => new MetricsChart(app, model, monitoring)] : [];
  },
  flows: (model) => (model.monitoring ? scrapeFlows(model, model.monitoring) : []),
};
