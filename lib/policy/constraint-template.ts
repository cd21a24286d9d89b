import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ConstraintTemplate, ConstraintTemplateProps } from '../../imports/templates.gatekeeper.sh';
import { gatekeeperWorkloadKinds, REGO_POD_SPEC } from '../manifest/workload-kinds';
import { templateKind, templateName } from './names';
import { JsonObject, PolicyDefinition } from './policy-definition';

export const GATEKEEPER_TARGET = 'admission.k8s.gatekeeper.sh';
export const CONSTRAINTS_API_VERSION = 'constraints.gatekeeper.sh/v1beta1';

export interface PolicyObjectMeta {
  /** @default - none (gator suites) */
  readonly environment?: string;
  /** @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The ConstraintTemplate of a rule: its parameters schema and Rego (shared pod-spec helpers first). */
export function constraintTemplateProps(policy: PolicyDefinition, meta: PolicyObjectMeta = {}): ConstraintTemplateProps {
  const name = templateName(policy, meta.environment);
  return {
    metadata: {
      name,
      labels: { ...meta.labels },
      annotations: {
        description: policy.description,
        'bulwark.dev/policy': policy.id,
        // ArgoCD: templates first, so that Gatekeeper has created the constraint CRDs when constraints sync.
        'argocd.argoproj.io/sync-wave': '-1',
      },
    },
    spec: {
      crd: {
        spec: {
          names: { kind: templateKind(policy, meta.environment) },
          validation: policy.parametersSchema ? { openApiv3Schema: policy.parametersSchema } : undefined,
        },
      },
      targets: [{ target: GATEKEEPER_TARGET, rego: `package ${name}\n\n${REGO_POD_SPEC}\n\n${policy.rego}\n` }],
    },
  };
}

export interface ConstraintOptions extends PolicyObjectMeta {
  /** @default deny */
  readonly enforcementAction?: string;
  /** Namespace selection of the match. @default - every namespace */
  readonly namespaces?: { readonly namespaces?: readonly string[]; readonly excludedNamespaces?: readonly string[] };
  /** @default - none */
  readonly parameters?: JsonObject;
}

/** The Constraint instantiating a rule's template on workloads. */
export function constraintManifest(policy: PolicyDefinition, options: ConstraintOptions = {}): JsonObject {
  return {
    apiVersion: CONSTRAINTS_API_VERSION,
    kind: templateKind(policy, options.environment),
    metadata: {
      name: policy.id,
      labels: { ...options.labels },
      annotations: {
        description: policy.description,
        // ArgoCD: the kind only exists once Gatekeeper has processed the template.
        'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true',
      },
    },
    spec: {
      enforcementAction: options.enforcementAction ?? 'deny',
      match: { scope: 'Namespaced', kinds: gatekeeperWorkloadKinds(policy.targets), ...options.namespaces },
      ...(options.parameters ? { parameters: options.parameters } : {}),
    },
  };
}

/** A rule as cluster objects: its ConstraintTemplate, and (in another chart) its Constraint. */
export class PolicyTemplate extends Construct {
  constructor(scope: Construct, id: string, policy: PolicyDefinition, meta: PolicyObjectMeta) {
    super(scope, id);
    new ConstraintTemplate(this, 'template', constraintTemplateProps(policy, meta));
  }
}

export class PolicyConstraint extends Construct {
  constructor(scope: Construct, id: string, policy: PolicyDefinition, options: ConstraintOptions) {
    super(scope, id);
    const { apiVersion, kind, ...rest } = constraintManifest(policy, options);
    new ApiObject(this, 'constraint', { apiVersion: apiVersion as string, kind: kind as string, ...rest });
  }
}
