import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CliContext, run } from '../../lib/cli/cli';
import { ROOT } from '../helpers';

export const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
export const MAIN = path.join(ROOT, 'main.ts');
export const FIXTURES = path.join(ROOT, '__tests__', 'fixtures');

export const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in this process, the way main.ts does, with output captured. */
export function runCli(argv: readonly string[], overrides: Partial<CliContext> & { cwd: string }): Captured {
  let stdout = '';
  let stderr = '';
  const code = run(argv, {
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; },
    stdoutIsTTY: false,
    stderrIsTTY: false,
    noColor: false,
    dumbTerminal: false,
    platformVersion: VERSION,
    chartsDir: path.join(ROOT, 'charts'),
    helm: path.join(ROOT, '.tools', 'bin', 'helm'),
    debug: false,
    now: () => 0,
    ...overrides,
  });
  return { code, stdout, stderr };
}

/** Runs the real CLI (`tsx main.ts …`) in its own process. */
export function spawnCli(args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Captured> {
  return spawnCapture(TSX, [MAIN, ...args], { cwd: opts.cwd, env: { ...cleanEnv(), ...opts.env } });
}

/** Runs `command` to its end with stdout and stderr captured. */
export function spawnCapture(command: string, args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Captured> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, opts);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The test process's environment without what would change the CLI's behaviour. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (k.startsWith('BULWARK_') || k.startsWith('CDK8S_') || k === 'NO_COLOR' || k === 'FORCE_COLOR') delete env[k];
  }
  return env;
}

/** Every file of a directory: relative path → bytes (base64), to prove that it did not change. */
export function treeBytes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = fs.readFileSync(full).toString('base64');
    }
  };
  walk(dir);
  return out;
}
