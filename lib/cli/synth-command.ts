/**
 * `bulwark synth`: overlays → dist/, every environment (or one with --env), written atomically.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, didYouMean, Problem } from '../config/errors';
import { LoadedOverlay, readOverlays } from '../config/load-overlay';
import { outputFiles } from '../manifest/manifest-reader';
import { objectCollisions, overlayCollisions, SharedObject, sharedObjectsOfFiles } from '../model/collisions';
import { modelProblems } from '../model/platform-model';
import { recoverInterruptedWrite, TreeWriter, WriteResult } from '../synth/atomic-writer';
import { EnvironmentWorkers } from '../synth/parallel';
import { EnvironmentSummary, synthesizeInto } from '../synth/pipeline';
import { Options, UsageError } from './args';
import { CommandIo } from './command';
import { CliContext } from './context';
import { Style, style } from './terminal';

/** `dir` is `parent` or inside it. */
function isWithin(dir: string, parent: string): boolean {
  const rel = path.relative(parent, dir);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The output directory is replaced as a whole: refuse one that holds the working directory or the
 * overlays (`--out .` would swap the repository away).
 */
function checkOutputDirectory(opts: Options, cwd: string): void {
  const out = path.resolve(cwd, opts.out);
  const overlays = path.resolve(cwd, opts.overlays);
  const holds = isWithin(cwd, out) ? 'the working directory' : isWithin(overlays, out) ? 'the overlays' : undefined;
  if (holds) {
    throw new UsageError(`--out ${opts.out} would replace ${holds}: synth replaces its output directory as a whole; `
      + 'use a directory of its own, such as dist');
  }
}

/** `synth`: every overlay (or `--env`'s) into `<out>/<env>/`, swapped in atomically. */
export function runSynth(opts: Options, { ctx, log, style: s, progress }: CommandIo): void {
  checkOutputDirectory(opts, ctx.cwd);
  const out = path.resolve(ctx.cwd, opts.out);
  const onWait = opts.quiet ? undefined : (message: string): void => ctx.stderr(`${message}\n`);
  // First of all: put back a tree that a run killed mid-swap left aside, whatever happens next.
  recoverInterruptedWrite(out, { onWait });
  const overlaySizes = overlayFileSizes(path.resolve(ctx.cwd, opts.overlays), opts.env);
  const threads = synthesisThreads(opts, overlaySizes);
  // Workers start before the overlays are read, so that they load their code meanwhile.
  const workers = threads > 1 && ctx.workerScript !== undefined && fs.existsSync(ctx.workerScript)
    ? new EnvironmentWorkers({ workerScript: ctx.workerScript, threads })
    : undefined;
  const onProgress = (environment: string, index: number, count: number): void => {
    progress.update(`synthesizing ${environment} (${index + 1}/${count} environments)`);
  };
  const large = overlaySizes.reduce((a, b) => a + b, 0) >= BACKGROUND_WRITE_MIN_OVERLAY_BYTES;
  const outName = `${opts.out.replace(/\/+$/, '')}/`;
  let writer: TreeWriter | undefined;
  let environments: readonly EnvironmentSummary[];
  let files = 0;
  let written: WriteResult;
  try {
    const { overlays, valid } = loadValidOverlays(opts.overlays, ctx, opts.env);
    // Each environment is staged beside <out> as soon as it is synthesized (on a writer thread for
    // large platforms), while the next one is synthesized; <out> is swapped once all passed.
    writer = TreeWriter.open(out, {
      delayMs: ctx.testWriteDelayMs,
      swapDelayMs: ctx.testSwapDelayMs,
      onWait,
      environments: opts.env === undefined ? undefined : [opts.env],
      onFile: (n, total) => progress.update(`writing ${outName} (${n}/${total} files)`),
      writerScript: ctx.writerScript !== undefined && fs.existsSync(ctx.writerScript) && large ? ctx.writerScript : undefined,
    });
    const sink = (part: Map<string, string>): void => {
      files += part.size;
      writer!.add(part);
    };
    environments = workers
      ? workers.synthesize(overlays, ctx.platformVersion, sink, onProgress)
      : synthesizeInto(overlays, { platformVersion: ctx.platformVersion, onProgress }, sink);
    checkObjectCollisions(valid, environments, out, opts.env);
    written = writer.commit();
  } finally {
    workers?.close();
    writer?.close();
  }
  if (ctx.cdk8sOutdir !== undefined) {
    const cdk8sOut = path.resolve(ctx.cwd, ctx.cdk8sOutdir);
    // `cdk8s synth` empties and then lists its output dir; dist/ itself stays ours to swap.
    if (cdk8sOut !== out) fs.cpSync(out, cdk8sOut, { recursive: true });
  }
  progress.clear();
  for (const r of environments) {
    log(summaryLine(r, opts.out, s));
    for (const w of r.warnings) log(`  ${s.yellow('warning:')} ${w.check}: ${w.object}: ${w.message}`);
  }
  log(totalLine(written, files, environments.length, outName, s));
  for (const p of written.stalePackages) log(`removed stale package ${outName}${p.path}: ${p.environment} changed`);
}

/**
 * Above this much overlay text (about 50 services over all environments), files are staged on a
 * writer thread while synthesis goes on (make bench measures both sides).
 */
const BACKGROUND_WRITE_MIN_OVERLAY_BYTES = 25_000;

/**
 * Threads to synthesize on: --jobs (at most one per overlay), else one. Without --jobs, synthesis
 * stays on one thread: on the 2-core machines CI runs on, environments on worker threads measured
 * no faster at 1000 services, and neither did three processes with one environment each
 * (synthesis is bound by memory bandwidth there), so `--jobs` is opt-in, for machines with more
 * cores and platforms with many environments.
 */
function synthesisThreads(opts: Options, overlaySizes: readonly number[]): number {
  if (opts.jobs === undefined) return 1;
  return Math.max(1, Math.min(opts.jobs, overlaySizes.length));
}

/** Sizes of the overlay files in `dir`, or of `env`'s only (none when it cannot be read: loading reports that). */
function overlayFileSizes(dir: string, env: string | undefined): number[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && OVERLAY_FILE.test(e.name) && (env === undefined || environmentOfFile(e.name) === env))
      .map((e) => fs.statSync(path.join(dir, e.name)).size);
  } catch {
    return [];
  }
}

