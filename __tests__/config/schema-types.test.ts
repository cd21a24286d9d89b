import { INVALID, Issue, t } from '../../lib/config/schema-types';

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
    expect(issues).toEqual([{ path: ['s', 'value'], message: 'no literals', received: 'a literal value (not shown)', allowed: 'a reference', fix: 'use remoteKey' }]);
  });
});
