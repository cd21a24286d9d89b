/**
 * Why jest failed, from its `--json` report, for a CI log (scripts/test.sh runs it when jest fails):
 * each failed test with its assertion (the first lines of each failure message, stack frames of
 * node_modules and node internals left out), and each suite that failed to run with its error.
 *
 *   npx tsx scripts/jest-failures.ts <report.json> [--root DIR]
 *
 * Paths under DIR (default: the repository) are printed relative to it.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The parts of jest's `--json` report read here. */
export interface JestReport {
  readonly testResults: readonly {
    /** Absolute path of the test file. */
    readonly name: string;
    readonly status: string;
    /** The suite's error when it failed to run (and every failure of it otherwise). */
    readonly message: string;
    readonly assertionResults: readonly { readonly fullName: string; readonly status: string; readonly failureMessages: readonly string[] }[];
  }[];
  readonly snapshot?: { readonly unmatched: number; readonly filesAdded: number; readonly unchecked: number };
}

export interface FailureOptions {
  /** Paths under it are shown relative to it. */
  readonly root: string;
  /** Lines kept of each failure message. @default 20 */
  readonly linesPerFailure?: number;
  /** Failed tests shown in full; the rest are only counted. @default 15 */
  readonly maxFailures?: number;
}

const ANSI = new RegExp('\u001b\\[[0-9;]*m', 'g');
const FOREIGN_FRAME = /^\s*at .*(node_modules[\\/]|node:internal|<anonymous>\)?$)/;

/** The report's failures as lines: a heading per failed test or broken suite, its message indented below. */
export function failureLines(report: JestReport, options: FailureOptions): string[] {
  const perFailure = options.linesPerFailure ?? 20;
  const max = options.maxFailures ?? 15;
  const rel = (text: string): string => text.split(`${options.root}${path.sep}`).join('');
  const body = (message: string): string[] => {
    const lines = rel(message.replace(ANSI, ''))
      .split('\n')
      .filter((l) => !FOREIGN_FRAME.test(l))
      .map((l) => l.trimEnd());
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    const indent = Math.min(...lines.filter((l) => l !== '').map((l) => l.length - l.trimStart().length));
    const kept = lines.slice(0, perFailure).map((l) => (l === '' ? '' : `    ${l.slice(indent)}`));
    if (lines.length > perFailure) kept.push(`    … ${lines.length - perFailure} more lines`);
    return kept;
  };
  const out: string[] = [];
  let shown = 0;
  let skipped = 0;
  for (const suite of report.testResults) {
    const file = path.relative(options.root, suite.name);
    const failed = suite.assertionResults.filter((a) => a.status === 'failed');
    const entries: [string, readonly string[]][] = failed.map((a) => [`✕ ${file} › ${a.fullName}`, a.failureMessages]);
    if (failed.length === 0 && suite.status === 'failed') entries.push([`✕ ${file}: the suite failed to run`, [suite.message]]);
    for (const [heading, messages] of entries) {
      if (shown === max) {
        skipped++;
        continue;
      }
      shown++;
      out.push(heading, ...messages.flatMap(body));
    }
  }
  if (skipped > 0) out.push(`… and ${skipped} more failed tests (run jest to see them)`);
  if ((report.snapshot?.unmatched ?? 0) > 0) out.push(`${report.snapshot!.unmatched} snapshots do not match: review the diff, then make update`);
  return out;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const rootAt = args.indexOf('--root');
  const root = rootAt === -1 ? path.resolve(__dirname, '..') : path.resolve(args.splice(rootAt, 2)[1]);
  if (args.length !== 1) {
    process.stderr.write('usage: jest-failures.ts <report.json> [--root DIR]\n');
    process.exit(2);
  }
  const report = JSON.parse(fs.readFileSync(args[0], 'utf8')) as JestReport;
  for (const line of failureLines(report, { root })) process.stdout.write(`${line}\n`);
}
