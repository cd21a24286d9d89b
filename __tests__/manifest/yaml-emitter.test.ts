import { parseAllDocuments, parseDocument } from 'yaml';
import { JsonValue, toYaml, toYamlStream } from '../../lib/manifest/yaml-emitter';

type YamlVersion = '1.1' | '1.2';
const VERSIONS: readonly YamlVersion[] = ['1.1', '1.2'];

/** Parses one document with the `yaml` package; any error or warning fails the test. */
function parseStrict(text: string, version: YamlVersion): unknown {
  const doc = parseDocument(text, { version });
  expect(doc.errors.map((e) => e.message)).toEqual([]);
  expect(doc.warnings.map((w) => w.message)).toEqual([]);
  return doc.toJS();
}

function parseStreamStrict(text: string, version: YamlVersion): unknown[] {
  const docs = parseAllDocuments(text, { version });
  if (!Array.isArray(docs)) return []; // EmptyStream
  return docs.map((doc) => {
    expect(doc.errors.map((e) => e.message)).toEqual([]);
    expect(doc.warnings.map((w) => w.message)).toEqual([]);
    return doc.toJS();
  });
}

/** mulberry32: tiny deterministic PRNG. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('toYaml', () => {
  test('emits a Deployment-like object in kubectl style', () => {
    // GIVEN nested maps, sequences of maps and scalars, empty collections, dotted/slashed labels
    // and a multi-line config string
    const deployment: JsonValue = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        namespace: 'shop',
        labels: {
          'app.kubernetes.io/name': 'web',
          'app.kubernetes.io/part-of': 'shop',
          'bulwark.dev/tier': 'frontend',
        },
        annotations: {},
      },
      spec: {
        replicas: 3,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': 'web' } },
          spec: {
            containers: [
              {
                name: 'app',
                image: 'ghcr.io/acme/web:1.25.3',
                args: ['--port', '8080', 'serve'],
                ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
                env: [
                  { name: 'LOG_LEVEL', value: 'info' },
                  { name: 'FEATURE_X', value: 'true' },
                ],
                resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: {} },
                readOnlyRootFilesystem: true,
                volumeMounts: [],
              },
            ],
            tolerations: [],
            terminationGracePeriodSeconds: 30,
            priorityClassName: null,
          },
        },
      },
      data: {
        'nginx.conf': 'server {\n  listen 8080;\n}\n',
        ratio: 0.25,
      },
    };

    // WHEN
    const text = toYaml(deployment);

    // THEN
    expect(text).toBe(
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: web',
        '  namespace: shop',
        '  labels:',
        '    app.kubernetes.io/name: web',
        '    app.kubernetes.io/part-of: shop',
        '    bulwark.dev/tier: frontend',
        '  annotations: {}',
        'spec:',
        '  replicas: 3',
        '  selector:',
        '    matchLabels:',
        '      app.kubernetes.io/name: web',
        '  template:',
        '    metadata:',
        '      labels:',
        '        app.kubernetes.io/name: web',
        '    spec:',
        '      containers:',
        '      - name: app',
        '        image: ghcr.io/acme/web:1.25.3',
        '        args:',
        '        - "--port"',
        '        - "8080"',
        '        - serve',
        '        ports:',
        '        - containerPort: 8080',
        '          name: http',
        '          protocol: TCP',
        '        env:',
        '        - name: LOG_LEVEL',
        '          value: info',
        '        - name: FEATURE_X',
        '          value: "true"',
        '        resources:',
        '          limits:',
        '            cpu: 500m',
        '            memory: 128Mi',
        '          requests: {}',
        '        readOnlyRootFilesystem: true',
        '        volumeMounts: []',
        '      tolerations: []',
        '      terminationGracePeriodSeconds: 30',
        '      priorityClassName: null',
        'data:',
        '  nginx.conf: |',
        '    server {',
        '      listen 8080;',
        '    }',
        '  ratio: 0.25',
        '',
      ].join('\n'),
    );
    for (const version of VERSIONS) expect(parseStrict(text, version)).toEqual(deployment);
  });

  test('keeps the insertion order of keys', () => {
    // GIVEN keys deliberately out of alphabetical order
    const value = { zeta: 1, alpha: 2, mid: { b: 1, a: 2 } };

    // WHEN
    const text = toYaml(value);

    // THEN
    expect(text).toBe('zeta: 1\nalpha: 2\nmid:\n  b: 1\n  a: 2\n');
  });

  test('emits nested sequences and compact mappings with the right indentation', () => {
    // GIVEN a root sequence holding sequences and mappings with nested sequences
    const value: JsonValue = [
      [1, [2, 3], []],
      { a: [{ b: [] }, { c: { d: 'e' } }], f: {} },
      [{ g: 1, h: [true, false] }],
      {},
      null,
    ];

    // WHEN
    const text = toYaml(value);

    // THEN
    expect(text).toBe(
      [
        '- - 1',
        '  - - 2',
        '    - 3',
        '  - []',
        '- a:',
        '  - b: []',
        '  - c:',
        '      d: e',
        '  f: {}',
        '- - g: 1',
        '    h:',
        '    - true',
        '    - false',
        '- {}',
        '- null',
        '',
      ].join('\n'),
    );
    for (const version of VERSIONS) expect(parseStrict(text, version)).toEqual(value);
  });

  test('emits root scalars and empty collections as single lines', () => {
    // GIVEN / WHEN / THEN
    expect(toYaml({})).toBe('{}\n');
    expect(toYaml([])).toBe('[]\n');
    expect(toYaml(null)).toBe('null\n');
    expect(toYaml(true)).toBe('true\n');
    expect(toYaml(42)).toBe('42\n');
    expect(toYaml('plain')).toBe('plain\n');
    expect(toYaml('yes')).toBe('"yes"\n');
    expect(toYaml('a\nb\n')).toBe('|\n  a\n  b\n');
    expect(toYaml(' a\nb')).toBe('" a\\nb"\n');
  });

  test.each([
    'app.kubernetes.io/name',
    'nginx:1.25',
    'https://example.com/a/b',
    '/var/run/secrets',
    '/',
    'Hello world',
    'a=b',
    'user@example.com',
    'f(x)',
    'a-b_c.d+e',
    '500m',
    '128Mi',
    '30s',
    '10Gi',
    'yesterday',
    'nullable',
    'Online',
    'e',
    'E',
    'ex5',
    'x1F',
    'TCP',
  ])('emits %j as a plain scalar that parses back equal', (s) => {
    // GIVEN a string that is safe unquoted
    const value = { [s]: s };

    // WHEN
    const text = toYaml(value);

    // THEN it is not quoted, as key nor as value, and both YAML versions read a string
    expect(text).toBe(`${s}: ${s}\n`);
    for (const version of VERSIONS) expect(parseStrict(text, version)).toEqual(value);
  });

  test.each([
    'e5',
    '1e5',
    'E+3',
    'yes',
    'Yes',
    'No',
    'on',
    'ON',
    'off',
    'y',
    'Y',
    'n',
    '~',
    'null',
    'Null',
    'NaN',
    'inf',
    '0o7',
    '0x1F',
    '0b101',
    '1_000',
    '1:20',
    '190:20:30',
    '2001-12-14',
    '2001-12-14t21:59:43.10-05:00',
    '.inf',
    '-.inf',
    '.NaN',
    '<<',
    '=',
    '',
    ' lead',
    'trail ',
    'a: b',
    'a:',
    'a #b',
    '#x',
    '-',
    '- x',
    '---',
    '...',
    '@x',
    '`x',
    "'x",
    '"x',
    '%x',
    '*x',
    '&x',
    '!x',
    '!!str',
    '|',
    '>',
    '[x]',
    '{x}',
    '?x',
    '? x',
    ',x',
    'tab\tin',
    'nul\u0000',
    'bell\u0007',
    'del\u007f',
    'nel\u0085',
    '\u2028',
    '\u2029',
    '\ufeffbom',
    '\u00a0nbsp',
    'emoji 🛡️',
    'café',
    '12',
    '-1',
    '+1',
    '0.5',
    '.5',
    '1.',
    '0',
    '007',
    '1e',
    'true',
    'False',
    'TRUE',
    'back\\slash',
    'quote"inside',
    'cr\r',
  ])('quotes %j and parses back equal as key and value in YAML 1.1 and 1.2', (s) => {
    // GIVEN a string some YAML parser would misread (or reject) when unquoted
    const value = { [s]: s, list: [s] };

    // WHEN
    const text = toYaml(value);

    // THEN key, map value and sequence item are all double-quoted ...
    const quoted = text.split('\n');
    expect(quoted[0].startsWith('"')).toBe(true);
    expect(quoted[0]).toMatch(/^".*": ".*"$/);
    expect(quoted[2]).toMatch(/^- ".*"$/);
    // ... on a single line, with no raw line-break-like or control characters
    expect(text.split('\n')).toHaveLength(4);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/);
    // ... and read back as the same string
    for (const version of VERSIONS) expect(parseStrict(text, version)).toEqual(value);
  });

  test.each<[string, string]>([
    ['a\nb', 'k: |-\n  a\n  b\nz: 1\n'],
    ['a\nb\n', 'k: |\n  a\n  b\nz: 1\n'],
    ['a\nb\n\n', 'k: |+\n  a\n  b\n\nz: 1\n'],
    ['a\nb\n\n\n', 'k: |+\n  a\n  b\n\n\nz: 1\n'],
    ['\n', 'k: "\\n"\nz: 1\n'],
    ['\n\n', 'k: "\\n\\n"\nz: 1\n'],
    [' lead\nx', 'k: |2-\n   lead\n  x\nz: 1\n'],
    ['\n  lead\nx\n', 'k: |2\n\n    lead\n  x\nz: 1\n'],
    ['x\n\n\ny', 'k: |-\n  x\n\n\n  y\nz: 1\n'],
    ['x\n  in\tdented\ny', 'k: |-\n  x\n    in\tdented\n  y\nz: 1\n'],
    ['# not a comment\n- not a list\n---\n...', 'k: |-\n  # not a comment\n  - not a list\n  ---\n  ...\nz: 1\n'],
    ['trailing space \nx', 'k: "trailing space \\nx"\nz: 1\n'],
    ['x\ntrailing tab\t', 'k: "x\\ntrailing tab\\t"\nz: 1\n'],
    ['x\n   \ny', 'k: "x\\n   \\ny"\nz: 1\n'],
    ['a\r\nb', 'k: "a\\r\\nb"\nz: 1\n'],
    ['\tlead\nx', 'k: "\\tlead\\nx"\nz: 1\n'],
    ['a\nb\u0085c', 'k: "a\\nb\\u0085c"\nz: 1\n'],
    ['a\n\u2028', 'k: "a\\n\\u2028"\nz: 1\n'],
    ['ünï\n🛡️ code', 'k: |-\n  ünï\n  🛡️ code\nz: 1\n'],
  ])('emits multi-line %j exactly and round-trips', (s, expected) => {
    // GIVEN a multi-line string followed by another key
    const value = { k: s, z: 1 };

    // WHEN
    const text = toYaml(value);

    // THEN
    expect(text).toBe(expected);
    for (const version of VERSIONS) expect(parseStrict(text, version)).toEqual(value);
  });

  test('never leaves indentation spaces on empty lines of a block literal', () => {
    // GIVEN a deeply nested literal with empty lines
    const value = { a: { b: [{ c: 'x\n\ny\n\n\nz\n' }] } };

    // WHEN
    const text = toYaml(value);

    // THEN
    expect(text).toBe('a:\n  b:\n  - c: |\n      x\n\n      y\n\n\n      z\n');
    expect(text).not.toMatch(/ \n/);
    for (const version of VERSIONS) expect(parseStrict(text, version)).toEqual(value);
  });

  test('places the indentation indicator relative to sequence items and nested keys', () => {
    // GIVEN leading-space literals as sequence items and nested values
    const value = { a: [' x\ny', { b: '  p\nq\n' }], c: [[' r\ns']] };

    // WHEN
    const text = toYaml(value);

    // THEN
    expect(text).toBe(
      [
        'a:',
        '- |2-',
        '   x',
        '  y',
        '- b: |2',
        '      p',
        '    q',
        'c:',
        '- - |2-',
        '     r',
        '    s',
        '',
      ].join('\n'),
    );
    for (const version of VERSIONS) expect(parseStrict(text, version)).toEqual(value);
  });

  test('ends the document with exactly one line break even when the last string keeps several', () => {
    // GIVEN a keep-chomping string as the very last scalar
    const value = { a: 'x\n\n', b: ['y\n\n\n'] };

    // WHEN
    const text = toYaml(value);

    // THEN the last one falls back to double quotes, the earlier one stays a literal
    expect(text).toBe('a: |+\n  x\n\nb:\n- "y\\n\\n\\n"\n');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.endsWith('\n\n')).toBe(false);
    for (const version of VERSIONS) expect(parseStrict(text, version)).toEqual(value);
  });

  test('emits numbers in a form both YAML 1.1 and 1.2 read back as the same number', () => {
    // GIVEN integers, fractions and values whose shortest form uses an exponent
    const value = {
      int: 8080,
      neg: -42,
      zero: 0,
      negZero: -0,
      maxSafe: Number.MAX_SAFE_INTEGER,
      big: 1e21,
      bigger: -1.5e300,
      half: 0.5,
      tiny: 1e-7,
      tinier: 5e-324,
      pi: 3.141592653589793,
    };

    // WHEN
    const text = toYaml(value);

    // THEN
    expect(text).toBe(
      [
        'int: 8080',
        'neg: -42',
        'zero: 0',
        'negZero: 0',
        'maxSafe: 9007199254740991',
        'big: 1.0e+21',
        'bigger: -1.5e+300',
        'half: 0.5',
        'tiny: 1.0e-7',
        'tinier: 5.0e-324',
        'pi: 3.141592653589793',
        '',
      ].join('\n'),
    );
    for (const version of VERSIONS) {
      expect(parseStrict(text, version)).toEqual({ ...value, negZero: 0 });
    }
  });

  test('emits keys longer than the implicit-key limit in explicit form', () => {
    // GIVEN keys of 1,100 characters with scalar, mapping, sequence and literal values
    const long = 'k'.repeat(1100);
    const quotedLong = ' '.repeat(1100);
    const value = {
      [long]: 'v',
      list: [{ [quotedLong]: { a: 1 }, b: 2 }],
      [long + 'x']: ['s', 't'],
      [long + 'y']: 'line1\nline2\n',
    };

    // WHEN
    const text = toYaml(value);

    // THEN
    expect(text.startsWith(`? ${long}\n: v\nlist:\n- ? "${quotedLong}"\n  : a: 1\n  b: 2\n`)).toBe(true);
    expect(text.endsWith(`? ${long}y\n: |\n  line1\n  line2\n`)).toBe(true);
    for (const version of VERSIONS) expect(parseStrict(text, version)).toEqual(value);
  });

  test('is deterministic: equal input gives identical bytes', () => {
    // GIVEN two structurally equal but separately built values
    const build = (): JsonValue => ({
      metadata: { name: 'a', labels: { 'x.io/y': 'z' } },
      data: { s: 'one\ntwo\n', n: [1, 2.5, null, true, 'yes'] },
    });

    // WHEN
    const first = toYaml(build());
    const second = toYaml(build());
    const third = toYaml(JSON.parse(JSON.stringify(build())) as JsonValue);

    // THEN
    expect(second).toBe(first);
    expect(third).toBe(first);
  });
});

describe('toYamlStream', () => {
  test('joins documents with --- separators and no leading separator', () => {
    // GIVEN three documents, one of them a multi-line scalar
    const docs: JsonValue[] = [{ kind: 'Namespace', metadata: { name: 'a' } }, 'x\ny', []];

    // WHEN
    const text = toYamlStream(docs);

    // THEN
    expect(text).toBe('kind: Namespace\nmetadata:\n  name: a\n---\n|-\n  x\n  y\n---\n[]\n');
    for (const version of VERSIONS) expect(parseStreamStrict(text, version)).toEqual(docs);
  });

  test('emits an empty string for no documents and one document without separator', () => {
    // GIVEN / WHEN / THEN
    expect(toYamlStream([])).toBe('');
    expect(toYamlStream([{ a: 1 }])).toBe('a: 1\n');
  });
});

describe('randomized round trip', () => {
  const PIECES: readonly string[] = [
    ...'-?:,[]{}#&*!|>\'"%@`~=<.+_/\\'.split(''),
    ...'0123456789'.split(''),
    ...'abeEnoxyYNtTfF'.split(''),
    ' ', ' ', ' ', '\n', '\n', '\t', '\r',
    ': ', ' #', '- ', '---', '...', '0x', '0o', '1e', '.inf', '.nan', '<<', '_',
    'yes', 'No', 'on', 'OFF', 'null', 'true', '~', '2001-12-14',
    '\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u00a0', '\u2028', '\u2029', '\ufeff',
    'é', 'ß', '中', '🛡️', '😀', '\u0301',
  ];
  const WORDS: readonly string[] = [
    '', 'y', 'n', 'yes', 'No', 'on', 'OFF', '~', 'null', 'Null', 'true', 'False', 'e5', '1e5', '0o7', '0x1F',
    '1_000', '1:20', '.inf', '.NaN', '2001-12-14', '<<', '=', '12', '-1', '+1', '0.5', 'app', 'nginx:1.25',
    '500m', '128Mi', 'app.kubernetes.io/name', 'Hello world', '\n', '\n\n', 'a\nb', 'a\nb\n', 'a\nb\n\n',
    ' lead\nx', 'x\n\n\ny',
  ];

  function makeGen(seed: number) {
    const rand = mulberry32(seed);
    const int = (n: number) => Math.floor(rand() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];

    const randomString = (): string => {
      const r = rand();
      if (r < 0.25) return pick(WORDS);
      if (r < 0.35) return pick(WORDS) + pick(PIECES) + pick(WORDS);
      if (r < 0.45) {
        // multi-line text made of mostly safe lines
        const lines: string[] = [];
        const count = 1 + int(5);
        for (let i = 0; i < count; i++) {
          lines.push(rand() < 0.3 ? '' : (rand() < 0.3 ? ' '.repeat(1 + int(3)) : '') + 'line' + int(100));
        }
        return lines.join('\n') + '\n'.repeat(int(4));
      }
      let s = '';
      const len = int(12);
      for (let i = 0; i < len; i++) s += pick(PIECES);
      return s;
    };

    const randomNumber = (): number => {
      switch (int(6)) {
        case 0:
          return int(100000) - 50000;
        case 1:
          return (rand() - 0.5) * 1e6;
        case 2:
          return Math.pow(10, int(60) - 30) * (rand() < 0.5 ? -1 : 1) * (1 + int(9));
        case 3:
          return rand();
        case 4:
          return Number.MAX_SAFE_INTEGER - int(1000);
        default:
          return int(10);
      }
    };

    const randomValue = (depth: number): JsonValue => {
      const r = rand();
      if (depth < 4 && r < 0.3) {
        const obj: { [k: string]: JsonValue } = {};
        const count = int(6);
        for (let i = 0; i < count; i++) obj[randomString()] = randomValue(depth + 1);
        return obj;
      }
      if (depth < 4 && r < 0.5) {
        const arr: JsonValue[] = [];
        const count = int(5);
        for (let i = 0; i < count; i++) arr.push(randomValue(depth + 1));
        return arr;
      }
      if (r < 0.8) return randomString();
      if (r < 0.9) return randomNumber();
      if (r < 0.95) return rand() < 0.5;
      return null;
    };

    return { randomValue, int };
  }

  test('2,000 random JSON trees parse back deep-equal under YAML 1.1 and 1.2', () => {
    // GIVEN a seeded generator of trees rich in YAML indicators, digits, spaces, line breaks and unicode
    const gen = makeGen(0xb01a4c);
    let literals = 0;
    let plain = 0;

    for (let i = 0; i < 2000; i++) {
      const value = gen.randomValue(0);

      // WHEN
      const text = toYaml(value);

      // THEN
      expect(text.endsWith('\n')).toBe(true);
      expect(text.endsWith('\n\n')).toBe(false);
      for (const version of VERSIONS) {
        const back = parseStrict(text, version);
        if (!isDeepEqual(back, value)) {
          throw new Error(`round trip failed (YAML ${version}) for ${JSON.stringify(value)}:\n${text}`);
        }
      }
      if (/(^|[:-] )\|/m.test(text)) literals++;
      if (/: [A-Za-z/]/.test(text)) plain++;
    }
    // the corpus actually exercised the interesting paths
    expect(literals).toBeGreaterThan(100);
    expect(plain).toBeGreaterThan(100);
  });

  test('random streams parse back document by document', () => {
    // GIVEN
    const gen = makeGen(42);
    for (let i = 0; i < 200; i++) {
      const docs: JsonValue[] = [];
      const count = gen.int(6);
      for (let j = 0; j < count; j++) docs.push(gen.randomValue(0));

      // WHEN
      const text = toYamlStream(docs);

      // THEN
      for (const version of VERSIONS) {
        const back = parseStreamStrict(text, version);
        if (!isDeepEqual(back, docs)) {
          throw new Error(`stream round trip failed (YAML ${version}) for ${JSON.stringify(docs)}:\n${text}`);
        }
      }
    }
  });
});

/** Strict structural equality for JSON data (distinguishes "1" from 1, [] from {}). */
function isDeepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => isDeepEqual(x, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && isDeepEqual(ra[k], rb[k]));
}

