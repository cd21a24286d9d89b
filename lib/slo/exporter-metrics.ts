import { recordedMetricNames } from './sli';

/**
 * The metrics the platform relies on that something other than its recording rules produces:
 * each documented exporter, where its metrics are documented, and the names taken from it. Alerts,
 * dashboards and the canary analysis name only these and the recorded series (RECORDED in sli.ts);
 * `isKnownMetric` is the test they are held to.
 */

/** A program whose metrics Prometheus scrapes, with the page that documents them. */
export interface Exporter {
  readonly name: string;
  /** The page documenting its metrics (names, labels, types). */
  readonly documentation: string;
}

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** One documented metric: for a histogram, the name without `_bucket`, `_sum`, `_count`. */
export interface ExporterMetric {
  readonly name: string;
  readonly type: MetricType;
  readonly exporter: Exporter;
  /** What it measures, and the labels that matter. */
  readonly help: string;
}

export const EXPORTERS = {
  istio: { name: 'Istio (the sidecars\' standard metrics)', documentation: 'https://istio.io/latest/docs/reference/config/metrics/' },
  envoy: { name: 'Envoy (the sidecars\' own statistics)', documentation: 'https://istio.io/latest/docs/ops/configuration/telemetry/envoy-stats/' },
  prometheus: {
    name: 'Prometheus (the series it records for every target)',
    documentation: 'https://prometheus.io/docs/concepts/jobs_instances/#automatically-generated-labels-and-time-series',
  },
  kubeStateMetrics: { name: 'kube-state-metrics', documentation: 'https://github.com/kubernetes/kube-state-metrics/tree/main/docs/metrics' },
  cadvisor: { name: 'cAdvisor (the kubelet\'s container metrics)', documentation: 'https://github.com/google/cadvisor/blob/master/docs/storage/prometheus.md' },
  certManager: { name: 'cert-manager', documentation: 'https://cert-manager.io/docs/devops-tips/prometheus-metrics/' },
  externalSecrets: { name: 'External Secrets Operator', documentation: 'https://external-secrets.io/latest/api/metrics/' },
  gatekeeper: { name: 'OPA Gatekeeper', documentation: 'https://open-policy-agent.github.io/gatekeeper/website/docs/metrics' },
  falco: { name: 'Falco', documentation: 'https://falco.org/docs/concepts/metrics/' },
  falcosidekick: { name: 'Falcosidekick', documentation: 'https://github.com/falcosecurity/falcosidekick/blob/master/docs/outputs/prometheus.md' },
} as const satisfies Record<string, Exporter>;

const m = (exporter: Exporter, type: MetricType, name: string, help: string): ExporterMetric => ({ name, type, exporter, help });
const { istio, envoy, prometheus, kubeStateMetrics: ksm, cadvisor, certManager, externalSecrets, gatekeeper, falco, falcosidekick } = EXPORTERS;

