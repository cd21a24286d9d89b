/**
 * `bulwark publish`: the rendered output of HEAD onto the dist branch Argo CD syncs, in the
 * layout of Argo CD's source hydrator (lib/publish/). Refused unless what is published is
 * exactly a commit's output: a clean work tree, dist/ equal to a fresh synth, every check passing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CheckError } from '../checks';
import { ConfigError } from '../config/errors';
import { LoadedOverlay, readOverlays } from '../config/load-overlay';
import { bootstrapPath, environmentPath } from '../manifest/layout';
import { PlatformModel } from '../model/platform-model';
import { publish, PublishResult } from '../publish/dist-branch';
import { environmentOutput } from '../publish/environment-output';
import { committedFiles, openRepository, PublishError, readHead, requireCleanWorkTree, SourceRevision } from '../publish/source';
import { buildModels, synthesizeInto } from '../synth/pipeline';
import { Git } from '../util/git';
import { byCodePoint } from '../util/order';
import { Options, UsageError } from './args';
import { CommandIo } from './command';

const GENERATOR = 'bulwark publish';

export function runPublish(opts: Options, { ctx, log, style: s, progress }: CommandIo): void {
  const git = openRepository(ctx.cwd);
  const source = readHead(git);
  const out = path.resolve(ctx.cwd, opts.out);
  const treePath = path.relative(git.cwd, out).split(path.sep).join('/');
  if (treePath === '' || treePath.startsWith('..') || path.isAbsolute(treePath)) {
    throw new UsageError(`--out ${opts.out} is not a folder inside the repository ${git.cwd}: publish takes the committed output, `
      + 'so it must be a folder of the repository, such as dist');
  }
  if (opts.remote !== undefined) requireRemote(git, opts.remote);
  const { overlays, models } = loadModels(opts.overlays, ctx.cwd, ctx.platformVersion);
  const { repoURL, branch: synced } = delivery(models);
  const branch = opts.to ?? synced;
  if (opts.to !== undefined) requireStagingBranch(git, opts.to, synced);
  requireNotCheckedOut(git, branch);
  requireCleanWorkTree(git);
  requireFreshOutput(overlays, out, opts.out, ctx.platformVersion, (env, i, n) => progress.update(`checking ${opts.out}/: ${env} (${i + 1}/${n})`));
  progress.update(`publishing to ${branch}`);
  const committed = committedFiles(git, treePath);
  const environments = models.map((m) => environmentOutput({
    environment: m.environment,
    envDir: path.join(out, m.environment),
    treePath: `${treePath}/${m.environment}`,
    committed,
    commands: [`make synth ENV=${m.environment}`],
  }));
  const result = publish({
    git,
    source,
    repoURL,
    environments,
    branch,
    startFrom: opts.to === undefined ? undefined : synced,
    remote: opts.remote,
    generator: GENERATOR,
    onRetry: opts.quiet ? undefined : (message) => ctx.stderr(`${message}\n`),
  });
  progress.clear();
  for (const e of result.environments) {
    if (!e.changed) {
      log(s.dim(`${e.environment}: unchanged`));
      continue;
    }
    const boot = e.bootstrapFiles > 0 ? `, ${bootstrapPath(e.environment)}/ (${e.bootstrapFiles})` : '';
    log(`${s.bold(e.environment)}: changed -> ${branch}:${environmentPath(e.environment)}/ (${e.files} files)${boot}`);
  }
  log(resultLine(result, source, opts.remote === undefined ? branch : `${opts.remote}/${branch}`));
  if (result.localBranchKept) log(`local ${branch} has commits ${opts.remote}/${branch} does not: left as it was`);
}

function resultLine(r: PublishResult, source: SourceRevision, where: string): string {
  const from = `${source.branch} ${source.sha.slice(0, 7)} (${source.message.split('\n')[0]})`;
  if (r.commit === undefined) return `nothing to publish: ${where} already holds the output of ${from}`;
  const previous = r.previous === undefined ? `new branch ${where}` : `was ${r.previous.slice(0, 7)}`;
  return `published ${r.commit.slice(0, 7)} to ${where} from ${from}; ${previous}`;
}

/** The overlays and their models, when every overlay is valid. */
function loadModels(dir: string, cwd: string, platformVersion: string): { overlays: LoadedOverlay[]; models: PlatformModel[] } {
  return unlessSynthFails(() => {
    const { overlays, problems } = readOverlays(dir, { cwd });
    if (problems.length > 0) throw new ConfigError(problems);
    return { overlays, models: buildModels(overlays, platformVersion) };
  });
}

/** `fn`'s result; its invalid input or failed check becomes a refusal to publish, with every problem. */
function unlessSynthFails<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof ConfigError || e instanceof CheckError)) throw e;
    throw new PublishError('cannot publish: a synth of the overlays fails, so there is no output to publish; fix what it reports, '
      + `run make synth, commit, then publish:\n${e.message}`);
  }
}

