import { createHash } from 'crypto';
import { ApiObjectMetadata, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AUTOSCALED_BY_ANNOTATION, selectorLabels, standardLabels } from '../manifest/labels';
import { toYaml } from '../manifest/yaml-emitter';
import { ExternalEgress, NamespacedCaller, NamespacedPeer, PeerWorkload, WorkloadNetworkPolicy } from '../security/workload-network-policy';
import { PermissionGrant, ReadGrantOptions, WorkloadRole } from '../security/workload-role';
import { PodSecretWiring, WorkloadSecrets, WorkloadSecretsProps } from '../security/workload-secrets';
import { isPinnedImage } from '../util/image';
import { previewServiceName, WorkloadRollout, WorkloadRolloutProps } from './workload-rollout';

/** A peer this workload calls: traffic to it is allowed, and its URL is injected. */
export type WorkloadDependency = PeerWorkload;

/** What a container requests, or is limited to. */
export interface ContainerResources {
  readonly cpu: string;
  readonly memory: string;
  /** Logs, the writable layer and emptyDirs, e.g. `256Mi`. */
  readonly 'ephemeral-storage': string;
}

/** A named TCP container port. */
export interface NamedPort {
  /** Its name (an IANA service name: at most 15 characters); Istio reads the protocol from a Service port's name. */
  readonly name: string;
  readonly port: number;
}

/** Horizontal autoscaling on CPU. */
export interface WorkloadAutoscaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Average CPU utilization, in percent of requests. */
  readonly targetCPUUtilization: number;
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
  /** Requests and limits of the container; ephemeral storage too, so that no container fills the node's disk. */
  readonly resources: { readonly requests: ContainerResources; readonly limits: ContainerResources };
  /** @default 1 */
  readonly replicas?: number;
  /** Container arguments. @default - the image's own */
  readonly args?: readonly string[];
  /** Non-secret settings, delivered as environment variables from a ConfigMap. @default {} */
  readonly config?: Readonly<Record<string, string>>;
  /** Paths besides /tmp the process writes to; each gets an emptyDir. @default [] */
  readonly writablePaths?: readonly string[];
  /**
   * Absolute path of the YAML settings file the process reads: the settings are also written there
   * (ConfigMap `<name>-config-file`, mounted read-only). @default - settings reach it as env only
   */
  readonly configFile?: string;
  /**
   * The settings file's content, when the process reads a format of its own rather than the
   * settings as YAML; needs `configFile`. @default - the settings as YAML
   */
  readonly configFileContent?: string;
  /** The Service port of `http`. @default 80 */
  readonly servicePort?: number;
  /** Further TCP ports the container serves: on the Service with the same number, open to the callers like `http`. @default [] */
  readonly extraPorts?: readonly NamedPort[];
  /**
   * A container port only the probes call (a health endpoint apart from the traffic): not on the
   * Service, closed to callers. @default - the probes call `http`
   */
  readonly probePort?: NamedPort;
  /** Workloads in the same namespace that may call this one. @default [] */
  readonly allowFrom?: readonly string[];
  /** Workloads in the same namespace this one calls. @default [] */
  readonly dependencies?: readonly WorkloadDependency[];
  /** Pods of other namespaces allowed to call this one, e.g. the mesh ingress gateway. @default [] */
  readonly allowFromNamespaces?: readonly NamespacedCaller[];
  /**
   * Where the process serves Prometheus metrics: a container port and a Service port of this name
   * and number, open only to the callers of allowFromNamespaces that name its number. @default - none
   */
  readonly metricsPort?: { readonly name: string; readonly port: number };
  /** Secrets the workload reads and how they are delivered. @default - none */
  readonly secrets?: Omit<WorkloadSecretsProps, 'workload' | 'namespace' | 'labels'>;
  /** Pod annotations (e.g. sidecar settings). @default {} */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** Non-root identity the container runs as (user, group and fsGroup). @default 10001 */
  readonly runAsId?: number;
  /** Address ranges outside the cluster this workload calls. @default [] */
  readonly externalEgress?: readonly ExternalEgress[];
  /** Pods in other namespaces this workload calls (e.g. a mesh egress gateway). @default [] */
  readonly namespacedEgress?: readonly NamespacedPeer[];
  /** Scale on CPU between min and max replicas; `replicas` is then ignored. @default - fixed replicas */
  readonly autoscaling?: WorkloadAutoscaling;
  /** @default - the cluster default priority */
  readonly priorityClassName?: string;
  /**
   * Rolled out by Argo Rollouts: a Rollout runs the pod template instead of the Deployment, the
   * autoscaler scales it, and blue-green previews the new pods behind `<name>-preview`.
   * @default - a Deployment, rolled by Kubernetes
   */
  readonly rollout?: Pick<WorkloadRolloutProps, 'delivery' | 'analysisTemplate' | 'trafficRouting'>;
}

