import { Construct } from 'constructs';
import { DestinationRule, DestinationRuleSpecTrafficPolicyTlsMode, VirtualService } from '../../imports/networking.istio.io';
import { AuthorizationPolicy, AuthorizationPolicySpecAction } from '../../imports/security.istio.io';

/** A service account identity, as the mesh sees it. */
export interface MeshIdentity {
  readonly namespace: string;
  readonly serviceAccount: string;
}

export interface WorkloadMeshProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly selector: Readonly<Record<string, string>>;
  /** Service port the workload is reached on. */
  readonly servicePort: number;
  /** Identities allowed to call the workload: its declared callers (and the ingress gateway). */
  readonly callers: readonly MeshIdentity[];
  readonly traffic: {
    readonly maxConnections: number;
    readonly maxPendingRequests: number;
    readonly consecutive5xxErrors: number;
    readonly timeout: string;
  };
  /** Public exposure through the ingress gateway. @default - not exposed */
  readonly exposure?: { readonly host: string; readonly gateway: string };
}

export function principal(id: MeshIdentity): string {
  return `cluster.local/ns/${id.namespace}/sa/${id.serviceAccount}`;
}

/**
 * A workload's place in the mesh: only its declared callers' identities may call it; its clients
 * (when it has any) use mutual TLS, bounded connection pools and outlier detection (circuit
 * breaking); an exposed host is routed from the ingress gateway with a timeout.
 */
export class WorkloadMesh extends Construct {
  constructor(scope: Construct, id: string, props: WorkloadMeshProps) {
    super(scope, id);
    const metadata = { name: props.name, namespace: props.namespace, labels: { ...props.labels } };
    const host = `${props.name}.${props.namespace}.svc.cluster.local`;
    const principals = [...new Set(props.callers.map(principal))].sort();
    new AuthorizationPolicy(this, 'authz', {
      metadata,
      spec: {
        selector: { matchLabels: { ...props.selector } },
        action: AuthorizationPolicySpecAction.ALLOW,
        // No callers: no rule, so nothing is allowed (the namespace deny-all holds).
        rules: principals.length > 0 ? [{ from: [{ source: { principals } }] }] : undefined,
      },
    });
    const { traffic } = props;
    // The callers' side of the connection: with no caller, there is no client to configure.
    if (principals.length === 0) {
      if (props.exposure) {
        throw new Error(`workload-mesh "${props.name}": exposure of ${props.exposure.host} needs the ingress gateway among callers`);
      }
      return;
    }
    new DestinationRule(this, 'destination', {
      metadata,
      spec: {
        host,
        trafficPolicy: {
          tls: { mode: DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL },
          connectionPool: {
            tcp: { maxConnections: traffic.maxConnections, connectTimeout: '5s' },
            http: { http1MaxPendingRequests: traffic.maxPendingRequests, http2MaxRequests: traffic.maxConnections },
          },
          outlierDetection: { consecutive5XxErrors: traffic.consecutive5xxErrors, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
        },
      },
    });
    if (props.exposure) {
      new VirtualService(this, 'route', {
        metadata,
        spec: {
          hosts: [props.exposure.host],
          gateways: [props.exposure.gateway],
          http: [{ route: [{ destination: { host, port: { number: props.servicePort } } }], timeout: traffic.timeout }],
        },
      });
    }
  }
}
