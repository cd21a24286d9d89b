/**
 * `make install ENV=<env>`: installs (or upgrades) the umbrella chart of one environment into the
 * cluster of KUBECONFIG in one step, guards included (lib/package/install.ts says how).
 *
 *   tsx scripts/install.ts --env <env> [--chart <tgz>] [--out dist] [--release platform]
 *                          [--namespace bulwark-system] [--timeout <seconds>] [-- <helm flags>...]
 *
 * --chart defaults to <out>/<env>/platform-<version>.tgz (`make package ENV=<env>` builds it).
 * Flags after `--` (`--set`, `-f`, `--wait`, …) go to both `helm template` and `helm upgrade`.
 * HELM: the helm binary (default .tools/bin/helm; .tools/bin/helm4 for Helm 4). KUBECTL: kubectl
 * (default .tools/bin/kubectl when built, else kubectl on PATH).
 * Exit 0 installed, 1 not installed (each problem on its own line), 2 usage error.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { installChart, InstallEnvironment, ProgramResult } from '../lib/package/install';

const ROOT = path.resolve(__dirname, '..');
const USAGE = 'usage: tsx scripts/install.ts --env <env> [--chart <tgz>] [--out dist] [--release platform] '
  + '[--namespace bulwark-system] [--timeout <seconds>] [-- <helm flags>...]';

export interface InstallArgs {
  readonly env: string;
  readonly chart?: string;
  readonly out: string;
  readonly release: string;
  readonly namespace: string;
  readonly timeoutSeconds: number;
  readonly helmArgs: readonly string[];
}

export class UsageError extends Error {}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function parseInstallArgs(argv: readonly string[]): InstallArgs {
  const values: Record<string, string> = {};
  const flags = ['--env', '--chart', '--out', '--release', '--namespace', '--timeout'];
  let i = 0;
  for (; i < argv.length && argv[i] !== '--'; i++) {
    const flag = argv[i];
    if (!flags.includes(flag)) throw new UsageError(`unknown argument ${JSON.stringify(flag)}; takes ${flags.join(', ')} and -- <helm flags>`);
    const value = argv[++i];
    if (value === undefined || value.startsWith('-')) throw new UsageError(`${flag} needs a value`);
    values[flag.slice(2)] = value;
  }
  if (values.env === undefined) throw new UsageError('--env <env> is required (the environment to install)');
  for (const key of ['release', 'namespace'] as const) {
    const v = values[key];
    if (v !== undefined && !DNS_LABEL.test(v)) {
      throw new UsageError(`--${key} ${JSON.stringify(v)} is not a DNS label (lowercase letters, digits, -)`);
    }
  }
  const timeout = values.timeout ?? '120';
  if (!/^[1-9][0-9]{0,4}$/.test(timeout)) throw new UsageError(`--timeout needs whole seconds from 1 to 99999, got ${JSON.stringify(timeout)}`);
  return {
    env: values.env,
    chart: values.chart,
    out: values.out ?? 'dist',
    release: values.release ?? 'platform',
    namespace: values.namespace ?? 'bulwark-system',
    timeoutSeconds: Number(timeout),
    helmArgs: argv.slice(i + 1),
  };
}

function runProgram(command: string, args: readonly string[], input?: string): Promise<ProgramResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => resolve({ code: 127, stdout, stderr: `${command}: ${e.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

const PROCESS_ENVIRONMENT: InstallEnvironment = {
  run: runProgram,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => performance.now(),
};

/** KUBECTL, else the pinned build, else kubectl on PATH; undefined when there is none. */
function findKubectl(): string | undefined {
  if (process.env.KUBECTL) return process.env.KUBECTL;
  const built = path.join(ROOT, '.tools', 'bin', 'kubectl');
  if (fs.existsSync(built)) return built;
  return (process.env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== '').map((dir) => path.join(dir, 'kubectl')).find(fs.existsSync);
}

async function main(argv: readonly string[]): Promise<number> {
  let args: InstallArgs;
  try {
    args = parseInstallArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`install: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const chart = args.chart ?? path.join(args.out, args.env, `platform-${version}.tgz`);
  if (!fs.existsSync(chart)) {
    process.stderr.write(`install: ${chart} does not exist: package it first (make package ENV=${args.env})\n`);
    return 1;
  }
  const kubectl = findKubectl();
  if (kubectl === undefined) {
    process.stderr.write('install: kubectl not found: put it on PATH, set KUBECTL, or build the pinned one (scripts/setup.sh e2e)\n');
    return 1;
  }
  const result = await installChart({
    chart,
    release: { name: args.release, namespace: args.namespace },
    helm: process.env.HELM ?? path.join(ROOT, '.tools', 'bin', 'helm'),
    kubectl,
    helmArgs: args.helmArgs,
    timeoutMs: args.timeoutSeconds * 1000,
    log: (line) => process.stdout.write(`install: ${line}\n`),
  }, PROCESS_ENVIRONMENT);
  for (const problem of result.problems) process.stderr.write(`install: ${problem}\n`);
  return result.ok ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: Error) => {
      process.stderr.write(`install: ${e.stack ?? e.message}\n`);
      process.exitCode = 1;
    },
  );
}
