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
  },
} as const satisfies Record<string, ComponentDefinition>;

export type ComponentName = keyof typeof COMPONENT_CATALOG;
export const COMPONENT_NAMES = Object.keys(COMPONENT_CATALOG).sort() as ComponentName[];