/**
 * The repository and branch every environment is delivered from: one dist branch in one
 * repository, so the environments must agree on both.
 */
function delivery(models: readonly PlatformModel[]): { repoURL: string; branch: string } {
  if (models.length === 0) throw new PublishError('cannot publish: there are no overlays, so nothing to render: add overlays/<env>.yaml');
  for (const key of ['repoURL', 'branch'] as const) {
    const values = new Set(models.map((m) => m.gitops[key]));
    if (values.size > 1) {
      const each = models.map((m) => `${m.environment}: ${m.gitops[key]}`).join(', ');
      throw new PublishError(`cannot publish: the environments name different gitops.${key} (${each}); one publish writes one `
        + `dist branch of one repository: give every overlay the same gitops.${key}`);
    }
  }
  return { repoURL: models[0].gitops.repoURL, branch: models[0].gitops.branch };
}

function requireRemote(git: Git, remote: string): void {
  const remotes = git.run(['remote']).split('\n').filter((r) => r !== '');
  if (remotes.includes(remote)) return;
  const known = remotes.length > 0 ? `the remotes are ${remotes.join(', ')}` : 'the repository has no remote';
  throw new UsageError(`--remote ${remote}: no such git remote (${known}); name one of them, or add it: git remote add ${remote} <url>`);
}

/** `--to`: a valid branch name, other than the synced branch (a staging branch is promoted into that one). */
function requireStagingBranch(git: Git, to: string, synced: string): void {
  if (to.startsWith('-') || git.attempt(['check-ref-format', '--branch', to]).status !== 0) {
    throw new UsageError(`--to ${JSON.stringify(to)} is not a valid branch name (git check-ref-format --branch); name a staging branch, `
      + `such as ${synced}-next`);
  }
  if (to === synced) {
    throw new UsageError(`--to ${to} is the branch Argo CD syncs (gitops.branch); --to names a staging branch that a pull request `
      + `promotes into ${synced}: omit --to to publish to ${synced}, or name another branch, such as ${synced}-next`);
  }
}

/** Moving a branch a work tree has checked out would change what is under it: refused. */
function requireNotCheckedOut(git: Git, branch: string): void {
  let worktree: string | undefined;
  for (const line of git.run(['worktree', 'list', '--porcelain']).split('\n')) {
    if (line.startsWith('worktree ')) worktree = line.slice('worktree '.length);
    if (line === `branch refs/heads/${branch}`) {
      throw new PublishError(`cannot publish: branch ${branch} is checked out in ${worktree}; publishing moves it without a checkout, `
        + 'which would leave that work tree behind: switch it to another branch, or publish to another one (--to)');
    }
  }
}

/**
 * dist/ must be what a synth of the overlays writes now (packages aside), so that what is
 * published is the committed output of this commit's overlays, every check passed.
 */
function requireFreshOutput(
  overlays: readonly LoadedOverlay[],
  out: string,
  outName: string,
  platformVersion: string,
  onProgress: (environment: string, index: number, count: number) => void,
): void {
  const changed: string[] = [];
  const missing: string[] = [];
  const written = new Set<string>();
  unlessSynthFails(() => synthesizeInto(overlays, { platformVersion, onProgress }, (part) => {
    for (const [rel, content] of part) {
      written.add(rel);
      const file = path.join(out, rel);
      if (!fs.existsSync(file)) missing.push(rel);
      else if (!fs.readFileSync(file).equals(Buffer.from(content))) changed.push(rel);
    }
  }));
  const extra = filesUnder(out).filter((rel) => !written.has(rel) && !rel.endsWith('.tgz'));
  if (changed.length + missing.length + extra.length === 0) return;
  const name = outName.replace(/\/+$/, '');
  const list = (what: string, rels: string[]): string[] => {
    if (rels.length === 0) return [];
    const shown = [...rels].sort(byCodePoint).slice(0, 5).map((r) => `${name}/${r}`);
    return [`${what}: ${[...shown, ...(rels.length > 5 ? [`and ${rels.length - 5} more`] : [])].join(', ')}`];
  };
  const differences = [...list('changed', changed), ...list('missing', missing), ...list('not written by a synth', extra)].join('; ');
  throw new PublishError(`cannot publish: ${name}/ is not what a synth of the overlays writes (${differences}); the dist branch must `
    + `hold the output of this commit's overlays: run make synth, commit ${name}/, then publish`);
}

/** Every file under `dir`, `/`-separated paths relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory()
    ? filesUnder(path.join(dir, e.name), `${prefix}${e.name}/`)
    : [`${prefix}${e.name}`]));
}
