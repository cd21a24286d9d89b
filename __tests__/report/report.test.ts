/**
 * `bulwark report` (make report): the compliance report of an environment, from the fixture
 * overlays: the control matrix, the checks, the RBAC matrix, the network picture, the policy
 * inventory and the waivers, as JSON, Markdown and self-contained HTML; the HTML rendered by
 * headless Chromium shows the matrix and the graph. A synth keeps a report while its environment
 * is unchanged.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ComplianceReport } from '../../lib/report/compliance';
import { runCli } from '../cli/cli-harness';
import { FIXTURE_OVERLAYS } from '../helpers';
import { countColor, decodePng } from './png';

/** A working directory with the fixture overlay of prod, edited by `edit`. */
function workspace(edit: (text: string) => string = (t) => t): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-report-'));
  fs.mkdirSync(path.join(dir, 'overlays'));
  fs.writeFileSync(path.join(dir, 'overlays', 'prod.yaml'), edit(fs.readFileSync(path.join(FIXTURE_OVERLAYS, 'prod.yaml'), 'utf8')));
  return dir;
}

const JUNE_2027 = Date.UTC(2027, 5, 1);
const reportOf = (cwd: string): ComplianceReport => JSON.parse(fs.readFileSync(path.join(cwd, 'dist', 'prod', 'report', 'compliance.json'), 'utf8'));

describe('bulwark report', () => {
  const cwd = workspace();
  const run = runCli(['report'], { cwd, epochMs: () => JUNE_2027 });

  test('writes compliance.{md,json,html} under dist/<env>/report/ and exits 0 with no unwaived error', () => {
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toMatch(/^prod: 0 errors, 0 warnings, 10 waived; controls [0-9]+ pass, 0 fail, 2 waived, 0 not judged -> dist\/prod\/report\/compliance\.\{md,json,html\}\n$/);
    expect(fs.readdirSync(path.join(cwd, 'dist', 'prod', 'report')).sort()).toEqual(['compliance.html', 'compliance.json', 'compliance.md']);
  });

  test('the control matrix judges every control, and the waived ones say so', () => {
    const report = reportOf(cwd);
    expect(report.schema).toBe('bulwark.dev/compliance/v1');
    expect(report.controls.filter((c) => c.status === 'not-judged')).toEqual([]);
    expect(report.controls.filter((c) => c.status === 'waived').map((c) => c.id).sort()).toEqual(['cis/5.1.4', 'nsa/rbac']);
    expect(report.controls.find((c) => c.id === 'pss-baseline/privileged'))
      .toMatchObject({ status: 'pass', checks: ['privileged-containers'], findings: 0 });
    expect(report.checks.find((c) => c.id === 'privileged-containers')!.judged).toBeGreaterThanOrEqual(5);
  });

  test('the RBAC matrix lists each subject\'s resources and verbs through its binding', () => {
    const rows = reportOf(cwd).rbac.filter((r) => r.subject === 'Group/bulwark:team-a');
    expect(rows.length).toBeGreaterThan(3);
    const deployments = { namespace: 'bulwark-prod-team-a', resource: 'apps/deployments', verbs: expect.arrayContaining(['create', 'get']) };
    expect(rows).toContainEqual(expect.objectContaining(deployments));
  });

  test('the network picture, the policy inventory and the waivers', () => {
    const report = reportOf(cwd);
    expect(report.network.workloads).toContain('bulwark-prod/agent[Deployment]');
    const agentToMcp = { from: 'bulwark-prod/agent[Deployment]', to: 'bulwark-prod/mcp[Deployment]' };
    expect(report.network.flows).toContainEqual(expect.objectContaining(agentToMcp));
    expect(report.network.needs.every((n) => n.verdict === 'allow')).toBe(true);
    const kinds = new Set(report.policies.map((p) => p.kind));
    expect([...kinds].sort()).toEqual(['Falco rule', 'Gatekeeper constraint', 'ValidatingAdmissionPolicy']);
    const controls = { kind: 'ValidatingAdmissionPolicy', name: 'bulwark-prod-pod-security-controls' };
    expect(report.policies).toContainEqual(expect.objectContaining(controls));
    expect(report.waivers).toEqual([expect.objectContaining({ check: 'rbac-pod-creation', expires: '2999-12-31', covers: expect.any(Array) })]);
    expect(report.waivers[0].covers).toHaveLength(10);
  });

  test('Markdown and HTML carry the same sections; the HTML draws an arrow per allowed flow', () => {
    const md = fs.readFileSync(path.join(cwd, 'dist', 'prod', 'report', 'compliance.md'), 'utf8');
    const html = fs.readFileSync(path.join(cwd, 'dist', 'prod', 'report', 'compliance.html'), 'utf8');
    for (const section of ['Control matrix', 'Checks', 'Findings', 'RBAC matrix', 'Network', 'Policy inventory', 'Waivers']) {
      expect(md).toContain(`## ${section}\n`);
      expect(html).toContain(`<h2>${section}</h2>`);
    }
    expect(html.match(/<path class="flow"/g)).toHaveLength(reportOf(cwd).network.flows.length);
    expect(html).not.toMatch(/<(script|link|img)\b/);
  });

  test('an expired waiver fails the report (exit 1) and turns its controls to fail', () => {
    const expired = workspace((t) => t.replace('expires: "2999-12-31"', 'expires: "2027-01-31"'));
    const r = runCli(['report'], { cwd: expired, epochMs: () => JUNE_2027 });
    expect(r.code).toBe(1);
    const report = reportOf(expired);
    expect(report.summary.errors).toBeGreaterThan(1);
    expect(report.controls.find((c) => c.id === 'cis/5.1.4')?.status).toBe('fail');
    expect(report.findings).toContainEqual(expect.objectContaining({ check: 'waivers', message: expect.stringMatching(/expired on 2027-01-31/) }));
  });

  test('a synth keeps the report while its environment is unchanged, and removes it as stale when it changes', () => {
    const dir = workspace();
    expect(runCli(['synth', '--quiet'], { cwd: dir }).code).toBe(0);
    expect(runCli(['report', '--quiet'], { cwd: dir, epochMs: () => JUNE_2027 }).code).toBe(0);
    expect(runCli(['synth', '--quiet'], { cwd: dir }).code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'dist', 'prod', 'report', 'compliance.html'))).toBe(true);
    const overlay = path.join(dir, 'overlays', 'prod.yaml');
    fs.writeFileSync(overlay, fs.readFileSync(overlay, 'utf8').replace(/(\n {4}replicas: )3\n/, '$14\n'));
    expect(runCli(['synth', '--quiet'], { cwd: dir }).code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'dist', 'prod', 'report'))).toBe(false);
  });
});

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((c) => fs.existsSync(c));

