import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { PlatformModel } from '../model/platform-model';
import { BASELINE_NAME, NamespaceBaseline } from './namespace-baseline';

/** The `baseline` subchart: the namespace and its guardrails, installed before any workload. */
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
    });
  }
}