const OVERLAY_FILE = /\.ya?ml$/;
const environmentOfFile = (name: string): string => name.replace(OVERLAY_FILE, '');

/** The overlays to synthesize, and every valid overlay of the directory (to check them against). */
export interface ValidOverlays {
  /** Every overlay, or `env`'s only. */
  readonly overlays: LoadedOverlay[];
  /** Every overlay of the directory that passed its schema, `env` or not. */
  readonly valid: readonly LoadedOverlay[];
}

/**
 * The overlays (only `env`'s when given), when all are valid and no two environments on one
 * cluster collide (`env`'s collisions only, when given: it is checked against every other
 * overlay). Otherwise every problem of every file: those that fail the schema, the rule
 * violations (the model's checks) of those that pass it and the collisions, grouped by file.
 */
export function loadValidOverlays(dir: string, ctx: CliContext, env: string | undefined): ValidOverlays {
  const read = readOverlays(dir, { cwd: ctx.cwd });
  const { overlays, problems } = env === undefined ? read : onlyEnvironment(read, dir, env);
  const collisions = overlayCollisions(read.overlays, { only: env });
  if (problems.length === 0 && collisions.length === 0) return { overlays, valid: read.overlays };
  // The rules only: the models are built once, by the synthesis, when every overlay is valid.
  const all: Problem[] = [...problems, ...(problems.length === 0 ? [] : overlays.flatMap(modelProblems)), ...collisions];
  const files = [...new Set(all.map((p) => p.file))].sort();
  throw new ConfigError(files.flatMap((f) => all.filter((p) => p.file === f)));
}

/**
 * The objects of the synthesized environments against each other's, and (with `env`) against the
 * other environments' folders of `out`, which the write keeps as they are: a collision is a
 * ConfigError, thrown before anything is written.
 */
export function checkObjectCollisions(
  valid: readonly LoadedOverlay[],
  synthesized: readonly EnvironmentSummary[],
  out: string,
  env: string | undefined,
): void {
  const done = new Set(synthesized.map((e) => e.environment));
  const kept = env === undefined ? [] : valid.map((o) => o.overlay.environment).filter((e) => !done.has(e) && fs.existsSync(path.join(out, e)))
    .map((e) => ({ environment: e, objects: sharedObjectsOf(path.join(out, e)) }));
  const problems = objectCollisions(valid, [...synthesized.map((e) => ({ environment: e.environment, objects: e.shared })), ...kept], { only: env });
  if (problems.length > 0) throw new ConfigError(problems);
}

/** The shared objects of a synthesized environment's folder (its object and Argo CD files). */
function sharedObjectsOf(envDir: string): SharedObject[] {
  return sharedObjectsOfFiles(outputFiles(envDir, ['object', 'gitops']).map((f) => ({ rel: f.rel, text: fs.readFileSync(f.path, 'utf8') })));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * `dev: 6 components, 32 objects, 0 warnings -> dist/dev/ (ConfigMap 5, Deployment 5, …)`: the
 * counts first, the (long) list of kinds last, so that a narrow terminal wraps only the detail.
 */
export function summaryLine(r: EnvironmentSummary, out: string, s: Style = style(false)): string {
  const kinds = Object.entries(r.objectsByKind).map(([kind, n]) => `${kind} ${n}`).join(', ');
  const objects = r.components.reduce((n, c) => n + c.objects, 0);
  const warnings = r.warnings.length > 0 ? s.yellow(plural(r.warnings.length, 'warning')) : plural(0, 'warning');
  const counts = `${plural(r.components.length, 'component')}, ${plural(objects, 'object')}, ${warnings}`;
  return `${s.bold(r.environment)}: ${counts} -> ${path.join(out, r.environment)}/ ${s.dim(`(${kinds})`)}`;
}

function totalLine(w: WriteResult, files: number, environments: number, outName: string, s: Style): string {
  const what = `${plural(files, 'file')} for ${plural(environments, 'environment')}`;
  if (!w.written) return s.dim(`${outName} is up to date: ${what}, nothing changed`);
  return `wrote ${what} to ${outName} (${w.changed} changed, ${w.added} added, ${w.removed} removed)`;
}

/** The overlay of one environment, and its problems; a name no overlay has is a usage error. */
interface ReadOverlays {
  readonly overlays: LoadedOverlay[];
  readonly problems: Problem[];
}

function onlyEnvironment(read: ReadOverlays, dir: string, env: string): ReadOverlays {
  const file = (f: string): string => environmentOfFile(path.basename(f));
  const known = [...new Set([...read.overlays.map((o) => file(o.file)), ...read.problems.map((p) => file(p.file))])].sort();
  if (!known.includes(env)) {
    const suggestion = didYouMean(env, known);
    const hint = suggestion ? ` (did you mean ${JSON.stringify(suggestion)}?)` : '';
    throw new UsageError(`--env ${env}: no overlay ${path.join(dir, `${env}.yaml`)}${hint}; environments: ${known.join(', ')}`);
  }
  return { overlays: read.overlays.filter((o) => file(o.file) === env), problems: read.problems.filter((p) => file(p.file) === env) };
}
