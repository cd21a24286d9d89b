import { parseOverlay } from '../../lib/config/load-overlay';
import { configErrors, modelOf, overlayText } from '../helpers';

function modelFromDev(...replacements: [string, string][]) {
  let text = overlayText('dev');
  for (const [search, replacement] of replacements) {
    const changed = text.replace(search, replacement);
    if (changed === text) throw new Error(`fixture did not change: ${search}`);
    text = changed;
  }
  return () => modelOf(parseOverlay('overlays/dev.yaml', text));
}

const BACKEND_REQUESTS = '      requests: { cpu: 100m, memory: 128Mi }';

describe('ephemeral storage, resolved for every container and namespace', () => {
  test('a component without its own takes the LimitRange defaults, those the platform\'s, a quota room for its pods at them', () => {
    const dev = modelOf('dev');
    expect(dev.limitRange.defaultRequest['ephemeral-storage']).toBe('64Mi');
    expect(dev.limitRange.default['ephemeral-storage']).toBe('256Mi');
    expect(dev.components.find((c) => c.name === 'backend')!.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '64Mi' },
      limits: { cpu: '500m', memory: '512Mi', 'ephemeral-storage': '256Mi' },
    });
    // 30 pods at the defaults
    expect([dev.quota.requests['ephemeral-storage'], dev.quota.limits['ephemeral-storage']]).toEqual(['1920Mi', '7680Mi']);
  });

  test('the overlay\'s own values win, at every level', () => {
    const model = modelFromDev(
      [BACKEND_REQUESTS, '      requests: { cpu: 100m, memory: 128Mi, ephemeral-storage: 128Mi }'],
      ['  defaultRequest: { cpu: 50m, memory: 64Mi }', '  defaultRequest: { cpu: 50m, memory: 64Mi, ephemeral-storage: 32Mi }'],
      ['  requests: { cpu: "4", memory: 8Gi }', '  requests: { cpu: "4", memory: 8Gi, ephemeral-storage: 4Gi }'],
    )();
    expect(model.components.find((c) => c.name === 'backend')!.resources.requests['ephemeral-storage']).toBe('128Mi');
    expect(model.components.find((c) => c.name === 'mcp')!.resources.requests['ephemeral-storage']).toBe('32Mi');
    expect(model.quota.requests['ephemeral-storage']).toBe('4Gi');
  });

  test('fails on an ephemeral-storage request above its (default) limit', () => {
    const errors = configErrors(modelFromDev([BACKEND_REQUESTS, '      requests: { cpu: 100m, memory: 128Mi, ephemeral-storage: 1Gi }']));
    expect(errors).toEqual([
      'overlays/dev.yaml:53:64: components.backend.resources.requests.ephemeral-storage: ephemeral-storage request is above its limit; '
        + 'received "1Gi"; allowed: at most the limit "256Mi"; fix: raise the limit or lower the request',
    ]);
  });

  test('fails on a quota too small for every replica\'s ephemeral storage', () => {
    const small = '  requests: { cpu: "4", memory: 8Gi, ephemeral-storage: 100Mi }';
    const errors = configErrors(modelFromDev(['  requests: { cpu: "4", memory: 8Gi }', small]));
    expect(errors).toEqual([expect.stringMatching(
      /^overlays\/dev\.yaml:8:57: quota\.requests\.ephemeral-storage: quota is smaller than the components' requests .*received "100Mi"; allowed: at least "640Mi"; /,
    )]);
  });

  test('fails on an ephemeral-storage max in the LimitRange (it would reject every pod with an injected container)', () => {
    const errors = configErrors(modelFromDev(['  max: { cpu: "1", memory: 1Gi }', '  max: { cpu: "1", memory: 1Gi, ephemeral-storage: 1Gi }']));
    expect(errors).toEqual([
      'overlays/dev.yaml:15:52: limitRange.max.ephemeral-storage: a LimitRange max on ephemeral-storage rejects every pod with an injected container '
        + 'that sets no ephemeral-storage limit; received a literal value (not shown); allowed: cpu and memory; '
        + 'fix: remove it; quota.limits.ephemeral-storage bounds the namespace, each component\'s resources.limits its containers',
    ]);
  });
});
