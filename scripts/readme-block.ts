/**
 * A generated block of README.md between two markers, replaced in place (make docs), or compared
 * with the committed README (`--check`): what the docs generators share.
 */
import * as fs from 'fs';
import * as path from 'path';

export const README_FILE = path.join(path.resolve(__dirname, '..'), 'README.md');

/** `readme` with the block that starts with `startPrefix` and ends with `endMarker` replaced by `block` (markers included). */
export function withBlock(readme: string, startPrefix: string, endMarker: string, block: string): string {
  const start = readme.indexOf(startPrefix);
  const end = readme.indexOf(endMarker);
  if (start === -1 || end < start) throw new Error(`README.md has no ${startPrefix} … ${endMarker} block`);
  return readme.slice(0, start) + block + readme.slice(end + endMarker.length);
}

/** Writes README.md with the block replaced, or with `--check` in argv exits 1 when it is stale, naming `what`. */
export function updateReadme(startPrefix: string, endMarker: string, block: string, what: string): void {
  const current = fs.readFileSync(README_FILE, 'utf8');
  const text = withBlock(current, startPrefix, endMarker, block);
  if (current === text) return;
  if (process.argv.includes('--check')) {
    process.stderr.write(`README.md is out of date (${what}): run make docs\n`);
    process.exit(1);
  }
  fs.writeFileSync(README_FILE, text);
  process.stdout.write('wrote README.md\n');
}
