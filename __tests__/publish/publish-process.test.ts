/**
 * Real publish processes (`tsx main.ts publish`) at the moment their branch moves: two racing
 * for the same branch from two work trees, and one killed (SIGKILL, no cleanup) right before
 * `update-ref` or `git push`. A `git` earlier on PATH stops them there; everything else is git.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { outputFiles } from '../../lib/manifest/manifest-reader';
import { Captured, spawnCli } from '../cli/cli-harness';
import {
  branchFiles, changeDev, commitAll, copyRepository, fsckClean, git, publishCli, removeTemps, show, synth, tempDir, templateRepository, tip,
} from './publish-harness';

const DIST = 'refs/heads/dist';
const REAL_GIT = execFileSync('bash', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();

/**
 * A directory holding a `git` that, on the first `update-ref` or `push` of each process, either
 * waits until `parties` processes got there (barrier) or SIGKILLs the process that ran it (kill).
 */
function gitWrapper(mode: 'barrier' | 'kill', parties = 2): { env: { PATH: string }; arrived: string } {
  const dir = tempDir('wrapper');
  const arrived = path.join(dir, 'arrived');
  fs.mkdirSync(arrived);
  fs.writeFileSync(path.join(dir, 'git'), `#!/usr/bin/env bash
if [ "$1" = update-ref ] || [ "$1" = push ]; then
  if [ ${mode} = kill ]; then touch "${arrived}/killed-at-$1"; kill -KILL "$PPID"; sleep 5; exit 1; fi
  if [ ! -e "${arrived}/$PPID" ]; then
    touch "${arrived}/$PPID"
    for _ in $(seq 1 600); do [ "$(ls "${arrived}" | wc -l)" -ge ${parties} ] && break; sleep 0.05; done
  fi
fi
exec "${REAL_GIT}" "$@"
`, { mode: 0o755 });
  return { env: { PATH: `${dir}:${process.env.PATH}` }, arrived };
}

/** What environments/<env>/ holds, without the hydrator's files: path → blob. */
function published(dir: string, ref: string, env: string): Map<string, string> {
  return new Map([...branchFiles(dir, ref)].filter(([p]) => p.startsWith(`environments/${env}/`) && !/\/(hydrator\.metadata|README\.md)$/.test(p)));
}

/** The object and kustomization files of a work tree's dist/<env>/, as the dist branch would hold them. */
function rendered(dir: string, env: string): Map<string, string> {
  const head = branchFiles(dir, 'HEAD');
  return new Map(outputFiles(path.join(dir, 'dist', env), ['object', 'kustomization'])
    .map((f) => [`environments/${env}/${f.rel}`, head.get(`dist/${env}/${f.rel}`)!]));
}

/** Each test starts tsx processes (a few seconds each on a busy machine). */
const PROCESS_TIMEOUT_MS = 120_000;

describe('publish processes', () => {
  let template: string;
  beforeAll(() => {
    template = templateRepository();
  });
  afterAll(removeTemps);

  test('two publishes racing for the branch: both succeed, the loser publishing again onto the winner, whole', async () => {
    const main = copyRepository(template);
    const feature = path.join(tempDir('worktree'), 'feature');
    git(main, ['worktree', 'add', '-q', '-b', 'feature', feature]);
    changeDev(feature);
    synth(feature);
    const featureSource = commitAll(feature, 'dev: frontend next');
    const mainSource = git(main, ['rev-parse', 'HEAD']);

    const { env, arrived } = gitWrapper('barrier');
    const [a, b] = await Promise.all([spawnCli(['publish'], { cwd: main, env }), spawnCli(['publish'], { cwd: feature, env })]);
    for (const r of [a, b]) expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 0, stdout: expect.stringMatching(/^published /m) });
    const lost = (r: Captured): boolean => r.stderr.includes('dist moved while publishing (another publish won the race)');
    expect([lost(a), lost(b)].filter(Boolean)).toHaveLength(1);
    const [loser, loserSource] = lost(a) ? [main, mainSource] : [feature, featureSource];
    const winnerSource = loserSource === mainSource ? featureSource : mainSource;

    expect(git(main, ['rev-list', '--count', DIST])).toBe('2');
    expect(JSON.parse(show(main, `${DIST}^`, 'hydrator.metadata'))).toMatchObject({ drySha: winnerSource });
    expect(JSON.parse(show(main, DIST, 'hydrator.metadata'))).toMatchObject({ drySha: loserSource });
    for (const e of ['dev', 'prod', 'staging']) expect(published(main, DIST, e)).toEqual(rendered(loser, e));
    expect(fsckClean(main)).toBe(true);
    expect(fs.readdirSync(arrived)).toHaveLength(2);
  }, PROCESS_TIMEOUT_MS);

  test('a publish killed right before the branch moves, or before its push, leaves every branch as it was', async () => {
    const dir = copyRepository(template);
    const bare = tempDir('remote');
    git(bare, ['init', '-q', '--bare']);
    git(dir, ['remote', 'add', 'origin', bare]);
    expect(publishCli(dir, '--remote', 'origin').code).toBe(0);
    const before = tip(dir, DIST);
    changeDev(dir);
    synth(dir);
    commitAll(dir, 'dev: frontend next');
    const { env, arrived } = gitWrapper('kill');

    for (const [args, at] of [[['publish'], 'update-ref'], [['publish', '--remote', 'origin'], 'push']] as const) {
      const killed = await spawnCli(args, { cwd: dir, env });
      expect(fs.existsSync(path.join(arrived, `killed-at-${at}`))).toBe(true);
      expect(killed.code).not.toBe(0);
      expect(killed.stdout).not.toMatch(/^published /m);
      expect(tip(dir, DIST)).toBe(before);
      expect(tip(bare, DIST)).toBe(before);
      expect(fs.existsSync(path.join(dir, '.git', 'refs', 'heads', 'dist.lock'))).toBe(false);
      expect(fsckClean(dir)).toBe(true);
      expect(git(dir, ['status', '--porcelain'])).toBe('');
    }
    const after = publishCli(dir, '--remote', 'origin');
    expect(after.code).toBe(0);
    expect(git(bare, ['rev-parse', `${DIST}^`])).toBe(before);
    expect(tip(dir, DIST)).toBe(tip(bare, DIST));
  }, PROCESS_TIMEOUT_MS);
});
