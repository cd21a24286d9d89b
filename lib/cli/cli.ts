/**
 * The `bulwark` command line, as a function: `run(argv, context)` returns the exit code and
 * writes only through `context`. main.ts builds the context from the real process (argv, the
 * environment, package.json, TTYs); tests call `run` directly with their own.
 *
 * Exit codes: 0 success, 1 invalid input or failed synthesis (dist/ untouched), 2 usage error.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CheckError } from '../checks';
import { ConfigError, didYouMean, Problem } from '../config/errors';
import { LoadedOverlay, readOverlays } from '../config/load-overlay';
import { buildModel } from '../model/platform-model';
import { packageEnvironment } from '../package/umbrella-chart';
import { recoverInterruptedWrite, TreeWriter, WriteResult } from '../synth/atomic-writer';
import { EnvironmentWorkers } from '../synth/parallel';
import { EnvironmentSummary, synthesizeInto } from '../synth/pipeline';
import { ProgressLine, Style, style } from './terminal';

export interface CliContext {
  /** Directory relative paths (--overlays, --out) are resolved against; messages keep them relative. */
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /** Width of the terminal behind stderr, for the progress line. */
  readonly stderrColumns?: number;
  /** NO_COLOR is set to a non-empty value (https://no-color.org). */
  readonly noColor: boolean;
  /** TERM=dumb: no cursor movement, so no progress line. */
  readonly dumbTerminal: boolean;
  /**
   * Set when `cdk8s synth` runs us (CDK8S_OUTDIR): it expects the manifests there, and it swallows
   * our stdout, so the summary goes to stderr.
   */
  readonly cdk8sOutdir?: string;
  /** Version of Bulwark (package.json). */
  readonly platformVersion: string;
  /** charts/ of the repository (umbrella chart parts). */
  readonly chartsDir: string;
  readonly helm: string;
  /** Test hooks, see WriteOptions.delayMs and swapDelayMs. */
  readonly testWriteDelayMs?: number;
  readonly testSwapDelayMs?: number;
  /** Print the stack of unexpected errors (BULWARK_DEBUG=1). */
  readonly debug: boolean;
  /**
   * The compiled synthesis worker (.build/lib/synth/environment-worker.js), for --jobs. Without it
   * (tsx, tests calling run()) synthesis stays on this thread.
   */
  readonly workerScript?: string;
  /** The compiled writer thread (.build/lib/synth/tree-writer-worker.js); see workerScript. */
  readonly writerScript?: string;
  readonly now: () => number;
}

interface Options {
  readonly command: 'synth' | 'package' | 'help';
  readonly overlays: string;
  readonly out: string;
  readonly env?: string;
  readonly quiet: boolean;
  /** --jobs: threads for synthesis; undefined = one (see synthesisThreads). */
  readonly jobs?: number;
}

export const USAGE = `usage: bulwark <command> [options]

commands:
  synth      synthesize every overlay into <out>/<env>/<component>/*.yaml (default)
  package    build the umbrella Helm chart of one environment: <out>/<env>/platform-<version>.tgz
  help       show this text

options:
  --overlays <dir>   overlay directory (default: overlays)
  --out <dir>        output directory (default: dist)
  --env <name>       environment to package (package only)
  --quiet, -q        print errors only
  --jobs <n>         synthesize environments on up to n threads (default 1; for 4+ cores)

environment:
  NO_COLOR=1         no colors (colors are used only on a terminal anyway)
  BULWARK_DEBUG=1    print the stack trace of unexpected errors

exit codes: 0 success, 1 invalid input or failed synthesis (<out> is left as it was), 2 usage error
`;