export const SERVICE_PORT = 80;
const ROLLOUT_KIND = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout' } as const;
const NO_SECRETS: PodSecretWiring = { env: [], volumes: [], volumeMounts: [], podAnnotations: {}, needsServiceAccountToken: false };
const SCRATCH_SIZE_LIMIT = '64Mi';

/**
 * A workload that meets Pod Security Standards `restricted` without any loosening: its own
 * service account without a token, non-root, read-only root filesystem, no privilege escalation,
 * no capabilities, RuntimeDefault seccomp, bounded resources, probes, a pinned image, and network
 * policy that admits exactly its declared callers and reaches exactly its declared dependencies;
 * a Service only when it has callers.
 */
export class SecureWorkload extends Construct {
  public readonly labels: Readonly<Record<string, string>>;
  public readonly selector: Readonly<Record<string, string>>;
  /** The service account's permissions: none until granted. */
  public readonly role: WorkloadRole;

  constructor(scope: Construct, id: string, props: SecureWorkloadProps) {
    super(scope, id);
    validateProps(props);
    this.labels = standardLabels({ name: props.name, environment: props.environment, component: props.role, version: props.version });
    this.selector = selectorLabels({ name: props.name, environment: props.environment });
    const meta = (name: string): ApiObjectMetadata => ({ name, namespace: props.namespace, labels: { ...this.labels } });
    // With an autoscaler the Deployment leaves replicas unset, so a sync never fights the HPA.
    const replicas = props.autoscaling?.minReplicas ?? props.replicas ?? 1;

    new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: meta(props.name),
      automountServiceAccountToken: false,
    });
    this.role = new WorkloadRole(this, 'rbac', { name: props.name, namespace: props.namespace, serviceAccountName: props.name, labels: this.labels });

    const configData = this.configData(props);
    const configMapName = `${props.name}-config`;
    new k8s.KubeConfigMap(this, 'config', { metadata: meta(configMapName), data: configData });
    const configFile = props.configFile ? configFileOf(props.configFile, `${props.name}-config-file`) : undefined;
    if (configFile) {
      new k8s.KubeConfigMap(this, 'config-file', {
        metadata: meta(configFile.configMap),
        data: { [configFile.key]: props.configFileContent ?? toYaml(configData) },
      });
    }
    const secrets = props.secrets
      ? new WorkloadSecrets(this, 'secrets', { ...props.secrets, workload: props.name, namespace: props.namespace, labels: this.labels }).wiring
      : NO_SECRETS;

    this.podController(props, {
      metadata: props.autoscaling
        ? { ...meta(props.name), annotations: { [AUTOSCALED_BY_ANNOTATION]: `HorizontalPodAutoscaler/${props.name}` } }
        : meta(props.name),
      spec: {
        replicas: props.autoscaling ? undefined : replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: { ...this.selector } },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) },
        },
        template: {
          metadata: {
            labels: { ...this.labels },
            annotations: {
              ...props.podAnnotations,
              ...secrets.podAnnotations,
              // Rolls the pods when settings change, since env vars are read only at start.
              'bulwark.dev/config-sha256': sha256(JSON.stringify(
                props.configFileContent === undefined ? configData : [configData, props.configFileContent],
              )),
            },
          },
          spec: this.podSpec(props, configMapName, secrets, configFile),
        },
      },
    });

    // A Service nothing may call is an address for an attacker only: it exists once a caller does.
    if (hasCallers(props)) {
      new k8s.KubeService(this, 'service', {
        metadata: meta(props.name),
        spec: {
          type: 'ClusterIP',
          selector: { ...this.selector },
          ports: [
            { name: 'http', port: props.servicePort ?? SERVICE_PORT, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' },
            ...[...(props.extraPorts ?? []), ...(props.metricsPort ? [props.metricsPort] : [])]
              .map((p) => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: 'TCP' })),
          ],
        },
      });
    }

    // Blue-green previews the new pods behind a Service of their own, which the Rollout's controller points at them.
    if (hasCallers(props) && props.rollout?.delivery.strategy === 'blue-green') {
      new k8s.KubeService(this, 'preview-service', {
        metadata: meta(previewServiceName(props.name)),
        spec: {
          type: 'ClusterIP',
          selector: { ...this.selector },
          ports: [{ name: 'http', port: SERVICE_PORT, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
        },
      });
    }

    if (replicas > 1) {
      // Below the (minimum) replica count, so a node drain can always evict one pod; and a pod that
      // is not ready (crash-looping) may always be evicted: it serves nothing the budget protects.
      new k8s.KubePodDisruptionBudget(this, 'pdb', {
        metadata: meta(props.name),
        spec: {
          minAvailable: k8s.IntOrString.fromNumber(replicas - 1),
          selector: { matchLabels: { ...this.selector } },
          unhealthyPodEvictionPolicy: 'AlwaysAllow',
        },
      });
    }

    if (props.autoscaling) {
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'hpa', {
        metadata: meta(props.name),
        spec: {
          scaleTargetRef: props.rollout ? { ...ROLLOUT_KIND, name: props.name } : { apiVersion: 'apps/v1', kind: 'Deployment', name: props.name },
          minReplicas: props.autoscaling.minReplicas,
          maxReplicas: props.autoscaling.maxReplicas,
          metrics: [{
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: props.autoscaling.targetCPUUtilization } },
          }],
        },
      });
    }

    new WorkloadNetworkPolicy(this, 'traffic', {
      metadata: meta(`${props.name}-traffic`),
      environment: props.environment,
      podSelector: this.selector,
      allowFrom: props.allowFrom ?? [],
      allowFromNamespaces: props.allowFromNamespaces ?? [],
      dependencies: props.dependencies ?? [],
      externalEgress: props.externalEgress ?? [],
      namespacedEgress: props.namespacedEgress ?? [],
      ingressPorts: props.extraPorts && props.extraPorts.length > 0 ? ['http', ...props.extraPorts.map((p) => p.name)] : undefined,
    });
  }

  /** The Deployment, or with a rollout the Rollout that runs its pod template instead (its strategy the delivery's). */
  private podController(props: SecureWorkloadProps, deployment: k8s.KubeDeploymentProps): void {
    if (!props.rollout) {
      new k8s.KubeDeployment(this, 'deployment', deployment);
      return;
    }
    const spec = deployment.spec!;
    const blueGreen = props.rollout.delivery.strategy === 'blue-green';
    new WorkloadRollout(this, 'rollout', {
      ...props.rollout,
      metadata: { ...deployment.metadata, name: props.name },
      selector: this.selector,
      replicas: spec.replicas,
      template: spec.template,
      services: blueGreen ? { active: props.name, preview: previewServiceName(props.name) } : undefined,
    });
  }

  /** Grants the service account `grant` in its namespace (see WorkloadRole). */
  public grant(grant: PermissionGrant): void {
    this.role.grant(grant);
  }

  /** Grants read-only access to `resources` in the namespace. */
  public grantRead(resources: readonly string[], options: ReadGrantOptions = {}): void {
    this.role.grantRead(resources, options);
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

  private podSpec(props: SecureWorkloadProps, configMapName: string, secrets: PodSecretWiring, configFile?: ConfigFile): k8s.PodSpec {
    const id = props.runAsId ?? 10001;
    const scratch = ['/tmp', ...(props.writablePaths ?? [])].map((mountPath, i) => ({
      name: i === 0 ? 'tmp' : `scratch-${i}`,
      mountPath,
    }));
    const probe = (path: string, periodSeconds: number): k8s.Probe => ({
      httpGet: { path, port: k8s.IntOrString.fromString(props.probePort?.name ?? 'http') },
      periodSeconds,
      timeoutSeconds: 2,
      failureThreshold: 3,
    });
    const spreads = (props.autoscaling?.maxReplicas ?? props.replicas ?? 1) > 1;
    return {
      serviceAccountName: props.name,
      // A token is mounted only when the role grants something: no grant, no credential to steal.
      automountServiceAccountToken: Lazy.any({ produce: () => secrets.needsServiceAccountToken || this.role.grantedRules.length > 0 }),
      enableServiceLinks: false,
      priorityClassName: props.priorityClassName,
      // Replicas on distinct nodes (hard) and across zones when the cluster has them (soft).
      topologySpreadConstraints: spreads ? [
        {
          maxSkew: 1,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { ...this.selector } },
        },
        {
          maxSkew: 1,
          topologyKey: 'topology.kubernetes.io/zone',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: { ...this.selector } },
        },
      ] : undefined,
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
        ports: namedPorts(props)
          .map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
        envFrom: [{ configMapRef: { name: configMapName } }],
        env: secrets.env.length > 0 ? [...secrets.env] : undefined,
        resources: { requests: quantities(props.resources.requests), limits: quantities(props.resources.limits) },
        livenessProbe: probe(props.livenessPath, 10),
        readinessProbe: probe(props.readinessPath, 5),
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          privileged: false,
          capabilities: { drop: ['ALL'] },
        },
        volumeMounts: [
          ...scratch.map(({ name, mountPath }) => ({ name, mountPath })),
          ...(configFile ? [{ name: CONFIG_FILE_VOLUME, mountPath: configFile.directory, readOnly: true }] : []),
          ...secrets.volumeMounts,
        ],
      }],
      volumes: [
        ...scratch.map(({ name }) => ({ name, emptyDir: { sizeLimit: k8s.Quantity.fromString(SCRATCH_SIZE_LIMIT) } })),
        ...(configFile ? [{
          name: CONFIG_FILE_VOLUME,
          configMap: { name: configFile.configMap, items: [{ key: configFile.key, path: configFile.key }] },
        }] : []),
        ...secrets.volumes,
      ],
    };
  }
}