describe('the HTML report in headless Chromium', () => {
  // The CI installs Debian's chromium (scripts/setup.sh chromium); a machine without it skips nothing silently: it fails.
  test('renders the control matrix (status badges) and the network graph (boxes and arrows)', () => {
    if (CHROMIUM === undefined) throw new Error('no chromium: run scripts/setup.sh chromium (Debian\'s chromium package)');
    const cwd = workspace();
    expect(runCli(['report', '--quiet'], { cwd, epochMs: () => JUNE_2027 }).code).toBe(0);
    const png = path.join(cwd, 'report.png');
    execFileSync(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--window-size=1400,9000',
      `--screenshot=${png}`, `file://${path.join(cwd, 'dist', 'prod', 'report', 'compliance.html')}`], { stdio: 'ignore', timeout: 60_000 });
    const image = decodePng(fs.readFileSync(png));
    expect(image.width).toBe(1400);
    // The badges of the control matrix: pass (green) and waived (amber).
    expect(countColor(image, '#1a7f37')).toBeGreaterThan(20_000);
    expect(countColor(image, '#9a6700')).toBeGreaterThan(500);
    // The graph: workload boxes (light blue) and the arrows (blue).
    expect(countColor(image, '#ddf4ff', 3)).toBeGreaterThan(20_000);
    expect(countColor(image, '#0969da', 40)).toBeGreaterThan(2_000);
  }, 90_000);
});
