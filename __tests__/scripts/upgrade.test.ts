/**
 * scripts/upgrade.sh (make upgrade): argument validation and the plan of a dry run. Nothing is
 * upgraded here; every case proves that the pins and .build/upgrade are left alone.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from '../helpers';

const PINS = ['package.json', 'package-lock.json', 'scripts/tools.env'];
const pins = () => PINS.map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8'));
const upgrade = (...args: string[]) => spawnSync('bash', [path.join(ROOT, 'scripts', 'upgrade.sh'), ...args], { cwd: ROOT, encoding: 'utf8' });
const make = (...args: string[]) => spawnSync('make', ['--no-print-directory', 'upgrade', ...args], { cwd: ROOT, encoding: 'utf8' });

describe('scripts/upgrade.sh', () => {
  let before: string[];
  let hadWork: boolean;
  beforeEach(() => {
    before = pins();
    hadWork = fs.existsSync(path.join(ROOT, '.build', 'upgrade'));
  });
  afterEach(() => {
    expect(pins()).toEqual(before);
    expect(fs.existsSync(path.join(ROOT, '.build', 'upgrade'))).toBe(hadWork);
  });

  test.each([
    [['nosuch', 'v1.0.0'], /^upgrade: unknown tool "nosuch"; tools pinned in scripts\/tools\.env: helm kubeconform kubernetes( [a-z0-9-]+)*\n/],
    [['helm', '3.2.1'], /^upgrade: version "3\.2\.1" of helm is not a release such as v1\.2\.3\n/],
    [['helm'], /^upgrade: missing version: scripts\/upgrade\.sh helm <version> \(make upgrade TOOL=helm VERSION=<version>\)\n/],
    [['cdk8s'], /^upgrade: missing version: give <npm-package>@<version>, e\.g\. cdk8s@2\.70\.107\n/],
    [['cdk8s@^2.71.0'], /^upgrade: version "\^2\.71\.0" of cdk8s is not an exact version such as 1\.2\.3 \(ranges are not pinned\)\n/],
    [['left-pad@1.3.0'], /^upgrade: "left-pad" is not a dependency of package\.json; pinned packages: (\S+ )*cdk8s .*\n/],
    [['helm', 'v3.0.0', 'extra'], /^upgrade: too many arguments: helm v3\.0\.0 extra\n/],
    [['--force', 'helm', 'v3.0.0'], /^upgrade: unknown option "--force"\n/],
    [[], /^upgrade: nothing to upgrade\n/],
  ])('%j: a clear error, the usage, exit 2, nothing changed', (args, message) => {
    const r = upgrade(...args);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('usage: scripts/upgrade.sh');
    expect([r.status, r.stdout]).toEqual([2, '']);
  });

  test('the current version is nothing to do', () => {
    const current = (JSON.parse(before[0]) as { dependencies: Record<string, string> }).dependencies.cdk8s;
    expect(upgrade(`cdk8s@${current}`)).toMatchObject({ status: 0, stdout: `cdk8s is already at ${current}: nothing to do\n` });
  });

  test('a dry run of an npm upgrade shows every step and changes nothing', () => {
    const r = upgrade('--dry-run', 'cdk8s-plus-28@99.0.0');
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^upgrade cdk8s-plus-28: \S+ -> 99\.0\.0 \(dry run: nothing is changed\)\n/);
    for (const command of [
      '$ npm install --save-exact --save-prod --no-audit --no-fund --loglevel=error cdk8s-plus-28@99.0.0',
      '$ bash scripts/install-tools.sh',
      '$ node_modules/.bin/tsx main.ts synth --quiet --out .build/upgrade/dist',
      '$ diff -ru dist .build/upgrade/dist',
      '$ node_modules/.bin/jest --ci',
    ]) expect(r.stdout).toContain(command);
    expect(r.stdout).toMatch(/\$ make imports|no imports target yet/);
  });

  test('a dry run of a tool upgrade edits only its pin in scripts/tools.env; devDependencies stay dev', () => {
    expect(upgrade('--dry-run', 'kubeconform', 'v9.9.9').stdout)
      .toContain('$ sed -i s/^KUBECONFORM_VERSION=.*/KUBECONFORM_VERSION=v9.9.9/ scripts/tools.env');
    expect(upgrade('--dry-run', 'cdk8s-cli@9.9.9').stdout).toContain('--save-exact --save-dev');
  });

  test('make upgrade passes PKG, TOOL, VERSION and DRY_RUN through', () => {
    const unknown = make('TOOL=nosuch', 'VERSION=v1.0.0');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^upgrade: unknown tool "nosuch"/);
    expect(make().stderr).toMatch(/^upgrade: nothing to upgrade/);
    expect(make('TOOL=helm', 'VERSION=v9.9.9', 'DRY_RUN=1').stdout).toMatch(/^upgrade helm: v\S+ -> v9\.9\.9 \(dry run/);
    expect(make('PKG=yaml@9.9.9', 'DRY_RUN=1').stdout).toMatch(/^upgrade yaml: \S+ -> 9\.9\.9 \(dry run/);
  });
});

describe('make help', () => {
  test('lists every target of the Makefile, each with a description', () => {
    const makefile = fs.readFileSync(path.join(ROOT, 'Makefile'), 'utf8');
    const targets = [...makefile.matchAll(/^([a-z][a-z0-9-]*):(?!=)/gm)].map((m) => m[1]);
    const help = spawnSync('make', ['--no-print-directory', 'help'], { cwd: ROOT, encoding: 'utf8' });
    expect(help.status).toBe(0);
    const listed = help.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => /^ {2}(\S+) +\S/.exec(l)?.[1]);
    expect(listed.sort()).toEqual([...new Set(targets)].sort());
  });
});
