import { environmentName } from '../manifest/names';
import { PolicyDefinition } from './policy-definition';

/**
 * Names of the cluster-scoped policy objects. Every name carries the environment: two
 * environments sharing a cluster each own their templates, constraints, mutators and admission
 * policies, so installing, upgrading, rolling back or uninstalling one never touches the other's.
 * Without an environment (the gator suites) the names are the plain rule names.
 */

/** "eu-prod" → "EuProd". */
export function pascalCase(name: string): string {
  return name.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}

/** Kind of the Constraint CRD Gatekeeper creates from the template, e.g. BulwarkProdNoPrivileged. */
export function templateKind(policy: Pick<PolicyDefinition, 'kind'>, environment?: string): string {
  return `Bulwark${environment ? pascalCase(environment) : ''}${policy.kind}`;
}

/** Gatekeeper requires the template's name to be its kind, lowercased. */
export function templateName(policy: Pick<PolicyDefinition, 'kind'>, environment?: string): string {
  return templateKind(policy, environment).toLowerCase();
}

/** `bulwark-<env>-<purpose>`: admission policies, their bindings and mutators. */
export function policyObjectName(purpose: string, environment?: string): string {
  return environmentName(environment, purpose);
}
