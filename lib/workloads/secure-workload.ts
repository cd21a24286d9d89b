import { createHash } from 'crypto';
import { ApiObjectMetadata } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { selectorLabels, standardLabels } from '../platform/labels';

/** A peer this workload calls: traffic to it is allowed, and its URL is injected. */
export interface WorkloadDependency {
  readonly name: string;
  /** Port of the peer's container (network policy acts on pod ports). */
  readonly containerPort: number;
}

/** Exposure through an Ingress. */
export interface WorkloadIngress {
  readonly host: string;
  readonly className: string;
  /** Namespace of the ingress controller pods, which network policy lets in. */
  readonly controllerNamespace: string;
}

export interface SecureWorkloadProps {
  /** Component name: names the objects and the `app.kubernetes.io/name` label. */
  readonly name: string;
  readonly environment: string;
  readonly namespace: string;
  /** Value of `app.kubernetes.io/component`. */
  readonly role: string;
  /** Image pinned by tag or digest. */
  readonly image: string;
  /** Value of `app.kubernetes.io/version`. */
  readonly version: string;
  readonly port: number;
  readonly livenessPath: string;
  readonly readinessPath: string;
  readonly resources: {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
  };
  /** @default 1 */
  readonly replicas?: number;
  /** Container arguments. @default - the image's own */
  readonly args?: readonly string[];
  /** Non-secret settings, delivered as environment variables from a ConfigMap. @default {} */
  readonly config?: Readonly<Record<string, string>>;
  /** Paths besides /tmp the process writes to; each gets an emptyDir. @default [] */
  readonly writablePaths?: readonly string[];
  /** Workloads in the same namespace that may call this one. @default [] */
  readonly allowFrom?: readonly string[];
  /** Workloads in the same namespace this one calls. @default [] */
  readonly dependencies?: readonly WorkloadDependency[];
  /** @default - not exposed outside the cluster */
  readonly ingress?: WorkloadIngress;
  /** Non-root identity the container runs as (user, group and fsGroup). @default 10001 */
  readonly runAsId?: number;
}

const SERVICE_PORT = 80;
const SCRATCH_SIZE_LIMIT = '64Mi';

/**
 * A workload that meets Pod Security Standards `restricted` without any loosening: its own
 * service account without a token, non-root, read-only root filesystem, no privilege escalation,
 * no capabilities, RuntimeDefault seccomp, bounded resources, probes, a pinned image, and network
 * policy that admits exactly its declared callers and reaches exactly its declared dependencies.
 */
