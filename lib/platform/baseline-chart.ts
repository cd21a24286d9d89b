import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { standardLabels } from '../manifest/labels';
import { PlatformModel } from '../model/platform-model';
import { BASELINE_NAME, NamespaceBaseline } from './namespace-baseline';
import { PriorityClasses } from './priority-classes';

/** The `baseline` subchart: the namespace, its guardrails and the priority classes, installed before any workload. */
export class BaselineChart extends Chart {
  constructor(scope: Construct, model: PlatformModel) {
    // No chart namespace: the Namespace itself is cluster-scoped; namespaced objects set theirs.
    super(scope, BASELINE_NAME, { disableResourceNameHashes: true });
    new NamespaceBaseline(this, 'namespace', {
      environment: model.environment,
      namespace: model.namespace,
      version: model.platformVersion,
      podSecurityVersion: model.podSecurityVersion,
      quota: model.quota,
      limitRange: model.limitRange,
      dns: model.dns,
      mesh: { namespace: model.mesh.namespace, controlPlaneLabels: model.mesh.controlPlaneLabels },
    });
    new PriorityClasses(this, 'priority', {
      environment: model.environment,
      values: model.priorityClasses,
      labels: standardLabels({ name: BASELINE_NAME, environment: model.environment, component: 'scheduling', version: model.platformVersion }),
    });
  }
}
