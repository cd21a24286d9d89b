import { INVALID, Issue, t, Type } from '../../lib/config/schema-types';

describe('schema types', () => {
  test('defaultedObject takes its default from the fields\' own defaults', () => {
    const limits = t.object({ max: t.defaulted(t.integer(1, 10), 5, 'max'), note: t.optional(t.string(), 'note') });
    const field = t.defaultedObject(limits, 'limits');
    expect(field.defaultValue).toEqual({ max: 5 });
    const parent = t.object({ limits: field });
    expect(parent.check({}, [], [])).toEqual({ limits: { max: 5 } });
  });

  test('fails on defaultedObject over an object with a required field', () => {
    const strict = t.object({ name: t.required(t.string(), 'name') });
    expect(() => t.defaultedObject(strict, 'x')).toThrow('schema: defaultedObject needs every field defaulted or optional: name');
  });

  test('forbidden reports the key without echoing a string value', () => {
    const secret = t.object({ value: t.optional(t.forbidden('no literals', 'a reference', 'use remoteKey'), 'never') });
    const issues: Issue[] = [];
    expect(secret.check({ value: 'hunter2' }, ['s'], issues)).toBe(INVALID);
    expect(issues).toEqual([
      { path: ['s', 'value'], message: 'no literals', received: 'a literal value (not shown)', allowed: 'a reference', fix: 'use remoteKey' },
    ]);
  });
});

/** The one issue `type` reports for `value`. */
function issueOf(type: Type<unknown>, value: unknown): Issue {
  const issues: Issue[] = [];
  expect(type.check(value, ['k'], issues)).toBe(INVALID);
  expect(issues).toHaveLength(1);
  return issues[0];
}

describe('every issue says how to fix it', () => {
  test.each([
    ['a quoted integer', t.integer(0, 100), '3', 'wrong type', 'remove the quotes: 3'],
    ['a fraction', t.integer(0, 100), 1.5, 'wrong type', 'use a whole number, e.g. 2'],
    ['a number in words', t.integer(0, 100), 'two', 'wrong type', 'write the number in digits, without quotes, e.g. 1'],
    ['an integer above the range', t.integer(1, 10), 11, 'out of range', 'use 10 or less'],
    ['an integer below the range', t.integer(1, 10), 0, 'out of range', 'use 1 or more'],
    ['a number for a string', t.string(), 300, 'wrong type', 'put the value in quotes: "300"'],
    ['a list for a string', t.string(), ['a'], 'wrong type', 'write one value, not a list'],
    ['a quoted boolean', t.boolean(), 'true', 'wrong type', 'remove the quotes: true'],
    ['a typo of an enum value', t.oneOf(['deny', 'warn'] as const), 'wran', 'unknown value', 'did you mean "warn"?'],
    ['an enum value like none', t.oneOf(['deny', 'warn'] as const), 'block', 'unknown value', 'use one of the allowed values'],
    ['a scalar for a list', t.list(t.string()), 'mcp', 'wrong type', 'write it as a list: [mcp]'],
    ['an empty list', t.list(t.string(), { minItems: 1 }), [], 'too few items', 'add an item'],
    ['a list for a mapping', t.object({}), ['a'], 'wrong type', 'write "key: value" lines (a mapping), not "- " items'],
    ['a scalar for a map', t.map(t.string(), t.string()), 'x', 'wrong type', 'write "key: value" lines indented under the key, not a single value'],
  ])('fails on %s', (_, type, value, message, fix) => {
    expect(issueOf(type as Type<unknown>, value)).toMatchObject({ message, fix });
  });

  test('fails on a duplicate item, naming the first', () => {
    const issues: Issue[] = [];
    t.list(t.string(), { unique: true }).check(['a', 'b', 'a'], ['k'], issues);
    expect(issues).toEqual([
      { path: ['k', 2], message: 'duplicate item', received: '"a"', allowed: 'each item at most once', fix: 'remove it: it repeats item [0]' },
    ]);
  });

  test('fails on an invalid string with the suggestion when it is valid, else how to fix it', () => {
    const label = t.string({ pattern: /^[a-z-]+$/, maxLength: 8, describe: 'a label', suggest: (v) => v.toLowerCase().replace(/_/g, '-') });
    expect(issueOf(
      label,
      'My_App',
    )).toEqual({
      path: ['k'], message: 'invalid value', received: '"My_App"', allowed: 'a label of at most 8 characters', fix: 'did you mean "my-app"?',
    });
    expect(issueOf(label, 'Very_Long_Name').fix).toBe('shorten it to at most 8 characters');
    expect(issueOf(label, 'a1').fix).toBe('write a label');
    expect(issueOf(t.string({ minLength: 10 }), 'short').fix).toBe('write at least 10 characters');
  });

  test('fails on a missing required key, received nothing', () => {
    expect(issueOf(
      t.object({ name: t.required(t.string(), 'the name') }),
      {},
    )).toEqual({ path: ['k', 'name'], message: 'missing required key', received: 'nothing', allowed: 'a string', fix: 'add name (the name)' });
  });
});

