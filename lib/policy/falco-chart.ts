import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { standardLabels } from '../manifest/labels';
import { PLATFORM_FOLDERS } from '../manifest/layout';
import { PlatformModel } from '../model/platform-model';
import { FalcoRulesConfigMap } from './falco-rules';

export const FALCO_NAME = PLATFORM_FOLDERS.falco;

/** The `falco` subchart: the platform's runtime rules in Falco's namespace. */
export class FalcoChart extends Chart {
  constructor(scope: Construct, model: PlatformModel) {
    super(scope, FALCO_NAME, { disableResourceNameHashes: true });
    new FalcoRulesConfigMap(this, 'rules', {
      environment: model.environment,
      namespace: model.policy.falcoNamespace,
      namespaces: model.policy.namespaces,
      labels: standardLabels({ name: FALCO_NAME, environment: model.environment, component: 'runtime-security', version: model.platformVersion }),
      agents: model.components.filter((c) => c.kind === 'agent').map((c) => ({
        name: c.name,
        hosts: [...new Set(c.externalDependencies.flatMap((e) => e.hosts))].sort(),
        cidrs: [...new Set(c.externalDependencies.flatMap((e) => e.cidrs))].sort(),
      })),
    });
  }
}
