import { Check } from './check';
import { noKeyMaterial } from './key-material';
import { namespaceScope, noSecretData, requiredLabels, uniqueObjects } from './metadata';
import { monitorsSelectTargets } from './monitor-targets';
import { podSecurityRestricted } from './pod-security';
import { rbacNoPrivilegedBindings, rbacNoWildcards, rbacSecretsNeedReason } from './rbac';
import { rolloutReferencesResolve } from './rollout-references';
import { pdbBelowHpaMinimum } from './scaling';
import { servicesHaveCallers } from './service-callers';
import { pinnedImages, probes, readOnlyRootFilesystem, resourceLimits } from './workload-hygiene';
import { meshAuthorization, meshMtlsStrict, secretReferencesResolve } from './zero-trust';

export * from './check';

/** Every check run on synthesized output, in report order. */
export const ALL_CHECKS: readonly Check[] = [
  requiredLabels,
  namespaceScope,
  uniqueObjects,
  noSecretData,
  podSecurityRestricted,
  readOnlyRootFilesystem,
  resourceLimits,
  pinnedImages,
  probes,
  rbacNoWildcards,
  rbacSecretsNeedReason,
  rbacNoPrivilegedBindings,
  pdbBelowHpaMinimum,
  rolloutReferencesResolve,
  meshMtlsStrict,
  meshAuthorization,
  servicesHaveCallers,
  secretReferencesResolve,
  monitorsSelectTargets,
  noKeyMaterial,
];
