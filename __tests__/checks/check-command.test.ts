/**
 * `bulwark check <files|dirs|->`: any manifests judged with the synth's checks, findings with file
 * and line, four formats, waivers from a file, and clear errors on bad input. Inputs are built
 * here, from the check corpus.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../cli/cli-harness';
import { FIXTURE_OVERLAYS } from '../helpers';

const CORPUS = path.join(__dirname, '..', 'fixtures', 'check-corpus');

/** A working directory holding the clean set as manifests/clean.yaml, plus `extra` files. */
function workspace(extra: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-check-'));
  fs.mkdirSync(path.join(dir, 'manifests'));
  fs.copyFileSync(path.join(CORPUS, 'clean', 'platform.yaml'), path.join(dir, 'manifests', 'clean.yaml'));
  for (const [rel, text] of Object.entries(extra)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const NEEDS = '(it needs apiVersion, kind and metadata.name)';
const violation = (name: string): string => fs.readFileSync(path.join(CORPUS, 'violations', `${name}.yaml`), 'utf8');
/** 2027-06-01, in milliseconds: the day of these runs. */
const JUNE_2027 = Date.UTC(2027, 5, 1);

describe('bulwark check', () => {
  test('a compliant directory: the summary only, exit 0', () => {
    const { code, stdout, stderr } = runCli(['check', 'manifests'], { cwd: workspace() });
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toMatch(/^11 objects in 1 file, [0-9]+ checks \(profile generic\): 0 errors, 0 warnings, 0 waived\n$/);
  });

  test('a finding names its file, the line of the offending field, the check, the object and the path; exit 1', () => {
    const cwd = workspace({ 'manifests/web.yaml': violation('privileged-containers') });
    const { code, stdout } = runCli(['check', 'manifests'], { cwd });
    const text = fs.readFileSync(path.join(cwd, 'manifests', 'web.yaml'), 'utf8').split('\n');
    const line = text.findIndex((l) => l.includes('privileged: true')) + 1;
    expect(code).toBe(1);
    expect(stdout.split('\n')[0]).toBe(`manifests/web.yaml:${line}: error: privileged-containers: Deployment/corpus/v-privileged: `
      + 'container app is privileged (spec.template.spec.containers[0].securityContext.privileged)');
  });

  test('a missing field is placed at its nearest parent', () => {
    const cwd = workspace({ 'manifests/web.yaml': violation('probes-liveness') });
    const { stdout } = runCli(['check', 'manifests/web.yaml', 'manifests/clean.yaml'], { cwd });
    const text = fs.readFileSync(path.join(cwd, 'manifests', 'web.yaml'), 'utf8').split('\n');
    const container = text.findIndex((l) => l.includes('- name: app')) + 1;
    expect(stdout.split('\n')[0]).toMatch(new RegExp(`^manifests/web.yaml:${container}: error: probes: .* has no livenessProbe`));
  });

  test('reads standard input with -, alongside files, and looks across all of them', () => {
    const cwd = workspace();
    const stdin = violation('service-selects-pods').replace('app: ap\n', 'app: app\n');
    const { code, stdout } = runCli(['check', 'manifests', '-'], { cwd, readStdin: () => stdin });
    expect([code, stdout.trim().split('\n').pop()]).toEqual([0, expect.stringMatching(/^12 objects in 2 files,/)]);
  });

  test('--profile bulwark adds the platform\'s conventions', () => {
    const { code, stdout } = runCli(['check', '--profile', 'bulwark', 'manifests'], { cwd: workspace() });
    expect(code).toBe(1);
    expect(stdout).toMatch(/error: required-labels: /);
    expect(stdout).toMatch(/\(profile bulwark\): [1-9][0-9]* errors/);
  });

  test('--format json: the documented schema, findings with controls and remediation', () => {
    const cwd = workspace({ 'manifests/web.yaml': violation('host-namespaces-pid') });
    const { code, stdout } = runCli(['check', '--format', 'json', 'manifests'], { cwd });
    const doc = JSON.parse(stdout) as {
      schema: string;
      summary: Record<string, number>;
      findings: { check: string; file: string; line: number; path: string; controls: string[]; remediation: string }[];
      checks: { id: string; controls: { id: string; framework: string; ref: string }[] }[];
    };
    expect(code).toBe(1);
    expect(doc.schema).toBe('bulwark.dev/check/v1');
    expect(doc.summary).toMatchObject({ files: 2, objects: 12, errors: 1, warnings: 0, waived: 0 });
    expect(doc.findings).toEqual([expect.objectContaining({
      check: 'host-namespaces',
      file: 'manifests/web.yaml',
      path: 'spec.template.spec.hostPID',
      controls: ['pss-baseline/host-namespaces', 'cis/5.2.3', 'cis/5.2.4', 'cis/5.2.5'],
    })]);
    expect(doc.checks.find((c) => c.id === 'host-namespaces')?.controls[0]).toEqual({
      id: 'pss-baseline/host-namespaces', framework: 'pss-baseline', ref: 'Host Namespaces', title: 'Host Namespaces',
    });
  });

  test('--format sarif: SARIF 2.1.0 with one rule per check and a result located in the file', () => {
    const cwd = workspace({ 'manifests/web.yaml': violation('host-ports') });
    const { stdout } = runCli(['check', '--format', 'sarif', 'manifests'], { cwd });
    const sarif = JSON.parse(stdout) as {
      version: string;
      runs: { tool: { driver: { name: string; rules: { id: string }[] } }; results: Record<string, unknown>[] }[];
    };
    expect(sarif.version).toBe('2.1.0');
    const [run] = sarif.runs;
    expect(run.tool.driver.name).toBe('bulwark');
    expect(run.results).toEqual([expect.objectContaining({
      ruleId: 'host-ports',
      ruleIndex: run.tool.driver.rules.findIndex((r) => r.id === 'host-ports'),
      level: 'error',
      locations: [expect.objectContaining({
        physicalLocation: { artifactLocation: { uri: 'manifests/web.yaml' }, region: { startLine: expect.any(Number) } },
      })],
    })]);
  });

  test('--format junit: a test case per check, failing with its findings', () => {
    const cwd = workspace({ 'manifests/web.yaml': violation('ingress-tls-missing') });
    const { stdout } = runCli(['check', '--format', 'junit', 'manifests'], { cwd });
    expect(stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="bulwark check" tests="[0-9]+" failures="1">/);
    expect(stdout).toMatch(/<testcase classname="bulwark.generic" name="ingress-tls: Ingress serves TLS">\n {6}<failure message="1 finding" type="error">manifests\/web.yaml:[0-9]+: Ingress\/corpus\/v-plain: Ingress without tls<\/failure>/);
    expect(stdout).toMatch(/<testcase classname="bulwark.generic" name="host-ports: No host ports"\/>/);
  });

  test('--waivers: a live waiver accepts the finding and lists it; an expired one fails; one covering nothing warns', () => {
    const waivers = (expires: string, object = 'Deployment/corpus/v-host-*') => `waivers:\n  - check: host-ports\n    object: ${object}\n`
      + `    reason: the legacy agent binds its node port until the migration\n    expires: "${expires}"\n`;
    const cwd = workspace({ 'manifests/web.yaml': violation('host-ports'), 'live.yaml': waivers('2027-12-31'), 'old.yaml': waivers('2027-01-31'),
      'stale.yaml': waivers('2027-12-31', 'Deployment/elsewhere/*') });
    const live = runCli(['check', '--waivers', 'live.yaml', 'manifests'], { cwd, epochMs: () => JUNE_2027 });
    expect(live.code).toBe(0);
    expect(live.stdout).toMatch(/^manifests\/web.yaml:[0-9]+: waived: host-ports: Deployment\/corpus\/v-host-port: .* \(until 2027-12-31: the legacy agent/m);
    expect(live.stdout).toMatch(/0 errors, 0 warnings, 1 waived\n$/);
    const old = runCli(['check', '--waivers', 'old.yaml', 'manifests'], { cwd, epochMs: () => JUNE_2027 });
    expect(old.code).toBe(1);
    expect(old.stdout).toMatch(/error: waivers: Deployment\/corpus\/v-host-\*: the waiver of host-ports \(old.yaml:2\) expired on 2027-01-31/);
    expect(old.stdout).toMatch(/error: host-ports: /);
    const stale = runCli(['check', '--waivers', 'stale.yaml', 'manifests'], { cwd, epochMs: () => JUNE_2027 });
    expect(stale.stdout).toMatch(/warning: waivers: .*covers no finding; remove it/);
  });

  test('fails on bad input with the place and exit 2: YAML syntax, a document that is no object, a missing file, a bad waiver', () => {
    const cwd = workspace({
      'bad/syntax.yaml': 'kind: Pod\nmetadata: [\n',
      'bad/list.yaml': '- a\n- b\n',
      'w.yaml': 'waivers:\n  - check: host-ports\n    object: x\n',
    });
    expect(runCli(['check', 'bad/syntax.yaml'], { cwd })).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: bad\/syntax.yaml:3:1: /) });
    expect(runCli(['check', 'bad/list.yaml'], { cwd }))
      .toMatchObject({ code: 2, stderr: `error: bad/list.yaml: document 1 is not a Kubernetes object ${NEEDS}\n` });
    expect(runCli(['check', 'nowhere'], { cwd })).toMatchObject({ code: 2, stderr: 'error: nowhere: no such file or directory\n' });
    const bad = runCli(['check', '--waivers', 'w.yaml', 'manifests'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: w.yaml:3:13: waivers\[0\]\.object/);
  });

  test('usage errors: no input, an unknown format or profile', () => {
    const cwd = workspace();
    expect(runCli(['check'], { cwd }).stderr).toMatch(/^error: check needs <file\|dir\|->\.\.\.: /);
    expect(runCli(['check', '--format', 'markdown', 'manifests'], { cwd }).stderr)
      .toMatch(/^error: --format needs text, json, sarif or junit, got "markdown"/);
    expect(runCli(['check', '--profile', 'strict', 'manifests'], { cwd }).stderr).toMatch(/^error: --profile needs generic or bulwark, got "strict"/);
  });

  test('judges a synth\'s output clean with the bulwark profile and the overlay\'s own waivers, as the synth does', () => {
    const cwd = workspace({ 'overlays/prod.yaml': fs.readFileSync(path.join(FIXTURE_OVERLAYS, 'prod.yaml'), 'utf8') });
    expect(runCli(['synth', '--env', 'prod', '--quiet'], { cwd }).code).toBe(0);
    const args = ['check', '--profile', 'bulwark', '--waivers', 'overlays/prod.yaml', 'dist/prod'];
    const { code, stdout } = runCli(args, { cwd, epochMs: () => JUNE_2027 });
    expect([code, stdout.trim().split('\n').pop()]).toEqual([0, expect.stringMatching(/ \(profile bulwark\): 0 errors, 0 warnings, [1-9][0-9]* waived$/)]);
    expect(stdout).toMatch(/^dist\/prod\/tenant-team-a\/role-tenant-team-a-developer.yaml:[0-9]+: waived: rbac-pod-creation: /m);
  });
});
