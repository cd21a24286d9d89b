import { WORKLOAD_KINDS } from '../manifest/workload-kinds';
import { JsonValue } from '../manifest/yaml-emitter';
import { JsonObject } from './policy-definition';

/**
 * Test objects for the policy suites: a workload that meets every rule, and small edits of it.
 * Part of lib/ because the cases belong to the policy definitions (one source for template,
 * constraint and cases).
 */

export const TEST_NAMESPACE = 'team-a';
export const TEST_REGISTRY = 'ghcr.io/bulwark-platform/';
export const TEST_LABELS = { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/part-of': 'bulwark' };

type Container = { [key: string]: JsonValue };
type PodSpec = { [key: string]: JsonValue };

/** A container meeting every rule: allowed registry, pinned tag, restricted context, bounded. */
export function compliantContainer(name = 'app', overrides: Container = {}): Container {
  return {
    name,
    image: `${TEST_REGISTRY}${name}:1.4.2`,
    securityContext: {
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    resources: {
      requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '64Mi' },
      limits: { cpu: '500m', memory: '512Mi', 'ephemeral-storage': '256Mi' },
    },
    livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
    readinessProbe: { httpGet: { path: '/readyz', port: 8080 } },
    ...overrides,
  };
}

/** `container` without the fields named (a probe, say). */
export function without(container: Container, ...fields: string[]): Container {
  return Object.fromEntries(Object.entries(container).filter(([k]) => !fields.includes(k)));
}

export function compliantPodSpec(overrides: PodSpec = {}): PodSpec {
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [compliantContainer()],
    ...overrides,
  };
}

/** `securityContext` of `compliantContainer()` with some fields replaced or (undefined) removed. */
export function securityContext(changes: Readonly<Record<string, JsonValue | undefined>>): JsonObject {
  const base = compliantContainer().securityContext as Record<string, JsonValue>;
  const out: Record<string, JsonValue> = { ...base };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** A workload of `kind` whose one container is `compliantContainer('app', overrides)`. */
export function withContainer(overrides: Container, kind = 'Deployment'): JsonObject {
  return workload({ kind, podSpec: compliantPodSpec({ containers: [compliantContainer('app', overrides)] }) });
}

/** A workload of `kind` with `compliantContainer('init', overrides)` as its init container. */
export function withInitContainer(overrides: Container, kind = 'Deployment'): JsonObject {
  const init = without(compliantContainer('init', overrides), 'livenessProbe', 'readinessProbe');
  return workload({ kind, podSpec: compliantPodSpec({ initContainers: [init] }) });
}

export interface WorkloadOptions {
  /** @default Deployment */
  readonly kind?: string;
  /** @default web */
  readonly name?: string;
  /** @default TEST_NAMESPACE */
  readonly namespace?: string;
  /** @default TEST_LABELS */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default compliantPodSpec() */
  readonly podSpec?: PodSpec;
}

/** An object of a workload kind carrying `podSpec` where that kind keeps it. */
export function workload(options: WorkloadOptions = {}): JsonObject {
  const kind = WORKLOAD_KINDS.find((k) => k.kind === (options.kind ?? 'Deployment'));
  if (!kind) throw new Error(`fixtures: ${options.kind} is not a workload kind (${WORKLOAD_KINDS.map((k) => k.kind).join(', ')})`);
  const name = options.name ?? 'web';
  const labels = { ...(options.labels ?? TEST_LABELS) };
  const metadata = { name, namespace: options.namespace ?? TEST_NAMESPACE, labels };
  const podSpec = options.podSpec ?? compliantPodSpec();
  const template = { metadata: { labels }, spec: podSpec };
  const selector = { matchLabels: { 'app.kubernetes.io/name': name } };
  const apiVersion = kind.group === '' ? kind.version : `${kind.group}/${kind.version}`;
  switch (kind.podSpecPath) {
    case 'spec':
      return { apiVersion, kind: kind.kind, metadata, spec: podSpec };
    case 'spec.template.spec':
      return { apiVersion, kind: kind.kind, metadata, spec: kind.kind === 'Job' ? { template } : { selector, template } };
    default:
      return { apiVersion, kind: kind.kind, metadata, spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template } } } };
  }
}
