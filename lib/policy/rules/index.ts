import { PolicyDefinition } from '../policy-definition';
import { allowedRegistries } from './allowed-registries';
import { healthChecks, replicaMinimum } from './availability-rules';
import { disallowLatest } from './disallow-latest';
import { ingressTls, rbacLimits, serviceAccounts, serviceExposure } from './exposure-rules';
import { noPrivileged } from './no-privileged';
import { podSecurityControls } from './pod-security-controls';
import { podSecurityRestricted } from './pod-security-restricted';
import { requiredLabels } from './required-labels';
import { resourceLimits } from './resource-limits';

export {
  allowedRegistries, disallowLatest, healthChecks, ingressTls, noPrivileged, podSecurityControls, podSecurityRestricted, rbacLimits,
  replicaMinimum, requiredLabels, resourceLimits, serviceAccounts, serviceExposure,
};

/** Every cluster-time rule, in README order. Adding one is a file in this folder plus a line here. */
export const ALL_POLICIES: readonly PolicyDefinition[] = [
  podSecurityRestricted,
  podSecurityControls,
  noPrivileged,
  allowedRegistries,
  disallowLatest,
  requiredLabels,
  resourceLimits,
  serviceAccounts,
  serviceExposure,
  ingressTls,
  rbacLimits,
  replicaMinimum,
  healthChecks,
];
