import { ALL_CHECKS, runChecks } from '../../lib/checks';
import { rolloutReferencesResolve } from '../../lib/checks/rollout-references';
import { KubeObject } from '../../lib/manifest/kube-object';

const NS = 'shop';
const meta = (name: string) => ({ name, namespace: NS });
const selector = { 'app.kubernetes.io/name': 'web' };

function rollout(strategy: Record<string, unknown>): KubeObject {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: meta('web'), spec: { selector: { matchLabels: selector }, strategy } };
}

const analysis = { templates: [{ templateName: 'web' }] };
const CANARY = {
  canary: {
    trafficRouting: {
      istio: {
        virtualServices: [{ name: 'web', routes: ['primary'] }],
        destinationRule: { name: 'web', stableSubsetName: 'stable', canarySubsetName: 'canary' },
      },
    },
    steps: [{ setWeight: 20 }, { analysis }],
  },
};
const route = (subsets: readonly string[]) => ({
  name: 'primary',
  route: subsets.map((subset, i) => ({ destination: { host: 'web', subset }, weight: i === 0 ? 100 : 0 })),
});
const virtualService = (http: unknown[]): KubeObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: meta('web'),
  spec: { hosts: ['web'], http },
});
const destinationRule = (subsets: readonly string[]): KubeObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: meta('web'),
  spec: { host: 'web', subsets: subsets.map((name) => ({ name, labels: selector })) },
});
const template: KubeObject = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate', metadata: meta('web'), spec: { metrics: [] } };
const service = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: meta(name), spec: { selector } });

const messages = (objects: KubeObject[]): string[] => runChecks([rolloutReferencesResolve], objects).map((f) => `${f.object}: ${f.message}`);

describe('rollout-references-resolve', () => {
  test('is one of the checks every synth runs', () => {
    expect(ALL_CHECKS).toContain(rolloutReferencesResolve);
  });

  test('a canary whose route, subsets and analysis exist, and a blue-green whose Services do, pass', () => {
    expect(messages([rollout(CANARY), virtualService([route(['stable', 'canary'])]), destinationRule(['stable', 'canary']), template])).toEqual([]);
    const blueGreen = rollout({ blueGreen: { activeService: 'web', previewService: 'web-preview', prePromotionAnalysis: analysis } });
    expect(messages([blueGreen, service('web'), service('web-preview'), template])).toEqual([]);
  });

  test('fails on a canary whose VirtualService, DestinationRule and AnalysisTemplate are missing', () => {
    expect(messages([rollout(CANARY)])).toEqual([
      'Rollout/shop/web: names DestinationRule "web", which the environment does not emit in shop; '
        + 'fix: emit it for the component\'s host, with the stable and canary subsets',
      'Rollout/shop/web: names VirtualService "web", which the environment does not emit in shop; fix: emit the route the canary weighs',
      'Rollout/shop/web: names AnalysisTemplate "web", which the environment does not emit in shop; fix: emit the analysis the rollout runs',
    ]);
  });

  test('fails on a route it does not find, a route without a canary destination, and a missing subset', () => {
    const other = virtualService([{ ...route(['stable', 'canary']), name: 'default' }]);
    expect(messages([rollout(CANARY), other, destinationRule(['stable', 'canary']), template])).toEqual([
      'Rollout/shop/web: VirtualService "web" has no HTTP route "primary" (it has: "default"); fix: name the route the canary weighs',
    ]);
    expect(messages([rollout(CANARY), virtualService([route(['stable'])]), destinationRule(['stable']), template])).toEqual([
      'Rollout/shop/web: DestinationRule "web" has no subset "canary"; fix: add the subset (labels: the pods\' selector)',
      'Rollout/shop/web: route "primary" of VirtualService "web" has no destination in subset "canary"; '
        + 'fix: give it a weighted destination in each of stable, canary',
    ]);
  });

  test('fails on blue-green without its preview Service', () => {
    const blueGreen = rollout({ blueGreen: { activeService: 'web', previewService: 'web-preview' } });
    expect(messages([blueGreen, service('web')])).toEqual([
      'Rollout/shop/web: names Service "web-preview", which the environment does not emit in shop; fix: emit the Service the strategy switches',
    ]);
  });
});
