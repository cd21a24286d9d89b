/**
 * `bulwark diff` end to end, in throwaway git repositories: a dist/ committed with the fixture
 * overlays, then overlay changes diffed against HEAD, a dist branch (local or fetched) and refs
 * that do not exist. Nothing may be written (the repository stays as it was) and no output may
 * name a temporary path.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Captured, runCli, treeBytes } from '../cli/cli-harness';
import { FIXTURE_OVERLAYS } from '../helpers';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

function git(dir: string, args: readonly string[], input?: string): string {
  return execFileSync('git', args, { cwd: dir, env: GIT_ENV, input, encoding: 'utf8' }).trim();
}

/** Commits `files` (path → text) as the whole tree of `branch`, without touching the work tree or the index. */
function commitBranch(dir: string, ref: string, files: Readonly<Record<string, string>>): void {
  const index = path.join(dir, '.git', 'test-index');
  const env = { ...GIT_ENV, GIT_INDEX_FILE: index };
  execFileSync('git', ['read-tree', '--empty'], { cwd: dir, env });
  for (const [file, text] of Object.entries(files)) {
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: dir, env, input: text, encoding: 'utf8' }).trim();
    execFileSync('git', ['update-index', '--add', '--cacheinfo', `100644,${blob},${file}`], { cwd: dir, env });
  }
  const tree = execFileSync('git', ['write-tree'], { cwd: dir, env, encoding: 'utf8' }).trim();
  const commit = execFileSync('git', ['commit-tree', tree, '-m', 'publish'], { cwd: dir, env, encoding: 'utf8' }).trim();
  git(dir, ['update-ref', ref, commit]);
  fs.rmSync(index);
}

/** The files of one environment's folder of dist/, by path relative to it. */
function environmentFolder(dir: string, env: string): Record<string, string> {
  const root = path.join(dir, 'dist', env);
  return Object.fromEntries(Object.keys(treeBytes(root)).map((rel) => [rel, fs.readFileSync(path.join(root, rel), 'utf8')]));
}

