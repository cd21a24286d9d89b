/**
 * Line diffs: Myers' O(ND) algorithm ("An O(ND) Difference Algorithm and Its Variations", 1986)
 * for a shortest edit script, and unified hunks from it, as `diff -u` and `git diff` print them.
 */

/** One line of an edit script: kept (`' '`), removed from the old text (`'-'`) or added (`'+'`). */
export interface Edit {
  readonly op: ' ' | '-' | '+';
  readonly line: string;
}

/**
 * A shortest edit script turning `a` into `b` (fewest lines removed plus added). Where a run of
 * removed or added lines could sit at several places (its first line repeats after its end), it is
 * put where its first line is the least indented: a YAML block removed whole reads as one.
 * Removals come before additions where they meet, as in `diff` and `git diff`.
 */
export function diffLines(a: readonly string[], b: readonly string[]): Edit[] {
  const changedA = new Array<boolean>(a.length).fill(false);
  const changedB = new Array<boolean>(b.length).fill(false);
  // The common ends cost nothing to find and are most of a typical change.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  let x = start;
  let y = start;
  for (const e of middle(a.slice(start, endA), b.slice(start, endB))) {
    if (e.op === ' ') {
      x++;
      y++;
    } else if (e.op === '-') changedA[x++] = true;
    else changedB[y++] = true;
  }
  slide(a, changedA);
  slide(b, changedB);
  // The kept lines of both sides are equal in order: walk them together.
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && changedA[i]) edits.push({ op: '-', line: a[i++] });
    while (j < b.length && changedB[j]) edits.push({ op: '+', line: b[j++] });
    if (i < a.length && j < b.length) {
      edits.push({ op: ' ', line: a[i++] });
      j++;
    }
  }
  return edits;
}

/**
 * Moves each run of changed lines of one side to its best place among the equivalent ones (a run
 * moves down one line when its first line equals the line after it), never joining another run.
 */
function slide(lines: readonly string[], changed: boolean[]): void {
  const indent = (line: string): number => (line.trim() === '' ? Infinity : line.length - line.trimStart().length);
  for (let i = 0; i < lines.length; i++) {
    if (!changed[i]) continue;
    let start = i;
    let end = i;
    while (end < lines.length && changed[end]) end++;
    const free = (k: number): boolean => k < 0 || k >= lines.length || !changed[k];
    // Up as far as it goes, then each place down from there, scored by its first line.
    while (start > 0 && lines[start - 1] === lines[end - 1] && free(start - 2)) {
      changed[--start] = true;
      changed[--end] = false;
    }
    let best = start;
    for (let s = start, e = end; e < lines.length && lines[s] === lines[e] && free(e + 1);) {
      s++;
      e++;
      if (indent(lines[s]) <= indent(lines[best])) best = s;
    }
    const length = end - start;
    for (let k = start; k < end; k++) changed[k] = false;
    for (let k = best; k < best + length; k++) changed[k] = true;
    i = best + length;
  }
}

/**
 * Past this many removed plus added lines, the search (time and memory growing with its square)
 * gives up on a shortest script and replaces the rest wholesale: a text changed that much reads no
 * better as an interleaved diff.
 */
export const MAX_EDIT_COST = 2000;

/** Myers' greedy forward search, then a walk back through the furthest points of each round. */
function middle(a: readonly string[], b: readonly string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const replaced = (): Edit[] => [...a.map((line): Edit => ({ op: '-', line })), ...b.map((line): Edit => ({ op: '+', line }))];
  if (n === 0 || m === 0) return replaced();
  const max = Math.min(n + m, MAX_EDIT_COST);
  const offset = max + 1;
  // v[offset + k]: the furthest x reached on diagonal k (y = x - k).
  const v = new Int32Array(2 * max + 3);
  // trace[d]: v as it was before round d, diagonals -d-1 … d+1 (all round d reads).
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return replaced();
  const edits: Edit[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const before = trace[d];
    const at = (k: number): number => before[k + d + 1];
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      y--;
      edits.push({ op: ' ', line: a[--x] });
    }
    if (down) edits.push({ op: '+', line: b[--y] });
    else edits.push({ op: '-', line: a[--x] });
  }
  while (x > 0) edits.push({ op: ' ', line: a[--x] });
  return edits.reverse();
}

export interface UnifiedDiffOptions {
  /** Unchanged lines shown around each change. @default 3 */
  readonly context?: number;
}

/**
 * The hunks of a unified diff of two texts (`@@ -l,s +l,s @@` and its lines), without the
 * `---`/`+++` header; empty when the texts are equal. A text not ending in a line break gets
 * `\ No newline at end of file` after its last line, as in `diff -u`.
 */
export function unifiedHunks(before: string, after: string, options: UnifiedDiffOptions = {}): string[] {
  if (before === after) return [];
  const context = options.context ?? 3;
  const a = linesOf(before);
  const b = linesOf(after);
  const edits = diffLines(a, b);
  const out: string[] = [];
  let i = 0;
  // Line numbers (0-based) in the old and the new text of edits[i].
  let lineA = 0;
  let lineB = 0;
  const advance = (e: Edit): void => {
    if (e.op !== '+') lineA++;
    if (e.op !== '-') lineB++;
  };
  while (i < edits.length) {
    if (edits[i].op === ' ') {
      advance(edits[i++]);
      continue;
    }
    // A hunk: back up `context` kept lines, then run until more than 2 × context kept lines follow.
    let first = i;
    let startA = lineA;
    let startB = lineB;
    while (first > 0 && i - first < context && edits[first - 1].op === ' ') {
      first--;
      startA--;
      startB--;
    }
    let last = i;
    for (let j = i, kept = 0; j < edits.length; j++) {
      if (edits[j].op === ' ') {
        if (++kept > 2 * context) break;
      } else {
        kept = 0;
        last = j;
      }
    }
    const end = Math.min(edits.length, last + 1 + context);
    const lines: string[] = [];
    let countA = 0;
    let countB = 0;
    for (let j = first; j < end; j++) {
      const e = edits[j];
      if (e.op !== '+') countA++;
      if (e.op !== '-') countB++;
      if (e.line.endsWith(NO_EOL)) lines.push(`${e.op}${e.line.slice(0, -NO_EOL.length)}`, NO_EOL_MARK);
      else lines.push(`${e.op}${e.line}`);
    }
    out.push(`@@ -${range(startA, countA)} +${range(startB, countB)} @@`, ...lines);
    for (; i < end; i++) advance(edits[i]);
  }
  return out;
}

/** `start,count` of a hunk, 1-based; an empty range names the line before it, as `diff -u` does. */
function range(start: number, count: number): string {
  if (count === 0) return `${start},0`;
  return count === 1 ? `${start + 1}` : `${start + 1},${count}`;
}

/**
 * A last line without its line break carries a mark, so that it differs from the same line with
 * one (and the diff says so).
 */
const NO_EOL = '\u0000';
const NO_EOL_MARK = '\\ No newline at end of file';

function linesOf(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += NO_EOL;
  return lines;
}
