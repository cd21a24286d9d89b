/**
 * The fast overlay parser (js-yaml with `yaml`'s core-schema rules) must return exactly what the
 * `yaml` library returns, or step aside. Checked on the fixture overlays and what they synthesize,
 * the bad-overlay corpus, a table of scalars both libraries could read differently, and thousands of
 * generated and mutated documents (seeded, so a failure reproduces).
 */
import * as fs from 'fs';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { parseDocument } from 'yaml';
import { overlayText, BENCH_ENVIRONMENTS } from '../../bench/platform-spec';
import { synthesize } from '../../lib/synth/pipeline';
import { parsePlainYaml } from '../../lib/util/fast-yaml';
import { FIXTURES } from '../cli/cli-harness';
import { ENVIRONMENTS, FIXTURE_OVERLAYS, loadOverlay } from '../helpers';

/** What `yaml` reads, as the overlay loader reads it; undefined when it reports an error. */
function reference(text: string): { value: unknown } | undefined {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, version: '1.2', logLevel: 'silent' });
  if (doc.errors.length > 0) return undefined;
  try {
    return { value: doc.toJS({ maxAliasCount: 100 }) };
  } catch {
    return undefined;
  }
}

/** Fast path taken → `yaml` accepts the text and reads the same data (NaN, -0 and key order included). */
function agrees(text: string): boolean {
  const fast = parsePlainYaml(text);
  if (fast === undefined) return false;
  const slow = reference(text);
  if (slow === undefined) throw new Error(`js-yaml accepted what yaml rejects: ${JSON.stringify(text)}`);
  if (!isDeepStrictEqual(fast.value, slow.value) || JSON.stringify(fast.value) !== JSON.stringify(slow.value)) {
    throw new Error(`js-yaml and yaml read ${JSON.stringify(text)} differently:\n${JSON.stringify(fast.value)}\n${JSON.stringify(slow.value)}`);
  }
  return true;
}

const yamlFiles = (dir: string): string[] => fs.readdirSync(dir).filter((n) => n.endsWith('.yaml')).map((n) => path.join(dir, n));

