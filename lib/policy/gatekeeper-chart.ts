import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { standardLabels } from '../manifest/labels';
import { PLATFORM_FOLDERS } from '../manifest/layout';
import { PlatformModel } from '../model/platform-model';
import { PolicyConstraint } from './constraint-template';
import { WorkloadMutators } from './mutators';
import { gatekeeperNamespaces } from './policy-scope';
import { ALL_POLICIES } from './rules';

export const GATEKEEPER_NAME = PLATFORM_FOLDERS.gatekeeper;

/**
 * The `gatekeeper` subchart: the environment's Constraints (its enforcement action, parameters
 * and namespaces) and the mutators that give workloads created outside this repository the
 * platform's default labels and a restricted securityContext.
 */
export class GatekeeperChart extends Chart {
  constructor(scope: Construct, model: PlatformModel) {
    super(scope, GATEKEEPER_NAME, { disableResourceNameHashes: true });
    const labels = standardLabels({ name: GATEKEEPER_NAME, environment: model.environment, component: 'policy', version: model.platformVersion });
    const { policy } = model;
    for (const rule of ALL_POLICIES) {
      new PolicyConstraint(this, rule.id, rule, {
        environment: model.environment,
        labels,
        enforcementAction: policy.enforcementAction,
        namespaces: gatekeeperNamespaces(policy),
        parameters: rule.parameters(policy),
      });
    }
    new WorkloadMutators(this, 'mutators', { environment: model.environment, labels, scope: policy });
  }
}