/** Whether anything may call the workload: callers of its namespace or of others. */
/** Every container port: `http`, the extra ports, the metrics port, the probes' port. */
function namedPorts(props: SecureWorkloadProps): { readonly name: string; readonly port: number }[] {
  return [
    { name: 'http', port: props.port },
    ...(props.extraPorts ?? []),
    ...(props.metricsPort ? [props.metricsPort] : []),
    ...(props.probePort ? [props.probePort] : []),
  ];
}

export function hasCallers(props: Pick<SecureWorkloadProps, 'allowFrom' | 'allowFromNamespaces' | 'metricsPort'>): boolean {
  // A caller of a port of the pod only (a sidecar's own) reaches it without a Service.
  const viaService = (p: NamespacedCaller): boolean => p.ports === undefined || p.ports.some((port) => port === props.metricsPort?.port);
  return (props.allowFrom ?? []).length > 0 || (props.allowFromNamespaces ?? []).some(viaService);
}

const CONFIG_FILE_VOLUME = 'config-file';

/** Where a settings file is mounted from and to. */
interface ConfigFile {
  readonly configMap: string;
  /** The file's name: its key in the ConfigMap and its name in the mount. */
  readonly key: string;
  /** The directory the ConfigMap volume is mounted on (read-only). */
  readonly directory: string;
}

