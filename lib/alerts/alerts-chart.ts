import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { AlertmanagerConfig, PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/monitoring.coreos.com';
import { standardLabels } from '../manifest/labels';
import { PLATFORM_FOLDERS } from '../manifest/layout';
import { PlatformModel } from '../model/platform-model';
import { alertDefinitions } from './alert-definitions';
import { alertmanagerConfigSpec } from './alert-routing';
import { alertGroups } from './rule-files';

export const ALERTS_NAME = PLATFORM_FOLDERS.alerts;

/**
 * The `alerts` subchart, in the environment's namespace: the PrometheusRule of its alerts, and the
 * AlertmanagerConfig that routes them (the operator matches it to the alerts of its namespace,
 * which every alert's `namespace` label names). Both carry monitoring.selectorLabels, for the
 * Prometheus' ruleSelector and the Alertmanager's alertmanagerConfigSelector.
 */
export class AlertsChart extends Chart {
  constructor(scope: Construct, model: PlatformModel) {
    super(scope, ALERTS_NAME, { disableResourceNameHashes: true, namespace: model.namespace });
    const labels = {
      ...standardLabels({ name: ALERTS_NAME, environment: model.environment, component: 'alerting', version: model.platformVersion }),
      ...model.monitoring!.selectorLabels,
    };
    new PrometheusRule(this, 'rules', {
      metadata: { name: ALERTS_NAME, labels },
      spec: {
        groups: alertGroups(alertDefinitions(model)).map((g) => ({
          name: g.name,
          rules: g.rules.map((r) => ({ ...r, expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr) })),
        })),
      },
    });
    const routing = alertmanagerConfigSpec(model.alerting!);
    new AlertmanagerConfig(this, 'routing', {
      metadata: { name: ALERTS_NAME, labels },
      spec: {
        route: routing.route,
        // The bindings spell apiURL as apiUrl (and write it back as apiURL).
        receivers: routing.receivers.map(({ slackConfigs, ...r }) => ({
          ...r,
          ...(slackConfigs ? { slackConfigs: slackConfigs.map(({ apiURL, ...c }) => ({ ...c, apiUrl: apiURL })) } : {}),
        })),
      },
    });
  }
}
