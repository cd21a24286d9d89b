import { diffLines, Edit, MAX_EDIT_COST, unifiedHunks } from '../../lib/diff/line-diff';

/** The old and the new text an edit script describes. */
function sides(edits: readonly Edit[]): { a: string[]; b: string[] } {
  return { a: edits.filter((e) => e.op !== '+').map((e) => e.line), b: edits.filter((e) => e.op !== '-').map((e) => e.line) };
}

/** Length of a longest common subsequence, by dynamic programming (the reference for "shortest"). */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  const row = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = 0;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = a[i - 1] === b[j - 1] ? diagonal + 1 : Math.max(row[j], row[j - 1]);
      diagonal = above;
    }
  }
  return row[b.length];
}

/** A small deterministic generator (mulberry32), so that a failure reproduces. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('diffLines', () => {
  test('GIVEN 2000 random pairs of texts THEN the script spells both and is as short as an LCS allows', () => {
    const next = random(14);
    const wrong: unknown[] = [];
    for (let round = 0; round < 2000; round++) {
      // Few distinct lines, some indented, so that runs can slide and shortest scripts are many.
      const text = (): string[] => Array.from({ length: Math.floor(next() * 12) }, () => ['a', 'b', ' a', '  c', ''][Math.floor(next() * 5)]);
      const a = text();
      const b = text();
      const edits = diffLines(a, b);
      const changed = edits.filter((e) => e.op !== ' ').length;
      const shortest = a.length + b.length - 2 * lcsLength(a, b);
      if (JSON.stringify(sides(edits)) !== JSON.stringify({ a, b }) || changed !== shortest) wrong.push({ a, b, edits });
    }
    expect(wrong).toEqual([]);
  });

  test('equal texts are all kept; an empty side is all added or all removed', () => {
    expect(diffLines(['x', 'y'], ['x', 'y'])).toEqual([{ op: ' ', line: 'x' }, { op: ' ', line: 'y' }]);
    expect(diffLines([], ['x'])).toEqual([{ op: '+', line: 'x' }]);
    expect(diffLines(['x'], [])).toEqual([{ op: '-', line: 'x' }]);
  });

  test('GIVEN a YAML list item removed whole, whose last line repeats THEN the run starts at the item, not inside the one before', () => {
    const item = (name: string): string[] => [`- name: ${name}`, '  port: 80', '  mode: SIMPLE'];
    const edits = diffLines([...item('a'), ...item('b')], item('a'));
    expect(edits.map((e) => `${e.op}${e.line}`)).toEqual([
      ' - name: a', '   port: 80', '   mode: SIMPLE', '-- name: b', '-  port: 80', '-  mode: SIMPLE',
    ]);
    const added = diffLines(['x:', '  - a', 'y: 1'], ['x:', '  - a', '  - a', 'y: 1']);
    expect(sides(added)).toEqual({ a: ['x:', '  - a', 'y: 1'], b: ['x:', '  - a', '  - a', 'y: 1'] });
  });

  test('a replaced line is removed, then added', () => {
    expect(diffLines(['a', 'b', 'c'], ['a', 'B', 'c']).map((e) => `${e.op}${e.line}`)).toEqual([' a', '-b', '+B', ' c']);
  });

  test(`GIVEN texts differing in more than ${MAX_EDIT_COST} lines THEN the rest is replaced wholesale, still spelling both`, () => {
    const a = Array.from({ length: 1500 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 1500 }, (_, i) => `b${i}`);
    const edits = diffLines(['same', ...a, 'end'], ['same', ...b, 'end']);
    expect(sides(edits)).toEqual({ a: ['same', ...a, 'end'], b: ['same', ...b, 'end'] });
    expect(edits.slice(1, 1501).every((e) => e.op === '-')).toBe(true);
  });
});

describe('unifiedHunks', () => {
  const lines = (n: number): string => Array.from({ length: n }, (_, i) => `line ${i + 1}\n`).join('');

  test('equal texts have no hunks', () => {
    expect(unifiedHunks('a\nb\n', 'a\nb\n')).toEqual([]);
  });

  test('GIVEN one changed line in the middle THEN one hunk with 3 lines of context either side (as diff -u)', () => {
    const before = lines(20);
    const after = before.replace('line 10\n', 'line ten\n');
    expect(unifiedHunks(before, after)).toEqual([
      '@@ -7,7 +7,7 @@', ' line 7', ' line 8', ' line 9', '-line 10', '+line ten', ' line 11', ' line 12', ' line 13',
    ]);
  });

  test('changes at most 6 unchanged lines apart share a hunk; 7 apart make two', () => {
    const before = lines(30);
    const near = before.replace('line 5\n', 'five\n').replace('line 12\n', 'twelve\n');
    expect(unifiedHunks(before, near).filter((l) => l.startsWith('@@'))).toEqual(['@@ -2,14 +2,14 @@']);
    const far = before.replace('line 5\n', 'five\n').replace('line 13\n', 'thirteen\n');
    expect(unifiedHunks(before, far).filter((l) => l.startsWith('@@'))).toEqual(['@@ -2,7 +2,7 @@', '@@ -10,7 +10,7 @@']);
  });

  test('ranges of one line omit the count; an empty range names the line before it (as diff -u)', () => {
    expect(unifiedHunks('a\n', 'b\n')).toEqual(['@@ -1 +1 @@', '-a', '+b']);
    expect(unifiedHunks('', 'a\nb\n')).toEqual(['@@ -0,0 +1,2 @@', '+a', '+b']);
    expect(unifiedHunks('a\nb\n', 'a\n')).toEqual(['@@ -1,2 +1 @@', ' a', '-b']);
  });

  test('a last line without its line break is marked, and differs from the same line with one', () => {
    expect(unifiedHunks('a\nb\n', 'a\nb')).toEqual(['@@ -1,2 +1,2 @@', ' a', '-b', '+b', '\\ No newline at end of file']);
  });
});
