import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { standardLabels } from '../manifest/labels';
import { API_SERVER_HOST, API_SERVER_NAMESPACE, callsApiServer } from '../model/platform-endpoints';
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
      mesh: { namespace: model.mesh.namespace, controlPlaneLabels: model.mesh.controlPlaneLabels, egressHosts: meshEgressHosts(model) },
    });
    new PriorityClasses(this, 'priority', {
      environment: model.environment,
      values: model.priorityClasses,
      labels: standardLabels({ name: BASELINE_NAME, environment: model.environment, component: 'scheduling', version: model.platformVersion }),
    });
  }
}

/**
 * Services outside the namespace and the mesh that the platform's sidecars call (REGISTRY_ONLY
 * drops the rest): the API server, when a component's service account holds permissions; Vault,
 * when pods call it themselves and it runs in the cluster (outside it, its ServiceEntry in the
 * namespace lets them out); Jaeger, when the trace collector exports to it in the cluster. Each
 * workload's NetworkPolicy decides which pods may.
 */
function meshEgressHosts(model: PlatformModel): string[] {
  const { vault } = model;
  const jaeger = model.tracing?.jaeger;
  return [
    ...(model.components.some(callsApiServer) ? [`${API_SERVER_NAMESPACE}/${API_SERVER_HOST}`] : []),
    ...(vault && 'namespace' in vault.network ? [`${vault.network.namespace}/${serviceFqdn(vault.host, vault.network.namespace)}`] : []),
    ...(jaeger?.kind === 'service' ? [`${jaeger.namespace}/${jaeger.host}`] : []),
  ];
}

/** A Service's name as the mesh registry knows it: `<name>.<namespace>.svc.cluster.local`. */
function serviceFqdn(host: string, namespace: string): string {
  return `${host.split('.')[0]}.${namespace}.svc.cluster.local`;
}