describe('JSON Schema of a type', () => {
  test('carries types, bounds, patterns, required keys, no other keys, docs and defaults', () => {
    const schema = t.object({
      name: t.required(t.string({ pattern: /^[a-z]+$/, maxLength: 10, describe: 'a name' }), 'the name'),
      size: t.defaulted(t.integer(1, 5), 2, 'how big'),
      tags: t.optional(t.list(t.oneOf(['a', 'b'] as const), { minItems: 1, unique: true }), 'tags'),
      secret: t.optional(t.forbidden('no', 'nothing', 'remove it'), 'never set'),
    });
    expect(schema.jsonSchema(new Map())).toEqual({
      type: 'object',
      properties: {
        name: { description: 'the name', type: 'string', minLength: 1, maxLength: 10, pattern: '^[a-z]+$', patternErrorMessage: 'expected a name' },
        size: { description: 'how big', type: 'integer', minimum: 1, maximum: 5, default: 2 },
        tags: { description: 'tags', type: 'array', items: { type: 'string', enum: ['a', 'b'] }, minItems: 1, uniqueItems: true },
        secret: { description: 'never set', not: {} },
      },
      required: ['name'],
      additionalProperties: false,
    });
  });

  test('a map of catalog entries: catalog names as properties, any other key needs the naming field', () => {
    const entry = t.object({ kind: t.optional(t.oneOf(['web'] as const), 'kind'), image: t.required(t.string(), 'image') });
    const definitions = new Map();
    const map = t.map(t.string({ pattern: /^[a-z]+$/ }), entry, { catalog: { names: ['web'], otherwise: 'kind', definition: 'entry' } });
    expect(map.jsonSchema(definitions)).toEqual({
      type: 'object',
      propertyNames: { type: 'string', minLength: 1, pattern: '^[a-z]+$', patternErrorMessage: 'expected a string' },
      properties: { web: { $ref: '#/definitions/entry' } },
      additionalProperties: { allOf: [{ $ref: '#/definitions/entry' }, { type: 'object', required: ['kind'] }] },
    });
    expect(definitions.get('entry')).toEqual(entry.jsonSchema(new Map()));
  });

  test('a refinement adds what it can express, beside the base type or in allOf when they share a keyword', () => {
    const base = t.string({ pattern: /^[a-z]+$/ });
    expect(base.refine(
      () => undefined,
      { not: { type: 'string', pattern: 'x' } },
    ).jsonSchema(new Map())).toMatchObject({ pattern: '^[a-z]+$', not: { type: 'string', pattern: 'x' } });
    expect(base.refine(() => undefined, { pattern: 'y' }).jsonSchema(new Map())).toEqual({ allOf: [base.jsonSchema(new Map()), { pattern: 'y' }] });
  });
});
