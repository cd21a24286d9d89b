import { ComponentOverlay, ComputeResources, DEFAULT_EPHEMERAL_STORAGE, Overlay, ResolvedResources } from '../config/overlay-schema';
import { formatMemory, memoryBytes } from './quantity';

/**
 * Ephemeral storage resolved once, so that every container states it and every namespace bounds
 * it: a component's own, else its namespace's LimitRange default; a LimitRange's, else the
 * platform's; a quota's, else room for every pod it admits at the LimitRange default.
 */

/** A namespace's LimitRange with its defaults' ephemeral storage resolved. */
export interface LimitRangeModel {
  readonly defaultRequest: ResolvedResources;
  readonly default: ResolvedResources;
  /** cpu and memory only: an ephemeral-storage max would reject the containers injected at admission. */
  readonly max: ComputeResources;
}

/** A namespace's ResourceQuota with its ephemeral storage resolved. */
export interface QuotaModel {
  readonly requests: ResolvedResources;
  readonly limits: ResolvedResources;
  readonly pods: number;
}

export function limitRangeOf(overlay: Pick<Overlay, 'limitRange'>): LimitRangeModel {
  const { defaultRequest, default: limit, max } = overlay.limitRange;
  return {
    defaultRequest: { ...defaultRequest, 'ephemeral-storage': defaultRequest['ephemeral-storage'] ?? DEFAULT_EPHEMERAL_STORAGE.request },
    default: { ...limit, 'ephemeral-storage': limit['ephemeral-storage'] ?? DEFAULT_EPHEMERAL_STORAGE.limit },
    max,
  };
}

/** A component's requests and limits, ephemeral storage included. */
export function componentResources(
  c: Pick<ComponentOverlay, 'resources'>,
  limitRange: LimitRangeModel,
): { readonly requests: ResolvedResources; readonly limits: ResolvedResources } {
  const { requests, limits } = c.resources;
  return {
    requests: { ...requests, 'ephemeral-storage': requests['ephemeral-storage'] ?? limitRange.defaultRequest['ephemeral-storage'] },
    limits: { ...limits, 'ephemeral-storage': limits['ephemeral-storage'] ?? limitRange.default['ephemeral-storage'] },
  };
}

/** A quota (the namespace's or a tenant's), its ephemeral storage defaulting to `pods` × the LimitRange defaults. */
export function quotaOf(quota: Overlay['quota'], limitRange: LimitRangeModel): QuotaModel {
  const room = (each: string): string => formatMemory(quota.pods * memoryBytes(each));
  return {
    requests: { ...quota.requests, 'ephemeral-storage': quota.requests['ephemeral-storage'] ?? room(limitRange.defaultRequest['ephemeral-storage']) },
    limits: { ...quota.limits, 'ephemeral-storage': quota.limits['ephemeral-storage'] ?? room(limitRange.default['ephemeral-storage']) },
    pods: quota.pods,
  };
}
