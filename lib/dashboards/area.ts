import { Area } from '../area/area';

/**
 * Grafana dashboards as ConfigMaps for Grafana's sidecar; nothing without the overlay's
 * `dashboards`. The chart (and with it the Grafana foundation SDK and the PromQL parser, about
 * 100 ms to load) is required only by an environment that has dashboards, so no other synth, and
 * no other command, pays for it.
 */
export const DASHBOARDS_AREA: Area = {
  name: 'dashboards',
  charts: (model) => {
    if (!model.dashboards) return [];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DashboardsChart } = require('./dashboards-chart') as typeof import('./dashboards-chart');
    return [(app) => new DashboardsChart(app, model)];
  },
};
