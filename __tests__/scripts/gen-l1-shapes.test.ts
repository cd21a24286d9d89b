/**
 * scripts/gen-l1-shapes.ts: what it reads from the bindings' converters, what it refuses, and that
 * the committed lib/render/l1-shapes.generated.ts is what it generates today.
 */
import * as fs from 'fs';
import { SHAPES_FILE, generate, parseClasses, parseConverters, parseField, reachable } from '../../scripts/gen-l1-shapes';

const MAP = (value: string): string => '((obj.labels) === undefined) ? undefined : '
  + `(Object.entries(obj.labels).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: ${value} }), {}))`;

/** A converter as the cdk8s importer writes it (TypeScript form). */
const converter = (name: string, fields: readonly string[]): string => [
  `export function toJson_${name}(obj: ${name} | undefined): Record<string, any> | undefined {`,
  '  if (obj === undefined) { return undefined; }',
  '  const result = {',
  ...fields.map((f) => `    ${f},`),
  '  };',
  '  // filter undefined values',
  '  return Object.entries(result).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {});',
  '}',
  '',
].join('\n');

/** An L1 class as the importer writes it (compiled JavaScript form), with optional extra members. */
const l1Class = (name: string, extra = ''): string => [
  `class ${name} extends cdk8s_1.ApiObject {`,
  '    constructor(scope, id, props = {}) {',
  '        super(scope, id, {',
  `            ...${name}.GVK,`,
  '            ...props,',
  '        });',
  '    }',
  '    static manifest(props = {}) {',
  `        return { ...${name}.GVK, ...toJson_${name}Props(props) };`,
  '    }',
  extra,
  '    toJson() {',
  '        const resolved = super.toJson();',
  '        return {',
  `            ...${name}.GVK,`,
  `            ...toJson_${name}Props(resolved),`,
  '        };',
  '    }',
  '}',
  '',
].join('\n');

describe('parseField', () => {
  test.each([
    ['obj.replicas', { kind: 'v' }],
    ['obj.args?.map(y => y)', { kind: 'a' }],
    ['obj.port?.value', { kind: 'u' }],
    ['obj.stamp?.toISOString()', { kind: 'd' }],
    ['toJson_PodSpec(obj.spec)', { kind: 's', type: 'PodSpec' }],
    ['obj.containers?.map(y => toJson_Container(y))', { kind: 'as', type: 'Container' }],
    [MAP('i[1]'), { kind: 'm' }],
    [MAP('i[1]?.value'), { kind: 'mu' }],
    [MAP('toJson_Quota(i[1])'), { kind: 'ms', type: 'Quota' }],
    [MAP('i[1]?.map(y => y)'), { kind: 'ma' }],
    [MAP('i[1]?.map(y => toJson_Header(y))'), { kind: 'mas', type: 'Header' }],
  ])('reads %s', (expr, shape) => {
    const prop = /obj\.(\w+)/.exec(expr)![1];
    expect(parseField('the-key', expr)).toEqual({ key: 'the-key', prop, ...shape });
  });

  test.each([
    ['obj.name?.toUpperCase()'],
    ['toJson_Spec(obj.spec) ?? {}'],
    ['obj.args?.map(y => y.trim())'],
    [MAP('i[1].value')],
  ])('refuses %s', (expr) => {
    expect(parseField('k', expr)).toBeUndefined();
  });
});

describe('parseConverters', () => {
  test('reads every field in the converter\'s order, renamed keys included', () => {
    const types = parseConverters(
      converter('Spec', ["'x-kubernetes-int': obj.xKubernetesInt", "'a': toJson_Inner(obj.a)"]) + converter('Inner', ["'n': obj.n"]),
    );
    expect(types.get('Spec')).toEqual([
      { key: 'x-kubernetes-int', prop: 'xKubernetesInt', kind: 'v' },
      { key: 'a', prop: 'a', kind: 's', type: 'Inner' },
    ]);
    expect(reachable('Spec', types)).toEqual(['Inner', 'Spec']);
  });

  test('leaves out a converter with a field it cannot reproduce, and every type reaching it', () => {
    const types = parseConverters(converter('Outer', ["'spec': toJson_Odd(obj.spec)"]) + converter('Odd', ["'name': obj.name?.toUpperCase()"]));
    expect(types.has('Odd')).toBe(true);
    expect(types.get('Odd')).toBeUndefined();
    expect(reachable('Outer', types)).toBeUndefined();
  });

  test('leaves out a converter of another form, and a key the table cannot encode', () => {
    const edited = converter('Edited', ["'a': obj.a"]).replace('// filter undefined values', '// filter undefined values\n  console.log(result);');
    const spaced = converter('Spaced', ["'a key': obj.aKey"]);
    const types = parseConverters(edited + spaced);
    expect([...types]).toEqual([['Edited', undefined], ['Spaced', undefined]]);
  });
});

describe('parseClasses', () => {
  test('takes a class whose constructor and toJson are the importer\'s templates', () => {
    expect(parseClasses(l1Class('KubeThing'))).toEqual(new Map([['KubeThing', 'KubeThingProps']]));
  });

  test('refuses a class with another member or another toJson', () => {
    expect(parseClasses(l1Class('KubeThing', '    validate() {\n        return [];\n    }'))).toEqual(new Map());
    const withExtra = l1Class('KubeThing')
      .replace('...toJson_KubeThingProps(resolved),', '...toJson_KubeThingProps(resolved),\n            extra: 1,');
    expect(parseClasses(withExtra)).toEqual(new Map());
  });
});

describe('lib/render/l1-shapes.generated.ts', () => {
  test('is what scripts/gen-l1-shapes.ts generates from today\'s bindings and lib/', () => {
    expect(fs.readFileSync(SHAPES_FILE, 'utf8')).toBe(generate());
  });
});