describe('parsePlainYaml', () => {
  const prod = [...synthesize([loadOverlay('prod')], { platformVersion: '1.2.3' }).files];
  const generated = (folder: string) => prod.filter(([rel]) => rel.startsWith(`prod/${folder}/`)).map(([, text]) => text);

  test('reads every fixture overlay and the API server configuration it generates like yaml does, on the fast path', () => {
    const overlays = yamlFiles(FIXTURE_OVERLAYS).map((f) => fs.readFileSync(f, 'utf8'));
    const controlPlane = generated('control-plane');
    expect([overlays.length, controlPlane.length]).toEqual([ENVIRONMENTS.length, 2]);
    for (const text of [...overlays, ...controlPlane]) expect(agrees(text)).toBe(true);
  });

  test('reads the generated Falco rules like yaml does, on the fast path (conditions hold `!=`)', () => {
    const [falco] = generated('falco');
    const configMap = parseDocument(falco).toJS() as { data: Record<string, string> };
    const rules = Object.values(configMap.data)[0];
    expect(rules).toContain(' != ');
    expect(agrees(rules)).toBe(true);
  });

  test('reads a 1000-service benchmark overlay like yaml does, on the fast path', () => {
    expect(agrees(overlayText(1000, BENCH_ENVIRONMENTS[0]))).toBe(true);
  });

  test('agrees with yaml on every bad-overlay fixture it accepts', () => {
    let fast = 0;
    for (const file of yamlFiles(path.join(FIXTURES, 'bad-overlays'))) if (agrees(fs.readFileSync(file, 'latin1'))) fast++;
    // Most fixtures are valid YAML with a wrong value; the syntax cases go to yaml.
    expect(fast).toBeGreaterThan(30);
  });

  // Scalars YAML 1.1, js-yaml's own schemas and yaml's core schema read differently.
  const SCALARS = [
    'e5', '1e5', '1E+5', '.5e3', '1.', '.5', '1.0', '-1.50', '+1', '-0', '+0', '012', '0o7', '0o8', '0O7', '0x1F', '0X1F', '0xg', '0b11',
    '1_000', '1,000', '1:20', '190:20:30', '.inf', '-.Inf', '+.INF', '.NaN', '.nan', 'NaN', 'inf', '9007199254740993', '1e400', '-1e400',
    'yes', 'no', 'on', 'off', 'y', 'n', 'True', 'TRUE', 'tRUE', 'false', 'False', 'FALSE',
    '~', 'null', 'Null', 'NULL', 'nULL', '', '2024-01-01', '2001-12-14t21:59:43.10-05:00', '<<', '=', '-', 'a b', 'a#b', 'a: b',
    '"quoted"', "'single'", '"e5"', "'yes'", '"0o7"', '"~"', '"\\u00e9\\t"', "'it''s'",
  ];

  test.each(SCALARS)('reads the scalar %j as yaml does, as a value, in a list and as a key', (s) => {
    for (const text of [`v: ${s}\n`, `l: [${s}]\n`, `l:\n  - ${s}\n`, `m: {k: ${s}}\n`]) agrees(text);
    const asKey = `${s}: v\n`;
    agrees(asKey);
    // A key spelled null (or empty) is never read by js-yaml: it would name it "null", yaml "".
    if (/^(?:~|[Nn]ull|NULL)?$/.test(s)) expect(parsePlainYaml(asKey)).toBeUndefined();
  });

  test.each([
    ['a tag', 'v: !!str 5\n'],
    ['a local tag', 'v: !thing 5\n'],
    ['an anchor and alias', 'a: &x 1\nb: *x\n'],
    ['an explicit key', '? a\n: b\n'],
    ['a YAML 1.1 directive', '%YAML 1.1\n---\nv: yes\n'],
    ['a flow sequence as key', '[a, b]: c\n'],
    ['a flow mapping as key', '{a: 1}: c\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['two documents', 'a: 1\n---\nb: 2\n'],
    ['a syntax error', 'a: [1, 2\n'],
    ['a tab indentation', 'a:\n\tb: 1\n'],
    ['a comment glued to a closing double quote', 'a: "x"#c\n'],
    ['a comment glued to a closing single quote', "a: 'x'#c\n"],
    ['a comment glued to a closing bracket', 'a: [x]#c\n'],
  ])('leaves %s to yaml', (_, text) => {
    expect(parsePlainYaml(text)).toBeUndefined();
  });

  test('keeps a quoted scalar that starts with # (a Slack channel) on the fast path', () => {
    expect(parsePlainYaml('channel: "#ai-alerts"\nother: \'#ops\'\n')).toEqual({ value: { channel: '#ai-alerts', other: '#ops' } });
  });

  test('agrees with yaml on thousands of generated and mutated documents', () => {
    // FAST_YAML_FUZZ=<documents> FAST_YAML_SEED=<n> for a longer search.
    const documents = Number(process.env.FAST_YAML_FUZZ ?? 3000);
    const random = seeded(Number(process.env.FAST_YAML_SEED ?? 20261123));
    let fast = 0;
    let total = 0;
    for (let i = 0; i < documents; i++) {
      const doc = document(random);
      total++;
      if (agrees(doc)) fast++;
      for (let m = 0; m < 3; m++) {
        total++;
        agrees(mutate(doc, random));
      }
    }
    // The generator must exercise the fast path, not only the fallback.
    expect(fast).toBeGreaterThan(documents / 3);
    expect(total).toBe(documents * 4);
  });
});

type Random = () => number;

/** mulberry32: a small deterministic generator. */
function seeded(seed: number): Random {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

const KEYS = ['name', 'image', 'replicas', 'config', 'LOG_LEVEL', 'a-b', 'x.y', 'on', 'yes', '1', '0o7', 'e5', '"quoted key"', "'k'", 'true', '-1'];
const PLAIN = ['svc', 'ghcr.io/a/b:1.2.3', '100m', '128Mi', '3', '-2', '0.5', '1e3', 'e5', 'yes', 'no', '0o17', '0x1f', '1_0', '.inf', '~', 'null', 'true', 'False', 'a b c', 'http://x:80/p', 'a:b', 'x#y', '2024-01-01', 'fd.name != x', 'a &b', 'p * q', 'why ?', '!!str 3', '&anchor v', '*alias', '!local x'];
const QUOTED = [
  '"3"', '"yes"', '"e5"', '"~"', '"a: b"', '"# not a comment"', '"tab\\there"', "'single ''quote'''", '""', "''", '"é"', '"#channel"', "'#x'",
];
const BLOCK = ['|\n{i}  line one\n{i}  line two\n', '>-\n{i}  folded\n{i}  text\n', '|+\n{i}  keep\n\n', '|2\n{i}   indented\n'];

function scalarText(random: Random, indent: string): string {
  const r = random();
  if (r < 0.6) return pick(random, PLAIN);
  if (r < 0.9) return pick(random, QUOTED);
  return pick(random, BLOCK).replace(/\{i\}/g, indent);
}

function flow(random: Random, depth: number): string {
  const r = random();
  if (depth > 2 || r < 0.5) return random() < 0.5 ? pick(random, PLAIN.filter((p) => !/[:#]/.test(p))) : pick(random, QUOTED);
  if (r < 0.75) return `[${Array.from({ length: Math.floor(random() * 4) }, () => flow(random, depth + 1)).join(', ')}]`;
  return `{${Array.from({ length: Math.floor(random() * 3) }, () => `${pick(random, KEYS)}: ${flow(random, depth + 1)}`).join(', ')}}`;
}

/** A block mapping (or sequence) of random depth, in the styles overlays use. */
function block(random: Random, indent: string, depth: number, sequence: boolean): string {
  const lines: string[] = [];
  const used = new Set<string>();
  const count = 1 + Math.floor(random() * 4);
  for (let i = 0; i < count; i++) {
    let key = pick(random, KEYS);
    if (!sequence) {
      if (used.has(key.replace(/['"]/g, ''))) continue;
      used.add(key.replace(/['"]/g, ''));
    }
    const lead = sequence ? `${indent}- ` : `${indent}${key}:`;
    const r = random();
    if (random() < 0.1) lines.push(`${indent}# a comment: with - marks`);
    if (depth < 3 && r < 0.3) {
      const nested = random() < 0.5;
      lines.push(sequence ? `${indent}-` : lead);
      // A sequence under a key may sit at the key's own indentation (`key:` then `- a`).
      const childIndent = !sequence && nested && random() < 0.5 ? indent : `${indent}  `;
      lines.push(block(random, childIndent, depth + 1, nested).replace(/\n$/, ''));
    } else if (r < 0.5) {
      lines.push(`${sequence ? lead : `${lead} `}${flow(random, 0)}`);
    } else {
      const value = scalarText(random, indent);
      lines.push(`${sequence ? lead : `${lead} `}${value}${!value.includes('\n') && random() < 0.1 ? ' # trailing' : ''}`.replace(/\n$/, ''));
    }
    if (sequence) key = '';
  }
  if (lines.length === 0) lines.push(`${indent}${sequence ? '- x' : 'k: v'}`);
  return `${lines.join('\n')}\n`;
}

function document(random: Random): string {
  const prefix = random() < 0.1 ? '---\n' : '';
  return `${prefix}${block(random, '', 0, random() < 0.15)}`;
}

/** What `mutate` inserts: YAML's indicators, whitespace and quotes. */
const YAML_CHARACTERS = [':', '-', ' ', '  ', '\n', '#', '"', "'", '[', ']', '{', '}', ',', '|', '>', '\t', '%', '@', '`', '!', '&', '*', '?'];

/** One small edit that often breaks the YAML: a character deleted, inserted or duplicated. */
function mutate(text: string, random: Random): string {
  const at = Math.floor(random() * text.length);
  const r = random();
  if (r < 0.35) return text.slice(0, at) + text.slice(at + 1);
  if (r < 0.8) return text.slice(0, at) + pick(random, YAML_CHARACTERS) + text.slice(at);
  return text.slice(0, at) + text.slice(at, at + 5) + text.slice(at);
}
