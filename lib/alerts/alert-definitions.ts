import { environmentName } from '../manifest/names';
import { PlatformModel } from '../model/platform-model';
import { componentSlis } from '../slo';
import { AlertDefinition } from './alert-rule';
import { PLATFORM_GROUP, PlatformAlertContext, securityAlerts, workloadAlerts } from './platform-alerts';
import { SLO_GROUP, sloAlerts } from './slo-alerts';

/** The groups of the alerts' PrometheusRule, in evaluation order. */
export const ALERT_GROUPS = [SLO_GROUP, PLATFORM_GROUP] as const;

/** The team label of a component's alerts: its owner, else the platform team. */
function teamOf(model: PlatformModel, component: string): string {
  return model.alerting!.owners[component] ?? model.alerting!.team;
}

/**
 * Every alert of an environment with its tests: per component its SLO alerts (lib/slo's SLIs) and
 * its containers' restarts and readiness; per namespace its quota (the tenants' alerts carry the
 * tenant's name as their team); the platform's certificates, ExternalSecrets, Gatekeeper audit and
 * Falco events. Empty without alerting.
 */
export function alertDefinitions(model: PlatformModel): AlertDefinition[] {
  const alerting = model.alerting;
  if (!alerting || !model.monitoring) return [];
  const ctx: PlatformAlertContext = {
    environment: model.environment,
    namespace: model.namespace,
    namespaces: model.policy.namespaces,
    issuer: environmentName(model.environment),
    alerting,
  };
  const slo = componentSlis(model).flatMap((sli) => sloAlerts({ sli, team: teamOf(model, sli.component), environment: model.environment, alerting }));
  const platform = [
    ...model.components.flatMap((c) => workloadAlerts(ctx, { namespace: model.namespace, component: c.name, team: teamOf(model, c.name) }, false)),
    ...workloadAlerts(ctx, { namespace: model.namespace, team: alerting.team }, true).filter((d) => d.rule.alert === 'ResourceQuotaNearLimit'),
    ...model.tenants.flatMap((tn) => workloadAlerts(ctx, { namespace: tn.namespace, team: tn.name }, true)),
    ...securityAlerts(ctx),
  ].map((d) => ({ ...d, group: PLATFORM_GROUP }));
  return [...slo, ...platform];
}
