/**
 * The bad-input corpus: every `__tests__/fixtures/bad-overlays/<case>.yaml` is put in an overlay
 * directory as `<env>.yaml` (env `dev` unless the case says otherwise) and `bulwark synth` must
 * exit 1 with exactly the one stderr line of `expected.yaml`, print nothing on stdout, show no
 * stack trace, and leave dist/ byte-identical (and nothing beside it).
 *
 * Every case runs through `run()` in this process (fast); a few also run as real processes.
 * After an intended message change: BULWARK_UPDATE_GOLDEN=1 npx jest __tests__/cli/bad-overlays,
 * then review the diff of expected.yaml.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseDocument } from 'yaml';
import { Captured, FIXTURES, runCli, spawnCli, treeBytes } from './cli-harness';

const CORPUS = path.join(FIXTURES, 'bad-overlays');
const EXPECTED_FILE = path.join(CORPUS, 'expected.yaml');
const UPDATE = process.env.BULWARK_UPDATE_GOLDEN === '1';

interface Case {
  readonly about: string;
  /** Environment the fixture is installed as (file name overlays/<env>.yaml). @default dev */
  readonly env?: string;
  /** The whole of stderr, without its final newline. */
  readonly error: string;
}

const expectedDoc = parseDocument(fs.readFileSync(EXPECTED_FILE, 'utf8'));
const expected = expectedDoc.toJS() as Record<string, Case>;
const fixtures = fs.readdirSync(CORPUS).filter((n) => n.endsWith('.yaml') && n !== 'expected.yaml').map((n) => n.replace(/\.yaml$/, '')).sort();
const ARGV = ['synth', '--overlays', 'overlays', '--out', 'dist'];

describe('bad-overlay corpus', () => {
  let work: string;
  let distBefore: Record<string, string>;
  const actual: Record<string, string> = {};

  /** Makes `<dir>/overlays/` hold only the fixture of `name`, as `<env>.yaml`. */
  const install = (name: string, dir = work): void => {
    const overlays = path.join(dir, 'overlays');
    fs.rmSync(overlays, { recursive: true, force: true });
    fs.mkdirSync(overlays);
    fs.copyFileSync(path.join(CORPUS, `${name}.yaml`), path.join(overlays, `${expected[name]?.env ?? 'dev'}.yaml`));
  };

  const expectRejected = (name: string, r: Captured, dir = work): void => {
    actual[name] = r.stderr.replace(/\n$/, '');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr.split('\n')).toHaveLength(2); // one line and its newline
    if (!UPDATE) expect(r.stderr).toBe(`${expected[name].error}\n`);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(1);
    expect(treeBytes(path.join(dir, 'dist'))).toEqual(distBefore);
    expect(fs.readdirSync(dir).sort()).toEqual(['dist', 'overlays']);
  };

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-bad-'));
    fs.mkdirSync(path.join(work, 'overlays'));
    fs.copyFileSync(path.join(FIXTURES, 'valid-overlay.yaml'), path.join(work, 'overlays', 'dev.yaml'));
    const ok = runCli(['synth', '--quiet'], { cwd: work });
    expect(ok).toEqual({ code: 0, stdout: '', stderr: '' });
    distBefore = treeBytes(path.join(work, 'dist'));
    expect(Object.keys(distBefore).length).toBeGreaterThan(10);
  });

  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
    if (UPDATE) {
      for (const name of fixtures) {
        if (actual[name] === undefined) continue;
        if (!expectedDoc.hasIn([name])) expectedDoc.setIn([name], expectedDoc.createNode({ about: 'TODO: what this case is', error: actual[name] }));
        else expectedDoc.setIn([name, 'error'], actual[name]);
      }
      fs.writeFileSync(EXPECTED_FILE, expectedDoc.toString({ lineWidth: 0 }));
    }
  });

  test('holds at least 30 cases, each with a fixture and exactly one expected line', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
    if (!UPDATE) expect(Object.keys(expected).sort()).toEqual(fixtures);
    for (const c of Object.values(expected)) {
      expect(c.error).toMatch(/^error: [^\n]+$/);
      expect(c.about).toMatch(/\S/);
    }
  });

  test('every line has every part the README promises: file:line:column, key path, what is wrong, received, allowed, fix', () => {
    for (const [name, c] of Object.entries(expected)) {
      expect([name, c.error]).toEqual([name, expect.stringMatching(/^error: overlays\/[a-z]+\.yaml:\d+:\d+: \S+: .+?; received .+?; allowed: .+?; fix: .+$/)]);
    }
  });

  test.each(fixtures)('%s: exit 1, its one line on stderr, dist/ untouched', (name) => {
    install(name);
    expectRejected(name, runCli(ARGV, { cwd: work }));
  });

  test('the same through real processes (tsx main.ts synth), no stack trace', async () => {
    const sample = ['malformed-yaml-unclosed-bracket', 'binary-file'];
    const dirs = sample.map((name) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-bad-process-'));
      fs.cpSync(path.join(work, 'dist'), path.join(dir, 'dist'), { recursive: true });
      install(name, dir);
      return dir;
    });
    try {
      const results = await Promise.all(dirs.map((dir) => spawnCli(ARGV, { cwd: dir })));
      sample.forEach((name, i) => expectRejected(name, results[i], dirs[i]));
    } finally {
      for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
