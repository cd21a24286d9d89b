import { AlertingConfig, AlertReceiverConfig } from '../config/overlay-schema';

/**
 * Alertmanager routing of one environment, from the overlay's `alerting`: the AlertmanagerConfig's
 * spec (v1alpha1, credentials as SecretKeySelectors) and the Alertmanager configuration the
 * prometheus-operator generates from it, which amtool checks. The operator puts the object's route
 * under the root route with the matcher namespace="<its namespace>" (continue: true, so other
 * configurations see the alert too) and names its receivers <namespace>/<name>/<receiver>; a
 * Secret key becomes a file of the Secret the Alertmanager mounts (spec.secrets:
 * /etc/alertmanager/secrets/<secret>/<key>), so neither holds a credential.
 */

const GROUP_BY = ['alertname', 'namespace', 'team', 'component'] as const;
const TIMING = { groupWait: '30s', groupInterval: '5m', repeatInterval: '4h' } as const;
/** Where the Alertmanager mounts the Secrets of its spec.secrets. */
const SECRETS_DIR = '/etc/alertmanager/secrets';

interface Matcher { readonly name: string; readonly value: string; readonly matchType: '=' }

function matchersOf(route: AlertingConfig['routes'][number]): Matcher[] {
  return [
    ...(route.severity ? [{ name: 'severity', value: route.severity, matchType: '=' as const }] : []),
    ...(route.team ? [{ name: 'team', value: route.team, matchType: '=' as const }] : []),
  ];
}

/** The AlertmanagerConfig's spec: the default receiver, one child route per overlay route, the receivers by name. */
export function alertmanagerConfigSpec(alerting: AlertingConfig): AlertmanagerSpec {
  return {
    route: {
      receiver: alerting.defaultReceiver,
      groupBy: [...GROUP_BY],
      ...TIMING,
      routes: alerting.routes.map((r) => ({ receiver: r.receiver, matchers: matchersOf(r) })),
    },
    receivers: Object.keys(alerting.receivers).sort().map((name) => receiverSpec(name, alerting.receivers[name])),
  };
}

/** The Secret a receiver's credential is in: its own, or alerts-<receiver>, synced from the store by an ExternalSecret. */
export interface ReceiverCredential {
  readonly receiver: string;
  readonly secret: { readonly name: string; readonly key: string };
  /** Where the ExternalSecret reads it, when it comes from the secret store. */
  readonly store?: { readonly remoteKey: string; readonly property: string };
}

export function receiverCredential(receiver: string, r: AlertReceiverConfig): ReceiverCredential {
  const ref = r.pagerduty?.routingKey ?? r.slack?.apiURL ?? r.webhook!.url;
  if (ref.remoteKey !== undefined) {
    return { receiver, secret: { name: `alerts-${receiver}`, key: ref.property! }, store: { remoteKey: ref.remoteKey, property: ref.property! } };
  }
  return { receiver, secret: { name: ref.secret!, key: ref.key! } };
}

function receiverSpec(name: string, r: AlertReceiverConfig): ReceiverSpec {
  const ref = receiverCredential(name, r).secret;
  if (r.pagerduty) return { name, pagerdutyConfigs: [{ routingKey: ref, sendResolved: true }] };
  if (r.slack) return { name, slackConfigs: [{ apiURL: ref, channel: r.slack.channel, sendResolved: true }] };
  return { name, webhookConfigs: [{ urlSecret: ref, sendResolved: true }] };
}

/** The receiver of the root route, which receives what no configuration matches. */
export const NULL_RECEIVER = 'null';

/**
 * The Alertmanager configuration the operator generates from one AlertmanagerConfig (the object's
 * namespace and name), as alertmanager.yml: what `amtool check-config` and `amtool config routes
 * test` read.
 */
export function alertmanagerYaml(s: AlertmanagerSpec, namespace: string, name: string): Record<string, unknown> {
  const full = (receiver: string): string => `${namespace}/${name}/${receiver}`;
  const file = (ref: { name: string; key: string }): string => `${SECRETS_DIR}/${ref.name}/${ref.key}`;
  const matchers = (ms: readonly Matcher[]): string[] => ms.map((m) => `${m.name}${m.matchType}${JSON.stringify(m.value)}`);
  return {
    route: {
      receiver: NULL_RECEIVER,
      routes: [{
        receiver: full(s.route.receiver),
        matchers: [`namespace=${JSON.stringify(namespace)}`],
        continue: true,
        group_by: s.route.groupBy,
        group_wait: s.route.groupWait,
        group_interval: s.route.groupInterval,
        repeat_interval: s.route.repeatInterval,
        routes: s.route.routes.map((r) => ({ receiver: full(r.receiver), matchers: matchers(r.matchers) })),
      }],
    },
    receivers: [
      { name: NULL_RECEIVER },
      ...s.receivers.map((x) => ({
        name: full(x.name),
        ...(x.pagerdutyConfigs
          ? { pagerduty_configs: x.pagerdutyConfigs.map((c) => ({ routing_key_file: file(c.routingKey), send_resolved: c.sendResolved })) }
          : {}),
        ...(x.slackConfigs
          ? { slack_configs: x.slackConfigs.map((c) => ({ api_url_file: file(c.apiURL), channel: c.channel, send_resolved: c.sendResolved })) }
          : {}),
        ...(x.webhookConfigs
          ? { webhook_configs: x.webhookConfigs.map((c) => ({ url_file: file(c.urlSecret), send_resolved: c.sendResolved })) }
          : {}),
      })),
    ],
  };
}

/** The spec of an AlertmanagerConfig as Bulwark writes it. */
export interface AlertmanagerSpec {
  readonly route: SpecRoute;
  readonly receivers: readonly ReceiverSpec[];
}

interface SpecRoute {
  readonly receiver: string;
  readonly groupBy: string[];
  readonly groupWait: string;
  readonly groupInterval: string;
  readonly repeatInterval: string;
  readonly routes: { receiver: string; matchers: Matcher[] }[];
}
type Ref = { readonly name: string; readonly key: string };
interface ReceiverSpec {
  readonly name: string;
  readonly pagerdutyConfigs?: { routingKey: Ref; sendResolved: boolean }[];
  readonly slackConfigs?: { apiURL: Ref; channel: string; sendResolved: boolean }[];
  readonly webhookConfigs?: { urlSecret: Ref; sendResolved: boolean }[];
}

/**
 * Where Alertmanager sends an alert of `labels` in the environment, by the overlay's semantics (the
 * first route whose matchers all hold, else the default): what `amtool config routes test` must
 * confirm on the generated configuration.
 */
export function expectedReceiver(alerting: AlertingConfig, labels: Readonly<Record<string, string>>): string {
  const route = alerting.routes.find((r) => matchersOf(r).every((m) => labels[m.name] === m.value));
  return route?.receiver ?? alerting.defaultReceiver;
}
