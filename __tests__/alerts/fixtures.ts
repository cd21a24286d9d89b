import { PlatformModel } from '../../lib/model/platform-model';
import { monitoredModel, monitoredOverlayText } from '../fixtures/monitoring';

/**
 * An `alerting` section: the backend owned by a team of its own, pages to PagerDuty (its key from the
 * secret store), the rest to Slack (webhook URLs in an existing Secret).
 */
export const ALERTING_YAML = [
  'alerting:',
  '  team: platform',
  '  owners: { backend: payments }',
  '  receivers:',
  '    pager:',
  '      pagerduty: { routingKey: { remoteKey: bulwark/prod/alertmanager, property: pagerduty-routing-key } }',
  '    payments-slack:',
  '      slack: { channel: "#payments", apiURL: { secret: alertmanager-slack, key: payments-url } }',
  '    platform-slack:',
  '      slack: { channel: "#platform", apiURL: { secret: alertmanager-slack, key: platform-url } }',
  '  routes:',
  '    - { severity: critical, receiver: pager }',
  '    - { team: payments, receiver: payments-slack }',
  '  defaultReceiver: platform-slack',
  '',
].join('\n');

type Replacement = readonly [string | RegExp, string];

/** The fixture overlay of `env` with monitoring and `alerting` (ALERTING_YAML, or the given text), plus replacements. */
export function alertingOverlayText(env: string, alerting = ALERTING_YAML, ...replacements: readonly Replacement[]): string {
  return monitoredOverlayText(env, ['\ncomponents:\n', `\n${alerting}\ncomponents:\n`], ...replacements);
}

/** The model of the fixture overlay `env` with monitoring and alerting. */
export function alertingModel(env: string, alerting = ALERTING_YAML, ...replacements: readonly Replacement[]): PlatformModel {
  return monitoredModel(env, ['\ncomponents:\n', `\n${alerting}\ncomponents:\n`], ...replacements);
}
