import { ConstraintTemplate } from '../../imports/templates.gatekeeper.sh';
import { ALL_CHECKS } from '../../lib/checks';
import { admissionPolicyManifest, celTemplateManifest } from '../../lib/policy/admission-policy';
import { constraintManifest, constraintTemplateProps } from '../../lib/policy/constraint-template';
import { gatorSuites } from '../../lib/policy/gator-suites';
import { templateKind, templateName } from '../../lib/policy/names';
import { PolicyDefinition } from '../../lib/policy/policy-definition';
import { ALL_POLICIES, allowedRegistries } from '../../lib/policy/rules';
import { modelOf } from '../helpers';

type Template = { metadata: { name: string }; spec: { crd: { spec: { names: { kind: string } } }; targets: { rego: string }[] } };
const template = (p: PolicyDefinition, environment?: string) => ConstraintTemplate.manifest(constraintTemplateProps(p, { environment })) as Template;

describe('policy rules', () => {
  test.each(ALL_POLICIES.map((p) => [p.id, p] as const))('%s ships compliant and violating cases', (_id, policy) => {
    expect(policy.cases.filter((c) => c.violations === 0).length).toBeGreaterThan(0);
    expect(policy.cases.filter((c) => c.violations > 0).length).toBeGreaterThan(0);
    expect(new Set(policy.cases.map((c) => c.name)).size).toBe(policy.cases.length);
  });

  test('ids, kinds and synth-time twins are unique and real', () => {
    expect(new Set(ALL_POLICIES.map((p) => p.id)).size).toBe(ALL_POLICIES.length);
    expect(new Set(ALL_POLICIES.map((p) => p.kind)).size).toBe(ALL_POLICIES.length);
    const checks = ALL_CHECKS.map((c) => c.id);
    for (const p of ALL_POLICIES) for (const id of p.synthChecks ?? []) expect(checks).toContain(id);
  });

  test('a template is named after its kind, lowercased, with the environment in both', () => {
    const t = template(allowedRegistries, 'eu-prod');
    expect(t.spec.crd.spec.names.kind).toBe('BulwarkEuProdAllowedRegistries');
    expect(t.metadata.name).toBe('bulwarkeuprodallowedregistries');
    expect(t.spec.targets[0].rego.startsWith('package bulwarkeuprodallowedregistries\n')).toBe(true);
    expect([templateKind(allowedRegistries), templateName(allowedRegistries)]).toEqual(['BulwarkAllowedRegistries', 'bulwarkallowedregistries']);
  });

  test('the template an environment ships is the verified one: only its names differ', () => {
    for (const policy of ALL_POLICIES) {
      const shipped = JSON.stringify(template(policy, 'prod')).replace(/BulwarkProd/g, 'Bulwark').replace(/bulwarkprod/g, 'bulwark');
      expect(JSON.parse(shipped)).toEqual(template(policy));
    }
  });

  test('constraints take the environment\'s enforcement action, namespaces and parameters', () => {
    const prod = modelOf('prod');
    const c = constraintManifest(allowedRegistries, {
      environment: 'prod',
      enforcementAction: 'warn',
      namespaces: { excludedNamespaces: ['kube-system'] },
      parameters: allowedRegistries.parameters(prod.policy),
    }) as {
      kind: string;
      spec: {
        enforcementAction: string;
        match: { excludedNamespaces: string[]; kinds: { kinds: string[] }[] };
        parameters: { registries: string[] };
      };
    };
    expect(c.kind).toBe('BulwarkProdAllowedRegistries');
    expect(c.spec.enforcementAction).toBe('warn');
    expect(c.spec.match.excludedNamespaces).toEqual(['kube-system']);
    expect(c.spec.match.kinds.flatMap((k) => k.kinds))
      .toEqual(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Rollout']);
    expect(c.spec.parameters.registries).toEqual(['docker.io/hashicorp/', 'docker.io/istio/', 'ghcr.io/bulwark-platform/', 'ghcr.io/stefanprodan/']);
  });

  test('an admission twin carries the same parameters as CEL, and runs unchanged as a gator template', () => {
    const vap = admissionPolicyManifest(allowedRegistries, { environment: 'dev', parameters: { registries: ['ghcr.io/a/', 'ghcr.io/b/'] } }) as {
      spec: { variables: { name: string; expression: string }[] };
    };
    expect(vap.spec.variables.map((v) => v.name)).toEqual(['podSpec', 'containers', 'allowedRegistries']);
    expect(vap.spec.variables[2].expression).toBe("['ghcr.io/a/', 'ghcr.io/b/']");
    const cel = celTemplateManifest(vap as never) as { spec: { targets: { code: { engine: string; source: unknown }[] }[] } };
    expect(cel.spec.targets[0].code[0]).toEqual({
      engine: 'K8sNativeValidation',
      source: { variables: vap.spec.variables, validations: (vap.spec as never as { validations: unknown }).validations },
    });
  });

  test('fails on a rule without a twin asked for its admission policy', () => {
    const noTwin = ALL_POLICIES.find((p) => !p.admission)!;
    expect(() => admissionPolicyManifest(noTwin))
      .toThrow(`admission-policy: rule ${noTwin.id} has no admission twin (no admission section in its definition)`);
  });
});

describe('gator suites', () => {
  const { files, suites } = gatorSuites(ALL_POLICIES);

  test('one Rego suite per rule and one CEL suite per admission twin, every case a file', () => {
    expect(suites.filter((s) => s.engine === 'rego').map((s) => s.rule)).toEqual(ALL_POLICIES.map((p) => p.id));
    expect(suites.filter((s) => s.engine === 'cel').map((s) => s.rule)).toEqual(ALL_POLICIES.filter((p) => p.admission).map((p) => p.id));
    for (const s of suites) {
      expect(files.has(`${s.dir}/suite.yaml`)).toBe(true);
      expect([...files.keys()].filter((f) => f.startsWith(`${s.dir}/cases/`))).toHaveLength(s.cases);
    }
  });

  test('assertions are exact counts for Rego and yes/no for CEL', () => {
    expect(files.get('no-privileged/suite.yaml'))
      .toContain('- name: host-network-and-pid\n    object: cases/host-network-and-pid.yaml\n    assertions:\n    - violations: 2\n');
    expect(files.get('no-privileged-admission/suite.yaml'))
      .toContain('- name: host-network-and-pid\n    object: cases/host-network-and-pid.yaml\n    assertions:\n    - violations: "yes"\n');
    expect(files.get('allowed-registries/suite.yaml')).toContain('  constraint: invalid-1.yaml\n  invalid: true\n');
  });

  test('fails on a rule without a violating case', () => {
    const onlyCompliant = { ...allowedRegistries, cases: allowedRegistries.cases.filter((c) => c.violations === 0) };
    expect(() => gatorSuites([onlyCompliant])).toThrow('gator-suites: rule allowed-registries needs at least one compliant and one violating case');
  });
});
