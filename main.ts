/**
 * Bulwark's command line: the only place that reads argv, the process environment and
 * package.json. Everything else takes plain arguments.
 *
 *   tsx main.ts synth [--overlays overlays] [--out dist] [--quiet]
 *   tsx main.ts package --env <env> [--out dist]
 *
 * `npx cdk8s synth` runs `synth` too (see cdk8s.yaml); CDK8S_OUTDIR then receives a copy.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CheckError } from './lib/checks';
import { ConfigError } from './lib/config/errors';
import { loadOverlays } from './lib/config/load-overlay';
import { packageEnvironment } from './lib/package/umbrella-chart';
import { writeTreeAtomically } from './lib/synth/atomic-writer';
import { EnvironmentResult, synthesize } from './lib/synth/pipeline';

interface Options {
  readonly command: 'synth' | 'package' | 'help';
  readonly overlays: string;
  readonly out: string;
  readonly env?: string;
  readonly quiet: boolean;
}

const USAGE = `usage: bulwark <command> [options]

commands:
  synth      synthesize every overlay into <out>/<env>/<component>/*.yaml (default)
  package    build the umbrella Helm chart of one environment: <out>/<env>/platform-<version>.tgz
  help       show this text

options:
  --overlays <dir>   overlay directory (default: overlays)
  --out <dir>        output directory (default: dist)
  --env <name>       environment to package (package only)
  --quiet, -q        print errors only
`;

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Options {
  let command: Options['command'] = 'synth';
  let overlays = 'overlays';
  let out = 'dist';
  let env: string | undefined;
  let quiet = false;
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('-')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === 'synth' || arg === 'package' || arg === 'help') command = arg;
    else if (arg === '--help' || arg === '-h') command = 'help';
    else if (arg === '--quiet' || arg === '-q') quiet = true;
    else if (arg === '--overlays') overlays = value(i++, arg);
    else if (arg === '--out') out = value(i++, arg);
    else if (arg === '--env') env = value(i++, arg);
    else throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  if (command === 'package' && env === undefined) throw new UsageError('package needs --env <name>');
  return { command, overlays, out, env, quiet };
}

function platformVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function summaryLine(r: EnvironmentResult, out: string): string {
  const kinds = Object.entries(r.objectsByKind).map(([kind, n]) => `${kind} ${n}`).join(', ');
  const objects = r.components.reduce((n, c) => n + c.objects, 0);
  return `${r.environment}: ${r.components.length} components, ${objects} objects (${kinds}) -> ${path.join(out, r.environment)}/`;
}

function runSynth(opts: Options, log: (line: string) => void): void {
  const overlays = loadOverlays(opts.overlays);
  const result = synthesize(overlays, {
    platformVersion: platformVersion(),
    onEnvironment: (r) => {
      log(summaryLine(r, opts.out));
      for (const w of r.warnings) log(`  warning: ${w.check}: ${w.object}: ${w.message}`);
    },
  });
  writeTreeAtomically(opts.out, result.files);
  const cdk8sOut = process.env.CDK8S_OUTDIR;
  if (cdk8sOut && path.resolve(cdk8sOut) !== path.resolve(opts.out)) {
    // `cdk8s synth` empties and then lists its output dir; dist/ itself stays ours to swap.
    fs.cpSync(opts.out, cdk8sOut, { recursive: true });
  }
  log(`wrote ${result.files.size} files for ${result.environments.length} environments to ${opts.out}/`);
}

function main(argv: readonly string[]): number {
  let opts: Options;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const log = (line: string): void => {
    if (!opts.quiet) process.stdout.write(`${line}\n`);
  };
  try {
    if (opts.command === 'help') process.stdout.write(USAGE);
    else if (opts.command === 'synth') runSynth(opts, log);
    else {
      const tgz = packageEnvironment({ distDir: opts.out, environment: opts.env!, version: platformVersion(), chartsDir: path.join(__dirname, 'charts'), helm: helmBinary() });
      log(`packaged ${tgz}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof CheckError) {
      process.stderr.write(`${e.message.split('\n').map((l) => `error: ${l}`).join('\n')}\n`);
      return 1;
    }
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  }
}

function helmBinary(): string {
  return process.env.HELM ?? path.join(__dirname, '.tools', 'bin', 'helm');
}

process.exitCode = main(process.argv.slice(2));
