import { Construct } from 'constructs';
import { Sidecar, SidecarSpecOutboundTrafficPolicyMode } from '../../imports/networking.istio.io';
import { AuthorizationPolicy, PeerAuthentication, PeerAuthenticationSpecMtlsMode } from '../../imports/security.istio.io';

export interface MeshNamespacePolicyProps {
  readonly namespace: string;
  /** Prefix of the object names (`<name>-mtls`, …). */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Namespace of istiod and the gateways, reachable from every sidecar. */
  readonly meshNamespace: string;
  /**
   * Services of other namespaces the sidecars may reach (`<namespace>/<host>`), besides the mesh's
   * own; each workload's NetworkPolicy still decides which pods do. @default []
   */
  readonly egressHosts?: readonly string[];
}

/**
 * Zero trust at namespace level: mutual TLS required for every workload, no request allowed unless
 * a workload's own AuthorizationPolicy allows it, and no egress to hosts the mesh does not know
 * (REGISTRY_ONLY: the ServiceEntries are the egress allow-list).
 */
export class MeshNamespacePolicy extends Construct {
  constructor(scope: Construct, id: string, props: MeshNamespacePolicyProps) {
    super(scope, id);
    const metadata = (suffix: string) => ({ name: `${props.name}-${suffix}`, namespace: props.namespace, labels: { ...props.labels } });
    new PeerAuthentication(this, 'mtls', { metadata: metadata('mtls'), spec: { mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT } } });
    // An ALLOW policy matching nothing: requests pass only if another policy allows them.
    new AuthorizationPolicy(this, 'deny-all', { metadata: metadata('deny-all'), spec: {} });
    new Sidecar(this, 'egress', {
      metadata: metadata('egress'),
      spec: {
        egress: [{ hosts: ['./*', `${props.meshNamespace}/*`, ...(props.egressHosts ?? [])] }],
        outboundTrafficPolicy: { mode: SidecarSpecOutboundTrafficPolicyMode.REGISTRY_UNDERSCORE_ONLY },
      },
    });
  }
}
