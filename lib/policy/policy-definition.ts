import { AdmittedKind } from '../manifest/workload-kinds';
import { JsonValue } from '../manifest/yaml-emitter';
import { PolicyModel } from '../model/platform-model';

export type JsonObject = { readonly [key: string]: JsonValue };

/** A CEL expression that must hold, as in ValidatingAdmissionPolicy `spec.validations`. */
export type CelValidation = {
  readonly expression: string;
  readonly message: string;
};

/** A named CEL expression, as in ValidatingAdmissionPolicy `spec.variables`. */
export type CelVariable = {
  readonly name: string;
  readonly expression: string;
};

/** One object reviewed by the policy in its test suite, and what the policy must say about it. */
export interface PolicyCase {
  /** kebab-case; also the case's file name. */
  readonly name: string;
  readonly object: JsonObject;
  /** Violations the Gatekeeper template reports: 0 for a compliant object. */
  readonly violations: number;
}

/**
 * One cluster-time rule, defined once: the ConstraintTemplate (Rego), the Constraint's parameters
 * per environment, the ValidatingAdmissionPolicy twin (CEL) when it has one, and the test cases
 * both are verified against. Templates, constraints, admission policies and gator suites are all
 * generated from this, so they cannot drift apart.
 */
export interface PolicyDefinition {
  /** kebab-case: the Constraint's name and the suffix of the admission policy's name. */
  readonly id: string;
  /** PascalCase: the suffix of the template's kind (`Bulwark<Env><kind>`). */
  readonly kind: string;
  /** One sentence: what the rule guarantees (README table, template annotation). */
  readonly description: string;
  /** The kinds it judges. @default WORKLOAD_KINDS (every kind that runs pods) */
  readonly targets?: readonly AdmittedKind[];
  /** The lib/checks checks that enforce the same rule at synthesis time (and in `bulwark check`), if any. */
  readonly synthChecks?: readonly string[];
  /** OpenAPI v3 schema of the Constraint's `spec.parameters`; none when the rule takes none. */
  readonly parametersSchema?: JsonObject;
  /** Constraint parameters for an environment. */
  parameters(policy: PolicyModel): JsonObject | undefined;
  /** Rego after the shared pod-spec helpers; must define `violation[{"msg": msg}]`. */
  readonly rego: string;
  /** The ValidatingAdmissionPolicy twin, for clusters without Gatekeeper. */
  readonly admission?: {
    /** Variables after the shared `podSpec` and `containers`; built from the same parameters. */
    variables?(parameters: JsonObject | undefined): readonly CelVariable[];
    readonly validations: readonly CelValidation[];
  };
  /** Parameters the test cases run with. */
  readonly testParameters?: JsonObject;
  /** Parameters the template must reject (each a gator `invalid: true` test). */
  readonly invalidParameters?: readonly JsonObject[];
  /** Compliant and violating objects; at least one of each. */
  readonly cases: readonly PolicyCase[];
}
