/**
 * Bulwark's command line: the only place that reads argv, the process environment and
 * package.json. Everything else takes plain arguments; the commands live in lib/cli/cli.ts.
 *
 *   tsx main.ts synth [--overlays overlays] [--out dist] [--quiet]
 *   tsx main.ts package --env <env> [--out dist]
 *
 * `npx cdk8s synth` runs `synth` too (see cdk8s.yaml); CDK8S_OUTDIR then receives a copy.
 */
import * as fs from 'fs';
import * as path from 'path';
import { run } from './lib/cli/cli';

// The repository root: this file's folder, or its parent when running compiled from .build/.
const ROOT = path.basename(__dirname) === '.build' ? path.dirname(__dirname) : __dirname;

function platformVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** A non-negative integer from the environment, or undefined. */
function envInteger(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || !/^[0-9]+$/.test(raw)) return undefined;
  return Number(raw);
}

const env = process.env;
const cdk8sOutdir = env.CDK8S_OUTDIR !== undefined && env.CDK8S_OUTDIR !== '' ? env.CDK8S_OUTDIR : undefined;

const code = run(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  stderrColumns: process.stderr.columns,
  noColor: env.NO_COLOR !== undefined && env.NO_COLOR !== '',
  dumbTerminal: env.TERM === 'dumb',
  cdk8sOutdir,
  platformVersion: platformVersion(),
  chartsDir: path.join(ROOT, 'charts'),
  helm: env.HELM ?? path.join(ROOT, '.tools', 'bin', 'helm'),
  testWriteDelayMs: envInteger('BULWARK_TEST_WRITE_DELAY_MS'),
  testSwapDelayMs: envInteger('BULWARK_TEST_SWAP_DELAY_MS'),
  debug: env.BULWARK_DEBUG !== undefined && env.BULWARK_DEBUG !== '' && env.BULWARK_DEBUG !== '0',
  now: () => performance.now(),
});

// `cdk8s synth` reports a failing app with a stack trace of its own. It also fails, with one plain
// line and exit code 1, when the app exits 0 without creating the output directory it emptied
// beforehand. So under cdk8s (which sets both variables below) a failed run exits 0 and leaves
// CDK8S_OUTDIR absent: `npx cdk8s synth` still exits 1, and prints our error lines and no trace.
// When that directory exists (cdk8s --stdout uses a temporary one), the exit code stays as it is.
const underCdk8s = cdk8sOutdir !== undefined && env.CDK8S_RECORD_CONSTRUCT_METADATA !== undefined;
if (code !== 0 && underCdk8s && !fs.existsSync(path.resolve(cdk8sOutdir))) process.exitCode = 0;
else process.exitCode = code;
