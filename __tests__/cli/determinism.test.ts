/**
 * Deterministic output across runs, machines and Node versions: two synth processes with different
 * locales, time zones and working directories write byte-identical trees, every file in one
 * canonical shape; and the code that produces output uses nothing locale- or clock-dependent.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FIXTURE_OVERLAYS, ROOT } from '../helpers';
import { spawnCli, treeBytes } from './cli-harness';

/** Files allowed to use locale-dependent comparison for now: each must still contain it (fix, then remove it here). */
const KNOWN_LOCALE_DEPENDENT: readonly string[] = [];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

describe('deterministic synthesis', () => {
  let work: string;
  beforeAll(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-determinism-')); });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('two processes (different locale, time zone and cwd) write byte-identical trees', async () => {
    const overlays = FIXTURE_OVERLAYS;
    fs.mkdirSync(path.join(work, 'a'));
    fs.mkdirSync(path.join(work, 'b', 'nested'), { recursive: true });
    const [a, b] = await Promise.all([
      spawnCli(['synth', '--quiet', '--overlays', overlays, '--out', path.join(work, 'a', 'dist')], {
        cwd: path.join(work, 'a'),
        env: { LC_ALL: 'C', LANG: 'C', TZ: 'UTC' },
      }),
      spawnCli(['synth', '--quiet', '--overlays', overlays, '--out', '../dist'], {
        cwd: path.join(work, 'b', 'nested'),
        env: { LC_ALL: 'lt_LT.UTF-8', LANG: 'lt_LT.UTF-8', TZ: 'Pacific/Chatham' },
      }),
    ]);
    expect([a, b]).toEqual([{ code: 0, stdout: '', stderr: '' }, { code: 0, stdout: '', stderr: '' }]);
    const first = treeBytes(path.join(work, 'a', 'dist'));
    expect(Object.keys(first).length).toBeGreaterThan(0);
    expect(treeBytes(path.join(work, 'b', 'dist'))).toEqual(first);

    for (const [file, b64] of Object.entries(first)) {
      const text = Buffer.from(b64, 'base64').toString('utf8');
      // One canonical shape: LF only, no tabs, no trailing blanks, exactly one final newline.
      expect([file, /\r|\t|[ ]+\n/.test(text), text.endsWith('\n') && !text.endsWith('\n\n')]).toEqual([file, false, true]);
    }
  }, 30_000);

  test('no locale- or clock-dependent calls in the code that produces output', () => {
    // `new Date(<instant>)` is not the clock (the publisher formats a commit's own time, in UTC);
    // `new Date()` and `Date.now()` are.
    const offending = /\.localeCompare\(|\.toLocale[A-Za-z]*\(|\bIntl\.|Math\.random\(|new Date\(\)|Date\.now\(/;
    // The CLI, the writer and the thread coordinator may look at the clock (progress, lock and
    // start timeouts); they emit no YAML. Waivers are judged on today's date: it decides whether a
    // synth passes, never what it writes.
    const exempt = (rel: string) => rel.startsWith('lib/cli/') || rel === 'lib/synth/atomic-writer.ts' || rel === 'lib/synth/parallel.ts'
      || rel === 'lib/checks/waivers.ts';
    const found = sourceFiles(path.join(ROOT, 'lib'))
      .map((f) => path.relative(ROOT, f).split(path.sep).join('/'))
      .filter((rel) => !exempt(rel) && offending.test(fs.readFileSync(path.join(ROOT, rel), 'utf8')))
      .sort();
    expect(found).toEqual([...KNOWN_LOCALE_DEPENDENT].filter((f) => fs.existsSync(path.join(ROOT, f))).sort());
  });
});
