import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { standardLabels } from '../manifest/labels';
import { PLATFORM_FOLDERS } from '../manifest/layout';
import { PlatformModel } from '../model/platform-model';
import { PolicyTemplate } from './constraint-template';
import { ALL_POLICIES } from './rules';

export const GATEKEEPER_TEMPLATES_NAME = PLATFORM_FOLDERS.gatekeeperTemplates;

/**
 * The `gatekeeper-templates` subchart: one ConstraintTemplate per rule. Apart from the
 * constraints because Gatekeeper creates each constraint's CRD only once it has processed the
 * template: `make install` applies these first and waits for those CRDs (see README, "Policy").
 */
export class GatekeeperTemplatesChart extends Chart {
  constructor(scope: Construct, model: PlatformModel) {
    super(scope, GATEKEEPER_TEMPLATES_NAME, { disableResourceNameHashes: true });
    const labels = standardLabels({
      name: GATEKEEPER_TEMPLATES_NAME,
      environment: model.environment,
      component: 'policy',
      version: model.platformVersion,
    });
    for (const policy of ALL_POLICIES) new PolicyTemplate(this, policy.id, policy, { environment: model.environment, labels });
  }
}
