/**
 * Layers point one way: every import in lib/ is checked against the layer table of
 * docs/architecture.md (the one place the order is written down).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { ROOT } from './helpers';

interface Layering {
  /** Folder (first path segment under lib/, or `imports`) → its layer. */
  readonly layerOf: ReadonlyMap<string, number>;
}

/** The table between the layers markers of docs/architecture.md. */
function readLayering(markdown: string): Layering {
  const block = /<!-- layers:start -->([\s\S]*?)<!-- layers:end -->/.exec(markdown);
  if (!block) throw new Error('docs/architecture.md has no <!-- layers:start --> … <!-- layers:end --> table');
  const layerOf = new Map<string, number>();
  for (const row of block[1].split('\n')) {
    const cells = row.split('|').map((c) => c.trim());
    if (!/^[0-9]+$/.test(cells[1] ?? '')) continue;
    for (const folder of cells[2].matchAll(/`([^`]+)`/g)) layerOf.set(folder[1], Number(cells[1]));
  }
  return { layerOf };
}

/** Where a repository path belongs: a lib/ folder, `imports`, or an area outside lib/. */
function folderOf(rel: string): string {
  const parts = rel.split('/');
  if (parts[0] === 'lib') return parts.length > 2 ? parts[1] : '(lib root)';
  return parts[0];
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1)).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports of one file (static, dynamic and require), as paths relative to `root`. */
function importsOf(root: string, file: string): string[] {
  const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => {
      const target = path.resolve(path.dirname(file), spec);
      // A folder import means its index.
      const resolved = fs.existsSync(target) && fs.statSync(target).isDirectory() ? path.join(target, 'index') : target;
      return path.relative(root, resolved).split(path.sep).join('/');
    });
}

/** Every import of `<root>/lib/` that breaks the layering, each with the reason. */
function violations(layering: Layering, root: string): string[] {
  const out: string[] = [];
  for (const file of sources(path.join(root, 'lib'))) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    const from = folderOf(rel);
    const fromLayer = layering.layerOf.get(from);
    if (fromLayer === undefined) {
      out.push(`${rel}: lib/${from}/ is in no layer of docs/architecture.md; add it to the table`);
      continue;
    }
    for (const target of importsOf(root, file)) {
      const to = folderOf(target);
      if (to === from) continue;
      const toLayer = layering.layerOf.get(to);
      if (toLayer === undefined) {
        out.push(`${rel} imports ${target}: ${to}/ is outside the layers (lib/ never imports scripts/, e2e/, bench/ or tests)`);
      } else if (toLayer === fromLayer) {
        out.push(`${rel} imports ${target}: ${from} and ${to} share layer ${fromLayer} and may not import each other`);
      } else if (toLayer > fromLayer) {
        out.push(`${rel} imports ${target}: ${from} (layer ${fromLayer}) may not import ${to} (layer ${toLayer})`);
      }
    }
  }
  return out;
}

const ARCHITECTURE = fs.readFileSync(path.join(ROOT, 'docs', 'architecture.md'), 'utf8');

describe('layers (docs/architecture.md)', () => {
  test('every import of lib/ points to its own folder or a lower layer, with no exceptions', () => {
    expect(violations(readLayering(ARCHITECTURE), ROOT)).toEqual([]);
  });

  test('every folder of lib/ has a layer, and the table names no folder that does not exist', () => {
    const folders = fs.readdirSync(path.join(ROOT, 'lib'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    const listed = [...readLayering(ARCHITECTURE).layerOf.keys()].filter((f) => f !== 'imports').sort();
    expect(listed).toEqual(folders);
  });

  describe('fails on', () => {
    // GIVEN a tree of its own, with layers low < a, b < high
    const layering = readLayering('<!-- layers:start -->\n| 0 | `low` |\n| 1 | `a`, `b` |\n| 2 | `high` |\n<!-- layers:end -->');
    let root: string;
    beforeEach(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-layers-'));
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
    const tree = (files: Record<string, string>): string[] => {
      for (const [rel, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.writeFileSync(path.join(root, rel), text);
      }
      return violations(layering, root);
    };

    test('nothing when imports point down or stay in their folder', () => {
      expect(tree({
        'lib/high/h.ts': "import { a } from '../a/a';\nimport { h2 } from './h2';\n",
        'lib/a/a.ts': "import { l } from '../low/l';\n",
      })).toEqual([]);
    });

    test('an import from a lower layer into a higher one', () => {
      expect(tree({ 'lib/low/l.ts': "import { h } from '../high/h';\n" }))
        .toEqual(['lib/low/l.ts imports lib/high/h: low (layer 0) may not import high (layer 2)']);
    });

    test('an import between two folders of one layer, dynamic and require too', () => {
      expect(tree({ 'lib/a/a.ts': "const b = require('../b/b');\nexport const c = import('../b/c');\n" })).toEqual([
        'lib/a/a.ts imports lib/b/b: a and b share layer 1 and may not import each other',
        'lib/a/a.ts imports lib/b/c: a and b share layer 1 and may not import each other',
      ]);
    });

    test('a folder the table does not name, and an import of the scripts', () => {
      expect(tree({ 'lib/new-area/n.ts': '', 'lib/high/h.ts': "import { s } from '../../scripts/s';\n" })).toEqual([
        "lib/high/h.ts imports scripts/s: scripts/ is outside the layers (lib/ never imports scripts/, e2e/, bench/ or tests)",
        'lib/new-area/n.ts: lib/new-area/ is in no layer of docs/architecture.md; add it to the table',
      ]);
    });
  });
});
