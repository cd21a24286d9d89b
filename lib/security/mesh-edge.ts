import { Construct } from 'constructs';
import {
  Gateway,
  GatewaySpecServersTlsMode,
  ServiceEntry,
  ServiceEntrySpecLocation,
  ServiceEntrySpecResolution,
  VirtualService,
} from '../../imports/networking.istio.io';
import { viaEgressGateway } from '../connectivity/needed-flows';

/** A host published through the ingress gateway, with the TLS secret serving it. */
export interface PublishedHost {
  readonly component: string;
  readonly host: string;
  /** Secret in the gateway's namespace holding the certificate. */
  readonly credentialName: string;
}

/** A service outside the cluster that workloads may call. */
export interface ExternalService {
  readonly name: string;
  readonly hosts: readonly string[];
  readonly cidrs: readonly string[];
  readonly ports: readonly number[];
  readonly protocol: 'TLS' | 'HTTPS' | 'HTTP' | 'TCP';
}

export interface MeshEdgeProps {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly meshNamespace: string;
  readonly ingressGateway: { readonly labels: Readonly<Record<string, string>> };
  readonly egressGateway: { readonly service: string; readonly labels: Readonly<Record<string, string>> };
  readonly published: readonly PublishedHost[];
  readonly external: readonly ExternalService[];
  /**
   * Vault outside the cluster, when pods call it themselves (Vault Agent): a ServiceEntry lets their
   * sidecars out (REGISTRY_ONLY), straight to Vault's port (TLS, not through the egress gateway).
   * @default - no pod calls an external Vault
   */
  readonly vault?: { readonly host: string; readonly port: number };
}

/** The ServiceEntry of an external Vault. */
export const VAULT_SERVICE_ENTRY_NAME = 'vault';

export const INGRESS_GATEWAY_NAME = 'bulwark-ingress';
export const EGRESS_GATEWAY_NAME = 'bulwark-egress';

// Whether traffic to an endpoint leaves through the egress gateway: a fact of the needed-flows table,
// which the connectivity check judges these objects against.
export { viaEgressGateway };

/**
 * Where the mesh meets the outside: one ingress Gateway terminating TLS for every published host
 * (HTTP redirects to HTTPS), and the egress allow-list: a ServiceEntry per external service, with
 * TLS services routed through the egress gateway by SNI so egress is observable in one place.
 */
export class MeshEdge extends Construct {
  constructor(scope: Construct, id: string, props: MeshEdgeProps) {
    super(scope, id);
    const metadata = (name: string) => ({ name, namespace: props.namespace, labels: { ...props.labels } });
    if (props.published.length > 0) {
      new Gateway(this, 'ingress', {
        metadata: metadata(INGRESS_GATEWAY_NAME),
        spec: {
          selector: { ...props.ingressGateway.labels },
          servers: [
            { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: props.published.map((p) => p.host), tls: { httpsRedirect: true } },
            ...props.published.map((p) => ({
              port: { number: 443, name: `https-${p.component}`, protocol: 'HTTPS' },
              hosts: [p.host],
              tls: { mode: GatewaySpecServersTlsMode.SIMPLE, credentialName: p.credentialName },
            })),
          ],
        },
      });
    }
    for (const s of props.external) this.serviceEntry(s, metadata(`external-${s.name}`));
    if (props.vault) {
      new ServiceEntry(this, 'vault', {
        metadata: metadata(VAULT_SERVICE_ENTRY_NAME),
        spec: {
          hosts: [props.vault.host],
          ports: [{ number: props.vault.port, name: `tls-${props.vault.port}`, protocol: 'TLS' }],
          location: ServiceEntrySpecLocation.MESH_UNDERSCORE_EXTERNAL,
          resolution: ServiceEntrySpecResolution.DNS,
          exportTo: ['.'],
        },
      });
    }
    const egressHosts = props.external.filter(viaEgressGateway).flatMap((s) => s.hosts);
    if (egressHosts.length === 0) return;
    new Gateway(this, 'egress', {
      metadata: metadata(EGRESS_GATEWAY_NAME),
      spec: {
        selector: { ...props.egressGateway.labels },
        servers: [{ port: { number: 443, name: 'tls', protocol: 'TLS' }, hosts: egressHosts, tls: { mode: GatewaySpecServersTlsMode.PASSTHROUGH } }],
      },
    });
    const gatewayHost = `${props.egressGateway.service}.${props.meshNamespace}.svc.cluster.local`;
    for (const s of props.external.filter(viaEgressGateway)) {
      // The endpoint's one port (a model rule): the sidecar sends it to the gateway's TLS port, the
      // gateway forwards it, by SNI, to that port of the host.
      const port = s.ports[0];
      s.hosts.forEach((host, i) => {
        new VirtualService(this, `egress-${s.name}-${i}`, {
          metadata: metadata(s.hosts.length === 1 ? `egress-${s.name}` : `egress-${s.name}-${i}`),
          spec: {
            hosts: [host],
            gateways: ['mesh', EGRESS_GATEWAY_NAME],
            tls: [
              {
                match: [{ gateways: ['mesh'], port, sniHosts: [host] }],
                route: [{ destination: { host: gatewayHost, port: { number: 443 } } }],
              },
              {
                match: [{ gateways: [EGRESS_GATEWAY_NAME], port: 443, sniHosts: [host] }],
                route: [{ destination: { host, port: { number: port } } }],
              },
            ],
          },
        });
      });
    }
  }

  private serviceEntry(s: ExternalService, metadata: { name: string; namespace: string; labels: Record<string, string> }): void {
    const hosts = s.hosts.length > 0 ? [...s.hosts] : [`${s.name}.external`];
    new ServiceEntry(this, `external-${s.name}`, {
      metadata,
      spec: {
        hosts,
        addresses: s.cidrs.length > 0 ? [...s.cidrs] : undefined,
        ports: s.ports.map((port) => ({ number: port, name: `${s.protocol.toLowerCase()}-${port}`, protocol: s.protocol })),
        location: ServiceEntrySpecLocation.MESH_UNDERSCORE_EXTERNAL,
        resolution: s.hosts.length > 0 && s.cidrs.length === 0 ? ServiceEntrySpecResolution.DNS : ServiceEntrySpecResolution.NONE,
        exportTo: ['.'],
      },
    });
  }
}
