import * as fs from 'fs';
import { README, synthSample, withSample } from '../../scripts/readme-samples';
import { VERSION } from '../cli/cli-harness';
import { ROOT } from '../helpers';

describe('scripts/readme-samples.ts', () => {
  test('the README shows what make synth prints for the committed overlays (make update refreshes it)', () => {
    const readme = fs.readFileSync(README, 'utf8');
    expect(withSample(readme, synthSample(ROOT, VERSION))).toBe(readme);
  });

  test('replaces only the block between the markers', () => {
    const text = 'a\n<!-- synth-sample:start -->\nold\n<!-- synth-sample:end -->\nb\n';
    expect(withSample(text, 'new')).toBe('a\n<!-- synth-sample:start -->\nnew\n<!-- synth-sample:end -->\nb\n');
  });

  test('fails on a README without the markers', () => {
    expect(() => withSample('no markers', 'x')).toThrow('README.md has no <!-- synth-sample:start --> … <!-- synth-sample:end --> block');
  });
});
