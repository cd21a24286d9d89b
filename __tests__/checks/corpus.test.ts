/**
 * The check corpus (__tests__/fixtures/check-corpus): a clean set on which the generic profile
 * finds nothing, and seeded violations, each file breaking exactly one check (named in its
 * `# breaks:` line) when judged together with the clean set. Every generic check has a file that
 * makes it fire, so no check can go silent unnoticed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ALL_CHECKS, checksOf, runChecksIndexed } from '../../lib/checks';
import { lineFinder, objectsOfText, SourcedObject } from '../../lib/checks/manifest-files';

const CORPUS = path.join(__dirname, '..', 'fixtures', 'check-corpus');
const GENERIC = checksOf(ALL_CHECKS, 'generic');

function read(dir: string): { file: string; text: string; objects: SourcedObject[] }[] {
  return fs.readdirSync(path.join(CORPUS, dir)).sort().map((name) => {
    const file = `${dir}/${name}`;
    const text = fs.readFileSync(path.join(CORPUS, file), 'utf8');
    return { file, text, objects: objectsOfText(text, file) };
  });
}

const clean = read('clean');
const violations = read('violations').map((v) => ({ ...v, breaks: /^# breaks: (\S+)$/m.exec(v.text)?.[1] ?? '' }));
const cleanObjects = clean.flatMap((c) => c.objects.map((s) => s.object));

describe('check corpus', () => {
  test('the clean set has no finding of the generic profile', () => {
    expect(cleanObjects.length).toBeGreaterThan(8);
    expect(runChecksIndexed(GENERIC, cleanObjects)).toEqual([]);
  });

  test('holds at least 60 violations, each naming a generic check', () => {
    expect(violations.length).toBeGreaterThanOrEqual(60);
    const ids = GENERIC.map((c) => c.id);
    for (const v of violations) expect([v.file, ids.includes(v.breaks)]).toEqual([v.file, true]);
  });

  test.each(violations.map((v) => [v.file, v] as const))('%s breaks exactly its check, at a line of its own', (_, v) => {
    const objects = [...cleanObjects, ...v.objects.map((s) => s.object)];
    const findings = runChecksIndexed(GENERIC, objects);
    expect([...new Set(findings.map((f) => f.check))]).toEqual([v.breaks]);
    // Every finding is about an object of the file, and points at a line inside it, below its comment.
    const lineOf = lineFinder(v.text);
    for (const f of findings) {
      expect(f.index).toBeGreaterThanOrEqual(cleanObjects.length);
      const s = v.objects[f.index - cleanObjects.length];
      expect(lineOf(s.document, [s.prefix, f.path ?? ''].filter((p) => p !== '').join('.'))).toBeGreaterThan(2);
    }
  });

  test('every generic check is proven to fire by some violation', () => {
    const proven = new Set(violations.map((v) => v.breaks));
    expect(GENERIC.map((c) => c.id).filter((id) => !proven.has(id))).toEqual([]);
  });
});
