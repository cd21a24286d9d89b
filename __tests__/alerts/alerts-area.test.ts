import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { alertDefinitions } from '../../lib/alerts/alert-definitions';
import { alertmanagerConfigSpec, AlertmanagerSpec, alertmanagerYaml, expectedReceiver } from '../../lib/alerts/alert-routing';
import { ALERTS_AREA } from '../../lib/alerts/area';
import { alertGroups, promtoolTests, untestedAlerts } from '../../lib/alerts/rule-files';
import { parseOverlay } from '../../lib/config/load-overlay';
import { KubeObject } from '../../lib/manifest/kube-object';
import { JsonValue, toYaml } from '../../lib/manifest/yaml-emitter';
import { PlatformModel } from '../../lib/model/platform-model';
import { chartObjects } from '../../lib/render/chart-objects';
import { isKnownMetric, recordingRules } from '../../lib/slo';
import { monitoredModel } from '../fixtures/monitoring';
import { configErrors, modelOf, ROOT } from '../helpers';
import { ALERTING_YAML, alertingModel, alertingOverlayText } from './fixtures';

const BIN = path.join(ROOT, '.tools', 'bin');

function tool(name: 'promtool' | 'amtool'): string {
  const bin = path.join(BIN, name);
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: build it with scripts/setup.sh ${name} (make unit and make test do)`);
  return bin;
}

/** Runs a tool; its exit status and output. */
function run(bin: string, args: readonly string[], cwd: string): { status: number; output: string } {
  try {
    return { status: 0, output: execFileSync(bin, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { status: err.status, output: `${err.stdout}${err.stderr}` };
  }
}

function alertObjects(model: PlatformModel): KubeObject[] {
  return (ALERTS_AREA.charts?.(model) ?? []).flatMap((factory) => chartObjects(factory(new App())));
}

/** The model's recording rules and alerts as rule files, and their promtool tests, in a new directory. */
function ruleDirectory(model: PlatformModel, edit: (alerts: string) => string = (a) => a, only?: readonly string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-rules-'));
  const definitions = alertDefinitions(model).filter((d) => only === undefined || only.includes(d.rule.alert));
  fs.writeFileSync(path.join(dir, 'sli.rules.yaml'), toYaml({ groups: recordingRules(model) } as unknown as JsonValue));
  fs.writeFileSync(path.join(dir, 'alerts.rules.yaml'), edit(toYaml({ groups: alertGroups(definitions) } as unknown as JsonValue)));
  fs.writeFileSync(path.join(dir, 'alerts.test.yaml'), toYaml(promtoolTests(model, ['*.rules.yaml'], definitions) as unknown as JsonValue));
  return dir;
}

describe('alerts area', () => {
  const model = alertingModel('prod');

  test('emits nothing without alerting', () => {
    expect(alertObjects(monitoredModel('prod'))).toEqual([]);
  });

  test('a PrometheusRule and an AlertmanagerConfig in the environment\'s namespace, with the monitoring selector labels', () => {
    const objects = alertObjects(model);
    expect(objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'PrometheusRule bulwark-prod/alerts', 'ExternalSecret bulwark-prod/alerts-pager', 'AlertmanagerConfig bulwark-prod/alerts',
    ]);
    // The pager's key comes from the secret store, through the environment's ClusterSecretStore.
    expect(objects.find((o) => o.kind === 'ExternalSecret')).toMatchObject({ spec: {
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'bulwark-prod' },
      target: { name: 'alerts-pager' },
      data: [{ secretKey: 'pagerduty-routing-key', remoteRef: { key: 'bulwark/prod/alertmanager', property: 'pagerduty-routing-key' } }],
    } });
    for (const o of objects) expect(o.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack', 'app.kubernetes.io/name': 'alerts' });
  });

  test('every alert has severity, team, the environment\'s namespace, a summary, a description and its runbook', () => {
    const rules = alertDefinitions(model).map((d) => d.rule);
    expect(new Set(rules.map((r) => r.alert))).toEqual(new Set([
      'AvailabilityBudgetBurnFast', 'AvailabilityBudgetBurnSlow', 'LatencyBudgetBurnFast', 'LatencyBudgetBurnSlow', 'ContainerRestarting',
      'PodNotReady', 'ResourceQuotaNearLimit', 'CertificateExpiringSoon', 'ExternalSecretNotSynced', 'GatekeeperAuditViolations', 'FalcoRuleMatched',
    ]));
    for (const r of rules) {
      expect(Object.keys(r.labels)).toEqual(expect.arrayContaining(['severity', 'team', 'namespace', 'environment']));
      expect(r.labels.namespace).toBe('bulwark-prod');
      expect(r.annotations.runbook_url).toBe(`https://github.com/bulwark-platform/bulwark/blob/main/docs/runbooks.md#${r.alert.toLowerCase()}`);
      expect(r.annotations.summary).not.toBe('');
    }
  });

  test('SLO alerts burn the component\'s own budget at the overlay\'s rates, over both windows; the owner is the team', () => {
    const backend = alertDefinitions(model).filter((d) => d.rule.labels.component === 'backend' && d.rule.alert === 'AvailabilityBudgetBurnFast');
    expect(backend).toHaveLength(1);
    const { rule } = backend[0];
    expect(rule.labels).toMatchObject({ severity: 'critical', team: 'payments', slo: 'availability' });
    expect(rule.for).toBe('2m');
    expect(rule.expr).toContain('ratio_rate1h{destination_workload_namespace="bulwark-prod", destination_workload="backend"} > 0.0144\nand\n');
    expect(rule.expr).toContain('ratio_rate30m{destination_workload_namespace="bulwark-prod", destination_workload="backend"} > 0.006)');
    const tuning = '  team: platform\n  burnRates: { page: 10 }\n  for: { budgetBurnPage: 5m }\n';
    const slower = alertingModel('prod', ALERTING_YAML.replace('  team: platform\n', tuning));
    const tuned = alertDefinitions(slower)
      .find((d) => d.rule.labels.component === 'backend' && d.rule.alert === 'AvailabilityBudgetBurnFast')!.rule;
    expect(tuned.expr).toContain('ratio_rate1h{destination_workload_namespace="bulwark-prod", destination_workload="backend"} > 0.01\n');
    expect(tuned.for).toBe('5m');
  });

  test('a tenant\'s alerts carry the tenant as their team', () => {
    const tenant = alertDefinitions(model).filter((d) => d.rule.expr.includes('namespace="bulwark-prod-team-a"'));
    expect(tenant.map((d) => [d.rule.alert, d.rule.labels.team])).toEqual([
      ['ContainerRestarting', 'team-a'], ['PodNotReady', 'team-a'], ['ResourceQuotaNearLimit', 'team-a'],
    ]);
  });

  test('every alert has a test that makes it fire, and one without is named', () => {
    const definitions = alertDefinitions(model);
    expect(untestedAlerts(definitions)).toEqual([]);
    const teamAQuota = (d: (typeof definitions)[number]): boolean => d.rule.alert === 'ResourceQuotaNearLimit' && d.rule.labels.team === 'team-a';
    const withoutQuotaTests = definitions.map((d) => (teamAQuota(d) ? { ...d, tests: [] } : d));
    expect(untestedAlerts(withoutQuotaTests)).toEqual([expect.stringMatching(/^ResourceQuotaNearLimit \{"severity":"warning","team":"team-a"/)]);
  });

  test('promtool: the rules check, and every alert\'s unit tests pass (input series, expected alerts)', () => {
    const dir = ruleDirectory(model);
    const check = run(tool('promtool'), ['check', 'rules', '--lint-fatal', 'alerts.rules.yaml'], dir);
    expect(check.output).toContain('SUCCESS');
    expect(check.status).toBe(0);
    const tests = run(tool('promtool'), ['test', 'rules', 'alerts.test.yaml'], dir);
    expect(tests.output).toContain('SUCCESS');
    expect(tests.status).toBe(0);
  });

  test('promtool: the tests fail when a threshold or a for: is not what the overlay says', () => {
    const only = ['ContainerRestarting', 'CertificateExpiringSoon'];
    const dir = ruleDirectory(model, (alerts) => alerts.replace(/>= 3"/g, '>= 30"').replace('for: 1h', 'for: 2h'), only);
    expect(run(tool('promtool'), ['test', 'rules', 'alerts.test.yaml'], ruleDirectory(model, (a) => a, only)).status).toBe(0);
    const tests = run(tool('promtool'), ['test', 'rules', 'alerts.test.yaml'], dir);
    expect(tests.status).not.toBe(0);
    expect(tests.output).toContain('alertname: ContainerRestarting');
    expect(tests.output).toContain('alertname: CertificateExpiringSoon');
  });

  test('the AlertmanagerConfig routes by severity and team, and holds Secret references only', () => {
    const spec = alertmanagerConfigSpec(model.alerting!);
    expect(spec.route.routes).toEqual([
      { receiver: 'pager', matchers: [{ name: 'severity', value: 'critical', matchType: '=' }] },
      { receiver: 'payments-slack', matchers: [{ name: 'team', value: 'payments', matchType: '=' }] },
    ]);
    expect(spec.receivers.find((r) => r.name === 'pager')).toEqual({
      name: 'pager', pagerdutyConfigs: [{ routingKey: { name: 'alerts-pager', key: 'pagerduty-routing-key' }, sendResolved: true }],
    });
    expect(expectedReceiver(model.alerting!, { severity: 'warning', team: 'payments' })).toBe('payments-slack');
    expect(expectedReceiver(model.alerting!, { severity: 'warning', team: 'team-a' })).toBe('platform-slack');
  });

  test('amtool: the generated configuration checks, and routes each severity and team where the overlay says', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-am-'));
    // From the object the chart emits: what the operator reads.
    const routing = alertObjects(model).find((o) => o.kind === 'AlertmanagerConfig') as unknown as { spec: AlertmanagerSpec };
    expect(routing.spec).toEqual(alertmanagerConfigSpec(model.alerting!));
    const generated = alertmanagerYaml(routing.spec, 'bulwark-prod', 'alerts');
    fs.writeFileSync(path.join(dir, 'alertmanager.yaml'), toYaml(generated as unknown as JsonValue));
    const check = run(tool('amtool'), ['check-config', 'alertmanager.yaml'], dir);
    expect(check.output).toContain('SUCCESS');
    const routes = (labels: string[]): string =>
      run(tool('amtool'), ['config', 'routes', 'test', '--config.file', 'alertmanager.yaml', ...labels], dir).output.trim();
    expect(routes(['namespace=bulwark-prod', 'severity=critical', 'team=payments'])).toBe('bulwark-prod/alerts/pager');
    expect(routes(['namespace=bulwark-prod', 'severity=warning', 'team=payments'])).toBe('bulwark-prod/alerts/payments-slack');
    expect(routes(['namespace=bulwark-prod', 'severity=warning', 'team=platform'])).toBe('bulwark-prod/alerts/platform-slack');
    expect(routes(['namespace=elsewhere', 'severity=critical', 'team=platform'])).toBe('null');
  });
});

