import { AlertingConfig } from '../config/overlay-schema';
import { AlertCase, AlertDefinition, AlertRule, AlertTest, at, firing, LabelSet, minutesOf, seriesOf } from './alert-rule';

/**
 * The platform's alerts, over the documented exporters' metrics (lib/slo's EXPORTER_METRICS):
 * kube-state-metrics (restarts, readiness, quota), cert-manager, External Secrets, Gatekeeper's
 * audit and Falcosidekick. Each aggregates to the labels its text names, so that its alerts, and
 * its tests, are exact.
 */

export const PLATFORM_GROUP = 'bulwark-platform-alerts';

/** What the alerts of one owner cover: a component's containers, or every container of a tenant's namespace. */
export interface WorkloadScope {
  /** The namespace the series are in. */
  readonly namespace: string;
  /** The component (its container's name), when the scope is one component. */
  readonly component?: string;
  readonly team: string;
}

/** What every platform alert is built from. */
export interface PlatformAlertContext {
  readonly environment: string;
  /** The environment's own namespace: every alert carries it, so the AlertmanagerConfig there routes it. */
  readonly namespace: string;
  /** The environment's namespaces (its own, then its tenants'). */
  readonly namespaces: readonly string[];
  /** The ClusterIssuer that signs the environment's certificates. */
  readonly issuer: string;
  readonly alerting: AlertingConfig;
}

type Definition = Omit<AlertDefinition, 'group'>;

function rule(ctx: PlatformAlertContext, alert: string, props: Omit<AlertRule, 'alert' | 'labels' | 'annotations'> & {
  readonly severity: 'critical' | 'warning';
  readonly team: string;
  readonly labels?: LabelSet;
  readonly summary: string;
  readonly description: string;
}): AlertRule {
  return {
    alert,
    expr: props.expr,
    for: props.for,
    labels: { severity: props.severity, team: props.team, ...props.labels, namespace: ctx.namespace, environment: ctx.environment },
    annotations: { summary: props.summary, description: props.description, runbook_url: `${ctx.alerting.runbookUrl}#${alert.toLowerCase()}` },
  };
}

/**
 * One test group: a series whose condition becomes true at `activeAt` minutes and stays, beside a
 * healthy one; a minute before the `for` has passed nothing fires, after it only the first does.
 */
function holdsThenFires(r: AlertRule, activeAt: number, bad: AlertTest['inputSeries'], good: AlertTest['inputSeries'], labels: LabelSet,
  name: string): AlertTest[] {
  const forMinutes = minutesOf(r.for);
  const early: AlertCase[] = forMinutes >= 2 ? [{ evalTime: at(activeAt + forMinutes - 1), alertname: r.alert, alerts: [] }] : [];
  const cases = [...early, { evalTime: at(activeAt + forMinutes + 2), alertname: r.alert, alerts: [firing(r, labels)] }];
  return [{ name, inputSeries: [...bad, ...good], cases }];
}

/** The same series under another pod's (or object's) name: the healthy one beside the one that fires. */
const healthy = (labels: LabelSet, key: string): LabelSet => ({ ...labels, [key]: `${labels[key]}-healthy` });

const scopeName = (s: WorkloadScope): string => (s.component ? `${s.component} in ${s.namespace}` : `the namespace ${s.namespace}`);
const containerMatcher = (s: WorkloadScope): string => `namespace="${s.namespace}"${s.component ? `, container="${s.component}"` : ''}`;