const COMMANDS = ['synth', 'package', 'help'] as const;
const FLAGS = ['--overlays', '--out', '--env', '--quiet', '--jobs', '--help'];

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Options {
  let command: Options['command'] = 'synth';
  let overlays = 'overlays';
  let out = 'dist';
  let env: string | undefined;
  let quiet = false;
  let jobs: number | undefined;
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('-')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if ((COMMANDS as readonly string[]).includes(arg)) command = arg as Options['command'];
    else if (arg === '--help' || arg === '-h') command = 'help';
    else if (arg === '--quiet' || arg === '-q') quiet = true;
    else if (arg === '--overlays') overlays = value(i++, arg);
    else if (arg === '--out') out = value(i++, arg);
    else if (arg === '--env') env = value(i++, arg);
    else if (arg === '--jobs') {
      const v = value(i++, arg);
      if (!/^[1-9][0-9]{0,2}$/.test(v)) throw new UsageError(`--jobs needs a whole number from 1 to 999, got ${JSON.stringify(v)}`);
      jobs = Number(v);
    } else {
      const suggestion = didYouMean(arg, arg.startsWith('-') ? FLAGS : COMMANDS);
      throw new UsageError(`unknown argument ${JSON.stringify(arg)}${suggestion ? ` (did you mean ${JSON.stringify(suggestion)}?)` : ''}`);
    }
  }
  if (command === 'package' && env === undefined) throw new UsageError('package needs --env <name>');
  return { command, overlays, out, env, quiet, jobs };
}

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
  if (opts.command !== 'synth') return;
  const out = path.resolve(cwd, opts.out);
  const overlays = path.resolve(cwd, opts.overlays);
  const holds = isWithin(cwd, out) ? 'the working directory' : isWithin(overlays, out) ? 'the overlays' : undefined;
  if (holds) throw new UsageError(`--out ${opts.out} would replace ${holds}: synth replaces its output directory as a whole; use a directory of its own, such as dist`);
}

