import { Construct } from 'constructs';
import { ServiceMonitor, ServiceMonitorSpecEndpointsScheme } from '../../imports/monitoring.coreos.com';

export interface ComponentServiceMonitorProps {
  /** Name of the monitor: the component's. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Labels of the component's Service. */
  readonly selector: Readonly<Record<string, string>>;
  /** The Service port (by name) that serves the metrics. */
  readonly port: string;
  readonly path: string;
  readonly interval: string;
  /**
   * Where Prometheus' istio-proxy writes its workload certificate (Istio's OUTPUT_CERTS): the
   * scrape presents it, so that the component's sidecar accepts it under STRICT mTLS and its
   * AuthorizationPolicy knows Prometheus' identity.
   */
  readonly certificatesPath: string;
}

/** Prometheus scrapes one component's own metrics through its Service, over Istio mTLS. */
export class ComponentServiceMonitor extends Construct {
  constructor(scope: Construct, id: string, props: ComponentServiceMonitorProps) {
    super(scope, id);
    const certs = props.certificatesPath;
    new ServiceMonitor(this, 'monitor', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      spec: {
        selector: { matchLabels: { ...props.selector } },
        namespaceSelector: { matchNames: [props.namespace] },
        endpoints: [{
          port: props.port,
          path: props.path,
          interval: props.interval,
          scheme: ServiceMonitorSpecEndpointsScheme.HTTPS,
          tlsConfig: {
            caFile: `${certs}/root-cert.pem`,
            certFile: `${certs}/cert-chain.pem`,
            keyFile: `${certs}/key.pem`,
            // Istio's certificates name a SPIFFE identity, not a DNS name Prometheus could verify (Istio's own scrape settings).
            insecureSkipVerify: true,
          },
        }],
      },
    });
  }
}
