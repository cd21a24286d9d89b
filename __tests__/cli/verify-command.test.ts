/**
 * `bulwark verify` without a cluster: its errors, and its verdicts against a kubectl that answers
 * from files (the e2e runs it against the real API server: e2e/verify-phase.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FIXTURE_OVERLAYS } from '../helpers';
import { runCli } from './cli-harness';

/** A working directory with the dev fixture overlay synthesized into dist/, and a fake kubectl. */
function workspace(kubectlScript: string): { cwd: string; kubectl: string } {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-verify-'));
  fs.mkdirSync(path.join(cwd, 'overlays'));
  fs.copyFileSync(path.join(FIXTURE_OVERLAYS, 'dev.yaml'), path.join(cwd, 'overlays', 'dev.yaml'));
  expect(runCli(['synth', '--quiet'], { cwd }).code).toBe(0);
  const kubectl = path.join(cwd, 'kubectl');
  fs.writeFileSync(kubectl, `#!/usr/bin/env bash\n${kubectlScript}\n`, { mode: 0o755 });
  return { cwd, kubectl };
}

describe('bulwark verify', () => {
  test('fails with a usage error without --env, and names the missing synth', () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-verify-'));
    expect(runCli(['verify'], { cwd }).stderr).toMatch(/^error: verify needs --env <name>/);
    expect(runCli(['verify', '--env', 'dev'], { cwd })).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: no dist\/dev: run make synth first/) });
  });

  test('an empty cluster: every object missing, exit 1, the deployment report written', () => {
    // GIVEN a kubectl whose cluster holds nothing and denies everything
    const { cwd, kubectl } = workspace('case "$1" in get) echo \'{"items":[]}\';; auth) echo no; exit 1;; *) exit 0;; esac');
    const r = runCli(['verify', '--env', 'dev'], { cwd, kubectl });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^missing: ConfigMap\/bulwark-dev\/[a-z0-9-]+: not on the cluster$/m);
    const report = JSON.parse(fs.readFileSync(path.join(cwd, 'dist', 'dev', 'report', 'deployment.json'), 'utf8')) as {
      objects: number; missing: unknown[]; rbac: { unexpected: string[] };
    };
    expect(report.missing).toHaveLength(report.objects);
    // Every grant of dist/ is answered "no": each is unexpected.
    expect(report.rbac.unexpected.length).toBeGreaterThan(0);
    expect(report.rbac.unexpected[0]).toMatch(/ may not [a-z]+ .* in bulwark-dev; dist\/ says it may$/);
  });

  test('a kind the server does not serve makes its objects missing, with kubectl\'s reason', () => {
    const unserved = 'if [ "$2" = ConfigMap ]; then echo \'error: the server doesn\'"\'"\'t have a resource type "ConfigMap"\' >&2; exit 1; fi';
    const { cwd, kubectl } = workspace(`case "$1" in get) ${unserved}; echo '{"items":[]}';; auth) echo no; exit 1;; *) exit 0;; esac`);
    const r = runCli(['verify', '--env', 'dev'], { cwd, kubectl });
    expect(r.stdout).toMatch(/^missing: ConfigMap\/bulwark-dev\/[a-z0-9-]+: kubectl get ConfigMap: error: the server doesn't have a resource type "ConfigMap"$/m);
  });
});
