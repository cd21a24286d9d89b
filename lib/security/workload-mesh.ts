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
  readonly callers: readonly MeshCaller[];
  /**
   * The container ports a caller that names none may call, when the pod also serves ports only some
   * callers may (its metrics). @default - every port of the workload
   */
  readonly callerPorts?: readonly number[];
  readonly traffic: {
    readonly maxConnections: number;
    readonly maxPendingRequests: number;
    readonly consecutive5xxErrors: number;
    readonly timeout: string;
  };
  /** Public exposure through the ingress gateway. @default - not exposed */
  readonly exposure?: { readonly host: string; readonly gateway: string };
  /**
   * Requests split between a stable and a canary version by Argo Rollouts: the DestinationRule gets
   * `stable` and `canary` subsets, and every route (the in-mesh host's, the public host's) a weighted
   * destination in each, which the Rollout's controller sets. @default - one version, no subsets
   */
  readonly canary?: boolean;
}

/** The route of each VirtualService whose weights a canary's Rollout sets. */
export const CANARY_ROUTE = 'primary';
export const STABLE_SUBSET = 'stable';
export const CANARY_SUBSET = 'canary';

/** The VirtualServices a canary's Rollout weighs: the public host's (when exposed), then the in-mesh host's. */
export function canaryVirtualServices(name: string, exposed: boolean): string[] {
  return [...(exposed ? [name] : []), meshRouteName(name)];
}

/** The VirtualService of the in-mesh host: the callers' sidecars route by it. */
function meshRouteName(name: string): string {
  return `${name}-mesh`;
}

/** An identity allowed to call the workload, on every port or on the ports it names. */
export interface MeshCaller extends MeshIdentity {
  /** The container ports it may call (a scrape: the metrics port only). @default - every port of the workload */
  readonly ports?: readonly number[];
}

/**
 * The ALLOW rules of the callers: one for the identities that may call any port, one per set of
 * ports for those that may call only these.
 */
function allowRules(
  callers: readonly MeshCaller[],
  callerPorts: readonly number[] | undefined,
): { from: { source: { principals: string[] } }[]; to?: { operation: { ports: string[] } }[] }[] {
  const byPorts = new Map<string, Set<string>>();
  for (const c of callers) {
    const ports = c.ports ?? callerPorts;
    const key = ports === undefined ? '' : [...new Set(ports)].sort((a, b) => a - b).join(',');
    byPorts.set(key, (byPorts.get(key) ?? new Set()).add(principal(c)));
  }
  return [...byPorts.keys()].sort().map((key) => ({
    from: [{ source: { principals: [...byPorts.get(key)!].sort() } }],
    ...(key === '' ? {} : { to: [{ operation: { ports: key.split(',') } }] }),
  }));
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
        rules: principals.length > 0 ? allowRules(props.callers, props.callerPorts) : undefined,
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
        // The controller adds each ReplicaSet's rollouts-pod-template-hash to these labels.
        subsets: props.canary
          ? [STABLE_SUBSET, CANARY_SUBSET].map((subset) => ({ name: subset, labels: { ...props.selector } }))
          : undefined,
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
    const port = { number: props.servicePort };
    // Every request to the stable pods until a rollout starts; the controller moves the weights.
    const weighted = props.canary
      ? {
        name: CANARY_ROUTE,
        route: [{ subset: STABLE_SUBSET, weight: 100 }, { subset: CANARY_SUBSET, weight: 0 }]
          .map(({ subset, weight }) => ({ destination: { host, port, subset }, weight })),
      }
      : undefined;
    if (props.exposure) {
      new VirtualService(this, 'route', {
        metadata,
        spec: {
          hosts: [props.exposure.host],
          gateways: [props.exposure.gateway],
          http: [{ ...(weighted ?? { route: [{ destination: { host, port } }] }), timeout: traffic.timeout }],
        },
      });
    }
    if (weighted) {
      // The callers' sidecars (gateway "mesh", the default) route the in-mesh host by it.
      new VirtualService(this, 'mesh-route', {
        metadata: { ...metadata, name: meshRouteName(props.name) },
        spec: { hosts: [host], http: [weighted] },
      });
    }
  }
}