/** Restarts, readiness and quota of one owner's workloads. */
export function workloadAlerts(ctx: PlatformAlertContext, scope: WorkloadScope, quota: boolean): Definition[] {
  const { thresholds } = ctx.alerting;
  const where = scopeName(scope);
  const pod = { pod: `${scope.component ?? 'app'}-7d9f8b6c5-x2x4q`, container: scope.component ?? 'app' };
  const ksm = { job: 'kube-state-metrics', namespace: scope.namespace, ...pod };
  const component: LabelSet = scope.component ? { component: scope.component } : {};
  const restarts = rule(ctx, 'ContainerRestarting', {
    expr: `sum by (pod, container) (increase(kube_pod_container_status_restarts_total{${containerMatcher(scope)}}[1h])) >= ${thresholds.restarts}`,
    for: ctx.alerting.for.restarts,
    severity: 'warning',
    team: scope.team,
    labels: component,
    summary: `A container of ${where} keeps restarting`,
    description: `Container {{ $labels.container }} of pod {{ $labels.pod }} (${where}) restarted at least ${thresholds.restarts} times `
      + 'within an hour: it crashes or fails its liveness probe.',
  });
  const notReady = rule(ctx, 'PodNotReady', {
    expr: `max by (pod, container) (kube_pod_container_status_ready{${containerMatcher(scope)}}) == 0`,
    for: ctx.alerting.for.notReady,
    severity: 'warning',
    team: scope.team,
    labels: component,
    summary: `A pod of ${where} is not ready`,
    description: `Container {{ $labels.container }} of pod {{ $labels.pod }} (${where}) has not been ready for ${ctx.alerting.for.notReady}: `
      + 'its readiness probe fails, so it receives no traffic.',
  });
  const restartSeries = seriesOf('kube_pod_container_status_restarts_total', ksm);
  const readySeries = seriesOf('kube_pod_container_status_ready', ksm);
  const restartHealthy = seriesOf('kube_pod_container_status_restarts_total', healthy(ksm, 'pod'));
  const readyHealthy = seriesOf('kube_pod_container_status_ready', healthy(ksm, 'pod'));
  const defs: Definition[] = [
    // One restart a minute: the increase reaches the threshold after about that many minutes.
    { rule: restarts, tests: holdsThenFires(restarts, thresholds.restarts, [{ series: restartSeries, values: '0+1x90' }],
      [{ series: restartHealthy, values: '2+0x90' }], pod, `${where}: restarts`) },
    { rule: notReady, tests: holdsThenFires(notReady, 0, [{ series: readySeries, values: '0+0x90' }], [{ series: readyHealthy, values: '1+0x90' }],
      pod, `${where}: readiness`) },
  ];
  if (quota) defs.push(quotaAlert(ctx, scope));
  return defs;
}

function quotaAlert(ctx: PlatformAlertContext, scope: WorkloadScope): Definition {
  const percent = ctx.alerting.thresholds.quotaPercent;
  const q = `kube_resourcequota{namespace="${scope.namespace}", type=`;
  const r = rule(ctx, 'ResourceQuotaNearLimit', {
    expr: `sum by (resourcequota, resource) (${q}"used"})\n/\nsum by (resourcequota, resource) (${q}"hard"} > 0)\n> ${percent / 100}`,
    for: ctx.alerting.for.quota,
    severity: 'warning',
    team: scope.team,
    summary: `The namespace ${scope.namespace} is near a quota limit`,
    description: `The namespace ${scope.namespace} uses more than ${percent}% of {{ $labels.resource }} in ResourceQuota `
      + '{{ $labels.resourcequota }}: new pods (and rollouts, autoscaling) will be refused at the limit.',
  });
  const labels = { resourcequota: 'quota', resource: 'requests.cpu' };
  const series = (type: string, quotaLabels: LabelSet = labels): string =>
    seriesOf('kube_resourcequota', { job: 'kube-state-metrics', namespace: scope.namespace, ...quotaLabels, type });
  const used = (share: number): string => `${Number((16 * share).toPrecision(6))}+0x90`;
  const other = healthy(labels, 'resourcequota');
  return { rule: r, tests: holdsThenFires(r, 0,
    [{ series: series('hard'), values: '16+0x90' }, { series: series('used'), values: used((100 + percent) / 200) }],
    [{ series: series('hard', other), values: '16+0x90' }, { series: series('used', other), values: used(percent / 200) }],
    labels, `quota of ${scope.namespace}`) };
}

