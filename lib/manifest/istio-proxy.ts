/**
 * What Istio's sidecar injector adds to a pod that the synthesized objects do not show: the
 * istio-proxy container's Prometheus port. Envoy serves Istio's standard metrics (istio_requests_total,
 * …) there itself, and the injector leaves the port out of the traffic redirection, so the proxy's
 * inbound policy never sees a request to it.
 */
export const ENVOY_STATS = { portName: 'http-envoy-prom', port: 15090, path: '/stats/prometheus' } as const;

/** The label that turns injection on for a namespace, and the pod label that overrides it. */
export const INJECTION = { namespaceLabel: 'istio-injection', podLabel: 'sidecar.istio.io/inject' } as const;

/** Whether a pod labelled `podLabels` in a namespace labelled `namespaceLabels` gets the sidecar. */
export function injectsSidecar(namespaceLabels: Readonly<Record<string, string>>, podLabels: Readonly<Record<string, string>>): boolean {
  const pod = podLabels[INJECTION.podLabel];
  return pod === undefined ? namespaceLabels[INJECTION.namespaceLabel] === 'enabled' : pod === 'true';
}
