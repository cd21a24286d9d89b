import { App } from 'cdk8s';
import { Area } from '../area/area';
import { CollectorChart } from './collector-chart';
import { WorkloadChart } from './workload-chart';

/**
 * One chart per component the overlay runs, and the trace collector's when Bulwark runs it itself
 * (tracing without the OpenTelemetry operator): every pod the platform builds is a secure workload.
 */
export const WORKLOADS_AREA: Area = {
  name: 'workloads',
  charts: (model) => {
    const { tracing } = model;
    return [
      ...model.components.map((component) => (app: App) => new WorkloadChart(app, model, component)),
      ...(tracing && !tracing.operator ? [(app: App) => new CollectorChart(app, model, tracing)] : []),
    ];
  },
};
