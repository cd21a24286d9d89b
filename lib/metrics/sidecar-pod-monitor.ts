import { Construct } from 'constructs';
import { PodMonitor, PodMonitorSpecPodMetricsEndpointsScheme } from '../../imports/monitoring.coreos.com';
import { ENVOY_STATS } from '../manifest/istio-proxy';

export interface SidecarPodMonitorProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The components whose pods' sidecars are scraped (their `app.kubernetes.io/name`). */
  readonly components: readonly string[];
  /** Value of `app.kubernetes.io/part-of` the pods carry. */
  readonly partOf: string;
  readonly interval: string;
}

/** Prometheus scrapes Istio's standard metrics from the sidecar of every component pod. */
export class SidecarPodMonitor extends Construct {
  constructor(scope: Construct, id: string, props: SidecarPodMonitorProps) {
    super(scope, id);
    new PodMonitor(this, 'monitor', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      spec: {
        selector: {
          matchLabels: { 'app.kubernetes.io/part-of': props.partOf },
          matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: [...props.components] }],
        },
        namespaceSelector: { matchNames: [props.namespace] },
        // Each series under the component's job, not the monitor's.
        jobLabel: 'app.kubernetes.io/name',
        podMetricsEndpoints: [{
          port: ENVOY_STATS.portName,
          path: ENVOY_STATS.path,
          interval: props.interval,
          scheme: PodMonitorSpecPodMetricsEndpointsScheme.HTTP,
        }],
      },
    });
  }
}
