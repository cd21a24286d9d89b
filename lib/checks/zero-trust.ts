import { KubeObject } from '../manifest/kube-object';
import { at, Check, groupBy, indexOnce } from './check';
import { allContainers, podAt, POD_KINDS, podSpecOf } from './pod-spec';

const byKind = new WeakMap<readonly KubeObject[], Map<string, KubeObject[]>>();
const authorizationPolicies = new WeakMap<readonly KubeObject[], Set<string>>();
const externalSecretTargets = new WeakMap<readonly KubeObject[], Set<string>>();

/** Objects of `kind` in `all`, indexed once per synthesized set. */
function ofKind(all: readonly KubeObject[], kind: string): readonly KubeObject[] {
  return indexOnce(byKind, all, (objects) => groupBy(objects, (o) => o.kind)).get(kind) ?? [];
}

export const meshMtlsStrict: Check = {
  id: 'mesh-mtls-strict',
  title: 'Mutual TLS required',
  description: 'Every namespace the platform creates requires mutual TLS (Istio PeerAuthentication STRICT).',
  severity: 'error',
  profile: 'bulwark',
  controls: ['nsa/network-policies'],
  remediation: 'Emit a namespace-wide PeerAuthentication with mtls.mode STRICT (the platform\'s mesh area does).',
  kinds: new Set(['Namespace']),
  inspect(object, all) {
    if (object.kind !== 'Namespace') return [];
    const strict = ofKind(all, 'PeerAuthentication').some((p) => p.metadata.namespace === object.metadata.name
      && (p.spec as { mtls?: { mode?: string }; selector?: unknown } | undefined)?.mtls?.mode === 'STRICT'
      && (p.spec as { selector?: unknown }).selector === undefined);
    return strict ? [] : [at('metadata.name', 'no namespace-wide PeerAuthentication with mtls STRICT')];
  },
};

export const meshAuthorization: Check = {
  id: 'mesh-authorization',
  title: 'Workloads have an AuthorizationPolicy',
  description: 'Every workload has its own AuthorizationPolicy naming exactly who may call it.',
  severity: 'error',
  profile: 'bulwark',
  controls: ['nsa/network-policies'],
  remediation: 'Emit an AuthorizationPolicy named after the workload that allows its callers\' principals only.',
  kinds: POD_KINDS,
  inspect(object, all) {
    if (!podSpecOf(object) || object.kind === 'Job' || object.kind === 'CronJob') return [];
    const policies = indexOnce(authorizationPolicies, all, (objects) =>
      new Set(ofKind(objects, 'AuthorizationPolicy').map((p) => `${p.metadata.namespace}/${p.metadata.name}`)));
    if (policies.has(`${object.metadata.namespace}/${object.metadata.name}`)) return [];
    return [at('metadata.name', `no AuthorizationPolicy ${object.metadata.name} in ${object.metadata.namespace}`)];
  },
};

export const secretReferencesResolve: Check = {
  id: 'secret-references-resolve',
  title: 'Secrets come from the store',
  description: 'Every Secret a pod reads is produced by an ExternalSecret of the platform (no dangling or hand-made Secrets).',
  severity: 'error',
  profile: 'bulwark',
  controls: ['cis/5.4.2', 'nsa/secrets'],
  remediation: 'Declare the secret in the overlay (secrets:), so that an ExternalSecret produces it.',
  kinds: POD_KINDS,
  inspect(object, all) {
    const pod = podSpecOf(object);
    if (!pod) return [];
    const produced = indexOnce(externalSecretTargets, all, (objects) => new Set(ofKind(objects, 'ExternalSecret')
      .map((e) => `${e.metadata.namespace}/${(e.spec as { target?: { name?: string } }).target?.name ?? e.metadata.name}`)));
    const referenced = new Set<string>();
    for (const c of allContainers(pod)) {
      for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) referenced.add(e.valueFrom.secretKeyRef.name);
      for (const e of c.envFrom ?? []) if (e.secretRef) referenced.add(e.secretRef.name);
    }
    for (const v of pod.volumes ?? []) if (v.secret?.secretName) referenced.add(v.secret.secretName);
    return [...referenced].sort().filter((name) => !produced.has(`${object.metadata.namespace}/${name}`))
      .map((name) => at(podAt(object)!.path, `reads Secret ${name}, which no ExternalSecret in ${object.metadata.namespace} produces`));
  },
};
