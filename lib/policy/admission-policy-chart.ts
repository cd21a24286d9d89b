import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { standardLabels } from '../manifest/labels';
import { PLATFORM_FOLDERS } from '../manifest/layout';
import { PlatformModel } from '../model/platform-model';
import { AdmissionPolicy } from './admission-policy';
import { ALL_POLICIES } from './rules';

export const ADMISSION_POLICY_NAME = PLATFORM_FOLDERS.admissionPolicy;

/**
 * The `admission-policy` subchart: a ValidatingAdmissionPolicy and its binding for every rule
 * with a CEL twin, for clusters without Gatekeeper (admissionregistration.k8s.io/v1: Kubernetes
 * 1.30 or later; disable the subchart with admission-policy.enabled=false on older clusters).
 */
export class AdmissionPolicyChart extends Chart {
  constructor(scope: Construct, model: PlatformModel) {
    super(scope, ADMISSION_POLICY_NAME, { disableResourceNameHashes: true });
    const labels = standardLabels({
      name: ADMISSION_POLICY_NAME,
      environment: model.environment,
      component: 'policy',
      version: model.platformVersion,
    });
    for (const rule of ALL_POLICIES.filter((p) => p.admission)) {
      new AdmissionPolicy(this, rule.id, rule, {
        environment: model.environment,
        labels,
        parameters: rule.parameters(model.policy),
        scope: model.policy,
        enforcementAction: model.policy.enforcementAction,
      });
    }
  }
}
