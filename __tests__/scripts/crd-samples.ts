/**
 * Small, realistic manifests of every CRD kind the platform is going to emit (crds/sources.json),
 * each with one misspelling that strict validation must reject. Shared by crd-schemas.test.ts
 * (kubeconform) and gen-imports.test.ts (typed bindings).
 */
export interface CrdSample {
  readonly apiVersion: string;
  readonly kind: string;
  /** A valid manifest. */
  readonly yaml: string;
  /** [original text, misspelled text]: replacing it makes the manifest invalid. */
  readonly typo: readonly [string, string];
  /** JSON pointer kubeconform reports for the misspelled field, and the field name. */
  readonly typoAt: string;
  readonly typoField: string;
}

export const CRD_SAMPLES: readonly CrdSample[] = [
  {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    typo: ['- secretKey: password', '- secretKye: password'],
    typoAt: '/spec/data/0',
    typoField: 'secretKye',
    yaml: `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: backend-db
  namespace: shop
spec:
  refreshInterval: 1h
  secretStoreRef:
    kind: ClusterSecretStore
    name: vault
  target:
    name: backend-db
    creationPolicy: Owner
  data:
    - secretKey: password
      remoteRef:
        key: shop/backend/db
        property: password
`,
  },
  {
    apiVersion: 'external-secrets.io/v1',
    kind: 'SecretStore',
    typo: ['mountPath: kubernetes', 'mountPth: kubernetes'],
    typoAt: '/spec/provider/vault/auth/kubernetes',
    typoField: 'mountPth',
    yaml: `apiVersion: external-secrets.io/v1
kind: SecretStore
metadata:
  name: vault
  namespace: shop
spec:
  provider:
    vault:
      server: https://vault.example.com
      path: secret
      version: v2
      auth:
        kubernetes:
          mountPath: kubernetes
          role: shop
          serviceAccountRef:
            name: backend
`,
  },
  {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    typo: ['conditions:', 'condtions:'],
    typoAt: '/spec',
    typoField: 'condtions',
    yaml: `apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata:
  name: vault
spec:
  conditions:
    - namespaces: [shop]
  provider:
    vault:
      server: https://vault.example.com
      path: secret
      version: v2
      auth:
        kubernetes:
          mountPath: kubernetes
          role: external-secrets
          serviceAccountRef:
            name: external-secrets
            namespace: external-secrets
`,
  },
  {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    typo: ['renewBefore: 360h', 'renewBefor: 360h'],
    typoAt: '/spec',
    typoField: 'renewBefor',
    yaml: `apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: frontend-tls
  namespace: shop
spec:
  secretName: frontend-tls
  dnsNames: [shop.example.com]
  duration: 2160h
  renewBefore: 360h
  privateKey:
    algorithm: ECDSA
    size: 256
    rotationPolicy: Always
  issuerRef:
    group: cert-manager.io
    kind: ClusterIssuer
    name: letsencrypt
`,
  },
  {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Issuer',
    typo: ['secretName: internal-ca', 'secretNmae: internal-ca'],
    typoAt: '/spec/ca',
    typoField: 'secretNmae',
    yaml: `apiVersion: cert-manager.io/v1
kind: Issuer
metadata:
  name: internal-ca
  namespace: shop
spec:
  ca:
    secretName: internal-ca
`,
  },
  {
    apiVersion: 'cert-manager.io/v1',
    kind: 'ClusterIssuer',
    typo: ['privateKeySecretRef:', 'privateKeySecretRf:'],
    typoAt: '/spec/acme',
    typoField: 'privateKeySecretRf',
    yaml: `apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: letsencrypt
spec:
  acme:
    server: https://acme-v02.api.letsencrypt.org/directory
    email: platform@example.com
    privateKeySecretRef:
      name: letsencrypt-account
    solvers:
      - http01:
          ingress:
            ingressClassName: nginx
`,
  },
  {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    typo: ['mode: STRICT', 'mdoe: STRICT'],
    typoAt: '/spec/mtls',
    typoField: 'mdoe',
    yaml: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: STRICT
`,
  },
  {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    typo: ['principals:', 'principal:'],
    typoAt: '/spec/rules/0/from/0/source',
    typoField: 'principal',
    yaml: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: backend
  namespace: shop
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: backend
  action: ALLOW
  rules:
    - from:
        - source:
            principals: [cluster.local/ns/shop/sa/frontend]
      to:
        - operation:
            methods: [GET, POST]
            paths: [/api/*]
`,
  },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    typo: ['consecutive5xxErrors: 5', 'consecutive5XXErrors: 5'],
    typoAt: '/spec/trafficPolicy/outlierDetection',
    typoField: 'consecutive5XXErrors',
    yaml: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: backend
  namespace: shop
spec:
  host: backend.shop.svc.cluster.local
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
    connectionPool:
      tcp:
        maxConnections: 100
    outlierDetection:
      consecutive5xxErrors: 5
      interval: 30s
      baseEjectionTime: 60s
`,
  },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    typo: ['perTryTimeout: 2s', 'perTryTimout: 2s'],
    typoAt: '/spec/http/0/retries',
    typoField: 'perTryTimout',
    yaml: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: frontend
  namespace: shop
spec:
  hosts: [shop.example.com]
  gateways: [shop/public]
  http:
    - match:
        - uri:
            prefix: /
      route:
        - destination:
            host: frontend.shop.svc.cluster.local
            port:
              number: 8080
      timeout: 10s
      retries:
        attempts: 3
        perTryTimeout: 2s
`,
  },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    typo: ['credentialName: frontend-tls', 'credentialNmae: frontend-tls'],
    typoAt: '/spec/servers/0/tls',
    typoField: 'credentialNmae',
    yaml: `apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: public
  namespace: shop
spec:
  selector:
    istio: ingressgateway
  servers:
    - port:
        number: 443
        name: https
        protocol: HTTPS
      hosts: [shop.example.com]
      tls:
        mode: SIMPLE
        credentialName: frontend-tls
`,
  },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    typo: ['resolution: DNS', 'resolutoin: DNS'],
    typoAt: '/spec',
    typoField: 'resolutoin',
    yaml: `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: payments-api
  namespace: shop
spec:
  hosts: [api.payments.example.com]
  location: MESH_EXTERNAL
  resolution: DNS
  ports:
    - number: 443
      name: https
      protocol: TLS
`,
  },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Sidecar',
    typo: ['outboundTrafficPolicy:', 'outboundTraficPolicy:'],
    typoAt: '/spec',
    typoField: 'outboundTraficPolicy',
    yaml: `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
  namespace: shop
spec:
  egress:
    - hosts: [./*, istio-system/*]
  outboundTrafficPolicy:
    mode: REGISTRY_ONLY
`,
  },
  {
    apiVersion: 'secrets-store.csi.x-k8s.io/v1',
    kind: 'SecretProviderClass',
    typo: ['secretObjects:', 'secretObject:'],
    typoAt: '/spec',
    typoField: 'secretObject',
    yaml: `apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata:
  name: backend-db
  namespace: shop
spec:
  provider: vault
  parameters:
    roleName: shop
    vaultAddress: https://vault.example.com
    objects: |
      - objectName: password
        secretPath: secret/data/shop/backend/db
        secretKey: password
  secretObjects:
    - secretName: backend-db
      type: Opaque
      data:
        - objectName: password
          key: password
`,
  },
  {
    apiVersion: 'templates.gatekeeper.sh/v1',
    kind: 'ConstraintTemplate',
    typo: ['rego: |', 'rgeo: |'],
    typoAt: '/spec/targets/0',
    typoField: 'rgeo',
    yaml: `apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8srequiredlabels
spec:
  crd:
    spec:
      names:
        kind: K8sRequiredLabels
      validation:
        openAPIV3Schema:
          type: object
          properties:
            labels:
              type: array
              items:
                type: string
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8srequiredlabels
        violation[{"msg": msg}] {
          provided := {label | input.review.object.metadata.labels[label]}
          required := {label | label := input.parameters.labels[_]}
          missing := required - provided
          count(missing) > 0
          msg := sprintf("missing labels: %v", [missing])
        }
`,
  },
  {
    apiVersion: 'mutations.gatekeeper.sh/v1',
    kind: 'Assign',
    typo: ['applyTo:', 'appliesTo:'],
    typoAt: '/spec',
    typoField: 'appliesTo',
    yaml: `apiVersion: mutations.gatekeeper.sh/v1
kind: Assign
metadata:
  name: drop-all-capabilities
spec:
  applyTo:
    - groups: [""]
      kinds: [Pod]
      versions: [v1]
  match:
    scope: Namespaced
    kinds:
      - apiGroups: ["*"]
        kinds: [Pod]
    excludedNamespaces: [kube-system]
  location: spec.containers[name:*].securityContext.capabilities.drop
  parameters:
    assign:
      value: [ALL]
`,
  },
  {
    apiVersion: 'mutations.gatekeeper.sh/v1',
    kind: 'AssignMetadata',
    typo: ['namespaces: [shop]', 'namespace: [shop]'],
    typoAt: '/spec/match',
    typoField: 'namespace',
    yaml: `apiVersion: mutations.gatekeeper.sh/v1
kind: AssignMetadata
metadata:
  name: owner-label
spec:
  match:
    scope: Namespaced
    namespaces: [shop]
  location: metadata.labels.owner
  parameters:
    assign:
      value: platform
`,
  },
  {
    apiVersion: 'mutations.gatekeeper.sh/v1',
    kind: 'ModifySet',
    typo: ['operation: prune', 'opertion: prune'],
    typoAt: '/spec/parameters',
    typoField: 'opertion',
    yaml: `apiVersion: mutations.gatekeeper.sh/v1
kind: ModifySet
metadata:
  name: remove-sleep-args
spec:
  applyTo:
    - groups: [""]
      kinds: [Pod]
      versions: [v1]
  match:
    scope: Namespaced
  location: spec.containers[name:*].args
  parameters:
    operation: prune
    values:
      fromList: [--sleep]
`,
  },
  {
    apiVersion: 'config.gatekeeper.sh/v1alpha1',
    kind: 'Config',
    typo: ['syncOnly:', 'syncOnlyy:'],
    typoAt: '/spec/sync',
    typoField: 'syncOnlyy',
    yaml: `apiVersion: config.gatekeeper.sh/v1alpha1
kind: Config
metadata:
  name: config
  namespace: gatekeeper-system
spec:
  match:
    - excludedNamespaces: [kube-system, gatekeeper-system]
      processes: ["*"]
  sync:
    syncOnly:
      - group: ""
        version: v1
        kind: Namespace
`,
  },
  {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    typo: ['selfHeal: true', 'selfHealing: true'],
    typoAt: '/spec/syncPolicy/automated',
    typoField: 'selfHealing',
    yaml: `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: platform-prod
  namespace: argocd
spec:
  project: platform
  source:
    repoURL: https://git.example.com/platform/bulwark.git
    targetRevision: v0.1.0
    path: dist/prod
  destination:
    server: https://kubernetes.default.svc
    namespace: shop
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    syncOptions: [CreateNamespace=false]
`,
  },
  {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    typo: ['sourceRepos:', 'sourceRepo:'],
    typoAt: '/spec',
    typoField: 'sourceRepo',
    yaml: `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: platform
  namespace: argocd
spec:
  description: Bulwark platform
  sourceRepos: [https://git.example.com/platform/bulwark.git]
  destinations:
    - server: https://kubernetes.default.svc
      namespace: shop
  clusterResourceWhitelist:
    - group: ""
      kind: Namespace
`,
  },
];
