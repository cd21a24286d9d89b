import { Finding, Severity } from '../checks/check';
import { KubeObject } from '../manifest/kube-object';
import { PlatformModel } from '../model/platform-model';
import { CONNECTIVITY_CHECK, connectivityFindings } from './analyze';

/**
 * A check of one whole environment: its synthesized objects judged against its model (the flows it
 * needs), once every object exists. The per-object checks of lib/checks see objects only.
 */
export interface EnvironmentCheck {
  /** kebab-case identifier, shown in findings and the report. */
  readonly id: string;
  /** What the check guarantees, for the README and the compliance report. */
  readonly description: string;
  readonly severity: Severity;
  readonly findings: (model: PlatformModel, objects: readonly KubeObject[]) => readonly Finding[];
}

export const connectivityCheck: EnvironmentCheck = {
  id: CONNECTIVITY_CHECK,
  description: 'Every flow the platform needs (FLOW_RULES) is allowed at every layer that governs it (NetworkPolicy, '
    + 'AuthorizationPolicy, Sidecar/ServiceEntry), and no flow is allowed that no need explains (lateral movement).',
  severity: 'error',
  findings: connectivityFindings,
};
