import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeTreeAtomically } from '../../lib/synth/atomic-writer';

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('writeTreeAtomically', () => {
  let parent: string;
  beforeEach(() => { parent = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-writer-')); });
  afterEach(() => fs.rmSync(parent, { recursive: true, force: true }));

  test('replaces the whole tree: stale files disappear, nothing is left beside it', () => {
    const target = path.join(parent, 'dist');
    writeTreeAtomically(target, new Map([['dev/a/x.yaml', 'old\n'], ['dev/stale.yaml', 'stale\n']]));
    writeTreeAtomically(target, new Map([['dev/a/x.yaml', 'new\n'], ['prod/b/y.yaml', 'y\n']]));
    expect(tree(target)).toEqual({ 'dev/a/x.yaml': 'new\n', 'prod/b/y.yaml': 'y\n' });
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });

  test('leaves the old tree untouched when writing the new one fails', () => {
    const target = path.join(parent, 'dist');
    writeTreeAtomically(target, new Map([['dev/a.yaml', 'old\n']]));
    // A file and a directory of the same name cannot both exist: the write fails midway.
    expect(() => writeTreeAtomically(target, new Map([['dev', 'file\n'], ['dev/a.yaml', 'new\n']]))).toThrow();
    expect(tree(target)).toEqual({ 'dev/a.yaml': 'old\n' });
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });

  test('restores the old tree of a run killed between the two renames', () => {
    const target = path.join(parent, 'dist');
    fs.mkdirSync(path.join(parent, '.dist-old-4242', 'dev'), { recursive: true });
    fs.writeFileSync(path.join(parent, '.dist-old-4242', 'dev', 'a.yaml'), 'old\n');
    fs.mkdirSync(path.join(parent, '.dist-new-abc123'));
    writeTreeAtomically(target, new Map([['dev/b.yaml', 'new\n']]));
    expect(tree(target)).toEqual({ 'dev/b.yaml': 'new\n' });
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });
});
