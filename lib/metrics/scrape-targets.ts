import { ComponentMetrics } from '../config/catalog';
import { ENVOY_STATS } from '../manifest/istio-proxy';
import { selectorLabels } from '../manifest/labels';
import { ContributedFlow, MonitoringModel, PlatformModel } from '../model/platform-model';

/** The rows of the needed-flows table (FLOW_RULES) that explain the scrapes. */
export const SCRAPE_RULES = { metrics: 'metrics-scrape', sidecar: 'sidecar-metrics-scrape' } as const;

/** A component whose process serves metrics of its own, and where. */
export interface MetricsTarget {
  readonly component: string;
  readonly metrics: ComponentMetrics;
  /** Labels of its Service (and pods), as its ServiceMonitor selects them. */
  readonly selector: Readonly<Record<string, string>>;
}

/** The components that serve metrics of their own (their catalog entry's `metrics`), sorted by name. */
export function metricsTargets(model: PlatformModel): MetricsTarget[] {
  return model.components.flatMap((c) => c.definition.metrics
    ? [{ component: c.name, metrics: c.definition.metrics, selector: selectorLabels({ name: c.name, environment: model.environment }) }]
    : []);
}

/**
 * The scrapes as flows into the components: Prometheus to each component's metrics port (through
 * its Service, over mTLS: the component's AuthorizationPolicy admits Prometheus' identity there and
 * nowhere else), and to each sidecar's stats port (which only the NetworkPolicy governs).
 */
export function scrapeFlows(model: PlatformModel, monitoring: MonitoringModel): ContributedFlow[] {
  const prometheus = {
    namespace: monitoring.namespace,
    podLabels: monitoring.prometheus.podLabels,
    serviceAccount: monitoring.prometheus.serviceAccount,
  };
  const own = metricsTargets(model).map(({ component, metrics }): ContributedFlow => ({
    ...prometheus,
    to: component,
    port: metrics.port,
    rule: SCRAPE_RULES.metrics,
    reason: `Prometheus scrapes ${component}'s metrics (${metrics.path} on ${metrics.port}) over mTLS`,
  }));
  const sidecars = model.components.map((c): ContributedFlow => ({
    ...prometheus,
    to: c.name,
    port: ENVOY_STATS.port,
    mesh: false,
    rule: SCRAPE_RULES.sidecar,
    reason: `Prometheus scrapes the Istio metrics of ${c.name}'s sidecar (${ENVOY_STATS.path} on ${ENVOY_STATS.port})`,
  }));
  return [...own, ...sidecars];
}
