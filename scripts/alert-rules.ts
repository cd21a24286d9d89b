/**
 * Prepares `make rules` (scripts/test.sh rules): per environment of overlays/, what promtool and
 * amtool read, from dist/<env> and the same model the synth used:
 *
 *   <out>/<env>/<folder>-<name>.rules.yaml   the spec of every PrometheusRule of dist/<env> (recording rules included)
 *   <out>/<env>/alerts.test.yaml             promtool unit tests of every alert (lib/alerts: input series, expected alerts)
 *   <out>/<env>/alertmanager.yaml            the Alertmanager configuration the operator generates from its AlertmanagerConfig
 *   <out>/<env>/routes.tsv                   label sets and the receiver each must reach (amtool config routes test)
 *
 * and prints one line per environment: `<env> <rule files> <alert rules> <test groups> <label sets>`. Fails when
 * an alert of dist/ is not the model's (dist/ is stale) or has no test that makes it fire.
 *
 *   tsx scripts/alert-rules.ts [--out .build/rules]
 */
import * as fs from 'fs';
import * as path from 'path';
import { alertDefinitions } from '../lib/alerts/alert-definitions';
import { alertmanagerYaml, AlertmanagerSpec, expectedReceiver, NULL_RECEIVER } from '../lib/alerts/alert-routing';
import { alertGroups, promtoolTests, untestedAlerts } from '../lib/alerts/rule-files';
import { loadOverlays } from '../lib/config/load-overlay';
import { ALERT_SEVERITIES } from '../lib/config/overlay-schema';
import { readOutputObjects } from '../lib/manifest/manifest-reader';
import { JsonValue, toYaml } from '../lib/manifest/yaml-emitter';
import { buildModel, PlatformModel } from '../lib/model/platform-model';

const ROOT = path.resolve(__dirname, '..');
const outArg = process.argv.indexOf('--out');
const OUT = path.resolve(ROOT, outArg === -1 ? '.build/rules' : process.argv[outArg + 1]);
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Every severity × team an alert of the environment carries, plus one of another namespace (no route of it). */
function labelSets(model: PlatformModel): Record<string, string>[] {
  const a = model.alerting!;
  const teams = [...new Set([a.team, ...Object.values(a.owners), ...model.tenants.map((tn) => tn.name)])].sort();
  return [
    ...ALERT_SEVERITIES.flatMap((severity) => teams.map((team) => ({ namespace: model.namespace, severity, team }))),
    { namespace: `${model.namespace}-elsewhere`, severity: 'critical', team: a.team },
  ];
}

/** JSON with every object's keys sorted: YAML read back and objects built in code compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : v));
}

function prepare(model: PlatformModel): string {
  const env = model.environment;
  const dir = path.join(OUT, env);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const objects = readOutputObjects(path.join(ROOT, 'dist', env)).filter(({ object }) => object.apiVersion.startsWith('monitoring.coreos.com/'));
  const ruleObjects = objects.filter(({ object }) => object.kind === 'PrometheusRule');
  for (const { object, component } of ruleObjects) {
    fs.writeFileSync(path.join(dir, `${component}-${object.metadata.name}.rules.yaml`), toYaml((object as unknown as { spec: JsonValue }).spec));
  }
  const definitions = alertDefinitions(model);
  const shipped = canonical(ruleObjects
    .flatMap(({ object }) => (object as unknown as { spec: { groups: { name: string }[] } }).spec.groups)
    .filter((g) => g.name.endsWith('-alerts')));
  if (shipped !== canonical(alertGroups(definitions))) {
    throw new Error(`dist/${env}: its alert rules are not those of overlays/${env}.yaml: run make synth`);
  }
  const untested = untestedAlerts(definitions);
  if (untested.length > 0) throw new Error(`dist/${env}: alerts without a test that makes them fire: ${untested.join('; ')}`);
  const tests = promtoolTests(model, ['*.rules.yaml'], definitions);
  if (definitions.length > 0) fs.writeFileSync(path.join(dir, 'alerts.test.yaml'), toYaml(tests as unknown as JsonValue));
  const routing = objects.find(({ object }) => object.kind === 'AlertmanagerConfig');
  let routes = 0;
  if (routing && model.alerting) {
    const { metadata } = routing.object;
    const spec = (routing.object as unknown as { spec: AlertmanagerSpec }).spec;
    fs.writeFileSync(path.join(dir, 'alertmanager.yaml'), toYaml(alertmanagerYaml(spec, metadata.namespace!, metadata.name) as unknown as JsonValue));
    const lines = labelSets(model).map((labels) => {
      const receiver = labels.namespace === model.namespace
        ? `${metadata.namespace}/${metadata.name}/${expectedReceiver(model.alerting!, labels)}`
        : NULL_RECEIVER;
      return [receiver, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)].join('\t');
    });
    fs.writeFileSync(path.join(dir, 'routes.tsv'), `${lines.join('\n')}\n`);
    routes = lines.length;
  }
  return `${env} ${ruleObjects.length} ${definitions.length} ${tests.tests.length} ${routes}`;
}

for (const loaded of loadOverlays(path.join(ROOT, 'overlays'))) {
  const { model, problems } = buildModel(loaded, VERSION);
  if (!model) throw new Error(`${loaded.file}: ${problems.length} problem(s): run make synth`);
  console.log(prepare(model));
}
