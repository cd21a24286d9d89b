import { viaEgressGateway } from '../connectivity/needed-flows';
import { PlatformModel } from '../model/platform-model';
import { ExternalEgress, NamespacedPeer } from './workload-network-policy';

/**
 * Where the trace collector's pods send spans, as network policy egress: Jaeger's pods in the
 * cluster, its address ranges outside, or the mesh egress gateway when TLS to its host leaves
 * that way (like a component's dependency on the same endpoint). One answer for both builds of
 * the collector (the plain Deployment and the operator's), so their policies cannot differ.
 */
export function collectorEgress(model: PlatformModel): { external: ExternalEgress[]; namespaced: NamespacedPeer[] } {
  const jaeger = model.tracing?.jaeger;
  if (!jaeger) return { external: [], namespaced: [] };
  if (jaeger.kind === 'service') {
    return { external: [], namespaced: [{ namespace: jaeger.namespace, podLabels: jaeger.podLabels, ports: [jaeger.port] }] };
  }
  const { mesh } = model;
  return viaEgressGateway(jaeger.endpoint)
    ? { external: [], namespaced: [{ namespace: mesh.namespace, podLabels: mesh.egressGateway.labels, ports: [mesh.egressGateway.port] }] }
    : { external: [{ name: 'jaeger', cidrs: jaeger.endpoint.cidrs, ports: [jaeger.port] }], namespaced: [] };
}
