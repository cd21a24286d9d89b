/**
 * `bulwark diff`: what a synth of the working tree renders, against what a commit holds (the dist
 * branch by default, else HEAD's dist/), per environment: objects added, removed and changed,
 * then the YAML diff of each change. Synthesized in memory: nothing is written anywhere.
 */
import * as path from 'path';
import { LoadedOverlay } from '../config/load-overlay';
import { CommittedTree, committedTree, defaultRef } from '../diff/committed-tree';
import { EnvironmentReport, renderMarkdown, renderText } from '../diff/render';
import { diffEnvironment, EnvironmentSide, hasDifferences } from '../diff/tree-diff';
import { DIST_BRANCH_LAYOUT } from '../manifest/layout';
import { OutputKind } from '../manifest/output-kind';
import { synthesize } from '../synth/pipeline';
import { Git, GitError, resolveCommit, WorkTree, workTreeOf } from '../util/git';
import { byCodePoint } from '../util/order';
import { Options, UsageError } from './args';
import { CommandIo } from './command';
import { checkObjectCollisions, loadValidOverlays } from './synth-command';

/** Every kind a synthesis writes but packages: the working tree's side holds them all. */
const SYNTH_KINDS: readonly OutputKind[] = ['object', 'gitops', 'kustomization', 'api-server', 'report'];

/** `diff`: exit 0 when every environment renders as the commit holds it, 1 when one differs. */
export function runDiff(opts: Options, { ctx, style: s, progress }: CommandIo): number {
  const workTree = workTreeOf(ctx.cwd);
  if (workTree === undefined) throw new GitError('the working directory is not in a git repository: diff compares with a commit');
  const out = outFolder(workTree, ctx.cwd, opts.out);
  const { overlays, valid } = loadValidOverlays(opts.overlays, ctx, opts.env);
  const synthesized = synthesize(overlays, {
    platformVersion: ctx.platformVersion,
    onProgress: (environment, index, count) => progress.update(`synthesizing ${environment} (${index + 1}/${count} environments)`),
  });
  progress.clear();
  // What the synth would refuse, the diff refuses too.
  checkObjectCollisions(valid, synthesized.environments, path.resolve(ctx.cwd, opts.out), opts.env);
  const trees = new CommittedTrees(workTree.git, out.inRepository);
  const refOf = refChooser(workTree.git, opts.ref, overlays);
  const synthesizedEnvs = synthesized.environments.map((e) => e.environment);
  // An environment whose overlay is gone is all removed: it is still in the commit.
  const gone = opts.env !== undefined ? [] : [...new Set(synthesizedEnvs.map(refOf))]
    .flatMap((ref) => trees.of(ref).environments.map((env) => ({ env, ref })))
    .filter(({ env }) => !synthesizedEnvs.includes(env));
  const environments = [...synthesizedEnvs.map((env) => ({ env, ref: refOf(env) })), ...gone]
    .sort((a, b) => byCodePoint(a.env, b.env));
  const reports = environments.map(({ env, ref }): EnvironmentReport => {
    const tree = trees.of(ref);
    const diff = diffEnvironment(env, tree.side(env), workingTreeSide(synthesized.files, env, out.shown));
    return { diff, ref, against: tree.against(env) };
  });
  ctx.stdout(opts.format === 'markdown' ? renderMarkdown(reports) : renderText(reports, { added: s.green, removed: s.red, header: s.bold }));
  return reports.some((r) => hasDifferences(r.diff)) ? 1 : 0;
}

/** The output folder: as the output shows it (relative to the working directory), and from the top of the repository. */
function outFolder(workTree: WorkTree, cwd: string, out: string): { shown: string; inRepository: string } {
  const shown = path.relative(cwd, path.resolve(cwd, out)).split(path.sep).join('/');
  const inRepository = path.posix.normalize(`${workTree.prefix}${shown}`);
  if (shown === '' || inRepository.startsWith('../')) throw new UsageError(`--out ${out}: diff needs a folder inside the repository`);
  return { shown, inRepository };
}

/** The working tree's side of one environment: what a synth would write to `<out>/<env>/`. */
function workingTreeSide(files: ReadonlyMap<string, string>, env: string, out: string): EnvironmentSide {
  const prefix = `${env}/`;
  const own = new Map([...files].filter(([rel]) => rel.startsWith(prefix)).map(([rel, text]) => [rel.slice(prefix.length), text]));
  return { files: own, kinds: SYNTH_KINDS, where: (rel) => `${out}/${env}/${rel}` };
}

/**
 * The ref each environment is compared with: --ref, or the dist branch its overlay names
 * (gitops.branch) when the repository has it, else HEAD. Refs are checked up front, so that a
 * typo is one clear error.
 */
function refChooser(git: Git, ref: string | undefined, overlays: readonly LoadedOverlay[]): (env: string) => string {
  if (ref !== undefined) {
    if (resolveCommit(git, ref) === undefined) {
      throw new GitError(`--ref ${ref}: no such commit in this repository; give a branch, tag or commit, such as HEAD, HEAD~1 or dist`);
    }
    return () => ref;
  }
  const branchOf = new Map(overlays.map((o) => [o.overlay.environment, o.overlay.gitops.branch]));
  const chosen = new Map<string, string>();
  return (env) => {
    const branch = branchOf.get(env) ?? DIST_BRANCH_LAYOUT.defaultBranch;
    if (!chosen.has(branch)) chosen.set(branch, defaultRef(git, branch));
    const picked = chosen.get(branch)!;
    if (picked === 'HEAD' && resolveCommit(git, 'HEAD') === undefined) {
      throw new GitError(`no dist branch ${branch} and no commit yet: commit dist/ first, or give --ref`);
    }
    return picked;
  };
}

/** Each commit's tree read once, however many environments compare with it. */
class CommittedTrees {
  private readonly trees = new Map<string, CommittedTree>();

  constructor(private readonly git: Git, private readonly distFolder: string) {}

  of(ref: string): CommittedTree {
    let tree = this.trees.get(ref);
    if (tree === undefined) {
      tree = committedTree(this.git, ref, resolveCommit(this.git, ref)!, this.distFolder);
      this.trees.set(ref, tree);
    }
    return tree;
  }
}
