/**
 * The CLI against the real process, for both entry points: main.ts (`tsx main.ts`,
 * `node .build/main.js`, `npx cdk8s synth`) and the startup snapshot (`snapshot-main.ts`, what
 * `bin/bulwark` runs). They hand over the repository root and the arguments; the environment,
 * package.json and the terminals are read here, so both behave the same.
 *
 * Everything is read when called, never when the module loads: in a startup snapshot, whatever a
 * module reads at load time (process.env, cwd, package.json, __dirname) is frozen at build time.
 */
import * as fs from 'fs';
import * as path from 'path';
import { run } from './cli';
import { CliContext } from './context';

/** How this process runs Bulwark: compiled JavaScript (.build/, the snapshot) or TypeScript (tsx). */
export interface ProcessOptions {
  /**
   * Only compiled runs synthesize on worker threads: the worker is the compiled
   * .build/lib/synth/environment-worker.js, which under tsx could be older than the sources.
   */
  readonly compiled: boolean;
}

/** The context of this process; paths of the repository are taken from `root`. */
export function processContext(root: string, options: ProcessOptions = { compiled: false }): CliContext {
  const env = process.env;
  const cdk8sOutdir = env.CDK8S_OUTDIR !== undefined && env.CDK8S_OUTDIR !== '' ? env.CDK8S_OUTDIR : undefined;
  return {
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    stderrColumns: process.stderr.columns,
    noColor: isSet(env.NO_COLOR),
    dumbTerminal: env.TERM === 'dumb',
    cdk8sOutdir,
    platformVersion: platformVersion(root),
    chartsDir: path.join(root, 'charts'),
    helm: env.HELM ?? path.join(root, '.tools', 'bin', 'helm'),
    kubectl: env.KUBECTL ?? (fs.existsSync(path.join(root, '.tools', 'bin', 'kubectl')) ? path.join(root, '.tools', 'bin', 'kubectl') : 'kubectl'),
    testWriteDelayMs: envInteger('BULWARK_TEST_WRITE_DELAY_MS'),
    testSwapDelayMs: envInteger('BULWARK_TEST_SWAP_DELAY_MS'),
    debug: isSet(env.BULWARK_DEBUG) && env.BULWARK_DEBUG !== '0',
    now: () => performance.now(),
    readStdin: () => fs.readFileSync(0, 'utf8'),
    epochMs: () => Date.now(),
    workerScript: options.compiled ? path.join(root, '.build', 'lib', 'synth', 'environment-worker.js') : undefined,
    writerScript: options.compiled ? path.join(root, '.build', 'lib', 'synth', 'tree-writer-worker.js') : undefined,
  };
}

/**
 * The exit code of the process for `run`'s `code`. `cdk8s synth` reports a failing app with a
 * stack trace of its own. It also fails, with one plain line and exit code 1, when the app exits 0
 * without creating the output directory it emptied beforehand. So under cdk8s (which sets
 * CDK8S_OUTDIR and CDK8S_RECORD_CONSTRUCT_METADATA) a failed run exits 0 and leaves CDK8S_OUTDIR
 * absent: `npx cdk8s synth` still exits 1, and prints our error lines and no trace. When that
 * directory exists (cdk8s --stdout uses a temporary one), the exit code stays as it is.
 */
export function processExitCode(code: number, ctx: Pick<CliContext, 'cwd' | 'cdk8sOutdir'>): number {
  const underCdk8s = ctx.cdk8sOutdir !== undefined && process.env.CDK8S_RECORD_CONSTRUCT_METADATA !== undefined;
  if (code !== 0 && underCdk8s && !fs.existsSync(path.resolve(ctx.cwd, ctx.cdk8sOutdir!))) return 0;
  return code;
}

/** Runs the command line `args` (without node and the script) and sets the process's exit code. */
export function runProcess(root: string, args: readonly string[], options: ProcessOptions = { compiled: false }): void {
  const ctx = processContext(root, options);
  process.exitCode = processExitCode(run(args, ctx), ctx);
}

function platformVersion(root: string): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== '';
}

/** A non-negative integer from the environment, or undefined. */
function envInteger(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || !/^[0-9]+$/.test(raw)) return undefined;
  return Number(raw);
}