describe('alerting overlay errors', () => {
  const errorsOf = (alerting: string, ...replacements: readonly (readonly [string | RegExp, string])[]): string[] =>
    configErrors(() => modelOf(parseOverlay('overlays/prod.yaml', alertingOverlayText('prod', alerting, ...replacements))));

  test('fails on a plaintext credential, without repeating it', () => {
    const STORED = '{ remoteKey: bulwark/prod/alertmanager, property: pagerduty-routing-key }';
    const errors = errorsOf(ALERTING_YAML.replace(STORED, '"e93facc04764012d7bfb002500d5d1a6"'));
    expect(errors).toEqual([expect.stringMatching(new RegExp(
      '^overlays/prod\\.yaml:\\d+:\\d+: alerting\\.receivers\\.pager\\.pagerduty\\.routingKey: a plaintext credential in an overlay would be '
        + 'committed in plain text; received a literal value \\(not shown\\); allowed: .*; fix: store the credential in the secret store',
    ))]);
    expect(errors.join('\n')).not.toContain('e93facc0');
  });

  test('fails on a receiver with no integration or two', () => {
    const slack = '      slack: { channel: "#platform"';
    const two = ALERTING_YAML.replace(slack, `      webhook: { url: { secret: hook, key: url } }\n${slack}`);
    expect(errorsOf(two)).toEqual([expect.stringMatching(/alerting\.receivers\.platform-slack: a receiver has one integration; received slack, webhook/)]);
    const none = ALERTING_YAML.replace(/ {6}pagerduty: .*\n/, '      {}\n');
    expect(errorsOf(none)).toEqual([expect.stringMatching(/alerting\.receivers\.pager: a receiver without an integration notifies nobody; received none/)]);
  });

  test('fails on routes to an unknown receiver, on a team no alert carries and on an owner that is no component', () => {
    const errors = errorsOf(ALERTING_YAML
      .replace('{ severity: critical, receiver: pager }', '{ severity: critical, receiver: pagr }')
      .replace('{ team: payments, receiver: payments-slack }', '{ team: paymnets, receiver: payments-slack }')
      .replace('owners: { backend: payments }', 'owners: { backend: payments, billing: payments }'));
    expect(errors).toEqual([
      expect.stringMatching(/alerting\.owners\.billing: owner of a component this environment does not deploy; received "billing"/),
      expect.stringMatching(/alerting\.routes\[0\]\.receiver: routes to a receiver alerting\.receivers does not define; received "pagr"; .*fix: did you mean "pager"\?/),
      expect.stringMatching(/alerting\.routes\[1\]\.team: no alert carries this team, so the route never matches; received "paymnets"; .*did you mean "payments"\?/),
    ]);
  });

  test('fails on a credential reference that mixes a Secret and the secret store', () => {
    const mixed = ALERTING_YAML.replace('key: payments-url }', 'property: payments-url }');
    expect(errorsOf(mixed)).toEqual([expect.stringMatching(new RegExp(
      'alerting\\.receivers\\.payments-slack\\.slack\\.apiURL: a credential reference names a Secret and its key, or a path in the secret '
        + 'store and its property; received secret, property; allowed: \\{secret, key\\} or \\{remoteKey, property\\}',
    ))]);
  });

  test('fails on alerting without monitoring', () => {
    const text = alertingOverlayText('prod').replace(/\nmonitoring:\n(  .*\n)+/, '\n');
    expect(configErrors(() => modelOf(parseOverlay('overlays/prod.yaml', text)))).toEqual([
      expect.stringMatching(/^overlays\/prod\.yaml:\d+:1: alerting: alerting needs monitoring: .*fix: add monitoring/),
    ]);
  });

  test('fails on a burn rate no error ratio can reach', () => {
    const errors = errorsOf(ALERTING_YAML.replace('  team: platform\n', '  team: platform\n  burnRates: { page: 150 }\n'));
    expect(errors).toEqual([expect.stringMatching(
      /alerting\.burnRates\.page: the burn rate times the error budget of .* is an error ratio above 1: the alert could never fire; received 150; allowed: below 100/,
    )]);
  });
});

