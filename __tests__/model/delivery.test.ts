import { durationSeconds } from '../../lib/model/delivery';
import { deliveryOverlay, DeliveryFixture } from '../delivery-fixtures';
import { configErrors, modelOf } from '../helpers';

const errorsOf = (fixture: DeliveryFixture): string[] => configErrors(() => modelOf(deliveryOverlay(fixture)));
const deliveryOf = (fixture: DeliveryFixture, name: string) => modelOf(deliveryOverlay(fixture)).components.find((c) => c.name === name)!.delivery;

describe('components.<name>.delivery in the model', () => {
  test('a canary without steps takes the default steps; each analysis counts its measurements; Istio splits it when something calls it', () => {
    expect(deliveryOf({ delivery: { backend: '{ strategy: canary }' } }, 'backend')).toEqual({
      strategy: 'canary',
      interval: '1m',
      trafficRouting: true,
      steps: [{ setWeight: 20 }, { analysis: '5m', measurements: 5 }, { setWeight: 50 }, { analysis: '5m', measurements: 5 }],
    });
  });

  test('a canary of a component nothing calls is split by pods; steps and interval from the overlay', () => {
    const fixture = { delivery: { agent: '{ strategy: canary, interval: 30s, steps: [{ setWeight: 34 }, { pause: 2m }, { analysis: 3m }] }' } };
    expect(deliveryOf(fixture, 'agent')).toEqual({
      strategy: 'canary',
      interval: '30s',
      trafficRouting: false,
      steps: [{ setWeight: 34 }, { pause: '2m' }, { analysis: '3m', measurements: 6 }],
    });
  });

  test('blue-green analyses its preview for prePromotionAnalysis (default 5m); a component without delivery has none', () => {
    const fixture = { env: 'staging', delivery: { backend: '{ strategy: blue-green, prePromotionAnalysis: 10m }' } };
    expect(deliveryOf(fixture, 'backend'))
      .toEqual({ strategy: 'blue-green', interval: '1m', prePromotionAnalysis: { duration: '10m', measurements: 10 } });
    expect(deliveryOf({ env: 'staging', delivery: { backend: '{ strategy: blue-green }' } }, 'backend'))
      .toMatchObject({ prePromotionAnalysis: { duration: '5m', measurements: 5 } });
    expect(deliveryOf(fixture, 'frontend')).toBeUndefined();
  });

  test('durations in seconds', () => {
    expect(['500ms', '30s', '5m', '1h30m'].map(durationSeconds)).toEqual([0.5, 30, 300, 5400]);
  });

  test('fails on a step that does two things, and on one that does nothing', () => {
    expect(errorsOf({ delivery: { backend: '{ strategy: canary, steps: [{ setWeight: 20, pause: 1m }, {}, { analysis: 5m }] }' } })).toEqual([
      expect.stringMatching(/^overlays\/prod\.yaml:\d+:\d+: components\.backend\.delivery\.steps\[0\]: a canary step does more than one thing; /),
      expect.stringMatching(/^overlays\/prod\.yaml:\d+:\d+: components\.backend\.delivery\.steps\[1\]: a canary step does nothing; /),
    ]);
    expect(errorsOf({ delivery: { backend: '{ strategy: canary, steps: [{ setWeight: 20, pause: 1m }, { analysis: 5m }] }' } })[0])
      .toContain('received setWeight and pause; allowed: exactly one of setWeight, pause, analysis per step; '
        + 'fix: split it into 2 steps, in the order they should run (- setWeight: 20 then - pause: 1m)');
  });

  test('fails on a weight above 100 (the schema), at the weight', () => {
    expect(errorsOf({ delivery: { backend: '{ strategy: canary, steps: [{ setWeight: 120 }, { analysis: 5m }] }' } })).toEqual([
      expect.stringMatching(/^overlays\/prod\.yaml:\d+:\d+: components\.backend\.delivery\.steps\[0\]\.setWeight: out of range; received 120; allowed: an integer from 1 to 100; fix: use 100 or less$/),
    ]);
  });

  test('fails on a canary that is never analysed once it takes requests, and on one that never takes any', () => {
    const [unanalysed] = errorsOf({ delivery: { backend: '{ strategy: canary, steps: [{ analysis: 5m }, { setWeight: 50 }, { pause: 5m }] }' } });
    expect(unanalysed).toMatch(/components\.backend\.delivery\.steps: no analysis step after the canary takes requests: nothing measures it, so nothing would abort and roll it back; /);
    expect(unanalysed).toContain('received analysis 5m, setWeight 50, pause 5m; allowed: a setWeight step, and after it an analysis step; '
      + 'fix: add - analysis: 5m after - setWeight: 50');
    expect(errorsOf({ delivery: { backend: '{ strategy: canary, steps: [{ pause: 5m }] }' } })[0])
      .toContain('the canary never takes requests: no step sets a weight');
  });

  test('fails on blue-green without a preview: nothing calls the component, so it has no Service', () => {
    expect(errorsOf({ delivery: { agent: '{ strategy: blue-green }' } })).toEqual([
      expect.stringMatching(/components\.agent\.delivery\.strategy: blue-green without a preview: nothing calls agent, so it has no Service to preview the new version behind and switch to it; received "blue-green"; .*fix: use strategy: canary \(split by pods\), or declare who calls it$/),
    ]);
  });

  test('fails on steps with blue-green, and on a pre-promotion analysis with a canary', () => {
    expect(errorsOf({ delivery: { backend: '{ strategy: blue-green, steps: [{ setWeight: 20 }] }' } })[0])
      .toMatch(/components\.backend\.delivery\.steps: blue-green has no steps: the preview takes no requests until it becomes active, all at once; /);
    expect(errorsOf({ delivery: { backend: '{ strategy: canary, prePromotionAnalysis: 5m }' } })[0])
      .toMatch(/components\.backend\.delivery\.prePromotionAnalysis: a canary has no pre-promotion analysis: .*fix: remove it and add a step analysis: 5m after a setWeight, or use strategy: blue-green$/);
  });

  test('fails on an analysis that is not a whole number of measurements, with the nearest that is', () => {
    expect(errorsOf({ delivery: { backend: '{ strategy: canary, interval: 2m, steps: [{ setWeight: 20 }, { analysis: 5m }] }' } })).toEqual([
      expect.stringMatching(/components\.backend\.delivery\.steps\[1\]\.analysis: an analysis takes one measurement every delivery\.interval \(2m\): 5m is not a whole number of them; received "5m"; allowed: a multiple of 2m, at least 2m; fix: use 6m \(3 measurements\), or change delivery\.interval$/),
    ]);
    expect(errorsOf({ env: 'staging', delivery: { backend: '{ strategy: blue-green, prePromotionAnalysis: 30s }' } })[0])
      .toMatch(/components\.backend\.delivery\.prePromotionAnalysis: .*fix: use 1m \(1 measurement\)/);
  });

  test('fails on delivery without monitoring: its analysis has no Prometheus to ask', () => {
    expect(errorsOf({ monitoring: false, delivery: { backend: '{ strategy: canary }' } })).toEqual([
      expect.stringMatching(/components\.backend\.delivery: progressive delivery needs monitoring: .*; received delivery without monitoring; /),
    ]);
  });

  test('fails on delivery of a component whose scaling cannot work: no pods at all, or a quota without room for the rollout', () => {
    const agentRequests = '    resources:\n      requests: { cpu: 500m, memory: 1Gi }';
    const scaledToZero = errorsOf({
      delivery: { agent: '{ strategy: canary }' },
      edits: [[`    replicas: 3\n${agentRequests}`, `    replicas: 0\n${agentRequests}`]],
    });
    expect(scaledToZero).toEqual([
      expect.stringMatching(/components\.agent\.replicas: a component with delivery runs no pods: its Rollout would have nothing to analyse or promote; received 0; /),
    ]);
    // The fixture's own quota holds every replica, not a canary at full size beside its stable pods.
    const limits = errorsOf({ roomyQuota: false, delivery: { backend: '{ strategy: canary }' } });
    expect(limits).toContainEqual(expect.stringContaining('quota.limits.cpu: quota is smaller than the components\' limits (at their most replicas), '
      + 'the largest: backend (12 pods × "2")'));
  });
});
