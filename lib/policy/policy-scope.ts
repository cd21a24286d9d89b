import { PolicyModel } from '../model/platform-model';

/** Where the guards apply: this environment's namespaces, or every namespace but the exempt ones. */
export type PolicyScope = Pick<PolicyModel, 'scope' | 'namespaces' | 'exemptNamespaces'>;

/** The namespace part of a Gatekeeper `match` (constraints and mutators). */
export function gatekeeperNamespaces(scope: PolicyScope): { namespaces?: string[]; excludedNamespaces?: string[] } {
  return scope.scope === 'environment' ? { namespaces: [...scope.namespaces] } : { excludedNamespaces: [...scope.exemptNamespaces] };
}

/** The same selection as a namespaceSelector (ValidatingAdmissionPolicyBinding). */
export function namespaceSelector(scope: PolicyScope): { matchExpressions: { key: string; operator: string; values: string[] }[] } {
  return scope.scope === 'environment'
    ? { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...scope.namespaces] }] }
    : { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [...scope.exemptNamespaces] }] };
}