describe('alert metrics and runbooks', () => {
  const rules = alertDefinitions(alertingModel('prod')).map((d) => d.rule);

  test('every metric an alert names is a recorded SLI or a documented exporter metric (lib/slo)', () => {
    // Metric names: identifiers before a selector's "{", leaving out label names, functions and keywords.
    const names = new Set(rules.flatMap((r) => [...r.expr.replace(/"[^"]*"/g, '""').matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1])));
    expect(names.size).toBeGreaterThan(10);
    expect([...names].filter((n) => !isKnownMetric(n))).toEqual([]);
  });

  test('docs/runbooks.md has the section every runbook_url points to', () => {
    const runbooks = fs.readFileSync(path.join(ROOT, 'docs', 'runbooks.md'), 'utf8');
    const anchors = new Set([...runbooks.matchAll(/^### ([A-Za-z]+)$/gm)].map((m) => m[1].toLowerCase()));
    expect([...new Set(rules.map((r) => r.alert.toLowerCase()))].filter((a) => !anchors.has(a))).toEqual([]);
  });
});

describe('README "Alerts"', () => {
  test('its overlay sample builds as written: alerts, the pager\'s and Slack\'s ExternalSecrets, the routing', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n### Alerts\n'));
    const sample = /```yaml\n([\s\S]*?)```/.exec(section)![1];
    const objects = alertObjects(alertingModel('prod', sample));
    expect(objects.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([
      'PrometheusRule alerts', 'ExternalSecret alerts-pager', 'ExternalSecret alerts-platform-slack', 'AlertmanagerConfig alerts',
    ]);
  });
});
