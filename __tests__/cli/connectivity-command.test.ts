/**
 * `bulwark connectivity --env <name>` (make connectivity): the matrix of one environment as text,
 * and as JSON with --report, from the fixture overlays; exit 1 on a finding, and nothing of the
 * output directory read or written.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FIXTURE_OVERLAYS } from '../helpers';
import { runCli } from './cli-harness';

/** A working directory with the fixture overlays (dev and prod only) and no dist/. */
function workspace(edit?: (prod: string) => string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-connectivity-'));
  fs.mkdirSync(path.join(dir, 'overlays'));
  for (const env of ['dev', 'prod']) {
    const text = fs.readFileSync(path.join(FIXTURE_OVERLAYS, `${env}.yaml`), 'utf8');
    fs.writeFileSync(path.join(dir, 'overlays', `${env}.yaml`), env === 'prod' && edit ? edit(text) : text);
  }
  return dir;
}

describe('bulwark connectivity', () => {
  test('prints the needed flows with each layer\'s verdict and who may reach whom; --report writes the JSON; exit 0', () => {
    const cwd = workspace();
    const { code, stdout, stderr } = runCli(['connectivity', '--env', 'prod', '--report', 'report/prod.json'], { cwd });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^prod: 5 workloads, [0-9]+ flows allowed, [0-9]+ needed flows \(0 blocked\), 0 findings$/);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}RULE +FROM +TO +PORTS +NetworkPolicy +AuthorizationPolicy +Sidecar-ServiceEntry +REASON$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}depends-on +component agent +component mcp +TCP 8080 +allow +allow +allow +agent dependsOn mcp$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}bulwark-prod\/agent\[Deployment\] +bulwark-prod\/mcp\[Deployment\] +TCP 8080 +TCP 8080 +TCP 8080 +TCP 8080 +depends-on: agent dependsOn mcp$/));
    const json = JSON.parse(fs.readFileSync(path.join(cwd, 'report', 'prod.json'), 'utf8')) as {
      environment: string;
      counts: { workloads: number; blocked: number; findings: number };
      needs: { rule: string; layers: Record<string, { verdict: string }> }[];
    };
    expect(json.environment).toBe('prod');
    expect(json.counts).toMatchObject({ workloads: 5, blocked: 0, findings: 0 });
    expect(json.needs.find((n) => n.rule === 'vault-agent')?.layers['Sidecar-ServiceEntry'].verdict).toBe('allow');
    expect(fs.existsSync(path.join(cwd, 'dist'))).toBe(false);
  });

  test('fails (exit 1) with the findings when a needed flow is blocked, and still prints the matrix', () => {
    // The agent depends on an endpoint it can only reach by name: no cidrs, not through the egress gateway (plain HTTP).
    const cwd = workspace((prod) => prod
      .replace('externalEndpoints:\n', 'externalEndpoints:\n  metrics:\n    hosts: [metrics.example.com]\n    ports: [80]\n    protocol: HTTP\n')
      .replace('dependsOn: [mcp, backend, llm-api]', 'dependsOn: [mcp, backend, llm-api, metrics]'));
    const { code, stdout } = runCli(['connectivity', '--env', 'prod'], { cwd });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^prod: 5 workloads, [0-9]+ flows allowed, [0-9]+ needed flows \(1 blocked\), 1 finding\n/);
    expect(stdout).toContain('error: connectivity: Deployment/bulwark-prod/agent: needed flow blocked at NetworkPolicy: component agent -> '
      + 'metrics.example.com (TCP 80), depends-on-endpoint: agent dependsOn metrics (HTTP, no cidrs: network policy cannot allow a host by name); '
      + 'external endpoint metrics (no addresses): nothing a NetworkPolicy can allow; fix: ');
  });

  test('takes --env only, which it needs', () => {
    const cwd = workspace();
    const missing = runCli(['connectivity'], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--env');
    expect(runCli(['connectivity', '--env', 'prod', '--jobs', '2'], { cwd }).code).toBe(2);
  });
});
