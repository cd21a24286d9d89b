/**
 * The components Bulwark knows how to run. An overlay chooses which of them an environment
 * deploys and sizes them; what a component *is* (its port, probes, writable paths) lives here,
 * once, so that environments cannot drift on it.
 */
export interface ComponentDefinition {
  /** One line for humans (README, chart descriptions). */
  readonly description: string;
  /** Value of the `app.kubernetes.io/component` label. */
  readonly role: string;
  /** Container port serving HTTP (traffic and probes). */
  readonly port: number;
  readonly livenessPath: string;
  readonly readinessPath: string;
  /** Paths the process must write to besides /tmp; each gets its own emptyDir. */
  readonly writablePaths: readonly string[];
  /** Container arguments, when the image needs them. */
  readonly args: readonly string[];
  /**
   * The YAML settings file the process reads, when it reads one: its settings are mounted there
   * read-only as `<basename>`, as well as given as environment variables. @default - env only
   */
  readonly configFile?: string;
  /**
   * Where the process serves Prometheus metrics, when it does: a port of its own (so that Prometheus
   * is admitted to that port only), the path, and the arguments that open it. With the overlay's
   * `monitoring`, the port is on the container and the Service and a ServiceMonitor scrapes it.
   * @default - no metrics of its own (its sidecar's are scraped all the same)
   */
  readonly metrics?: ComponentMetrics;
}

/** The name of the container and Service port of a component's own metrics (Istio reads `http-` as HTTP). */
export const METRICS_PORT_NAME = 'http-metrics';

/** A component's own Prometheus endpoint. */
export interface ComponentMetrics {
  readonly port: number;
  readonly path: string;
  /** Container arguments that open the port, added only when the environment has monitoring. */
  readonly args: readonly string[];
}

export const COMPONENT_CATALOG = {
  backend: {
    description: 'Backend API serving the platform business logic',
    role: 'api',
    port: 8080,
    livenessPath: '/healthz',
    readinessPath: '/readyz',
    writablePaths: [],
    args: [],
    metrics: { port: 9090, path: '/metrics', args: [] },
  },
  frontend: {
    description: 'Web frontend (static assets behind an unprivileged nginx)',
    role: 'frontend',
    port: 8080,
    livenessPath: '/healthz',
    readinessPath: '/healthz',
    writablePaths: ['/var/cache/nginx'],
    args: [],
  },
  agent: {
    description: 'AI agent orchestrating LLM calls and tools',
    role: 'ai-agent',
    port: 8000,
    livenessPath: '/healthz',
    readinessPath: '/readyz',
    writablePaths: [],
    args: [],
    // Its prompt and model settings, re-read when the file changes.
    configFile: '/etc/agent/config.yaml',
  },
  mcp: {
    description: 'Model Context Protocol service exposing tools to the agent',
    role: 'mcp-server',
    port: 8080,
    livenessPath: '/healthz',
    readinessPath: '/readyz',
    writablePaths: [],
    args: [],
  },
  podinfo: {
    description: 'podinfo reference application (smoke tests, canary analysis)',
    role: 'reference-app',
    port: 9898,
    livenessPath: '/healthz',
    readinessPath: '/readyz',
    writablePaths: ['/data'],
    // podinfo reads <config-path>/config.yaml and watches it.
    args: ['--port=9898', '--data-path=/data', '--level=info', '--config-path=/etc/podinfo'],
    configFile: '/etc/podinfo/config.yaml',
    // podinfo serves /metrics on --port-metrics, apart from its API (stefanprodan/podinfo, cmd/podinfo).
    metrics: { port: 9797, path: '/metrics', args: ['--port-metrics=9797'] },
  },
} as const satisfies Record<string, ComponentDefinition>;

export type ComponentName = keyof typeof COMPONENT_CATALOG;
export const COMPONENT_NAMES = Object.keys(COMPONENT_CATALOG).sort() as ComponentName[];
