import { environmentName, environmentPrefix } from '../../lib/manifest/names';

describe('names carrying the environment', () => {
  test('the prefix and the names built on it', () => {
    expect(environmentPrefix('eu-prod')).toBe('bulwark-eu-prod');
    expect(environmentName('prod', 'platform-critical')).toBe('bulwark-prod-platform-critical');
    expect(environmentName('prod', 'backend', 'tls')).toBe('bulwark-prod-backend-tls');
  });

  test('without an environment (the gator suites) the names are plain', () => {
    expect(environmentName(undefined, 'no-privileged')).toBe('bulwark-no-privileged');
  });
});