/** Every exporter metric the platform names, by exporter. */
export const EXPORTER_METRICS: readonly ExporterMetric[] = [
  m(istio, 'counter', 'istio_requests_total', 'requests by reporter, source_workload, destination_workload(_namespace), response_code'),
  m(istio, 'histogram', 'istio_request_duration_milliseconds', 'request durations (ms), labelled as istio_requests_total'),
  m(istio, 'histogram', 'istio_request_bytes', 'request body sizes'),
  m(istio, 'histogram', 'istio_response_bytes', 'response body sizes'),
  m(istio, 'counter', 'istio_tcp_sent_bytes_total', 'bytes sent on TCP connections'),
  m(istio, 'counter', 'istio_tcp_received_bytes_total', 'bytes received on TCP connections'),
  m(istio, 'counter', 'istio_tcp_connections_opened_total', 'TCP connections opened'),
  m(istio, 'counter', 'istio_tcp_connections_closed_total', 'TCP connections closed'),
  m(envoy, 'gauge', 'envoy_server_live', '1 while the proxy is live'),
  m(envoy, 'gauge', 'envoy_server_uptime', 'seconds since the proxy started'),
  m(envoy, 'gauge', 'envoy_server_memory_allocated', 'bytes the proxy has allocated'),
  m(prometheus, 'gauge', 'up', '1 when the last scrape of the target succeeded, 0 when it failed'),
  m(prometheus, 'gauge', 'scrape_duration_seconds', 'how long the last scrape took'),
  m(prometheus, 'gauge', 'scrape_samples_scraped', 'samples the target exposed'),
  m(ksm, 'counter', 'kube_pod_container_status_restarts_total', 'container restarts, by namespace, pod, container'),
  m(ksm, 'gauge', 'kube_pod_status_ready', 'pod Ready condition, by namespace, pod, condition (true, false, unknown)'),
  m(ksm, 'gauge', 'kube_pod_container_status_ready', '1 when a container passes its readiness probe, by namespace, pod, container'),
  m(ksm, 'gauge', 'kube_pod_status_phase', 'pod phase, by namespace, pod, phase'),
  m(ksm, 'gauge', 'kube_deployment_spec_replicas', 'desired replicas of a Deployment'),
  m(ksm, 'gauge', 'kube_deployment_status_replicas_available', 'available replicas of a Deployment'),
  m(ksm, 'gauge', 'kube_horizontalpodautoscaler_spec_max_replicas', 'most replicas an autoscaler may set'),
  m(ksm, 'gauge', 'kube_horizontalpodautoscaler_status_current_replicas', 'replicas an autoscaler runs now'),
  m(ksm, 'gauge', 'kube_resourcequota', 'a ResourceQuota\'s hard limit and use, by namespace, resource, type (hard, used)'),
  m(ksm, 'gauge', 'kube_pod_container_resource_requests', 'container requests, by namespace, pod, container, resource'),
  m(ksm, 'gauge', 'kube_pod_container_resource_limits', 'container limits, by namespace, pod, container, resource'),
  m(cadvisor, 'counter', 'container_cpu_usage_seconds_total', 'CPU time a container used'),
  m(cadvisor, 'gauge', 'container_memory_working_set_bytes', 'a container\'s working set, what the OOM killer judges'),
  m(certManager, 'gauge', 'certmanager_certificate_expiration_timestamp_seconds', 'when a Certificate expires (Unix time), by name, namespace'),
  m(certManager, 'gauge', 'certmanager_certificate_renewal_timestamp_seconds', 'when cert-manager will renew a Certificate (Unix time)'),
  m(certManager, 'gauge', 'certmanager_certificate_ready_status', 'a Certificate\'s Ready condition, by name, namespace, condition'),
  m(externalSecrets, 'gauge', 'externalsecret_status_condition', 'an ExternalSecret\'s conditions, by name, namespace, condition, status'),
  m(externalSecrets, 'counter', 'externalsecret_sync_calls_total', 'sync calls of an ExternalSecret'),
  m(externalSecrets, 'counter', 'externalsecret_sync_calls_error', 'failed sync calls of an ExternalSecret'),
  m(gatekeeper, 'gauge', 'gatekeeper_violations', 'violations found by the last audit, by enforcement_action'),
  m(gatekeeper, 'gauge', 'gatekeeper_audit_last_run_time', 'when the last audit started (Unix time)'),
  m(gatekeeper, 'gauge', 'gatekeeper_constraints', 'constraints known, by enforcement_action, status'),
  m(gatekeeper, 'counter', 'gatekeeper_validation_request_count', 'admission requests to the validating webhook, by admission_status'),
  m(falco, 'counter', 'falcosecurity_falco_rules_matches_total', 'events that matched a Falco rule, by rule_name, priority, source'),
  m(falcosidekick, 'counter', 'falcosecurity_falcosidekick_falco_events_total', 'Falco events it received, by rule, priority, k8s_ns_name'),
];

/** The names a series of a metric may have: a histogram's buckets, sum and count. */
function seriesNames(metric: ExporterMetric): string[] {
  return metric.type === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => metric.name + s) : [metric.name];
}

let known: ReadonlySet<string> | undefined;

/** Every metric name the platform may query: the recorded series and the exporters' metrics. */
export function knownMetricNames(): ReadonlySet<string> {
  known ??= new Set([...recordedMetricNames(), ...EXPORTER_METRICS.flatMap(seriesNames)]);
  return known;
}

/** Whether a query may name `metric`: a recorded SLI series or a documented exporter metric. */
export function isKnownMetric(metric: string): boolean {
  return knownMetricNames().has(metric);
}

/** The exporter metric named `metric` (a histogram by any of its series' names), if it is one. */
export function exporterMetric(metric: string): ExporterMetric | undefined {
  return EXPORTER_METRICS.find((x) => seriesNames(x).includes(metric));
}
