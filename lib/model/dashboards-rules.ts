import type { Problem } from '../config/errors';
import type { RuleInput } from './platform-model';
import { ownNamespaces } from './platform-model';

/**
 * The rules of the overlay's `dashboards`: the dashboards read what the Prometheus of
 * `monitoring` records, and they go to Grafana's namespace, never one the environment owns.
 */

/** Every panel queries the SLIs the recording rules of `monitoring` record, or its exporters' metrics. */
export function dashboardsNeedMonitoring({ overlay, problem }: RuleInput): Problem[] {
  if (!overlay.dashboards || overlay.monitoring) return [];
  return [problem(['dashboards'], {
    message: 'dashboards need monitoring: their panels query the SLIs its recording rules record',
    received: 'dashboards without monitoring',
    allowed: 'dashboards together with monitoring',
    fix: 'add monitoring: {prometheus: {serviceAccount, podLabels, url}}, or remove dashboards',
  }, true)];
}

/**
 * The dashboards are Grafana's, in the namespace its sidecar watches: in one of the environment's
 * own namespaces they would be the environment's objects there, and Grafana's sidecar would have
 * to read the environment's ConfigMaps (its settings among them).
 */
export function dashboardsNamespaceNotOwn({ overlay, problem }: RuleInput): Problem[] {
  const namespace = overlay.dashboards?.namespace;
  if (namespace === undefined) return [];
  const own = ownNamespaces(overlay);
  if (!own.includes(namespace)) return [];
  return [problem(['dashboards', 'namespace'], {
    message: 'the dashboards\' namespace is one of the environment\'s own namespaces, not Grafana\'s',
    received: JSON.stringify(namespace),
    allowed: `a namespace other than ${own.join(', ')}`,
    fix: `use the namespace Grafana's dashboard sidecar watches (its searchNamespace), or leave it out for monitoring.namespace${
      overlay.monitoring ? ` (${overlay.monitoring.namespace})` : ''}`,
  })];
}
