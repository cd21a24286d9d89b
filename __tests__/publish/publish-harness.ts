/**
 * Throwaway repositories for the publish tests: the fixture overlays, their synth in dist/,
 * committed on main with fixed dates and identity (so that two repositories built apart hold the
 * same commit). Tests copy a template rather than synthesize again.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Captured, runCli } from '../cli/cli-harness';
import { FIXTURE_OVERLAYS } from '../helpers';

export const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Jane Doe',
  GIT_AUTHOR_EMAIL: 'jane@example.com',
  GIT_AUTHOR_DATE: '1767261600 +0100',
  GIT_COMMITTER_NAME: 'Jane Doe',
  GIT_COMMITTER_EMAIL: 'jane@example.com',
  GIT_COMMITTER_DATE: '1767265200 +0100',
  GIT_CONFIG_NOSYSTEM: '1',
};

/** The message of the template's commit: a subject, a body, a reference trailer block. */
export const SOURCE_MESSAGE = 'Platform: dev, prod and staging\n\nThe fixture overlays, synthesized.\n\n'
  + 'Signed-off-by: Jane Doe <jane@example.com>\n'
  + 'Argocd-reference-commit-sha: 0123456789abcdef0123456789abcdef01234567\n'
  + 'Argocd-reference-commit-author: Code Author <code@example.com>\n'
  + 'Argocd-reference-commit-subject: the code change\n';

export function git(dir: string, args: readonly string[], input?: string): string {
  return execFileSync('git', args, { cwd: dir, env: GIT_ENV, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}

/** `git <args>` expected to fail: its exit code. */
export function gitStatus(dir: string, args: readonly string[]): number {
  try {
    execFileSync('git', args, { cwd: dir, env: GIT_ENV, stdio: 'ignore' });
    return 0;
  } catch (e) {
    return (e as { status: number }).status;
  }
}

const temps: string[] = [];

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bulwark-publish-${prefix}-`));
  temps.push(dir);
  return dir;
}

export function removeTemps(): void {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A repository on main with the fixture overlays and their dist/, committed with SOURCE_MESSAGE. */
export function templateRepository(): string {
  const dir = tempDir('template');
  fs.cpSync(FIXTURE_OVERLAYS, path.join(dir, 'overlays'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.gitignore'), 'dist/*/platform-*.tgz\n');
  synth(dir);
  git(dir, ['init', '-q', '-b', 'main']);
  commitAll(dir, SOURCE_MESSAGE);
  return dir;
}

/** A copy of `template` (a clone with its history, refs and work tree). */
export function copyRepository(template: string): string {
  const dir = tempDir('repo');
  fs.cpSync(template, dir, { recursive: true });
  return dir;
}

export function synth(dir: string): void {
  const r = runCli(['synth', '--quiet'], { cwd: dir });
  if (r.code !== 0) throw new Error(`synth failed: ${r.stderr}`);
}

export function commitAll(dir: string, message: string): string {
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '--no-gpg-sign', '-F', '-'], message);
  return git(dir, ['rev-parse', 'HEAD']);
}

export function editOverlay(dir: string, env: string, edit: (text: string) => string): void {
  const file = path.join(dir, 'overlays', `${env}.yaml`);
  const before = fs.readFileSync(file, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`the edit of ${env}.yaml changed nothing`);
  fs.writeFileSync(file, after);
}

/** A change of dev's output: its frontend at another tag. */
export function changeDev(dir: string): void {
  editOverlay(dir, 'dev', (t) => t.replace(/(frontend:)(\d+\.\d+\.\d+)/, '$1$2-next'));
}

export function publishCli(dir: string, ...args: string[]): Captured {
  return runCli(['publish', ...args], { cwd: dir });
}

/** The commit `ref` names, or undefined. */
export function tip(dir: string, ref: string): string | undefined {
  try {
    return git(dir, ['rev-parse', '--verify', '-q', `${ref}^{commit}`]);
  } catch {
    return undefined;
  }
}

/** Every file of `ref`'s tree: path → blob id. */
export function branchFiles(dir: string, ref: string): Map<string, string> {
  const out = git(dir, ['ls-tree', '-r', '-z', '--full-tree', ref]);
  return new Map(out.split('\0').filter((l) => l !== '').map((l) => {
    const tab = l.indexOf('\t');
    return [l.slice(tab + 1), l.slice(0, tab).split(' ')[2]];
  }));
}

export function show(dir: string, ref: string, file: string): string {
  return execFileSync('git', ['show', `${ref}:${file}`], { cwd: dir, env: GIT_ENV, encoding: 'utf8' });
}

/** `git fsck` finds nothing wrong (dangling objects of an interrupted publish are not wrong). */
export function fsckClean(dir: string): boolean {
  return gitStatus(dir, ['fsck', '--strict', '--no-progress', '--no-dangling']) === 0;
}