function configFileOf(path: string, configMap: string): ConfigFile {
  const slash = path.lastIndexOf('/');
  return { configMap, key: path.slice(slash + 1), directory: path.slice(0, slash) };
}

function quantities(r: ContainerResources): Record<string, k8s.Quantity> {
  return {
    cpu: k8s.Quantity.fromString(r.cpu),
    memory: k8s.Quantity.fromString(r.memory),
    'ephemeral-storage': k8s.Quantity.fromString(r['ephemeral-storage']),
  };
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
  if (!isPinnedImage(props.image)) fail('image', props.image, 'an image pinned by a tag other than "latest" or by a sha256 digest');
  if ((props.replicas ?? 1) < 0) fail('replicas', props.replicas, 'an integer >= 0');
  if (!Number.isInteger(props.port) || props.port < 1024 || props.port > 65535) {
    fail('port', props.port, 'an unprivileged port from 1024 to 65535 (the container runs as non-root)');
  }
  if ((props.runAsId ?? 10001) <= 0) fail('runAsId', props.runAsId, 'a non-zero user id');
  const named = namedPorts(props);
  for (const p of named.slice(1)) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p.name) || p.name.length > 15 || !Number.isInteger(p.port) || p.port < 1024 || p.port > 65535) {
      fail('port', p, 'a name of at most 15 lowercase letters, digits and "-", and an unprivileged port from 1024 to 65535');
    }
  }
  if (new Set(named.map((p) => p.name)).size < named.length || new Set(named.map((p) => p.port)).size < named.length) {
    fail('ports', named, 'distinct names and numbers');
  }
  if (props.configFileContent !== undefined && props.configFile === undefined) {
    fail('configFileContent', '(content)', 'only together with configFile');
  }
  const scaling = props.autoscaling;
  if (scaling && (scaling.minReplicas < 1 || scaling.minReplicas > scaling.maxReplicas)) {
    fail('autoscaling', scaling, '1 <= minReplicas <= maxReplicas');
  }
  for (const p of props.writablePaths ?? []) {
    if (!p.startsWith('/') || p === '/tmp') fail('writablePaths entry', p, 'an absolute path other than /tmp');
  }
  if (props.configFile !== undefined) {
    const directory = props.configFile.slice(0, props.configFile.lastIndexOf('/'));
    const writable = ['/tmp', ...(props.writablePaths ?? [])];
    if (!/^(\/[A-Za-z0-9._-]+){2,}$/.test(props.configFile) || /\/\.\.?(\/|$)/.test(props.configFile)) {
      fail('configFile', props.configFile, 'an absolute file path in a directory of its own, such as /etc/<name>/config.yaml');
    }
    if (writable.some((w) => directory === w || directory.startsWith(`${w}/`) || w.startsWith(`${directory}/`))) {
      fail('configFile', props.configFile, `a directory apart from the writable paths ${writable.join(', ')} (its mount is read-only)`);
    }
  }
}
