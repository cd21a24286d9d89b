import { ConstraintTemplate } from '../../imports/templates.gatekeeper.sh';
import { JsonValue, toYaml } from '../manifest/yaml-emitter';
import { admissionPolicyManifest, celConstraintManifest, celTemplateManifest } from './admission-policy';
import { constraintManifest, constraintTemplateProps } from './constraint-template';
import { PolicyDefinition } from './policy-definition';

/**
 * `gator verify` suites generated from the policy definitions: per rule, one suite for its
 * Gatekeeper template (every case with its exact violation count, plus an `invalid: true` test
 * per parameter set the template must reject) and, when the rule has a ValidatingAdmissionPolicy
 * twin, one for the twin's CEL run by gator's K8sNativeValidation engine (same cases, violation
 * or not). The files are build output (never committed): relative path → content.
 */

export interface SuiteSummary {
  /** Directory of the suite, relative to the output root. */
  readonly dir: string;
  readonly rule: string;
  readonly engine: 'rego' | 'cel';
  readonly cases: number;
  readonly invalid: number;
}

const yaml = (value: unknown): string => toYaml(value as JsonValue);

function suite(name: string, tests: readonly Record<string, unknown>[]): string {
  return yaml({ apiVersion: 'test.gatekeeper.sh/v1alpha1', kind: 'Suite', metadata: { name }, tests });
}

/** Every suite of `policies`: files keyed by path relative to the output root, and a summary per suite. */
export function gatorSuites(policies: readonly PolicyDefinition[]): { files: Map<string, string>; suites: SuiteSummary[] } {
  const files = new Map<string, string>();
  const suites: SuiteSummary[] = [];
  for (const policy of policies) {
    if (!policy.cases.some((c) => c.violations === 0) || !policy.cases.some((c) => c.violations > 0)) {
      throw new Error(`gator-suites: rule ${policy.id} needs at least one compliant and one violating case`);
    }
    const caseFiles = policy.cases.map((c) => {
      const file = `cases/${c.name}.yaml`;
      return { c, file, content: yaml(c.object) };
    });

    const dir = policy.id;
    files.set(`${dir}/template.yaml`, yaml(ConstraintTemplate.manifest(constraintTemplateProps(policy))));
    files.set(`${dir}/constraint.yaml`, yaml(constraintManifest(policy, { parameters: policy.testParameters })));
    for (const { file, content } of caseFiles) files.set(`${dir}/${file}`, content);
    const invalid = (policy.invalidParameters ?? []).map((parameters, i) => {
      files.set(`${dir}/invalid-${i + 1}.yaml`, yaml(constraintManifest(policy, { parameters })));
      return { name: `${policy.id}-rejects-parameters-${i + 1}`, template: 'template.yaml', constraint: `invalid-${i + 1}.yaml`, invalid: true };
    });
    files.set(`${dir}/suite.yaml`, suite(policy.id, [
      {
        name: policy.id,
        template: 'template.yaml',
        constraint: 'constraint.yaml',
        cases: caseFiles.map(({ c, file }) => ({
          name: c.name,
          object: file,
          assertions: [{ violations: c.violations === 0 ? 'no' : c.violations }],
        })),
      },
      ...invalid,
    ]));
    suites.push({ dir, rule: policy.id, engine: 'rego', cases: caseFiles.length, invalid: invalid.length });

    if (policy.admission) {
      const celDir = `${policy.id}-admission`;
      const template = celTemplateManifest(admissionPolicyManifest(policy, { parameters: policy.testParameters }));
      files.set(`${celDir}/template.yaml`, yaml(template));
      files.set(`${celDir}/constraint.yaml`, yaml(celConstraintManifest(template, policy.targets)));
      for (const { file, content } of caseFiles) files.set(`${celDir}/${file}`, content);
      files.set(`${celDir}/suite.yaml`, suite(`${policy.id}-admission`, [{
        name: `${policy.id}-admission`,
        template: 'template.yaml',
        constraint: 'constraint.yaml',
        cases: caseFiles.map(({ c, file }) => ({ name: c.name, object: file, assertions: [{ violations: c.violations === 0 ? 'no' : 'yes' }] })),
      }]));
      suites.push({ dir: celDir, rule: policy.id, engine: 'cel', cases: caseFiles.length, invalid: 0 });
    }
  }
  return { files, suites };
}
