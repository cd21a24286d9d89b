import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { CRD_FILE_HEADER, writeCrdFiles } from '../../scripts/crds';

const crd = (group: string, kind: string): string => [
  'apiVersion: apiextensions.k8s.io/v1',
  'kind: CustomResourceDefinition',
  'metadata:',
  `  name: ${kind.toLowerCase()}s.${group}`,
  'spec:',
  `  group: ${group}`,
  `  names: {kind: ${kind}, plural: ${kind.toLowerCase()}s}`,
  '  scope: Namespaced',
  '  versions:',
  '  - name: v1',
  '    served: true',
  '    storage: true',
  '    schema:',
  '      openAPIV3Schema:',
  '        type: object',
  '        description: "Go-style text: a quoted scalar',
  '        continued less indented"',
  '',
].join('\n');

describe('make crds (scripts/crds.ts)', () => {
  let work: string;
  let modules: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-crds-'));
    modules = path.join(work, 'modules');
    fs.mkdirSync(path.join(modules, 'deploy'), { recursive: true });
    const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n';
    fs.writeFileSync(path.join(modules, 'deploy', 'a.yaml'), `${crd('a.example.com', 'Widget')}---\n${namespace}`);
    fs.writeFileSync(path.join(modules, 'deploy', 'b.yaml'), crd('a.example.com', 'Gadget'));
    fs.writeFileSync(path.join(modules, 'deploy', 'none.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  const moduleDir = (src: { module: string; version: string }) => {
    expect(`${src.module}@${src.version}`).toBe('example.com/widgets/v2@v2.1.0');
    return modules;
  };
  const sources = (paths: string[]) => [{ module: 'example.com/widgets/v2', version: 'v2.1.0', paths }];

  test('one file per module: its CRDs only, in the listed order, under a generated header', () => {
    const out = path.join(work, 'crds');
    const files = writeCrdFiles({ out, sources: sources(['deploy/a.yaml', 'deploy/b.yaml']), moduleDir });
    const file = path.join(out, 'example.com_widgets_v2@v2.1.0.yaml');
    expect(files).toEqual([{ file, source: 'example.com/widgets/v2@v2.1.0', crds: ['widgets.a.example.com', 'gadgets.a.example.com'] }]);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toBe(`${CRD_FILE_HEADER}example.com/widgets/v2@v2.1.0 (crds/sources.json): do not edit`);
    const docs = parseAllDocuments(text).map((d) => d.toJS() as { kind: string; spec: { versions: { schema: unknown }[] } });
    expect(docs.map((d) => d.kind)).toEqual(['CustomResourceDefinition', 'CustomResourceDefinition']);
    expect(docs[0].spec.versions[0].schema).toEqual({
      openAPIV3Schema: { type: 'object', description: 'Go-style text: a quoted scalar continued less indented' },
    });
  });

  test('a second run replaces the files of the first and leaves other files alone', () => {
    const out = path.join(work, 'crds');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'mine.yaml'), 'kind: Mine\n');
    fs.writeFileSync(path.join(out, 'old@v0.yaml'), `${CRD_FILE_HEADER}old@v0 (crds/sources.json): do not edit\n`);
    writeCrdFiles({ out, sources: sources(['deploy/a.yaml']), moduleDir });
    expect(fs.readdirSync(out).sort()).toEqual(['example.com_widgets_v2@v2.1.0.yaml', 'mine.yaml']);
  });

  test('fails on a listed path that holds no CRD, naming it', () => {
    expect(() => writeCrdFiles({ out: path.join(work, 'crds'), sources: sources(['deploy/none.yaml']), moduleDir })).toThrow(
      'example.com/widgets/v2@v2.1.0/deploy/none.yaml: no apiextensions.k8s.io/v1 CustomResourceDefinition in it (listed in crds/sources.json)',
    );
  });
});
