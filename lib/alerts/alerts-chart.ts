import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ExternalSecret, ExternalSecretSpecSecretStoreRefKind, ExternalSecretSpecTargetCreationPolicy } from '../../imports/external-secrets.io';
import { AlertmanagerConfig, PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/monitoring.coreos.com';
import { standardLabels } from '../manifest/labels';
import { PLATFORM_FOLDERS } from '../manifest/layout';
import { PlatformModel } from '../model/platform-model';
import { secretStoreName } from '../security/secret-store';
import { alertDefinitions } from './alert-definitions';
import { alertmanagerConfigSpec, receiverCredential } from './alert-routing';
import { alertGroups } from './rule-files';

export const ALERTS_NAME = PLATFORM_FOLDERS.alerts;

/**
 * The `alerts` subchart, in the environment's namespace: the PrometheusRule of its alerts, the
 * AlertmanagerConfig that routes them (the operator matches it to the alerts of its namespace,
 * which every alert's `namespace` label names), and an ExternalSecret for each receiver whose
 * credential comes from the secret store. All carry monitoring.selectorLabels, for the Prometheus'
 * ruleSelector and the Alertmanager's alertmanagerConfigSelector.
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
    // Credentials from the secret store: an ExternalSecret per receiver, as the components' secrets.
    const { receivers } = model.alerting!;
    for (const c of Object.keys(receivers).sort().map((name) => receiverCredential(name, receivers[name]))) {
      if (!c.store) continue;
      new ExternalSecret(this, `credential-${c.receiver}`, {
        metadata: { name: c.secret.name, labels },
        spec: {
          refreshInterval: model.secretStore.refreshInterval,
          secretStoreRef: { kind: ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE, name: secretStoreName(model.environment) },
          target: { name: c.secret.name, creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER },
          data: [{ secretKey: c.secret.key, remoteRef: { key: c.store.remoteKey, property: c.store.property } }],
        },
      });
    }
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
