import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { EnforcementAction } from '../config/overlay-schema';
import { admissionWorkloadRules, AdmittedKind, CEL_POD_SPEC_VARIABLES, gatekeeperWorkloadKinds } from '../manifest/workload-kinds';
import { GATEKEEPER_TARGET } from './constraint-template';
import { pascalCase, policyObjectName } from './names';
import { CelValidation, CelVariable, JsonObject, PolicyDefinition } from './policy-definition';
import { PolicyScope, namespaceSelector } from './policy-scope';

/** ValidatingAdmissionPolicy is GA from Kubernetes 1.30 (v1beta1 is off by default before and removed by 1.34). */
export const ADMISSION_API_VERSION = 'admissionregistration.k8s.io/v1';

/** Gatekeeper's enforcement actions as ValidatingAdmissionPolicyBinding validation actions. */
export const VALIDATION_ACTIONS: Readonly<Record<EnforcementAction, readonly string[]>> = {
  deny: ['Deny'],
  warn: ['Warn'],
  dryrun: ['Audit'],
};

export interface AdmissionPolicyOptions {
  /** @default - none (gator suites) */
  readonly environment?: string;
  /** @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** The same parameters the rule's Constraint gets. */
  readonly parameters?: JsonObject;
}

/** `spec.variables` and `spec.validations` of a rule's admission twin; undefined when it has none. */
export function admissionRules(
  policy: PolicyDefinition,
  parameters?: JsonObject,
): { variables: CelVariable[]; validations: CelValidation[] } | undefined {
  if (!policy.admission) return undefined;
  return {
    variables: [...CEL_POD_SPEC_VARIABLES, ...(policy.admission.variables?.(parameters) ?? [])].map((v) => ({ ...v })),
    validations: policy.admission.validations.map((v) => ({ ...v })),
  };
}

/** The ValidatingAdmissionPolicy twin of a rule. */
export function admissionPolicyManifest(policy: PolicyDefinition, options: AdmissionPolicyOptions = {}): JsonObject {
  const rules = admissionRules(policy, options.parameters);
  if (!rules) throw new Error(`admission-policy: rule ${policy.id} has no admission twin (no admission section in its definition)`);
  return {
    apiVersion: ADMISSION_API_VERSION,
    kind: 'ValidatingAdmissionPolicy',
    metadata: {
      name: policyObjectName(policy.id, options.environment),
      labels: { ...options.labels },
      annotations: { description: policy.description },
    },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: admissionWorkloadRules(policy.targets) },
      variables: rules.variables,
      validations: rules.validations,
    },
  };
}

/** Binds the twin to the guarded namespaces with the environment's enforcement action. */
export function admissionBindingManifest(
  policy: PolicyDefinition,
  scope: PolicyScope,
  action: EnforcementAction,
  options: AdmissionPolicyOptions = {},
): JsonObject {
  const name = policyObjectName(policy.id, options.environment);
  return {
    apiVersion: ADMISSION_API_VERSION,
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name, labels: { ...options.labels } },
    spec: {
      policyName: name,
      validationActions: [...VALIDATION_ACTIONS[action]],
      matchResources: { namespaceSelector: namespaceSelector(scope) },
    },
  };
}

/**
 * The same CEL as a Gatekeeper K8sNativeValidation template, which gator evaluates offline: how
 * the admission twins are tested (gator verify) and how dist/ is checked against them (gator test).
 */
export function celTemplateManifest(vap: JsonObject): JsonObject {
  const name = (vap.metadata as { name: string }).name;
  const kind = `${pascalCase(name)}Admission`;
  const spec = vap.spec as unknown as { variables: CelVariable[]; validations: CelValidation[] };
  return {
    apiVersion: 'templates.gatekeeper.sh/v1',
    kind: 'ConstraintTemplate',
    metadata: { name: kind.toLowerCase() },
    spec: {
      crd: { spec: { names: { kind } } },
      targets: [{
        target: GATEKEEPER_TARGET,
        code: [{ engine: 'K8sNativeValidation', source: { variables: spec.variables, validations: spec.validations } }],
      }],
    },
  };
}

/** A constraint of `celTemplateManifest`'s template on the rule's kinds (every workload by default). */
export function celConstraintManifest(template: JsonObject, targets?: readonly AdmittedKind[]): JsonObject {
  const kind = ((template.spec as { crd: { spec: { names: { kind: string } } } }).crd.spec.names.kind);
  return {
    apiVersion: 'constraints.gatekeeper.sh/v1beta1',
    kind,
    metadata: { name: (template.metadata as { name: string }).name },
    spec: { match: { kinds: gatekeeperWorkloadKinds(targets) } },
  };
}

export interface AdmissionPolicyProps extends AdmissionPolicyOptions {
  /** The namespaces the binding guards. */
  readonly scope: PolicyScope;
  /** The environment's enforcement action, as the binding's validation actions. */
  readonly enforcementAction: EnforcementAction;
}

/** The admission twin of one rule in a cluster: policy and binding. */
export class AdmissionPolicy extends Construct {
  constructor(scope: Construct, id: string, policy: PolicyDefinition, props: AdmissionPolicyProps) {
    super(scope, id);
    for (const [childId, manifest] of [
      ['policy', admissionPolicyManifest(policy, props)],
      ['binding', admissionBindingManifest(policy, props.scope, props.enforcementAction, props)],
    ] as const) {
      const { apiVersion, kind, ...rest } = manifest;
      new ApiObject(this, childId, { apiVersion: apiVersion as string, kind: kind as string, ...rest });
    }
  }
}
