import * as fs from 'fs';
import { diffSample, README, synthSample, upToChange, withSample } from '../../scripts/readme-samples';
import { VERSION } from '../cli/cli-harness';
import { ROOT } from '../helpers';

describe('scripts/readme-samples.ts', () => {
  test('the README shows what make synth prints for the committed overlays (make update refreshes it)', () => {
    const readme = fs.readFileSync(README, 'utf8');
    expect(withSample(readme, synthSample(ROOT, VERSION))).toBe(readme);
  });

  test('the README shows what make diff prints for the change it describes, run in a repository of the committed overlays', () => {
    const readme = fs.readFileSync(README, 'utf8');
    const sample = diffSample(ROOT, VERSION);
    expect(sample).toMatch(/^```console\n\$ make diff REF=HEAD {6}# after giving dev's mcp replicas: 2\ndev: .*\(against HEAD:dist\/dev\/\)\n/);
    expect(sample).toMatch(/\n {2}changed {2}Deployment\/bulwark-dev\/mcp .*\n[\s\S]*\n-  replicas: 1\n\+  replicas: 2\n…\n```$/);
    expect(withSample(readme, sample, 'diff-sample')).toBe(readme);
  });

  test('the diff sample ends with the line of the change, and fails when the diff does not show it', () => {
    expect(upToChange('dev: 1 changed\n@@ -1,1 +1,1 @@\n-  replicas: 1\n+  replicas: 2\n   a: b\n')).toEqual([
      'dev: 1 changed', '@@ -1,1 +1,1 @@', '-  replicas: 1', '+  replicas: 2', '…',
    ]);
    expect(() => upToChange('dev: no differences\n')).toThrow('the diff sample: bulwark diff printed no line "+  replicas: 2"');
  });

  test('replaces only the block between the markers', () => {
    const block = (marker: string, body: string): string => `<!-- ${marker}:start -->\n${body}\n<!-- ${marker}:end -->\n`;
    const text = `a\n${block('synth-sample', 'old')}b\n${block('diff-sample', 'old')}`;
    expect(withSample(text, 'new')).toBe(`a\n${block('synth-sample', 'new')}b\n${block('diff-sample', 'old')}`);
    expect(withSample(text, 'new', 'diff-sample')).toBe(`a\n${block('synth-sample', 'old')}b\n${block('diff-sample', 'new')}`);
  });

  test('fails on a README without the markers', () => {
    expect(() => withSample('no markers', 'x')).toThrow('README.md has no <!-- synth-sample:start --> … <!-- synth-sample:end --> block');
    expect(() => withSample('no markers', 'x', 'diff-sample'))
      .toThrow('README.md has no <!-- diff-sample:start --> … <!-- diff-sample:end --> block');
  });
});
