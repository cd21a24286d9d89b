import * as fs from 'fs';
import * as path from 'path';

/**
 * Replaces `target` with a directory holding exactly `files` (relative path → content), so that a
 * reader (or a process killed mid-run) sees either the old tree or the new one, never a mix.
 * The new tree is written beside the target and swapped in with two renames.
 */
export function writeTreeAtomically(target: string, files: ReadonlyMap<string, string>): void {
  const absolute = path.resolve(target);
  const parent = path.dirname(absolute);
  const base = path.basename(absolute);
  fs.mkdirSync(parent, { recursive: true });
  recoverInterruptedSwap(absolute);
  const staging = fs.mkdtempSync(path.join(parent, `.${base}-new-`));
  try {
    const dirs = new Set<string>();
    for (const rel of files.keys()) dirs.add(path.dirname(path.join(staging, rel)));
    for (const dir of [...dirs].sort()) fs.mkdirSync(dir, { recursive: true });
    for (const [rel, content] of files) fs.writeFileSync(path.join(staging, rel), content);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  const old = path.join(parent, `.${base}-old-${process.pid}`);
  const hadTarget = fs.existsSync(absolute);
  if (hadTarget) fs.renameSync(absolute, old);
  fs.renameSync(staging, absolute);
  if (hadTarget) fs.rmSync(old, { recursive: true, force: true });
}

/**
 * A run killed between the two renames leaves the old tree as `.<base>-old-<pid>` and no target:
 * put it back. Leftover staging directories of killed runs are removed.
 */
function recoverInterruptedSwap(absolute: string): void {
  const parent = path.dirname(absolute);
  const base = path.basename(absolute);
  const leftovers = fs.readdirSync(parent).filter((n) => n.startsWith(`.${base}-old-`) || n.startsWith(`.${base}-new-`)).sort();
  for (const name of leftovers) {
    const full = path.join(parent, name);
    if (name.startsWith(`.${base}-old-`) && !fs.existsSync(absolute)) fs.renameSync(full, absolute);
    else fs.rmSync(full, { recursive: true, force: true });
  }
}