/** Certificates, ExternalSecrets, Gatekeeper's audit and Falco's events: the platform team's. */
export function securityAlerts(ctx: PlatformAlertContext): Definition[] {
  const { alerting } = ctx;
  const team = alerting.team;
  const days = alerting.thresholds.certificateDays;
  const certificate = rule(ctx, 'CertificateExpiringSoon', {
    expr: `min by (name) (certmanager_certificate_expiration_timestamp_seconds{issuer_name="${ctx.issuer}"} - time()) < ${days * 86400}`,
    for: alerting.for.certificate,
    severity: 'warning',
    team,
    summary: 'A certificate expires soon',
    description: `Certificate {{ $labels.name }}, issued by ClusterIssuer ${ctx.issuer}, expires within ${days} days: cert-manager renews `
      + 'earlier, so its renewal fails (check the Certificate\'s and its CertificateRequest\'s conditions).',
  });
  const cert = (expiresInDays: number, name = 'frontend-tls'): AlertTest['inputSeries'] => [{
    series: seriesOf('certmanager_certificate_expiration_timestamp_seconds', {
      job: 'cert-manager', namespace: 'istio-system', name, issuer_name: ctx.issuer, issuer_kind: 'ClusterIssuer', issuer_group: 'cert-manager.io',
    }),
    values: `${expiresInDays * 86400}+0x120`,
  }];
  const namespaces = ctx.namespaces.join('|');
  const externalSecret = rule(ctx, 'ExternalSecretNotSynced', {
    // The alert's namespace label is the environment's (for the routing); the object's goes to exported_namespace.
    expr: 'max by (exported_namespace, name) (label_replace(\n  '
      + `externalsecret_status_condition{namespace=~"${namespaces}", condition="Ready", status="False"},\n  `
      + '"exported_namespace", "$1", "namespace", "(.*)"\n)) == 1',
    for: alerting.for.externalSecret,
    severity: 'warning',
    team,
    summary: 'An ExternalSecret is not synced',
    description: 'ExternalSecret {{ $labels.name }} in {{ $labels.exported_namespace }} has not synced its Secret from the secret store for '
      + `${alerting.for.externalSecret}: the pods that read it start with an old value, or do not start.`,
  });
  const es = (value: number, name = 'backend-db'): AlertTest['inputSeries'] => [{
    series: seriesOf('externalsecret_status_condition', {
      job: 'external-secrets', namespace: ctx.namespace, name, condition: 'Ready', status: 'False',
    }),
    values: `${value}+0x90`,
  }];
  const gatekeeper = rule(ctx, 'GatekeeperAuditViolations', {
    expr: 'sum by (enforcement_action) (gatekeeper_violations) > 0',
    for: alerting.for.gatekeeper,
    severity: 'warning',
    team,
    summary: 'Gatekeeper\'s audit finds objects that violate constraints',
    description: 'Gatekeeper\'s audit finds objects in the cluster that violate constraints with enforcement action '
      + '{{ $labels.enforcement_action }} (kubectl get constraints shows each constraint\'s totalViolations).',
  });
  const violations = (value: number, action = 'deny'): AlertTest['inputSeries'] => [{
    series: seriesOf('gatekeeper_violations', { job: 'gatekeeper-audit', enforcement_action: action }), values: `${value}+0x90`,
  }];
  const esLabels = { exported_namespace: ctx.namespace, name: 'backend-db' };
  return [
    { rule: certificate, tests: holdsThenFires(certificate, 0, cert(days - 1), cert(days + 30, 'backend-tls'), { name: 'frontend-tls' },
      'certificate') },
    { rule: externalSecret, tests: holdsThenFires(externalSecret, 0, es(1), es(0, 'agent-llm'), esLabels, 'ExternalSecret') },
    { rule: gatekeeper, tests: holdsThenFires(gatekeeper, 0, violations(2), violations(0, 'warn'), { enforcement_action: 'deny' },
      'Gatekeeper audit') },
    falcoAlert(ctx),
  ];
}

const FALCO_PRIORITIES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice'] as const;

function falcoAlert(ctx: PlatformAlertContext): Definition {
  const { alerting } = ctx;
  const priorities = FALCO_PRIORITIES.slice(0, FALCO_PRIORITIES.indexOf(alerting.thresholds.falcoPriority) + 1);
  const r = rule(ctx, 'FalcoRuleMatched', {
    expr: 'sum by (rule, priority, k8s_ns_name) (increase(falcosecurity_falcosidekick_falco_events_total{'
      + `k8s_ns_name=~"${ctx.namespaces.join('|')}", priority=~"(?i)${priorities.join('|')}"}[5m])) > 0`,
    for: alerting.for.falco,
    severity: 'critical',
    team: alerting.team,
    summary: 'Falco detected suspicious activity',
    description: 'Falco rule "{{ $labels.rule }}" ({{ $labels.priority }}) matched in {{ $labels.k8s_ns_name }}: '
      + 'runtime activity the platform\'s rules flag (a shell, a write below /etc, an unexpected connection).',
  });
  const event = (priority: string, values: string): AlertTest['inputSeries'][number] => ({
    series: seriesOf('falcosecurity_falcosidekick_falco_events_total', {
      job: 'falcosidekick', rule: 'Terminal shell in container', priority, k8s_ns_name: ctx.namespace,
    }),
    values,
  });
  const matched = FALCO_PRIORITIES[priorities.length - 1];
  const below = FALCO_PRIORITIES[priorities.length] ?? 'informational';
  const labels = { rule: 'Terminal shell in container', priority: matched, k8s_ns_name: ctx.namespace };
  return {
    rule: r,
    tests: holdsThenFires(r, 1, [event(matched, '0+1x90')], [event(below, '0+1x90')], labels,
      `Falco events of priority ${matched} and above`),
  };
}
