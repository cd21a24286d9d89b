import * as fs from 'fs';
import * as path from 'path';
import { gatekeeperVersion } from '../../scripts/gen-policy-schemas';
import { ROOT } from '../helpers';

describe('policy toolchain pins', () => {
  test('gator is built from the Gatekeeper version whose CRDs the bindings and schemas come from', () => {
    const pinned = /^GATOR_VERSION=(\S+)$/m.exec(fs.readFileSync(path.join(ROOT, 'scripts', 'tools.env'), 'utf8'))?.[1];
    expect(pinned).toBe(gatekeeperVersion());
  });
});