describe('fails', () => {
  test('fails on NaN and names the key path', () => {
    // GIVEN
    const value = { spec: { replicas: NaN } };
    // WHEN / THEN
    expect(() => toYaml(value)).toThrow(/NaN at spec\.replicas/);
  });

  test('fails on Infinity inside a sequence and names the index', () => {
    // GIVEN
    const value = { spec: { weights: [1, -Infinity] } };
    // WHEN / THEN
    expect(() => toYaml(value)).toThrow(/-Infinity at spec\.weights\[1\]: only finite numbers/);
  });

  test('fails on undefined and quotes keys that are not identifiers', () => {
    // GIVEN
    const value = { metadata: { labels: { 'app.kubernetes.io/name': undefined } } } as unknown as JsonValue;
    // WHEN / THEN
    expect(() => toYaml(value)).toThrow('undefined at metadata.labels["app.kubernetes.io/name"]');
  });

  test('fails on a sparse array hole', () => {
    // GIVEN
    const value = { items: [1, , 3] } as unknown as JsonValue;
    // WHEN / THEN
    expect(() => toYaml(value)).toThrow('undefined at items[1]');
  });

  test('fails on a function', () => {
    // GIVEN
    const value = { spec: { template: { toJSON: () => 'x' } } } as unknown as JsonValue;
    // WHEN / THEN
    expect(() => toYaml(value)).toThrow('a function at spec.template.toJSON');
  });

  test('fails on a Date', () => {
    // GIVEN
    const value = { metadata: { creationTimestamp: new Date(0) } } as unknown as JsonValue;
    // WHEN / THEN
    expect(() => toYaml(value)).toThrow('a non-plain object (Date) at metadata.creationTimestamp');
  });

  test('fails on a Map', () => {
    // GIVEN
    const value = { data: [new Map([['a', 'b']])] } as unknown as JsonValue;
    // WHEN / THEN
    expect(() => toYaml(value)).toThrow('a non-plain object (Map) at data[0]');
  });

  test('fails on a class instance at the root', () => {
    // GIVEN
    class Chart {
      readonly kind = 'Chart';
    }
    // WHEN / THEN
    expect(() => toYaml(new Chart() as unknown as JsonValue)).toThrow('a non-plain object (Chart) at <root>');
  });

  test('fails on a bigint', () => {
    // GIVEN
    const value = { spec: { replicas: BigInt(3) } } as unknown as JsonValue;
    // WHEN / THEN
    expect(() => toYaml(value)).toThrow('a bigint (3n) at spec.replicas');
  });

  test('fails on a cycle with an error instead of a stack overflow', () => {
    // GIVEN
    const node: Record<string, unknown> = { name: 'loop' };
    node.self = node;
    // WHEN / THEN
    expect(() => toYaml(node as unknown as JsonValue)).toThrow(/nesting deeper than 1000 levels/);
  });

  test('fails in a stream naming the document index', () => {
    // GIVEN
    const docs = [{ a: 1 }, { spec: { replicas: NaN } }] as JsonValue[];
    // WHEN / THEN
    expect(() => toYamlStream(docs)).toThrow('toYamlStream (document 1): cannot emit NaN at spec.replicas');
  });

  test('accepts null-prototype objects as plain data', () => {
    // GIVEN
    const value = Object.assign(Object.create(null) as Record<string, JsonValue>, { a: 1 });
    // WHEN / THEN
    expect(toYaml(value)).toBe('a: 1\n');
  });
});
