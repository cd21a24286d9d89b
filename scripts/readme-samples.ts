/**
 * The README's sample output, generated: what `make synth` prints on a fresh clone of the
 * committed overlays, written between `<!-- synth-sample:start -->` and `<!-- synth-sample:end -->`
 * so that its counts never go stale. `make update` runs it; a test runs `--check`.
 *
 *   npx tsx scripts/readme-samples.ts [--check]
 */
import * as fs from 'fs';
import * as path from 'path';
import { summaryLine } from '../lib/cli/synth-command';
import { readOverlays } from '../lib/config/load-overlay';
import { synthesize } from '../lib/synth/pipeline';

const ROOT = path.resolve(__dirname, '..');
export const README = path.join(ROOT, 'README.md');
const START = '<!-- synth-sample:start -->';
const END = '<!-- synth-sample:end -->';
/** Kinds shown per environment before the list is cut with "…" (the full list is long). */
const KINDS_SHOWN = 2;

/** The console block: one summary line per environment, then the total of a first write. */
export function synthSample(root: string, version: string): string {
  const { overlays, problems } = readOverlays(path.join(root, 'overlays'), { cwd: root });
  if (problems.length > 0) throw new Error(`the committed overlays have problems; run make synth to see them`);
  const { environments, files } = synthesize(overlays, { platformVersion: version });
  const lines = environments.map((r) => {
    const kinds = Object.entries(r.objectsByKind);
    const shown = { ...r, objectsByKind: Object.fromEntries(kinds.slice(0, KINDS_SHOWN)) };
    const line = summaryLine(shown, 'dist');
    return kinds.length > KINDS_SHOWN ? line.replace(/\)$/, ', …)') : line;
  });
  const total = `wrote ${files.size} files for ${environments.length} environments to dist/ (0 changed, ${files.size} added, 0 removed)`;
  return ['```console', '$ make synth', ...lines, total, '```'].join('\n');
}

/** `readme` with its sample block replaced by `sample`. */
export function withSample(readme: string, sample: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end < start) throw new Error(`README.md has no ${START} … ${END} block`);
  return `${readme.slice(0, start + START.length)}\n${sample}\n${readme.slice(end)}`;
}

function main(): void {
  const check = process.argv.includes('--check');
  const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const readme = fs.readFileSync(README, 'utf8');
  const next = withSample(readme, synthSample(ROOT, version));
  if (next === readme) return;
  if (check) {
    process.stderr.write('README.md: the sample output of make synth is stale; run make update\n');
    process.exitCode = 1;
    return;
  }
  fs.writeFileSync(README, next);
  process.stdout.write('README.md: sample output of make synth updated\n');
}

if (require.main === module) main();
