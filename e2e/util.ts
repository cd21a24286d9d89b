/**
 * Shared helpers of the e2e driver: running commands, counting assertions, comparing objects.
 */
import { spawn } from 'child_process';

// ------------------------------------------------------------------------------------------------
// Commands
// ------------------------------------------------------------------------------------------------

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** "cmd args..." for messages */
  readonly command: string;
}

export interface RunOptions {
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default the current directory */
  readonly cwd?: string;
  /** Kills the command (SIGKILL) after this long. @default 120_000 */
  readonly timeoutMs?: number;
  /** Written to the command's stdin. @default '' */
  readonly input?: string;
}

export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const command = [cmd.split('/').pop(), ...args].join(' ');
  return new Promise((resolve) => {
    const child = spawn(cmd, [...args], { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout: '', stderr: e.message, command });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8') + (signal ? `\n(killed by ${signal})` : '');
      resolve({ code: code ?? 128, stdout: Buffer.concat(out).toString('utf8'), stderr, command });
    });
    // A command that exits without reading its input closes the pipe first: EPIPE, not a failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

// ------------------------------------------------------------------------------------------------
// Assertions
// ------------------------------------------------------------------------------------------------

export interface Failure {
  readonly group: string;
  readonly name: string;
  readonly detail: string;
}

/**
 * Counts assertions. Each `check` is one assertion; failures are printed at once with their detail,
 * passes only in verbose mode (groups print one summary line each through `summary`).
 */
export class Assertions {
  passed = 0;
  failed = 0;
  readonly failures: Failure[] = [];
  private groupCounts = new Map<string, { passed: number; failed: number; start: number }>();
  /** Output of a fork, printed when it is merged back (so concurrent phases do not interleave). */
  private readonly buffer: string[] | undefined;

  constructor(
    private readonly verbose: boolean,
    buffered = false,
  ) {
    this.buffer = buffered ? [] : undefined;
  }

  private write(text: string): void {
    if (this.buffer) this.buffer.push(text);
    else process.stdout.write(text);
  }

  /** A child that counts on its own and buffers its output until merge(). */
  fork(): Assertions {
    return new Assertions(this.verbose, true);
  }

  /** Adds a fork's counts and failures, and prints its buffered output. */
  merge(child: Assertions): void {
    this.passed += child.passed;
    this.failed += child.failed;
    this.failures.push(...child.failures);
    for (const text of child.buffer ?? []) this.write(text);
    child.buffer?.splice(0);
  }

  check(group: string, name: string, ok: boolean, detail = ''): boolean {
    const g = this.groupCounts.get(group) ?? { passed: 0, failed: 0, start: Date.now() };
    this.groupCounts.set(group, g);
    if (ok) {
      this.passed++;
      g.passed++;
      if (this.verbose) this.write(`  ok    ${group}: ${name}\n`);
    } else {
      this.failed++;
      g.failed++;
      this.failures.push({ group, name, detail });
      this.write(`  FAIL  ${group}: ${name}\n`);
      if (detail) this.write(`${detail.trimEnd().split('\n').slice(0, 40).map((l) => `        | ${l}`).join('\n')}\n`);
    }
    return ok;
  }

  /** Start timing a group (so its summary shows the time of the whole step). */
  begin(group: string): void {
    if (!this.groupCounts.has(group)) this.groupCounts.set(group, { passed: 0, failed: 0, start: Date.now() });
  }

  /** One line per group: "ok    <group>: <what>  (n assertions, t s)". */
  summary(group: string, what: string): { passed: number; failed: number } {
    const g = this.groupCounts.get(group) ?? { passed: 0, failed: 0, start: Date.now() };
    const secs = ((Date.now() - g.start) / 1000).toFixed(1);
    const status = g.failed > 0 ? 'FAIL' : 'ok';
    this.write(`${status.padEnd(5)} ${`${group}: ${what}`.padEnd(72)} ${String(g.passed + g.failed).padStart(3)} checks ${secs.padStart(5)}s\n`);
    return { passed: g.passed, failed: g.failed };
  }
}

// ------------------------------------------------------------------------------------------------
// Comparing what was applied with what the server stores
// ------------------------------------------------------------------------------------------------

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const FACTOR: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** Kubernetes quantity -> number, or undefined if `s` is not a quantity. */
export function quantityValue(s: string): number | undefined {
  const m = QUANTITY.exec(s);
  return m ? Number(m[1]) * FACTOR[m[2] ?? ''] : undefined;
}

function scalarEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'string' && typeof b === 'string') {
    const x = quantityValue(a);
    const y = quantityValue(b);
    return x !== undefined && y !== undefined && Math.abs(x - y) <= Math.abs(x) * 1e-12;
  }
  if ((typeof a === 'number' && typeof b === 'string') || (typeof a === 'string' && typeof b === 'number')) return String(a) === String(b);
  return false;
}

function isEmpty(v: unknown): boolean {
  return v === null || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
}

/**
 * Differences where `actual` (the server's object) does not contain `expected` (what was applied):
 * every field of `expected` must be present with an equal value (quantities compared by value; the
 * server may add defaults and metadata, and may drop empty maps/lists). Paths listed in `ignore`
 * (dotted, e.g. "metadata.labels.app.kubernetes.io/managed-by" written as an array path) are skipped.
 */
export function containsAll(expected: unknown, actual: unknown, ignore: readonly (readonly string[])[] = [], at: string[] = []): string[] {
  if (ignore.some((p) => p.length === at.length && p.every((s, i) => s === at[i]))) return [];
  const where = at.length === 0 ? '(root)' : at.join('.');
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      return isEmpty(expected) && actual === undefined ? [] : [`${where}: expected a list, found ${JSON.stringify(actual)}`];
    }
    if (expected.length !== actual.length) return [`${where}: expected ${expected.length} items, found ${actual.length}`];
    return expected.flatMap((e, i) => containsAll(e, actual[i], ignore, [...at, String(i)]));
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) {
      return isEmpty(expected) && actual === undefined ? [] : [`${where}: expected an object, found ${JSON.stringify(actual)}`];
    }
    return Object.entries(expected).flatMap(([k, v]) => containsAll(v, (actual as Record<string, unknown>)[k], ignore, [...at, k]));
  }
  // null, and zero values of fields the server omits when empty (`omitempty`: false, 0, "")
  if (actual === undefined && (expected === null || expected === undefined || expected === false || expected === 0 || expected === '')) return [];
  return scalarEqual(expected, actual) ? [] : [`${where}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(actual)}`];
}

export function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}
