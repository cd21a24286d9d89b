/**
 * The temporary git repositories of the e2e GitOps phase: a bare repository that Argo CD reads
 * through a `file://` URL (no git daemon), and work trees that commit and push to it. Commits get
 * a fixed identity and no signing, whatever the user's git config says.
 */
import * as fs from 'fs';
import * as path from 'path';
import { run, RunResult } from './util';

/** Author and committer of every commit the phase makes. */
const IDENTITY = {
  GIT_AUTHOR_NAME: 'Bulwark e2e',
  GIT_AUTHOR_EMAIL: 'e2e@bulwark.invalid',
  GIT_COMMITTER_NAME: 'Bulwark e2e',
  GIT_COMMITTER_EMAIL: 'e2e@bulwark.invalid',
};

/** Git with the user's and the system's configuration left out. */
export function gitEnv(home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...IDENTITY,
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
  };
}

/** A git command that failed: its command line and output. */
export class GitCommandError extends Error {}

export class GitDir {
  constructor(
    /** The work tree (or the bare repository). */
    readonly dir: string,
    /** The environment git runs with. */
    readonly env: NodeJS.ProcessEnv,
  ) {}

  async attempt(args: readonly string[], input?: string): Promise<RunResult> {
    return run('git', ['-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main', ...args], { cwd: this.dir, env: this.env, input });
  }

  /** Runs git; throws with its output when it fails. Returns stdout, trimmed. */
  async git(...args: string[]): Promise<string> {
    const r = await this.attempt(args);
    if (r.code !== 0) throw new GitCommandError(`$ git ${args.join(' ')} (in ${this.dir})\n${r.stdout}${r.stderr}`.trimEnd());
    return r.stdout.trim();
  }
}

/** `git init --bare <dir>` and a `file://` URL for it. */
export async function bareRepository(dir: string, env: NodeJS.ProcessEnv): Promise<{ repo: GitDir; url: string }> {
  fs.mkdirSync(dir, { recursive: true });
  const repo = new GitDir(dir, env);
  await repo.git('init', '--bare', '--quiet');
  return { repo, url: `file://${path.resolve(dir)}` };
}