describe('bulwark diff', () => {
  let work: string;
  let committed: Record<string, string>;

  const diff = (...args: string[]): Captured => runCli(['diff', ...args], { cwd: work });
  const editOverlay = (env: string, edit: (text: string) => string): void => {
    const file = path.join(work, 'overlays', `${env}.yaml`);
    fs.writeFileSync(file, edit(fs.readFileSync(file, 'utf8')));
  };

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-diff-'));
    git(work, ['init', '-q', '-b', 'main']);
    fs.mkdirSync(path.join(work, 'overlays'));
    for (const env of ['dev', 'staging']) fs.copyFileSync(path.join(FIXTURE_OVERLAYS, `${env}.yaml`), path.join(work, 'overlays', `${env}.yaml`));
    expect(runCli(['synth', '--quiet'], { cwd: work })).toEqual({ code: 0, stdout: '', stderr: '' });
    git(work, ['add', '-A']);
    git(work, ['commit', '-q', '-m', 'dist']);
    committed = treeBytes(path.join(work, 'dist'));
  }, 60_000);

  afterEach(() => {
    git(work, ['checkout', '-q', '--', 'overlays']);
    git(work, ['clean', '-q', '-fd', '--', 'overlays']);
    for (const ref of ['refs/heads/dist', 'refs/remotes/origin/dist']) spawnQuiet(work, ['update-ref', '-d', ref]);
  });

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  /** Every run leaves the repository as it was (but the overlays a test edits), and names no temporary path. */
  const expectNothingWritten = (r: Captured): void => {
    expect(treeBytes(path.join(work, 'dist'))).toEqual(committed);
    expect(git(work, ['status', '--porcelain', '--untracked-files=all', '--', '.', ':!overlays'])).toBe('');
    expect(fs.readdirSync(work).sort()).toEqual(['.git', 'dist', 'overlays']);
    for (const text of [r.stdout, r.stderr]) {
      expect(text).not.toContain(work);
      expect(text).not.toContain(os.tmpdir());
    }
  };

  test('GIVEN the overlays as committed THEN exit 0 and each environment has no differences against HEAD:dist/', () => {
    const r = diff();
    expect(r).toEqual({
      code: 0,
      stdout: 'dev: no differences (against HEAD:dist/dev/)\nstaging: no differences (against HEAD:dist/staging/)\n',
      stderr: '',
    });
    expectNothingWritten(r);
  });

  test('GIVEN a component removed, one scaled and a setting changed THEN exit 1: what was added, removed, changed, then the YAML diffs', () => {
    editOverlay('dev', (t) => t.replace(/\n {2}podinfo:\n(?: {4}.*\n)*/, '\n')
      .replace('LOG_LEVEL: debug', 'LOG_LEVEL: info')
      .replace(/^ {2}mcp:\n/m, '$&    replicas: 2\n'));
    const r = diff();
    expect([r.code, r.stderr]).toEqual([1, '']);
    const summary = r.stdout.slice(0, r.stdout.indexOf('\n\n'));
    expect(summary.split('\n')).toEqual(expect.arrayContaining([
      expect.stringMatching(/^dev: 1 added, \d+ removed, \d+ changed(, 1 file changed)? \(against HEAD:dist\/dev\/\)$/),
      '  added    PodDisruptionBudget/bulwark-dev/mcp',
      '  removed  Deployment/bulwark-dev/podinfo',
      '  removed  Certificate/istio-system/bulwark-dev-podinfo-tls',
      '  changed  ConfigMap/bulwark-dev/backend-config (+1 -1)',
      expect.stringMatching(/^ {2}changed {2}Deployment\/bulwark-dev\/mcp \(\+\d+ -1\)$/),
      'staging: no differences (against HEAD:dist/staging/)',
    ]));
    expect(r.stdout).toContain([
      'diff dev ConfigMap/bulwark-dev/backend-config',
      '--- HEAD:dist/dev/backend/configmap-backend-config.yaml',
      '+++ dist/dev/backend/configmap-backend-config.yaml',
    ].join('\n'));
    expect(r.stdout).toMatch(/\n-  replicas: 1\n\+  replicas: 2\n/);
    expect(r.stdout).not.toContain('diff dev Deployment/bulwark-dev/podinfo');
    expectNothingWritten(r);
  });

  test('--format markdown: the same diff as a pull-request comment, still exit 1', () => {
    editOverlay('dev', (t) => t.replace('LOG_LEVEL: debug', 'LOG_LEVEL: info'));
    const r = diff('--format', 'markdown');
    expect([r.code, r.stderr]).toEqual([1, '']);
    expect(r.stdout).toMatch(/^## Bulwark diff\n\nWhat a synth of this change renders, against `HEAD`: 1 environment of 2 differs\.\n/);
    expect(r.stdout).toContain('| changed | `ConfigMap/bulwark-dev/backend-config` | +1 -1 |');
    expect(r.stdout).toContain('```diff\n--- HEAD:dist/dev/backend/configmap-backend-config.yaml\n');
    expect(r.stdout).toContain('### staging: no differences');
    expectNothingWritten(r);
  });

  test('--env: that environment only; an environment whose overlay is gone is all removed', () => {
    editOverlay('dev', (t) => t.replace('LOG_LEVEL: debug', 'LOG_LEVEL: info'));
    const one = diff('--env', 'staging');
    expect(one).toEqual({ code: 0, stdout: 'staging: no differences (against HEAD:dist/staging/)\n', stderr: '' });
    fs.rmSync(path.join(work, 'overlays', 'staging.yaml'));
    const r = diff();
    const objects = Object.keys(committed).filter((f) => /^staging\/(?!control-plane\/)[^/]+\/[^/]+\.yaml$/.test(f)).length;
    expect(r.stdout).toContain(`staging: 0 added, ${objects} removed, 0 changed`);
    expect(r.code).toBe(1);
    expectNothingWritten(r);
  });

  test('GIVEN a dist branch THEN it is the default: environments/<env>/ and bootstrap/<env>/ compared, the control-plane files not', () => {
    // What the publisher writes from dist/dev/, with one object changed and one Argo CD object more.
    const published: Record<string, string> = {
      'hydrator.metadata': '{}\n',
      'environments/dev/hydrator.metadata': '{}\n',
      'environments/dev/README.md': '# dev\n',
    };
    const changed = 'backend/configmap-backend-config.yaml';
    for (const [rel, text] of Object.entries(environmentFolder(work, 'dev'))) {
      if (rel.startsWith('control-plane/')) continue;
      if (rel.startsWith('argocd/')) published[`bootstrap/dev/${rel.slice('argocd/'.length)}`] = text;
      else published[`environments/dev/${rel}`] = rel === changed ? text.replace('LOG_LEVEL: debug', 'LOG_LEVEL: trace') : text;
    }
    published['bootstrap/dev/appproject-bulwark-old.yaml'] = 'apiVersion: argoproj.io/v1alpha1\nkind: AppProject\n'
      + 'metadata:\n  name: bulwark-old\n  namespace: argocd\n';
    commitBranch(work, 'refs/heads/dist', published);
    const r = diff('--env', 'dev');
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([
      'dev: 0 added, 1 removed, 1 changed (against dist:environments/dev/)',
      '  removed  AppProject/argocd/bulwark-old',
      '  changed  ConfigMap/bulwark-dev/backend-config (+1 -1)',
    ]);
    expect(r.stdout).toContain(`--- dist:environments/dev/${changed}\n+++ dist/dev/${changed}\n`);
    expect(r.stdout).toContain('-  LOG_LEVEL: trace\n+  LOG_LEVEL: debug\n');
    // As a CI checkout has it: fetched from origin, no local branch.
    git(work, ['update-ref', 'refs/remotes/origin/dist', 'refs/heads/dist']);
    git(work, ['update-ref', '-d', 'refs/heads/dist']);
    expect(diff('--env', 'dev').stdout).toMatch(/^dev: 0 added, 1 removed, 1 changed \(against origin\/dist:environments\/dev\/\)\n/);
    // --ref HEAD still reads HEAD's dist/.
    expect(diff('--env', 'dev', '--ref', 'HEAD')).toEqual({ code: 0, stdout: 'dev: no differences (against HEAD:dist/dev/)\n', stderr: '' });
    expectNothingWritten(r);
  });

  test('the dist branch an overlay names (gitops.branch) is the one compared with', () => {
    editOverlay('dev', (t) => `${t}\ngitops:\n  branch: rendered\n`);
    commitBranch(work, 'refs/heads/rendered', { 'hydrator.metadata': '{}\n', 'environments/dev/README.md': '# dev\n' });
    const r = diff('--env', 'dev');
    const objects = Object.keys(committed).filter((f) => /^dev\/(?!control-plane\/)[^/]+\/[^/]+\.yaml$/.test(f)).length;
    expect(r.stdout).toMatch(new RegExp(`^dev: ${objects} added, 0 removed, 0 changed(, 1 file added)? \\(against rendered:environments/dev/\\)\n`));
    spawnQuiet(work, ['update-ref', '-d', 'refs/heads/rendered']);
  });

  test('fails with exit 2: an unknown ref, a bad format, invalid or colliding overlays, no repository', () => {
    const unknown = diff('--ref', 'no-such-branch');
    expect(unknown).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: --ref no-such-branch: no such commit in this repository; give a branch, tag or commit, such as HEAD, HEAD~1 or dist\n',
    });
    const format = diff('--format', 'html');
    expect([format.code, format.stdout, format.stderr.split('\n')[0]]).toEqual([2, '', 'error: --format needs text or markdown, got "html"']);
    editOverlay('dev', (t) => t.replace('replicas: 2', 'replicas: -1'));
    editOverlay('staging', (t) => t.replace(/^namespace: .*$/m, 'namespace: Not_A_Name'));
    const invalid = diff();
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/^error: overlays\/staging\.yaml:\d+:\d+: namespace: /);
    // What the synth refuses, the diff does too: qa, a copy of dev on dev's cluster.
    git(work, ['checkout', '-q', '--', 'overlays']);
    const dev = fs.readFileSync(path.join(work, 'overlays', 'dev.yaml'), 'utf8');
    fs.writeFileSync(path.join(work, 'overlays', 'qa.yaml'), dev.replace(/^environment: dev$/m, 'environment: qa'));
    const colliding = diff();
    expect([colliding.code, colliding.stdout]).toEqual([2, '']);
    expect(colliding.stderr).toMatch(/^error: overlays\/qa\.yaml:4:12: namespace: namespace "bulwark-dev" is also dev's /);
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-diff-norepo-'));
    try {
      expect(runCli(['diff'], { cwd: elsewhere })).toEqual({
        code: 2,
        stdout: '',
        stderr: 'error: the working directory is not in a git repository: diff compares with a commit\n',
      });
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
    expectNothingWritten(unknown);
  });
});

/** git, ignoring failure (deleting a ref that may not exist). */
function spawnQuiet(dir: string, args: readonly string[]): void {
  try {
    execFileSync('git', args, { cwd: dir, env: GIT_ENV, stdio: 'ignore' });
  } catch {
    // the ref was not there
  }
}
