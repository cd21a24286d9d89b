import { PolicyDefinition } from '../policy-definition';
import { allowedRegistries } from './allowed-registries';
import { disallowLatest } from './disallow-latest';
import { noPrivileged } from './no-privileged';
import { podSecurityRestricted } from './pod-security-restricted';
import { requiredLabels } from './required-labels';
import { resourceLimits } from './resource-limits';

export { allowedRegistries, disallowLatest, noPrivileged, podSecurityRestricted, requiredLabels, resourceLimits };

/** Every cluster-time rule, in README order. Adding one is a file in this folder plus a line here. */
export const ALL_POLICIES: readonly PolicyDefinition[] = [
  podSecurityRestricted,
  noPrivileged,
  allowedRegistries,
  disallowLatest,
  requiredLabels,
  resourceLimits,
];
