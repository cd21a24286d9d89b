import { createHash } from 'crypto';
import { Dashboard, DashboardBuilder, DashboardCursorSync, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { environmentName } from '../manifest/names';
import { PlatformModel } from '../model/platform-model';
import { ComponentSli, componentSlis, RECORDED, WORKLOAD_LABELS } from '../slo';
import { datasourceVariable, PanelQuery, stat, timeseries } from './panels';

/**
 * The platform's Grafana dashboards, written with the foundation SDK's builders: the overview of
 * the environment, one per component (rate, errors and duration from its SLIs, the same series its
 * alerts and canary analysis read), the mesh, and the security signals (Gatekeeper, Falco,
 * certificates, secrets). Every query names only the series of lib/slo: the recorded SLIs, or a
 * documented exporter's metrics (checked by check.ts at synth time).
 */

/** One dashboard, as it is shipped: `name` is its part of the ConfigMap's name. */
export interface PlatformDashboard {
  /** `overview`, `mesh`, `security` or `component-<name>`. */
  readonly name: string;
  /** The dashboard JSON model, as the SDK built it. */
  readonly dashboard: Dashboard;
}

/** Grafana refuses a dashboard uid longer than this. */
export const UID_MAX_LENGTH = 40;

/**
 * The dashboard's uid: `bulwark-<env>-<name>`, stable across runs and versions, so links and
 * bookmarks survive; environments sharing a Grafana never collide. One longer than Grafana's 40
 * characters keeps its start and ends with 8 hex digits of the full uid's SHA-256 (still unique,
 * still stable).
 */
export function dashboardUid(environment: string, name: string): string {
  const full = environmentName(environment, name);
  if (full.length <= UID_MAX_LENGTH) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, UID_MAX_LENGTH - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

/** What a label must be: equal to a value, one of several, matching a pattern, or not matching one. */
type LabelMatch = string | readonly string[] | { readonly re: string } | { readonly notRe: string } | { readonly not: string };

function matcher(label: string, m: LabelMatch): string {
  if (typeof m === 'string') return `${label}=${JSON.stringify(m)}`;
  if ('re' in m) return `${label}=~${JSON.stringify(m.re)}`;
  if ('notRe' in m) return `${label}!~${JSON.stringify(m.notRe)}`;
  if ('not' in m) return `${label}!=${JSON.stringify(m.not)}`;
  return `${label}=~${JSON.stringify(m.join('|'))}`;
}

/** `{a="x", b=~"y|z"}`: the matchers in the order given. */
function selector(labels: Readonly<Record<string, LabelMatch>>): string {
  return `{${Object.entries(labels).map(([k, m]) => matcher(k, m)).join(', ')}}`;
}

function base(model: PlatformModel, name: string, title: string, description: string, tags: readonly string[]): DashboardBuilder {
  return new DashboardBuilder(`Bulwark ${model.environment}: ${title}`)
    .uid(dashboardUid(model.environment, name))
    .description(description)
    .tags(['bulwark', `environment:${model.environment}`, ...tags])
    .readonly()
    .timezone('utc')
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(datasourceVariable());
}

const q = (expr: string, legend: string): PanelQuery => ({ expr, legend });
const BY_WORKLOAD = `sum by (${WORKLOAD_LABELS[1]})`;
const WORKLOAD_LEGEND = `{{${WORKLOAD_LABELS[1]}}}`;

/** The environment at a glance: traffic, errors and latency of every component, pods, quota, scrapes. */
function overview(model: PlatformModel): PlatformDashboard {
  const ns = selector({ [WORKLOAD_LABELS[0]]: model.namespace });
  const own = [...model.policy.namespaces];
  const requests = `${RECORDED.requests('5m')}${ns}`;
  const errors = `${RECORDED.errors('5m')}${ns}`;
  const quota = (type: string): string => `max by (namespace, resource) (kube_resourcequota${selector({ namespace: own, type })})`;
  const dashboard = base(model, 'overview', 'platform overview', `Every component of ${model.environment} in namespace ${model.namespace}, `
    + 'from the SLI recording rules (Istio\'s server-side metrics) and kube-state-metrics.', ['overview'])
    .withRow(new RowBuilder('Traffic'))
    .withPanel(stat({
      title: 'Requests per second', description: 'Requests the environment\'s workloads served (5m rate).', unit: 'reqps',
      queries: [q(`sum(${requests})`, 'requests')],
    }))
    .withPanel(stat({
      title: 'Error ratio', description: 'Share of the environment\'s requests answered with a 5xx (5m).', unit: 'percentunit', decimals: 3,
      thresholds: [{ value: 0.001, color: 'orange' }, { value: 0.01, color: 'red' }],
      queries: [q(`sum(${errors}) / sum(${requests})`, 'errors')],
    }))
    .withPanel(stat({
      title: 'Pods not ready', description: 'Pods of the environment\'s namespaces whose Ready condition is false.', unit: 'short',
      thresholds: [{ value: 1, color: 'red' }],
      queries: [q(`sum(kube_pod_status_ready${selector({ namespace: own, condition: 'false' })})`, 'pods')],
    }))
    .withPanel(stat({
      title: 'Container restarts (1h)', description: 'Container restarts in the environment\'s namespaces over the last hour.', unit: 'short',
      thresholds: [{ value: 1, color: 'orange' }, { value: 5, color: 'red' }],
      queries: [q(`sum(increase(kube_pod_container_status_restarts_total${selector({ namespace: own })}[1h]))`, 'restarts')],
    }))
    .withRow(new RowBuilder('Components'))
    .withPanel(timeseries({
      title: 'Request rate by component', description: 'Requests per second each component served (5m rate).', unit: 'reqps',
      queries: [q(`${BY_WORKLOAD} (${requests})`, WORKLOAD_LEGEND)],
    }))
    .withPanel(timeseries({
      title: 'Error ratio by component', description: 'Share of each component\'s requests answered with a 5xx (5m).', unit: 'percentunit',
      queries: [q(`${RECORDED.errorRatio('5m')}${ns}`, WORKLOAD_LEGEND)],
    }))
    .withPanel(timeseries({
      title: 'p99 latency by component', description: 'The 99th percentile of each component\'s request durations (5m).', unit: 'ms',
      queries: [q(`histogram_quantile(0.99, sum by (${WORKLOAD_LABELS[1]}, le) (${RECORDED.durationBuckets('5m')}${ns}))`, WORKLOAD_LEGEND)],
    }))
    .withPanel(timeseries({
      title: 'Share slower than the latency objective', unit: 'percentunit',
      description: 'Share of each component\'s requests slower than its own latency threshold (components.<name>.slo).',
      queries: [q(`${RECORDED.slowRatio('5m')}${ns}`, WORKLOAD_LEGEND)],
    }))
    .withRow(new RowBuilder('Capacity and scrapes'))
    .withPanel(timeseries({
      title: 'Quota used', description: 'Each ResourceQuota\'s use as a share of its hard limit, per resource.', unit: 'percentunit',
      thresholds: [{ value: 0.8, color: 'orange' }, { value: 0.95, color: 'red' }],
      queries: [q(`${quota('used')} / (${quota('hard')} > 0)`, '{{namespace}} {{resource}}')],
    }))
    .withPanel(timeseries({
      title: 'Scrape targets up', description: 'Targets of the environment\'s namespaces Prometheus scraped successfully (up == 1).', unit: 'short',
      queries: [q(`sum by (namespace, job) (up${selector({ namespace: own })})`, '{{namespace}} {{job}}')],
    }))
    .build();
  return { name: 'overview', dashboard };
}

/** One component: RED from its SLIs, its objectives, and its pods. */
function component(model: PlatformModel, sli: ComponentSli): PlatformDashboard {
  const name = sli.component;
  const { slo } = sli;
  const containers = (extra: Readonly<Record<string, LabelMatch>> = {}): string => selector({
    namespace: model.namespace, container: name, ...extra,
  });
  // A component with delivery runs a Rollout, which kube-state-metrics does not describe: its pods are counted instead.
  const rollout = model.components.find((c) => c.name === name)?.delivery !== undefined;
  const dashboard = base(model, `component-${name}`, name, `${name} in namespace ${model.namespace}: rate, errors and duration from its SLIs `
    + `(the recording rules of lib/slo), against its objectives: ${slo.availability}% available, ${slo.latency.target}% faster than `
    + `${slo.latency.thresholdMs} ms.`, ['component', `component:${name}`])
    .withRow(new RowBuilder('Rate, errors, duration'))
    .withPanel(timeseries({
      title: 'Request rate', description: 'Requests per second the component served (5m rate, server side).', unit: 'reqps', width: 8,
      queries: [q(sli.requestRate('5m'), 'requests')],
    }))
    .withPanel(timeseries({
      title: 'Error ratio', description: `Share of requests answered with a 5xx; the line is the error budget, ${sli.errorBudget}.`,
      unit: 'percentunit', width: 8, thresholds: [{ value: sli.errorBudget, color: 'red' }],
      queries: [q(sli.errorRatio('5m'), '5m'), q(sli.errorRatio('1h'), '1h')],
    }))
    .withPanel(timeseries({
      title: 'Latency', description: `Request duration quantiles (5m); the line is the latency threshold, ${slo.latency.thresholdMs} ms.`,
      unit: 'ms', width: 8, thresholds: [{ value: slo.latency.thresholdMs, color: 'red' }],
      queries: [0.5, 0.9, 0.99].map((quantile) => q(sli.latencyQuantile(quantile, '5m'), `p${Math.round(quantile * 100)}`)),
    }))
    .withRow(new RowBuilder('Objectives'))
    .withPanel(stat({
      title: 'Availability (1d)', description: `Share of requests of the last day answered without a 5xx; the objective is ${slo.availability}%.`,
      unit: 'percentunit', decimals: 3, thresholds: [{ value: slo.availability / 100, color: 'green' }],
      queries: [q(`1 - ${sli.errorRatio('1d')}`, 'availability')],
    }))
    .withPanel(stat({
      title: 'Error budget left (3d)', description: 'Share of the error budget the last three days left unspent.', unit: 'percentunit', decimals: 1,
      thresholds: [{ value: 0, color: 'orange' }, { value: 0.25, color: 'green' }],
      queries: [q(`1 - ${sli.errorRatio('3d')} / ${sli.errorBudget}`, 'budget left')],
    }))
    .withPanel(stat({
      title: `Faster than ${slo.latency.thresholdMs} ms (1d)`,
      description: `Share of requests of the last day faster than the threshold; the objective is ${slo.latency.target}%.`,
      unit: 'percentunit', decimals: 3, thresholds: [{ value: slo.latency.target / 100, color: 'green' }],
      queries: [q(`1 - ${sli.slowRatio('1d')}`, 'fast enough')],
    }))
    .withPanel(stat({
      title: 'Latency budget left (3d)', description: 'Share of the latency budget the last three days left unspent.',
      unit: 'percentunit', decimals: 1,
      thresholds: [{ value: 0, color: 'orange' }, { value: 0.25, color: 'green' }],
      queries: [q(`1 - ${sli.slowRatio('3d')} / ${sli.latencyBudget}`, 'budget left')],
    }))
    .withRow(new RowBuilder('Pods'))
    .withPanel(timeseries({
      title: 'Ready pods', unit: 'short', width: 8,
      description: rollout
        ? 'Pods whose container of the component is ready, whichever ReplicaSet of its Rollout (stable, canary, preview) they belong to.'
        : 'Pods whose container of the component is ready, against the replicas its Deployment asks for.',
      queries: [
        q(`sum(kube_pod_container_status_ready${containers()})`, 'ready'),
        ...(rollout ? [] : [q(`sum(kube_deployment_spec_replicas${selector({ namespace: model.namespace, deployment: name })})`, 'desired')]),
      ],
    }))
    .withPanel(timeseries({
      title: 'CPU', description: 'CPU the component\'s containers used, per pod, against their limit.', unit: 'short', width: 8,
      queries: [
        q(`sum by (pod) (rate(container_cpu_usage_seconds_total${containers()}[$__rate_interval]))`, '{{pod}}'),
        q(`max(kube_pod_container_resource_limits${containers({ resource: 'cpu' })})`, 'limit'),
      ],
    }))
    .withPanel(timeseries({
      title: 'Memory', description: 'Working set of the component\'s containers, per pod, against their limit.', unit: 'bytes', width: 8,
      queries: [
        q(`sum by (pod) (container_memory_working_set_bytes${containers()})`, '{{pod}}'),
        q(`max(kube_pod_container_resource_limits${containers({ resource: 'memory' })})`, 'limit'),
      ],
    }))
    .withPanel(timeseries({
      title: 'Restarts', description: 'Restarts of the component\'s containers, per pod.', unit: 'short', width: 24,
      queries: [q(`sum by (pod) (increase(kube_pod_container_status_restarts_total${containers()}[$__rate_interval]))`, '{{pod}}')],
    }))
    .build();
  return { name: `component-${name}`, dashboard };
}

/** The mesh: who calls whom, mTLS, response codes and flags, TCP, the sidecars. */
function mesh(model: PlatformModel): PlatformDashboard {
  const server = (extra: Readonly<Record<string, LabelMatch>> = {}): string => selector({
    reporter: 'destination', [WORKLOAD_LABELS[0]]: model.namespace, ...extra,
  });
  const requests = (extra: Readonly<Record<string, LabelMatch>> = {}): string => `rate(istio_requests_total${server(extra)}[$__rate_interval])`;
  const tcp = (metric: string): string => `${BY_WORKLOAD} (rate(${metric}${server()}[$__rate_interval]))`;
  const proxies = selector({ namespace: model.namespace });
  const dashboard = base(model, 'mesh', 'mesh', `Istio's view of ${model.namespace}: requests between workloads as the servers' sidecars `
    + 'report them, their mutual TLS, response codes and flags, TCP traffic, and the sidecars themselves.', ['mesh', 'istio'])
    .withRow(new RowBuilder('Requests'))
    .withPanel(stat({
      title: 'Mutual TLS share', description: 'Share of requests into the environment that arrived over mutual TLS (STRICT means 100%).',
      unit: 'percentunit', decimals: 2, thresholds: [{ value: 1, color: 'green' }],
      queries: [q(`sum(${requests({ connection_security_policy: 'mutual_tls' })}) / sum(${requests()})`, 'mTLS')],
    }))
    .withPanel(stat({
      title: 'Sidecars live', description: 'Proxies of the environment\'s namespace that report themselves live.', unit: 'short',
      queries: [q(`sum(envoy_server_live${proxies})`, 'live')],
    }))
    .withPanel(timeseries({
      title: 'Requests by caller and callee', unit: 'reqps',
      description: 'Requests per second from each source workload to each destination workload.',
      queries: [q(`sum by (source_workload, destination_workload) (${requests()})`, '{{source_workload}} → {{destination_workload}}')],
    }))
    .withPanel(timeseries({
      title: 'Failed responses by code', description: 'Responses other than 2xx and 3xx, per destination and code.', unit: 'reqps',
      queries: [q(`sum by (destination_workload, response_code) (${requests({ response_code: { notRe: '[23]..' } })})`,
        '{{destination_workload}} {{response_code}}')],
    }))
    .withPanel(timeseries({
      title: 'Response flags', unit: 'reqps',
      description: 'Requests Envoy flagged (UO: circuit open, UF: upstream failure, URX: retries exhausted, …).',
      queries: [q(`sum by (destination_workload, response_flags) (${requests({ response_flags: { not: '-' } })})`,
        '{{destination_workload}} {{response_flags}}')],
    }))
    .withRow(new RowBuilder('TCP and sidecars'))
    .withPanel(timeseries({
      title: 'TCP bytes', description: 'Bytes received and sent on TCP connections into the environment\'s workloads.', unit: 'Bps',
      queries: [
        q(tcp('istio_tcp_received_bytes_total'), `${WORKLOAD_LEGEND} received`),
        q(tcp('istio_tcp_sent_bytes_total'), `${WORKLOAD_LEGEND} sent`),
      ],
    }))
    .withPanel(timeseries({
      title: 'TCP connections opened', description: 'Connections per second opened to the environment\'s workloads.', unit: 'cps',
      queries: [q(tcp('istio_tcp_connections_opened_total'), WORKLOAD_LEGEND)],
    }))
    .withPanel(timeseries({
      title: 'Sidecar memory', description: 'Memory each proxy of the environment\'s namespace has allocated.', unit: 'bytes',
      queries: [q(`sum by (pod) (envoy_server_memory_allocated${proxies})`, '{{pod}}')],
    }))
    .build();
  return { name: 'mesh', dashboard };
}

/** Security signals: admission and audit (Gatekeeper), runtime (Falco), certificates and secrets. */
function security(model: PlatformModel): PlatformDashboard {
  const own = [...model.policy.namespaces];
  const certificates = { re: `${environmentName(model.environment)}-.*` };
  const falcoMatches = `falcosecurity_falco_rules_matches_total${selector({ rule_name: { re: `Bulwark ${model.environment}: .*` } })}`;
  const sidekickEvents = `falcosecurity_falcosidekick_falco_events_total${selector({ k8s_ns_name: own })}`;
  const dashboard = base(model, 'security', 'security signals', `What the guardrails of ${model.environment} see: Gatekeeper's audit and admission, `
    + 'Falco\'s runtime rules of the environment, certificate expiry (cert-manager) and secret sync (External Secrets).', ['security'])
    .withRow(new RowBuilder('Gatekeeper'))
    .withPanel(stat({
      title: 'Audit violations', description: 'Violations Gatekeeper\'s last audit found, every enforcement action.', unit: 'short',
      thresholds: [{ value: 1, color: 'red' }],
      queries: [q('sum(gatekeeper_violations)', 'violations')],
    }))
    .withPanel(stat({
      title: 'Since the last audit', description: 'Time since Gatekeeper\'s last audit started; it audits every minute by default.', unit: 's',
      thresholds: [{ value: 600, color: 'orange' }, { value: 3600, color: 'red' }],
      queries: [q('time() - max(gatekeeper_audit_last_run_time)', 'since')],
    }))
    .withPanel(timeseries({
      title: 'Violations by enforcement action', description: 'What the last audits found, by deny, warn and dryrun.', unit: 'short',
      queries: [q('sum by (enforcement_action) (gatekeeper_violations)', '{{enforcement_action}}')],
    }))
    .withPanel(timeseries({
      title: 'Admission requests by outcome', description: 'Requests Gatekeeper\'s validating webhook allowed and denied.', unit: 'reqps',
      queries: [q('sum by (admission_status) (rate(gatekeeper_validation_request_count[$__rate_interval]))', '{{admission_status}}')],
    }))
    .withRow(new RowBuilder('Falco'))
    .withPanel(timeseries({
      title: 'Falco rule matches', description: `Events that matched the environment's Falco rules ("Bulwark ${model.environment}: …").`,
      unit: 'short', thresholds: [{ value: 1, color: 'red' }],
      queries: [q(`sum by (rule_name, priority) (increase(${falcoMatches}[$__rate_interval]))`, '{{rule_name}} ({{priority}})')],
    }))
    .withPanel(timeseries({
      title: 'Falco events in the environment\'s namespaces', description: 'Falco events Falcosidekick received from the environment\'s namespaces.',
      unit: 'short', queries: [q(`sum by (rule, priority) (increase(${sidekickEvents}[$__rate_interval]))`, '{{rule}} ({{priority}})')],
    }))
    .withRow(new RowBuilder('Certificates and secrets'))
    .withPanel(timeseries({
      title: 'Days until certificate expiry', unit: 'd',
      description: 'Time left on each of the environment\'s certificates; cert-manager renews at two thirds of their lifetime.',
      thresholds: [{ value: 0, color: 'red' }, { value: 14, color: 'orange' }, { value: 30, color: 'green' }],
      queries: [q(`(min by (name) (certmanager_certificate_expiration_timestamp_seconds${selector({ name: certificates })}) - time()) / 86400`,
        '{{name}}')],
    }))
    .withPanel(stat({
      title: 'Certificates not ready', description: 'The environment\'s certificates whose Ready condition is not True.', unit: 'short',
      thresholds: [{ value: 1, color: 'red' }],
      queries: [q(`count(certmanager_certificate_ready_status${selector({ name: certificates, condition: ['False', 'Unknown'] })} == 1) or vector(0)`,
        'not ready')],
    }))
    .withPanel(stat({
      title: 'ExternalSecrets not synced', description: 'ExternalSecrets of the environment\'s namespaces whose Ready condition is False.',
      unit: 'short', thresholds: [{ value: 1, color: 'red' }],
      queries: [q(`count(externalsecret_status_condition${selector({ namespace: own, condition: 'Ready', status: 'False' })} == 1) or vector(0)`,
        'not synced')],
    }))
    .withPanel(timeseries({
      title: 'Secret sync errors', description: 'Failed sync calls of the ExternalSecrets of the environment\'s namespaces.', unit: 'short',
      queries: [q(`sum by (namespace, name) (increase(externalsecret_sync_calls_error${selector({ namespace: own })}[$__rate_interval]))`,
        '{{namespace}}/{{name}}')],
    }))
    .build();
  return { name: 'security', dashboard };
}

/**
 * Panel ids 1, 2, … in layout order, rows included: the SDK leaves panels without one (and rows
 * at 0), while Grafana's links to a panel (viewPanel=<id>) need them unique and stable.
 */
function numbered({ name, dashboard }: PlatformDashboard): PlatformDashboard {
  let id = 0;
  const panels = (dashboard.panels ?? []).map((panel) => ({ ...panel, id: ++id }));
  return { name, dashboard: { ...dashboard, panels } };
}

/** Every dashboard of the environment, in output order; none without dashboards. */
export function platformDashboards(model: PlatformModel): PlatformDashboard[] {
  if (!model.dashboards) return [];
  return [overview(model), ...componentSlis(model).map((s) => component(model, s)), mesh(model), security(model)].map(numbered);
}
