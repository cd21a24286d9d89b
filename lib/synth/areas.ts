import { ALERTS_AREA } from '../alerts/area';
import { Area } from '../area/area';
import { CONTROL_PLANE_AREA } from '../control-plane/area';
import { DASHBOARDS_AREA } from '../dashboards/area';
import { GITOPS_AREA } from '../gitops/area';
import { METRICS_AREA } from '../metrics/area';
import { BASELINE_AREA, TENANTS_AREA } from '../platform/areas';
import { POLICY_AREA } from '../policy/area';
import { SECURITY_AREA } from '../security/area';
import { TRACING_AREA } from '../tracing/area';
import { WORKLOADS_AREA } from '../workloads/area';

/**
 * Every area of the platform, in output order: the one registration a new area needs (its
 * folder, then one line here). The orchestrator builds what these return and knows none by name.
 */
export const AREAS: readonly Area[] = [
  BASELINE_AREA, SECURITY_AREA, WORKLOADS_AREA, TENANTS_AREA, TRACING_AREA, POLICY_AREA, METRICS_AREA, ALERTS_AREA, DASHBOARDS_AREA,
  CONTROL_PLANE_AREA,
  GITOPS_AREA,
];
