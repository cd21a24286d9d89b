import { Area } from '../area/area';
import { MetricsChart } from './metrics-chart';

/** Metrics: what Prometheus records of the environment; nothing without the overlay's `monitoring`. */
export const METRICS_AREA: Area = {
  name: 'metrics',
  charts: (model) => {
    const { monitoring } = model;
    return monitoring ? [(app) => new MetricsChart(app, model, monitoring)] : [];
  },
};
