import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  Certificate,
  CertificateSpecPrivateKeyAlgorithm,
  CertificateSpecPrivateKeyRotationPolicy,
  ClusterIssuer,
} from '../../imports/cert-manager.io';

export type IssuerKind = 'self-signed' | 'acme' | 'vault';

export interface CertificateIssuerProps {
  /** ClusterIssuer name the certificates reference (cluster-scoped: carries the environment). */
  readonly name: string;
  readonly kind: IssuerKind;
  readonly labels: Readonly<Record<string, string>>;
  /** cert-manager's cluster resource namespace, where ClusterIssuer secrets live. @default 'cert-manager' */
  readonly clusterResourceNamespace?: string;
  readonly acme?: { readonly server: string; readonly email: string };
  readonly vault?: { readonly server: string; readonly path: string; readonly role: string };
}

/** A certificate `CertificateIssuer.issue` requests. */
export interface IssueOptions {
  /** Name of the Certificate and of the Secret it is written to. */
  readonly name: string;
  readonly namespace: string;
  /** The DNS names it is valid for. */
  readonly hosts: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The environment's certificate authority for public hosts: a self-signed CA for local clusters,
 * ACME (HTTP-01 through the mesh ingress), or Vault PKI authenticated with a dedicated service
 * account whose tokens only cert-manager may request.
 */
export class CertificateIssuer extends Construct {
  public readonly issuerName: string;

  constructor(scope: Construct, id: string, props: CertificateIssuerProps) {
    super(scope, id);
    this.issuerName = props.name;
    const ns = props.clusterResourceNamespace ?? 'cert-manager';
    const labels = { ...props.labels };
    switch (props.kind) {
      case 'self-signed': {
        const bootstrap = `${props.name}-selfsigned`;
        new ClusterIssuer(this, 'bootstrap', { metadata: { name: bootstrap, labels }, spec: { selfSigned: {} } });
        new Certificate(this, 'ca', {
          metadata: { name: `${props.name}-ca`, namespace: ns, labels },
          spec: {
            isCa: true,
            commonName: `${props.name}-ca`,
            secretName: `${props.name}-ca`,
            duration: '8760h',
            privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256 },
            issuerRef: { kind: 'ClusterIssuer', name: bootstrap, group: 'cert-manager.io' },
          },
        });
        new ClusterIssuer(this, 'issuer', { metadata: { name: props.name, labels }, spec: { ca: { secretName: `${props.name}-ca` } } });
        break;
      }
      case 'acme': {
        if (!props.acme) throw new Error(`certificate-issuer "${props.name}": kind acme needs acme settings (server, email)`);
        new ClusterIssuer(this, 'issuer', {
          metadata: { name: props.name, labels },
          spec: {
            acme: {
              server: props.acme.server,
              email: props.acme.email,
              privateKeySecretRef: { name: `${props.name}-acme-account` },
              solvers: [{ http01: { ingress: { ingressClassName: 'istio' } } }],
            },
          },
        });
        break;
      }
      case 'vault': {
        if (!props.vault) throw new Error(`certificate-issuer "${props.name}": kind vault needs vault settings (server, path, role)`);
        const sa = `${props.name}-vault-issuer`;
        new k8s.KubeServiceAccount(this, 'vault-sa', { metadata: { name: sa, namespace: ns, labels }, automountServiceAccountToken: false });
        // cert-manager requests short-lived tokens of this account to log in to Vault; nothing else may.
        new k8s.KubeRole(this, 'token-role', {
          metadata: {
            name: sa,
            namespace: ns,
            labels,
            annotations: { 'bulwark.dev/grants': `create serviceaccounts/token/${sa}: cert-manager logs in to Vault PKI with it` },
          },
          rules: [{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: [sa], verbs: ['create'] }],
        });
        new k8s.KubeRoleBinding(this, 'token-binding', {
          metadata: { name: sa, namespace: ns, labels },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: sa },
          subjects: [{ kind: 'ServiceAccount', name: 'cert-manager', namespace: ns }],
        });
        new ClusterIssuer(this, 'issuer', {
          metadata: { name: props.name, labels },
          spec: {
            vault: {
              server: props.vault.server,
              path: props.vault.path,
              auth: { kubernetes: { role: props.vault.role, mountPath: '/v1/auth/kubernetes', serviceAccountRef: { name: sa } } },
            },
          },
        });
        break;
      }
    }
  }

  /** Issues a certificate for `hosts` into `secretName` in `namespace`. */
  public issue(id: string, props: IssueOptions): void {
    new Certificate(this, id, {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      spec: {
        secretName: props.name,
        dnsNames: [...props.hosts],
        duration: '2160h',
        renewBefore: '360h',
        privateKey: {
          algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA,
          size: 256,
          rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
        },
        issuerRef: { kind: 'ClusterIssuer', name: this.issuerName, group: 'cert-manager.io' },
      },
    });
  }
}
