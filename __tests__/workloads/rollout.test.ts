import { analyzeConnectivity } from '../../lib/connectivity/analyze';
import { controllerOwnedFields } from '../../lib/gitops/controller-owned-fields';
import { KubeObject } from '../../lib/manifest/kube-object';
import { PlatformModel } from '../../lib/model/platform-model';
import { errorRatioQuery, sliOf, slowRatioQuery } from '../../lib/slo/sli';
import { synthesizeModel } from '../../lib/synth/pipeline';
import { withAreaFlows } from '../../lib/synth/synth-environment';
import { deliveryOverlay, DeliveryFixture, PROMETHEUS_URL } from '../delivery-fixtures';
import { modelOf } from '../helpers';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The objects of a fixture environment, checked as every synth checks them (the connectivity check included). */
function environment(fixture: DeliveryFixture): { model: PlatformModel; objects: KubeObject[] } {
  const model = modelOf(deliveryOverlay(fixture));
  return { model, objects: [...synthesizeModel(model).result.objects] };
}

function find(objects: readonly KubeObject[], kind: string, name: string): Json | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name) as Json | undefined;
}

const PROD = { delivery: { backend: '{ strategy: canary }', agent: '{ strategy: canary, steps: [{ setWeight: 34 }, { analysis: 3m }] }' } };

