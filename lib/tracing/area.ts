import { Area } from '../area/area';
import { TracingChart } from './tracing-chart';

/** Distributed tracing, when the overlay asks for it: the sampling, the collector's admission, the operator's collector. */
export const TRACING_AREA: Area = {
  name: 'tracing',
  charts: (model) => {
    const { tracing } = model;
    return tracing ? [(app) => new TracingChart(app, model, tracing)] : [];
  },
};
