import { Area } from '../area/area';
import { AlertsChart } from './alerts-chart';

/** Alerts and their routing: the PrometheusRule and AlertmanagerConfig of an environment with `alerting`. */
export const ALERTS_AREA: Area = {
  name: 'alerts',
  charts: (model) => (model.alerting && model.monitoring ? [(app) => new AlertsChart(app, model)] : []),
};