/** Runs one command; returns the exit code. Never throws. */
export function run(argv: readonly string[], ctx: CliContext): number {
  const errStyle = style(ctx.stderrIsTTY && !ctx.noColor);
  let opts: Options;
  try {
    opts = parseArgs(argv);
    checkOutputDirectory(opts, ctx.cwd);
  } catch (e) {
    ctx.stderr(`${errStyle.red('error:')} ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  // Under cdk8s, stdout is captured and discarded: the summary goes where the user can see it.
  const summaryToStderr = ctx.cdk8sOutdir !== undefined;
  const outStyle = summaryToStderr ? errStyle : style(ctx.stdoutIsTTY && !ctx.noColor);
  const log = (line: string): void => {
    if (opts.quiet) return;
    if (summaryToStderr) ctx.stderr(`${line}\n`);
    else ctx.stdout(`${line}\n`);
  };
  const progress = new ProgressLine(ctx.stderr, {
    enabled: ctx.stderrIsTTY && !opts.quiet && !ctx.dumbTerminal,
    now: ctx.now,
    columns: ctx.stderrColumns,
  });
  try {
    if (opts.command === 'help') ctx.stdout(USAGE);
    else if (opts.command === 'synth') runSynth(opts, ctx, log, outStyle, progress);
    else {
      const tgz = packageEnvironment({
        distDir: path.resolve(ctx.cwd, opts.out),
        environment: opts.env!,
        version: ctx.platformVersion,
        chartsDir: ctx.chartsDir,
        helm: ctx.helm,
      });
      log(`packaged ${path.relative(ctx.cwd, tgz)}`);
    }
    return 0;
  } catch (e) {
    progress.clear();
    const known = e instanceof ConfigError || e instanceof CheckError;
    const message = (e as Error)?.message ?? String(e);
    const lines = message.split('\n').filter((l) => l.trim() !== '');
    ctx.stderr(lines.map((l) => `${errStyle.red('error:')} ${l}\n`).join(''));
    if (!known && ctx.debug && e instanceof Error && e.stack) ctx.stderr(`${e.stack}\n`);
    return 1;
  }
}

function runSynth(opts: Options, ctx: CliContext, log: (line: string) => void, s: Style, progress: ProgressLine): void {
  const out = path.resolve(ctx.cwd, opts.out);
  const onWait = opts.quiet ? undefined : (message: string): void => ctx.stderr(`${message}\n`);
  // First of all: put back a tree that a run killed mid-swap left aside, whatever happens next.
  recoverInterruptedWrite(out, { onWait });
  const overlaySizes = overlayFileSizes(path.resolve(ctx.cwd, opts.overlays));
  const threads = synthesisThreads(opts, overlaySizes);
  // Workers start before the overlays are read, so that they load their code meanwhile.
  const workers = threads > 1 && ctx.workerScript !== undefined && fs.existsSync(ctx.workerScript) ? new EnvironmentWorkers({ workerScript: ctx.workerScript, threads }) : undefined;
  const onProgress = (environment: string, index: number, count: number): void => progress.update(`synthesizing ${environment} (${index + 1}/${count} environments)`);
  const outName = `${opts.out.replace(/\/+$/, '')}/`;
  let writer: TreeWriter | undefined;
  let environments: readonly EnvironmentSummary[];
  let files = 0;
  let written: WriteResult;
  try {
    const overlays = loadValidOverlays(opts.overlays, ctx);
    // Each environment is staged beside <out> as soon as it is synthesized (on a writer thread for
    // large platforms), while the next one is synthesized; <out> is swapped once all passed.
    writer = TreeWriter.open(out, {
      delayMs: ctx.testWriteDelayMs,
      swapDelayMs: ctx.testSwapDelayMs,
      onWait,
      onFile: (n, total) => progress.update(`writing ${outName} (${n}/${total} files)`),
      writerScript: ctx.writerScript !== undefined && fs.existsSync(ctx.writerScript) && overlaySizes.reduce((a, b) => a + b, 0) >= BACKGROUND_WRITE_MIN_OVERLAY_BYTES ? ctx.writerScript : undefined,
    });
    const sink = (part: Map<string, string>): void => {
      files += part.size;
      writer!.add(part);
    };
    environments = workers ? workers.synthesize(overlays, ctx.platformVersion, sink, onProgress) : synthesizeInto(overlays, { platformVersion: ctx.platformVersion, onProgress }, sink);
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

/** Sizes of the overlay files in `dir` (none when it cannot be read: loading reports that). */
function overlayFileSizes(dir: string): number[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && /\.ya?ml$/.test(e.name)).map((e) => fs.statSync(path.join(dir, e.name)).size);
  } catch {
    return [];
  }
}

/**
 * The overlays, when all are valid. Otherwise every problem of every file: those that fail the
 * schema, and the rule violations (the model's checks) of those that pass it, grouped by file.
 */
function loadValidOverlays(dir: string, ctx: CliContext): LoadedOverlay[] {
  const { overlays, problems } = readOverlays(dir, { cwd: ctx.cwd });
  if (problems.length === 0) return overlays;
  const all: Problem[] = [...problems];
  for (const o of overlays) {
    try {
      buildModel(o, ctx.platformVersion);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      all.push(...e.problems);
    }
  }
  const files = [...new Set(all.map((p) => p.file))].sort();
  throw new ConfigError(files.flatMap((f) => all.filter((p) => p.file === f)));
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
  const warnings = plural(r.warnings.length, 'warning');
  return `${s.bold(r.environment)}: ${plural(r.components.length, 'component')}, ${plural(objects, 'object')}, ${r.warnings.length > 0 ? s.yellow(warnings) : warnings} -> ${path.join(out, r.environment)}/ ${s.dim(`(${kinds})`)}`;
}

function totalLine(w: WriteResult, files: number, environments: number, outName: string, s: Style): string {
  const what = `${plural(files, 'file')} for ${plural(environments, 'environment')}`;
  if (!w.written) return s.dim(`${outName} is up to date: ${what}, nothing changed`);
  return `wrote ${what} to ${outName} (${w.changed} changed, ${w.added} added, ${w.removed} removed)`;
}
