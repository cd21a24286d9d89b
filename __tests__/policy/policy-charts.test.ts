import { App } from 'cdk8s';
import { KubeObject } from '../../lib/manifest/kube-object';
import { AdmissionPolicyChart } from '../../lib/policy/admission-policy-chart';
import { FalcoChart } from '../../lib/policy/falco-chart';
import { GatekeeperChart } from '../../lib/policy/gatekeeper-chart';
import { GatekeeperTemplatesChart } from '../../lib/policy/gatekeeper-templates-chart';
import { SECURITY_CONTEXT_DEFAULTS } from '../../lib/policy/mutators';
import { ALL_POLICIES } from '../../lib/policy/rules';
import { modelOf } from '../helpers';

const objectsOf = (chart: { toJson(): unknown[] }) => chart.toJson() as KubeObject[];
type Spec = Record<string, unknown>;
const spec = (o: KubeObject) => o.spec as Spec;

describe('GatekeeperChart', () => {
  const prod = objectsOf(new GatekeeperChart(new App(), modelOf('prod')));
  const dev = objectsOf(new GatekeeperChart(new App(), modelOf('dev')));

  test('one constraint per rule, with the overlay\'s enforcement action', () => {
    const constraints = (objects: KubeObject[]) => objects.filter((o) => o.apiVersion === 'constraints.gatekeeper.sh/v1beta1');
    expect(constraints(prod).map((c) => c.metadata.name)).toEqual(ALL_POLICIES.map((p) => p.id));
    expect(new Set(constraints(prod).map((c) => spec(c).enforcementAction))).toEqual(new Set(['deny']));
    expect(new Set(constraints(dev).map((c) => spec(c).enforcementAction))).toEqual(new Set(['warn']));
  });

  test('scope environment guards the environment\'s namespaces; scope cluster all but the exempt ones', () => {
    const match = (objects: KubeObject[]) => spec(objects.find((o) => o.metadata.name === 'no-privileged')!).match as Spec;
    expect(match(dev)).toMatchObject({ namespaces: ['bulwark-dev'] });
    expect(match(dev).excludedNamespaces).toBeUndefined();
    expect(match(prod)).toMatchObject({ excludedNamespaces: expect.arrayContaining(['kube-system', 'istio-system', 'gatekeeper-system', 'falco']) });
    expect(match(prod).namespaces).toBeUndefined();
  });

  test('mutators only fill in what is missing: every Assign has a MustNotExist path test', () => {
    const assigns = prod.filter((o) => o.kind === 'Assign');
    // 3 pod-spec shapes × (2 container fields × containers/initContainers + 2 pod fields), 2 template shapes × 2 labels
    expect(assigns).toHaveLength(3 * (2 * 2 + 2) + 2 * 2);
    for (const a of assigns) {
      const { location, parameters } = spec(a) as { location: string; parameters: { pathTests: { subPath: string; condition: string }[] } };
      expect(parameters.pathTests).toHaveLength(1);
      expect(parameters.pathTests[0].condition).toBe('MustNotExist');
      expect(location.startsWith(parameters.pathTests[0].subPath)).toBe(true);
    }
    expect(SECURITY_CONTEXT_DEFAULTS.map((d) => d.field))
      .toEqual(['allowPrivilegeEscalation', 'capabilities.drop', 'runAsNonRoot', 'seccompProfile.type']);
  });

  test('the default labels: the name from the object, part-of bulwark', () => {
    const labels = prod.filter((o) => o.kind === 'AssignMetadata').map((o) => [spec(o).location, (spec(o).parameters as Spec).assign]);
    expect(labels).toEqual([
      ['metadata.labels."app.kubernetes.io/name"', { fromMetadata: { field: 'name' } }],
      ['metadata.labels."app.kubernetes.io/part-of"', { value: 'bulwark' }],
    ]);
  });

  test('every cluster-scoped name carries the environment', () => {
    const names = prod.filter((o) => o.kind === 'Assign' || o.kind === 'AssignMetadata').map((o) => o.metadata.name);
    expect(names.every((n) => n.startsWith('bulwark-prod-'))).toBe(true);
    expect(new Set(prod.filter((o) => o.apiVersion.startsWith('constraints.')).map((o) => o.kind)))
      .toEqual(new Set(ALL_POLICIES.map((p) => `BulwarkProd${p.kind}`)));
  });
});

describe('GatekeeperTemplatesChart', () => {
  test('one template per rule, synced before the constraints by ArgoCD', () => {
    const templates = objectsOf(new GatekeeperTemplatesChart(new App(), modelOf('staging')));
    expect(templates.map((t) => t.metadata.name)).toEqual(ALL_POLICIES.map((p) => `bulwarkstaging${p.kind.toLowerCase()}`));
    expect(new Set(templates.map((t) => t.metadata.annotations?.['argocd.argoproj.io/sync-wave']))).toEqual(new Set(['-1']));
  });
});

describe('AdmissionPolicyChart', () => {
  const objects = objectsOf(new AdmissionPolicyChart(new App(), modelOf('prod')));

  test('a v1 policy and binding per rule with a twin (GA since Kubernetes 1.30; v1beta1 is gone by 1.34)', () => {
    const twins = ALL_POLICIES.filter((p) => p.admission).map((p) => `bulwark-prod-${p.id}`);
    expect(objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy').map((o) => o.metadata.name)).toEqual(twins);
    expect(objects.filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding').map((o) => (o.spec as { policyName: string }).policyName))
      .toEqual(twins);
    expect(new Set(objects.map((o) => o.apiVersion))).toEqual(new Set(['admissionregistration.k8s.io/v1']));
  });

  test('bindings deny in the guarded namespaces; dryrun maps to Audit', () => {
    const binding = objects.find((o) => o.kind === 'ValidatingAdmissionPolicyBinding')!;
    expect(spec(binding)).toMatchObject({
      validationActions: ['Deny'],
      matchResources: {
        namespaceSelector: {
          matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: expect.arrayContaining(['kube-system']) }],
        },
      },
    });
    const model = modelOf('staging');
    const dryrun = objectsOf(new AdmissionPolicyChart(new App(), { ...model, policy: { ...model.policy, enforcementAction: 'dryrun' } }));
    expect(spec(dryrun.find((o) => o.kind === 'ValidatingAdmissionPolicyBinding')!)).toMatchObject({
      validationActions: ['Audit'],
      matchResources: {
        namespaceSelector: {
          matchExpressions: [{ operator: 'In', values: ['bulwark-staging', 'bulwark-staging-team-a', 'bulwark-staging-team-b'] }],
        },
      },
    });
  });
});

describe('FalcoChart', () => {
  test('the rules ConfigMap goes to Falco\'s namespace and watches the agent\'s declared endpoints only', () => {
    const [configMap] = objectsOf(new FalcoChart(new App(), modelOf('dev')));
    expect(configMap.metadata).toMatchObject({ name: 'bulwark-dev-falco-rules', namespace: 'falco' });
    const text = (configMap.data as Record<string, string>)['bulwark-dev-rules.yaml'];
    expect(text).toContain('- list: bulwark_dev_agent_hosts\n  items:\n  - api.openai.com\n');
    expect(text).not.toContain('postgres');
  });
});
