/** The service-level indicators and the metric names the platform relies on: see sli.ts and exporter-metrics.ts. */
export * from './sli';
export * from './exporter-metrics';
