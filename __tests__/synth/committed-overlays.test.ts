/**
 * One full snapshot of every file per committed environment: what `overlays/<env>.yaml`
 * synthesizes. These are the only tests that read `overlays/` (every other one builds on
 * `__tests__/fixtures/overlays/`). The environments are found, not listed: a new overlay gets its
 * own snapshot, and `make update` refreshes them all together with `dist/`.
 */
import { loadOverlays } from '../../lib/config/load-overlay';
import { synthesize } from '../../lib/synth/pipeline';
import { ROOT } from '../helpers';

const result = synthesize(loadOverlays('overlays', { cwd: ROOT }), { platformVersion: '1.2.3' });

describe('synthesize', () => {
  test.each(result.environments.map((e) => e.environment))('%s: full snapshot of every file', (env) => {
    const files = [...result.files].filter(([rel]) => rel.startsWith(`${env}/`)).sort(([a], [b]) => a.localeCompare(b));
    expect(Object.fromEntries(files)).toMatchSnapshot();
  });
});
