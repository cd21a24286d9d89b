/**
 * scripts/readme-flows.ts reads the README's "How to add a component" and "How to add an
 * environment"; scripts/test-flows.sh follows them in a copy of the repository (not here: it runs
 * jest itself). Here: the README still says them, and its examples synthesize, on the fixtures.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readOverlays } from '../../lib/config/load-overlay';
import { synthesize } from '../../lib/synth/pipeline';
import { applyFlows, missingResults, readmeFlows, withComponent, withSettings } from '../../scripts/readme-flows';
import { FIXTURE_OVERLAYS, ROOT } from '../helpers';

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('scripts/readme-flows.ts', () => {
  test('reads both flows from the README: a component, an environment, make update', () => {
    const flows = readmeFlows(README);
    expect(flows.component).toMatchObject({ overlay: 'overlays/dev.yaml', name: 'payments' });
    expect(flows.component.lines[1]).toBe('    kind: backend');
    expect(flows.environment).toMatchObject({ from: 'overlays/dev.yaml', to: 'overlays/qa.yaml', environment: 'qa' });
    expect(flows.commands).toEqual(['make update', 'make package ENV=qa']);
  });

  test('the README examples, applied to the fixture overlays, synthesize the new component and environment', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-flows-'));
    try {
      fs.cpSync(FIXTURE_OVERLAYS, path.join(dir, 'overlays'), { recursive: true });
      const flows = readmeFlows(README);
      expect(applyFlows(flows, dir)).toHaveLength(2);
      const { overlays, problems } = readOverlays('overlays', { cwd: dir });
      expect(problems).toEqual([]);
      const { files } = synthesize(overlays, { platformVersion: '1.2.3' });
      expect(['dev/payments/', 'qa/payments/', 'qa/backend/'].map((p) => [...files.keys()].some((f) => f.startsWith(p)))).toEqual([true, true, true]);
      expect(missingResults(flows, dir)).toEqual([
        'dist/dev/payments/ (empty or absent)',
        'dist/qa/ (empty or absent)',
        '__tests__/synth/__snapshots__/committed-overlays.test.ts.snap: "synthesize qa: full snapshot of every file 1"',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('adds the component at the end of components:, before any later top-level key', () => {
    const lines = ['  payments:', '    kind: backend'];
    expect(withComponent('a: 1\ncomponents:\n  x:\n    image: i\n\nafter: 2\n', lines))
      .toBe('a: 1\ncomponents:\n  x:\n    image: i\n\n  payments:\n    kind: backend\n\nafter: 2\n');
    expect(withComponent('components:\n  x: {}\n\n', lines)).toBe('components:\n  x: {}\n\n  payments:\n    kind: backend\n');
    expect(() => withComponent('components: {}\n', lines)).toThrow('the overlay has no block-style "components:" mapping to add to');
  });

  test('sets top-level keys of the copy only, a block key with the block below it; adds a key the copy does not have', () => {
    expect(withSettings('environment: dev\nx:\n  environment: dev\n', [['environment', 'qa']])).toBe('environment: qa\nx:\n  environment: dev\n');
    expect(withSettings('a: 1\nclusters:\n  - name: x\n\n    server: y\n\n# b\nb: 2\n', [['clusters', '[{ name: q }]']]))
      .toBe('a: 1\nclusters: [{ name: q }]\n\n# b\nb: 2\n');
    expect(withSettings('a: 1\n', [['namespace', 'n']])).toBe('a: 1\nnamespace: n\n');
  });

  test('fails when the README no longer says a flow', () => {
    const section = (title: string) => README.slice(README.indexOf(`\n## ${title}\n`)).split('\n## ')[1];
    expect(() => readmeFlows(README.replace(section('How to add a component'), 'How to add a component\n\n`make update`.\n')))
      .toThrow('README.md "How to add a component": expected one yaml example, found 0');
    expect(() => readmeFlows(README.replace(section('How to add an environment'), section('How to add an environment').replace(/`make update`/g, '`make synth`'))))
      .toThrow('README.md "How to add an environment": its steps no longer say `make update`');
    expect(() => readmeFlows(README.replace('\n   environment: qa\n', '\n   environment: staging\n')))
      .toThrow('README.md "How to add an environment": the example must set "environment: qa" (it must equal the file name)');
  });
});