export class SecureWorkload extends Construct {
  public readonly labels: Readonly<Record<string, string>>;
  public readonly selector: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: SecureWorkloadProps) {
    super(scope, id);
    validateProps(props);
    this.labels = standardLabels({ name: props.name, environment: props.environment, component: props.role, version: props.version });
    this.selector = selectorLabels({ name: props.name, environment: props.environment });
    const meta = (name: string): ApiObjectMetadata => ({ name, namespace: props.namespace, labels: { ...this.labels } });
    const replicas = props.replicas ?? 1;

    new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: meta(props.name),
      automountServiceAccountToken: false,
    });

    const configData = this.configData(props);
    const configMapName = `${props.name}-config`;
    new k8s.KubeConfigMap(this, 'config', { metadata: meta(configMapName), data: configData });

    new k8s.KubeDeployment(this, 'deployment', {
      metadata: meta(props.name),
      spec: {
        replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: { ...this.selector } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        template: {
          metadata: {
            labels: { ...this.labels },
            // Rolls the pods when settings change, since env vars are read only at start.
            annotations: { 'bulwark.dev/config-sha256': sha256(JSON.stringify(configData)) },
          },
          spec: this.podSpec(props, configMapName),
        },
      },
    });

    new k8s.KubeService(this, 'service', {
      metadata: meta(props.name),
      spec: {
        type: 'ClusterIP',
        selector: { ...this.selector },
        ports: [{ name: 'http', port: SERVICE_PORT, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });

    if (replicas > 1) {
      new k8s.KubePodDisruptionBudget(this, 'pdb', {
        metadata: meta(props.name),
        spec: { minAvailable: k8s.IntOrString.fromNumber(replicas - 1), selector: { matchLabels: { ...this.selector } } },
      });
    }

    this.networkPolicy(props, meta(`${props.name}-traffic`));

    if (props.ingress) {
      new k8s.KubeIngress(this, 'ingress', {
        metadata: meta(props.name),
        spec: {
          ingressClassName: props.ingress.className,
          tls: [{ hosts: [props.ingress.host], secretName: `${props.name}-tls` }],
          rules: [{
            host: props.ingress.host,
            http: {
              paths: [{
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: props.name, port: { name: 'http' } } },
              }],
            },
          }],
        },
      });
    }
  }

  private configData(props: SecureWorkloadProps): Record<string, string> {
    const data: Record<string, string> = {
      BULWARK_COMPONENT: props.name,
      BULWARK_ENVIRONMENT: props.environment,
    };
    for (const dep of props.dependencies ?? []) {
      data[`${dep.name.toUpperCase().replace(/-/g, '_')}_URL`] = `http://${dep.name}.${props.namespace}.svc.cluster.local:${SERVICE_PORT}`;
    }
    return { ...data, ...props.config };
  }

  private podSpec(props: SecureWorkloadProps, configMapName: string): k8s.PodSpec {
    const id = props.runAsId ?? 10001;
    const scratch = ['/tmp', ...(props.writablePaths ?? [])].map((mountPath, i) => ({
      name: i === 0 ? 'tmp' : `scratch-${i}`,
      mountPath,
    }));
    const probe = (path: string, periodSeconds: number): k8s.Probe => ({
      httpGet: { path, port: k8s.IntOrString.fromString('http') },
      periodSeconds,
      timeoutSeconds: 2,
      failureThreshold: 3,
    });
    return {
      serviceAccountName: props.name,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: id,
        runAsGroup: id,
        fsGroup: id,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [{
        name: props.name,
        image: props.image,
        imagePullPolicy: 'IfNotPresent',
        args: props.args && props.args.length > 0 ? [...props.args] : undefined,
        ports: [{ name: 'http', containerPort: props.port, protocol: 'TCP' }],
        envFrom: [{ configMapRef: { name: configMapName } }],
        resources: {
          requests: { cpu: k8s.Quantity.fromString(props.resources.requests.cpu), memory: k8s.Quantity.fromString(props.resources.requests.memory) },
          limits: { cpu: k8s.Quantity.fromString(props.resources.limits.cpu), memory: k8s.Quantity.fromString(props.resources.limits.memory) },
        },
        livenessProbe: probe(props.livenessPath, 10),
        readinessProbe: probe(props.readinessPath, 5),
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          privileged: false,
          capabilities: { drop: ['ALL'] },
        },
        volumeMounts: scratch.map(({ name, mountPath }) => ({ name, mountPath })),
      }],
      volumes: scratch.map(({ name }) => ({ name, emptyDir: { sizeLimit: k8s.Quantity.fromString(SCRATCH_SIZE_LIMIT) } })),
    };
  }

  /** Ingress from declared callers (and the ingress controller), egress to declared dependencies. */
  private networkPolicy(props: SecureWorkloadProps, metadata: ApiObjectMetadata): void {
    const port = (p: number | string): k8s.NetworkPolicyPort => ({
      protocol: 'TCP',
      port: typeof p === 'number' ? k8s.IntOrString.fromNumber(p) : k8s.IntOrString.fromString(p),
    });
    const podsNamed = (name: string): k8s.NetworkPolicyPeer => ({
      podSelector: { matchLabels: selectorLabels({ name, environment: props.environment }) },
    });
    const ingress: k8s.NetworkPolicyIngressRule[] = [];
    const callers = props.allowFrom ?? [];
    if (callers.length > 0) ingress.push({ from: callers.map(podsNamed), ports: [port('http')] });
    if (props.ingress) {
      ingress.push({
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.ingress.controllerNamespace } } }],
        ports: [port('http')],
      });
    }
    const egress: k8s.NetworkPolicyEgressRule[] = (props.dependencies ?? []).map((dep) => ({
      to: [podsNamed(dep.name)],
      ports: [port(dep.containerPort)],
    }));
    if (ingress.length === 0 && egress.length === 0) return;
    const policyTypes = [...(ingress.length > 0 ? ['Ingress'] : []), ...(egress.length > 0 ? ['Egress'] : [])];
    new k8s.KubeNetworkPolicy(this, 'traffic', {
      metadata,
      spec: { podSelector: { matchLabels: { ...this.selector } }, policyTypes, ingress, egress },
    });
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function validateProps(props: SecureWorkloadProps): void {
  const fail = (what: string, received: unknown, allowed: string): never => {
    throw new Error(`secure-workload "${props.name}": invalid ${what}: received ${JSON.stringify(received)}; allowed: ${allowed}`);
  };
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(props.name) || props.name.length > 52) {
    fail('name', props.name, 'a DNS-1123 label of at most 52 characters (room for "-config")');
  }
  const tagOrDigest = /@sha256:[a-f0-9]{64}$/.test(props.image) || /:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(props.image.slice(props.image.lastIndexOf('/') + 1));
  if (!tagOrDigest || props.image.endsWith(':latest')) fail('image', props.image, 'an image pinned by a tag other than "latest" or by a sha256 digest');
  if ((props.replicas ?? 1) < 0) fail('replicas', props.replicas, 'an integer >= 0');
  if (!Number.isInteger(props.port) || props.port < 1024 || props.port > 65535) {
    fail('port', props.port, 'an unprivileged port from 1024 to 65535 (the container runs as non-root)');
  }
  if ((props.runAsId ?? 10001) <= 0) fail('runAsId', props.runAsId, 'a non-zero user id');
  for (const p of props.writablePaths ?? []) if (!p.startsWith('/') || p === '/tmp') fail('writablePaths entry', p, 'an absolute path other than /tmp');
}
