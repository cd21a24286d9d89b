import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { standardLabels } from '../manifest/labels';
import { PLATFORM_FOLDERS } from '../manifest/layout';
import { environmentName, environmentPrefix } from '../manifest/names';
import { PlatformModel } from '../model/platform-model';
import { CertificateIssuer } from './certificate-issuer';
import { MeshEdge } from './mesh-edge';
import { PlatformSecretStore, secretStoreName } from './secret-store';

export const SECURITY_NAME = PLATFORM_FOLDERS.security;

/**
 * The `security` subchart: where secrets come from (ClusterSecretStore), who vouches for public
 * hosts (ClusterIssuer and one Certificate per host, next to the ingress gateway that serves it),
 * and the mesh edge (ingress Gateway, egress allow-list).
 */
export class SecurityChart extends Chart {
  constructor(scope: Construct, model: PlatformModel) {
    super(scope, SECURITY_NAME, { disableResourceNameHashes: true });
    const labels = standardLabels({ name: SECURITY_NAME, environment: model.environment, component: 'zero-trust', version: model.platformVersion });
    const { mesh } = model;

    new PlatformSecretStore(this, 'secret-store', {
      name: secretStoreName(model.environment),
      namespaces: [model.namespace],
      labels,
      provider: model.secretStore.provider,
      vault: model.secretStore.vault,
      secrets: model.components.flatMap((c) => c.secrets.map((s) => ({
        remoteKey: s.remoteKey,
        properties: Object.values(s.env),
        owner: `${c.name}-${s.name}`,
      }))),
    });

    const issuer = new CertificateIssuer(this, 'issuer', {
      name: environmentPrefix(model.environment),
      kind: model.certificates.issuer,
      labels,
      acme: model.certificates.acme,
      vault: model.certificates.vault,
    });
    const published = model.components.filter((c) => c.host !== undefined).map((c) => ({
      component: c.name,
      host: c.host!,
      credentialName: environmentName(model.environment, c.name, 'tls'),
    }));
    for (const p of published) {
      issuer.issue(`certificate-${p.component}`, { name: p.credentialName, namespace: mesh.namespace, hosts: [p.host], labels });
    }

    new MeshEdge(this, 'edge', {
      namespace: model.namespace,
      labels,
      meshNamespace: mesh.namespace,
      ingressGateway: mesh.ingressGateway,
      egressGateway: mesh.egressGateway,
      published,
      external: model.externalEndpoints,
      vault: model.vault && 'cidrs' in model.vault.network ? { host: model.vault.host, port: model.vault.port } : undefined,
    });
  }
}
