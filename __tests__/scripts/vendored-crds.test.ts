import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { crdSourceDir, readCrdSources, ROOT } from '../../scripts/gen-schemas';

/** The vendored sources of crds/sources.json: files copied from a repository that no Go module serves. */
const VENDORED = readCrdSources().filter((s) => s.vendored !== undefined);

describe('vendored CRD sources (crds/vendor/<name>/)', () => {
  test('kagent is vendored, the only source no Go module serves', () => {
    expect(VENDORED.map((s) => `${s.module}@${s.version}`)).toEqual(['github.com/kagent-dev/kagent@v0.9.12']);
  });

  test.each(VENDORED.map((s) => [s.vendored!, s] as const))('%s records its provenance: tag, commit, license, each checksum', (_, src) => {
    const dir = crdSourceDir(src);
    expect(dir).toBe(path.join(ROOT, src.vendored!));
    const record = fs.readFileSync(path.join(dir, 'SOURCE.md'), 'utf8');
    expect(record).toContain(`| Repository | https://${src.module} |`);
    expect(record).toContain(`| Release tag | \`${src.version}\` |`);
    expect(record).toMatch(/\| Commit \| `[0-9a-f]{40}`/);
    expect(fs.readFileSync(path.join(dir, 'LICENSE'), 'utf8')).toMatch(/^\s*Apache License\s+Version 2\.0/);
    for (const p of src.paths) {
      const sum = createHash('sha256').update(fs.readFileSync(path.join(dir, p))).digest('hex');
      expect(record).toContain(`| \`${p}\` | \`${sum}\` |`);
    }
    // Nothing in the folder that is not listed, recorded or the license.
    expect(fs.readdirSync(dir).sort()).toEqual(['LICENSE', 'SOURCE.md', ...src.paths].sort());
  });

  test('fails on a vendored folder outside crds/vendor/', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-sources-')), 'sources.json');
    const source = { module: 'github.com/x/y', version: 'v1.0.0', paths: ['a.yaml'], vendored: '../elsewhere' };
    fs.writeFileSync(file, JSON.stringify({ sources: [source] }));
    expect(() => readCrdSources(file)).toThrow(/sources\[0\]: "vendored" must be a folder crds\/vendor\/<name> of this repository/);
  });
});