describe('progressive delivery: a Rollout instead of the Deployment', () => {
  const plain = environment({ delivery: {} });
  const prod = environment(PROD);

  test('the Rollout runs the Deployment\'s pod template, selector and history, with no replica count under an autoscaler', () => {
    const deployment = find(plain.objects, 'Deployment', 'backend')!;
    const rollout = find(prod.objects, 'Rollout', 'backend')!;
    expect(find(prod.objects, 'Deployment', 'backend')).toBeUndefined();
    expect(rollout.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(rollout.metadata).toEqual(deployment.metadata);
    expect(rollout.spec.template).toEqual(deployment.spec.template);
    expect(rollout.spec.selector).toEqual(deployment.spec.selector);
    expect(rollout.spec).toMatchObject({ revisionHistoryLimit: 5, progressDeadlineAbort: true });
    expect(rollout.spec.replicas).toBeUndefined();
    expect(find(prod.objects, 'Rollout', 'agent')!.spec.replicas).toBe(3);
    // Components without delivery keep their Deployment, and their objects.
    expect(find(prod.objects, 'Deployment', 'frontend')).toEqual(find(plain.objects, 'Deployment', 'frontend'));
  });

  test('the autoscaler scales the Rollout; the disruption budget selects its pods', () => {
    expect(find(prod.objects, 'HorizontalPodAutoscaler', 'backend')!.spec.scaleTargetRef)
      .toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'backend' });
    const pdb = find(prod.objects, 'PodDisruptionBudget', 'backend')!;
    expect(pdb.spec.selector).toEqual(find(prod.objects, 'Rollout', 'backend')!.spec.selector);
  });

  test('a canary something calls: its steps over Istio\'s weights of the public and the in-mesh route, stable and canary subsets', () => {
    const { canary } = find(prod.objects, 'Rollout', 'backend')!.spec.strategy;
    expect(canary.trafficRouting).toEqual({
      istio: {
        virtualServices: [{ name: 'backend', routes: ['primary'] }, { name: 'backend-mesh', routes: ['primary'] }],
        destinationRule: { name: 'backend', stableSubsetName: 'stable', canarySubsetName: 'canary' },
      },
    });
    const analysis = (measurements: string) => ({
      templates: [{ templateName: 'backend' }],
      args: [
        { name: 'measurements', value: measurements },
        { name: 'revision', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app.kubernetes.io/version']" } } },
      ],
    });
    expect(canary.steps).toEqual([{ setWeight: 20 }, { analysis: analysis('5') }, { setWeight: 50 }, { analysis: analysis('5') }]);
    const host = 'backend.bulwark-prod.svc.cluster.local';
    const selector = find(prod.objects, 'Rollout', 'backend')!.spec.selector.matchLabels;
    expect(find(prod.objects, 'DestinationRule', 'backend')!.spec.subsets)
      .toEqual([{ name: 'stable', labels: selector }, { name: 'canary', labels: selector }]);
    const weighted = [
      { destination: { host, port: { number: 80 }, subset: 'stable' }, weight: 100 },
      { destination: { host, port: { number: 80 }, subset: 'canary' }, weight: 0 },
    ];
    const publicRoute = find(prod.objects, 'VirtualService', 'backend')!.spec;
    const unweighted = find(plain.objects, 'VirtualService', 'backend')!.spec;
    expect(publicRoute).toEqual({ ...unweighted, http: [{ name: 'primary', route: weighted, timeout: '15s' }] });
    expect(find(prod.objects, 'VirtualService', 'backend-mesh')!.spec).toEqual({ hosts: [host], http: [{ name: 'primary', route: weighted }] });
    // The rest of the DestinationRule is the component's, as without delivery.
    const { subsets: _subsets, ...rest } = find(prod.objects, 'DestinationRule', 'backend')!.spec;
    expect(rest).toEqual(find(plain.objects, 'DestinationRule', 'backend')!.spec);
  });

  test('a canary nothing calls is split by pods, one new pod at a time', () => {
    const { canary } = find(prod.objects, 'Rollout', 'agent')!.spec.strategy;
    const measure = { analysis: { args: [{ name: 'measurements', value: '3' }, expect.anything()] } };
    expect(canary).toMatchObject({ maxSurge: 1, maxUnavailable: 0, steps: [{ setWeight: 34 }, measure] });
    expect(canary.trafficRouting).toBeUndefined();
    expect(find(prod.objects, 'VirtualService', 'agent-mesh')).toBeUndefined();
  });

  test('the analysis asks Prometheus for the SLIs of lib/slo, narrowed to the new version, failing above the SLO\'s budgets', () => {
    const template = find(prod.objects, 'AnalysisTemplate', 'backend')!;
    const sli = sliOf(prod.model, 'backend');
    const served = { ...sli.selector, destination_canonical_revision: '{{args.revision}}' };
    const common = { interval: '1m', initialDelay: '1m', count: '{{args.measurements}}' };
    expect(template.spec).toEqual({
      args: [{ name: 'revision' }, { name: 'measurements' }],
      metrics: [
        {
          name: 'error-ratio',
          ...common,
          successCondition: 'all(result, isNaN(#) || # <= 0.001)',
          failureCondition: 'any(result, # > 0.001)',
          provider: { prometheus: { address: PROMETHEUS_URL, query: errorRatioQuery(served, '5m') } },
        },
        {
          name: 'slow-ratio',
          ...common,
          successCondition: 'all(result, isNaN(#) || # <= 0.01)',
          failureCondition: 'any(result, # > 0.01)',
          provider: { prometheus: { address: PROMETHEUS_URL, query: slowRatioQuery(served, 500, '5m') } },
        },
      ],
    });
    // A component nothing calls serves no requests: its new version's requests to its dependencies are measured.
    const agent = find(prod.objects, 'AnalysisTemplate', 'agent')!.spec.metrics;
    expect(agent.map((m: Json) => m.name)).toEqual(['dependency-error-ratio']);
    expect(agent[0].provider.prometheus.query).toContain('source_workload="agent", source_canonical_revision="{{args.revision}}"');
    expect(find(prod.objects, 'AnalysisTemplate', 'frontend')).toBeUndefined();
  });

  test('blue-green: the active Service callers use, a preview Service, and the pre-promotion analysis of the preview', () => {
    const staging = environment({ env: 'staging', delivery: { backend: '{ strategy: blue-green }' } });
    const rollout = find(staging.objects, 'Rollout', 'backend')!;
    expect(rollout.spec.strategy).toEqual({
      blueGreen: {
        activeService: 'backend',
        previewService: 'backend-preview',
        autoPromotionEnabled: true,
        prePromotionAnalysis: {
          templates: [{ templateName: 'backend' }],
          args: [
            { name: 'measurements', value: '5' },
            { name: 'revision', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app.kubernetes.io/version']" } } },
          ],
        },
      },
    });
    const active = find(staging.objects, 'Service', 'backend')!;
    const preview = find(staging.objects, 'Service', 'backend-preview')!;
    expect(preview.spec).toEqual({ ...active.spec, ports: [active.spec.ports[0]] });
    expect(find(staging.objects, 'DestinationRule', 'backend')!.spec.subsets).toBeUndefined();
    expect(find(staging.objects, 'VirtualService', 'backend-mesh')).toBeUndefined();
  });

  test('Argo CD ignores what the Rollouts controller sets: route weights, subset labels, blue-green\'s Service selectors, the replicas', () => {
    const names = ['backend', 'backend-mesh', 'backend-preview'];
    const owned = (objects: readonly KubeObject[]) => controllerOwnedFields(objects).filter((f) => names.includes(f.name));
    const weights = { jsonPointers: [], jqPathExpressions: ['.spec.http[].route[].weight'] };
    const ns = 'bulwark-prod';
    expect(owned(prod.objects)).toEqual([
      { group: 'networking.istio.io', kind: 'DestinationRule', namespace: ns, name: 'backend',
        jsonPointers: [], jqPathExpressions: ['.spec.subsets[].labels'] },
      { group: 'argoproj.io', kind: 'Rollout', namespace: ns, name: 'backend', jsonPointers: ['/spec/replicas'] },
      { group: 'networking.istio.io', kind: 'VirtualService', namespace: ns, name: 'backend', ...weights },
      { group: 'networking.istio.io', kind: 'VirtualService', namespace: ns, name: 'backend-mesh', ...weights },
    ]);
    const staging = environment({ env: 'staging', delivery: { backend: '{ strategy: blue-green }' } });
    expect(owned(staging.objects).filter((f) => f.kind === 'Service').map((f) => [f.name, f.jsonPointers]))
      .toEqual([['backend', ['/spec/selector']], ['backend-preview', ['/spec/selector']]]);
    expect(controllerOwnedFields(plain.objects).every((f) => f.kind !== 'VirtualService' && f.kind !== 'DestinationRule')).toBe(true);
  });

  test('the connectivity check proves the controller\'s analysis flow to Prometheus, and the canary\'s requests (same pods, same policies)', () => {
    const report = analyzeConnectivity(withAreaFlows(prod.model), prod.objects);
    expect(report.findings).toEqual([]);
    const analysis = report.needs.filter((n) => n.rule === 'rollouts-analysis');
    expect(analysis).toEqual([expect.objectContaining({
      reason: 'the Argo Rollouts controller queries Prometheus for the SLIs of agent, backend while it rolls them out',
      ports: 'TCP 9090',
      blocked: false,
    })]);
    // The Rollouts are workloads of the matrix, as the Deployments were.
    expect(report.workloads).toEqual(expect.arrayContaining(['bulwark-prod/backend[Rollout]', 'bulwark-prod/agent[Rollout]']));
    expect(report.needs.filter((n) => n.to.includes('backend') && n.blocked)).toEqual([]);
    expect(analyzeConnectivity(withAreaFlows(plain.model), plain.objects).needs.some((n) => n.rule === 'rollouts-analysis')).toBe(false);
  });
});
