import { Check } from './check';
import {
  defaultNamespace, ingressTls, namespacePodSecurity, namespaceRestricted, networkPolicyCoverage, serviceLoadBalancerSourceRanges,
  serviceNodePort, serviceSelectsPods,
} from './exposure';
import { noKeyMaterial } from './key-material';
import { clusterScopedNamespace, explicitNamespace, requiredLabels, uniqueObjects } from './metadata';
import { monitorsSelectTargets } from './monitor-targets';
import { POD_SECURITY_CHECKS } from './pod-security';
import {
  rbacClusterAdminBindings, rbacNoClusterBindings, rbacNoEscalation, rbacNoWildcards, rbacPodCreation, rbacPodExec, rbacSecretsAccess,
  rbacSecretsNeedReason, rbacTokenCreation,
} from './rbac';
import { rolloutReferencesResolve } from './rollout-references';
import { pdbBelowHpaMinimum } from './scaling';
import { servicesHaveCallers } from './service-callers';
import {
  defaultServiceAccount, literalSecretsInEnv, noSecretData, pinnedImages, probes, readOnlyRootFilesystem, resourceLimits,
  serviceAccountTokenAutomount,
} from './workload-hygiene';
import { meshAuthorization, meshMtlsStrict, secretReferencesResolve } from './zero-trust';

export * from './check';

/** Every check, in report order: generic ones (any cluster) first, then the platform's conventions. */
export const ALL_CHECKS: readonly Check[] = [
  ...POD_SECURITY_CHECKS,
  readOnlyRootFilesystem,
  resourceLimits,
  pinnedImages,
  probes,
  literalSecretsInEnv,
  noSecretData,
  noKeyMaterial,
  defaultServiceAccount,
  serviceAccountTokenAutomount,
  rbacNoWildcards,
  rbacNoEscalation,
  rbacSecretsAccess,
  rbacPodExec,
  rbacPodCreation,
  rbacTokenCreation,
  rbacClusterAdminBindings,
  namespacePodSecurity,
  defaultNamespace,
  clusterScopedNamespace,
  uniqueObjects,
  serviceNodePort,
  serviceLoadBalancerSourceRanges,
  serviceSelectsPods,
  ingressTls,
  networkPolicyCoverage,
  pdbBelowHpaMinimum,
  rolloutReferencesResolve,
  monitorsSelectTargets,
  // The platform's conventions (profile bulwark).
  requiredLabels,
  explicitNamespace,
  namespaceRestricted,
  rbacSecretsNeedReason,
  rbacNoClusterBindings,
  meshMtlsStrict,
  meshAuthorization,
  servicesHaveCallers,
  secretReferencesResolve,
];
