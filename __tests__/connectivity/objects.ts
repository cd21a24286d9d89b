/** Small object builders for the connectivity tests: only the fields the layers read. */
import { KubeObject } from '../../lib/manifest/kube-object';

type Labels = Record<string, string>;

export function namespace(name: string, labels: Labels = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } };
}

export interface DeploymentOptions {
  readonly labels?: Labels;
  readonly serviceAccount?: string;
  /** `name:port[/protocol]` or a bare port. */
  readonly ports?: readonly (string | number)[];
  readonly kind?: 'Deployment' | 'StatefulSet' | 'Pod';
  readonly annotations?: Labels;
}

/** A workload `name` in `ns`, its pods labelled `app: name` unless told otherwise. */
export function workload(name: string, ns: string, options: DeploymentOptions = {}): KubeObject {
  const labels = options.labels ?? { app: name };
  const ports = (options.ports ?? ['http:8080']).map((p) => {
    const [spec, protocol] = String(p).split('/');
    const [portName, port] = spec.includes(':') ? spec.split(':') : [undefined, spec];
    return { ...(portName ? { name: portName } : {}), containerPort: Number(port), ...(protocol ? { protocol } : {}) };
  });
  const spec = { serviceAccountName: options.serviceAccount ?? name, containers: [{ name: 'app', image: 'ghcr.io/x/app:1', ports }] };
  const kind = options.kind ?? 'Deployment';
  if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata: { name, namespace: ns, labels, annotations: options.annotations }, spec };
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: ns },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels, annotations: options.annotations }, spec } },
  };
}

export function service(name: string, ns: string, selector: Labels, ports: readonly { port: number; targetPort: number | string }[]): KubeObject {
  const spec = { selector, ports: ports.map((p) => ({ ...p, protocol: 'TCP' })) };
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec };
}

export function networkPolicy(name: string, ns: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

/** The namespace's deny-all: every pod selected for ingress and egress, nothing allowed. */
export function denyAll(ns: string): KubeObject {
  return networkPolicy('deny-all', ns, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
}

export function authorizationPolicy(name: string, ns: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: ns }, spec };
}

export function sidecar(name: string, ns: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name, namespace: ns }, spec };
}

export function serviceEntry(name: string, ns: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name, namespace: ns }, spec };
}
