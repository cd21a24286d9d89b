import * as fs from 'fs';
import * as path from 'path';
import { ALL_CHECKS, checksOf, runChecks } from '../../lib/checks';
import { defaultNamespace, namespacePodSecurity, networkPolicyCoverage, serviceSelectsPods } from '../../lib/checks/exposure';
import { objectsOfText } from '../../lib/checks/manifest-files';
import { clusterScopedNamespace, explicitNamespace, requiredLabels, uniqueObjects } from '../../lib/checks/metadata';
import {
  appArmor, baselineCapabilities, hostNamespaces, POD_SECURITY_CHECKS, privilegeEscalation, restrictedCapabilities, runAsNonRoot, seccompRestricted,
} from '../../lib/checks/pod-security';
import {
  rbacClusterAdminBindings, rbacNoClusterBindings, rbacNoEscalation, rbacNoWildcards, rbacSecretsAccess, rbacSecretsNeedReason,
} from '../../lib/checks/rbac';
import { pdbBelowHpaMinimum } from '../../lib/checks/scaling';
import { servicesHaveCallers } from '../../lib/checks/service-callers';
import { applyWaivers } from '../../lib/checks/waivers';
import {
  literalSecretsInEnv, noSecretData, pinnedImages, probes, readOnlyRootFilesystem, resourceLimits, serviceAccountTokenAutomount,
} from '../../lib/checks/workload-hygiene';
import { meshAuthorization, meshMtlsStrict, secretReferencesResolve } from '../../lib/checks/zero-trust';
import { KubeObject } from '../../lib/manifest/kube-object';
import { synthesize } from '../../lib/synth/pipeline';
import { ENVIRONMENTS, loadOverlay } from '../helpers';

const LABELS = {
  'app.kubernetes.io/name': 'x',
  'app.kubernetes.io/instance': 'x-dev',
  'app.kubernetes.io/component': 'api',
  'app.kubernetes.io/part-of': 'bulwark',
  'app.kubernetes.io/managed-by': 'bulwark',
  'app.kubernetes.io/version': '1',
};

const COMPLIANT_CONTAINER = {
  name: 'app',
  image: 'ghcr.io/org/app:1.0.0',
  resources: { requests: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '1Gi' }, limits: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '1Gi' } },
  livenessProbe: { httpGet: { path: '/', port: 8080 } },
  readinessProbe: { httpGet: { path: '/', port: 8080 } },
  securityContext: {
    allowPrivilegeEscalation: false,
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  },
};

/** The container override for a compliant securityContext with `fields` changed. */
const securityContext = (fields: Record<string, unknown>) => ({ securityContext: { ...COMPLIANT_CONTAINER.securityContext, ...fields } });

function deployment(pod: Record<string, unknown> = {}, container: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'x', namespace: 'ns', labels: LABELS },
    spec: {
      template: {
        spec: { serviceAccountName: 'x', automountServiceAccountToken: false, containers: [{ ...COMPLIANT_CONTAINER, ...container }], ...pod },
      },
    },
  };
}

const messages = (check: typeof requiredLabels, objects: KubeObject[]) => runChecks([check], objects).map((f) => f.message);

describe('checks', () => {
  test('the synthesized platform passes every check in every environment', () => {
    // Every finding is one the overlay waives (each waiver listed with it), and nothing else.
    const result = synthesize(ENVIRONMENTS.map(loadOverlay), { platformVersion: '1.2.3', checks: [] });
    for (const env of result.environments) {
      const waivers = ENVIRONMENTS.map(loadOverlay).find((o) => o.overlay.environment === env.environment)!.overlay.waivers;
      expect(applyWaivers(runChecks(ALL_CHECKS, env.objects), waivers, '2026-01-01').findings).toEqual([]);
    }
  });

  test('a compliant deployment with its AuthorizationPolicy passes every check', () => {
    const policy: KubeObject = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'x', namespace: 'ns', labels: LABELS },
      spec: {},
    };
    const isolation: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace: 'ns', labels: LABELS },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    };
    expect(runChecks(ALL_CHECKS, [deployment(), policy, isolation])).toEqual([]);
  });

  test('required-labels fails on each missing app.kubernetes.io label', () => {
    const o = { ...deployment(), metadata: { name: 'x', namespace: 'ns', labels: { 'app.kubernetes.io/name': 'x' } } };
    expect(messages(requiredLabels, [o])).toEqual([
      'missing label app.kubernetes.io/instance',
      'missing label app.kubernetes.io/component',
      'missing label app.kubernetes.io/part-of',
      'missing label app.kubernetes.io/managed-by',
      'missing label app.kubernetes.io/version',
    ]);
  });

  test('cluster-scoped-namespace fails on a namespaced Namespace; explicit-namespace on a Deployment without one', () => {
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', namespace: 'b', labels: LABELS } };
    const noNs = { ...deployment(), metadata: { name: 'x', labels: LABELS } };
    expect(messages(clusterScopedNamespace, [ns, noNs])).toEqual(['cluster-scoped Namespace must not set metadata.namespace']);
    expect(messages(explicitNamespace, [ns, noNs])).toEqual(['namespaced object without metadata.namespace']);
  });

  test('unique-objects reports a duplicate once, at its name', () => {
    expect(runChecks([uniqueObjects], [deployment(), deployment()])).toEqual([
      { check: 'unique-objects', severity: 'error', object: 'Deployment/ns/x', message: 'defined 2 times', path: 'metadata.name' },
    ]);
  });

  test('no-plaintext-secrets fails on a Secret with data and passes an empty one', () => {
    const secret = (data?: Record<string, string>): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'ns', labels: LABELS },
      stringData: data,
    });
    expect(runChecks([noSecretData], [secret({ password: 'hunter2' }), secret()]).map((f) => [f.path, f.message]))
      .toEqual([['stringData', 'Secret carries data; deliver it through the secret store instead']]);
  });

  test.each([
    ['privileged', hostNamespaces, { hostPID: true }, {}, 'spec.template.spec.hostPID', 'pod uses the host\'s namespace (hostPID: true)'],
    ['escalation', privilegeEscalation, {}, securityContext({ allowPrivilegeEscalation: true }),
      'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation', 'container app must set allowPrivilegeEscalation: false'],
    ['root', runAsNonRoot, {}, securityContext({ runAsNonRoot: false }),
      'spec.template.spec.containers[0].securityContext.runAsNonRoot', 'container app must run as non-root (runAsNonRoot: true)'],
    ['capabilities kept', restrictedCapabilities, {}, securityContext({ capabilities: {} }),
      'spec.template.spec.containers[0].securityContext.capabilities.drop', 'container app must drop ALL capabilities'],
    ['SYS_ADMIN', baselineCapabilities, {}, securityContext({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE', 'SYS_ADMIN'] } }),
      'spec.template.spec.containers[0].securityContext.capabilities.add[1]', 'container app adds capability SYS_ADMIN'],
    ['CHOWN', restrictedCapabilities, {}, securityContext({ capabilities: { drop: ['ALL'], add: ['CHOWN'] } }),
      'spec.template.spec.containers[0].securityContext.capabilities.add[0]', 'container app adds capability CHOWN'],
    ['no seccomp', seccompRestricted, {}, securityContext({ seccompProfile: undefined }),
      'spec.template.spec.containers[0].securityContext.seccompProfile', 'container app must use seccomp RuntimeDefault or Localhost'],
    ['unconfined AppArmor', appArmor, {}, securityContext({ appArmorProfile: { type: 'Unconfined' } }),
      'spec.template.spec.containers[0].securityContext.appArmorProfile.type', 'container app sets AppArmor profile Unconfined'],
  ])('%s: one finding, at the offending field', (_, check, pod, container, path, message) => {
    expect(runChecks([check], [deployment(pod, container)]).map((f) => [f.path, f.message])).toEqual([[path, message]]);
  });

  test('the pod-level securityContext counts for every container, and is where a finding points when it is wrong there', () => {
    const pod = { securityContext: { seccompProfile: { type: 'RuntimeDefault' }, runAsNonRoot: false } };
    const container = securityContext({ seccompProfile: undefined, runAsNonRoot: undefined });
    expect(runChecks([seccompRestricted], [deployment(pod, container)])).toEqual([]);
    expect(runChecks([runAsNonRoot], [deployment(pod, container)]).map((f) => f.path)).toEqual(['spec.template.spec.securityContext.runAsNonRoot']);
  });

  test('Windows pods are exempt from the Linux-only controls, as in the standard', () => {
    const windows = deployment({ os: { name: 'windows' } }, { securityContext: { runAsNonRoot: true } });
    expect(runChecks([privilegeEscalation, seccompRestricted, restrictedCapabilities], [windows])).toEqual([]);
  });

  test('init and ephemeral containers are judged too, with their own paths', () => {
    const init = { ...COMPLIANT_CONTAINER, name: 'init', securityContext: { ...COMPLIANT_CONTAINER.securityContext, privileged: true } };
    const o = deployment({ initContainers: [init] });
    expect(POD_SECURITY_CHECKS.flatMap((c) => runChecks([c], [o])).map((f) => `${f.check} ${f.path}`))
      .toEqual(['privileged-containers spec.template.spec.initContainers[0].securityContext.privileged']);
  });

  test('workload hygiene checks fail on a writable root, missing limits, floating images and missing probes', () => {
    expect(messages(readOnlyRootFilesystem, [deployment({}, securityContext({ readOnlyRootFilesystem: false }))]))
      .toEqual(['container app must set readOnlyRootFilesystem: true']);
    expect(messages(resourceLimits, [deployment({}, { resources: { requests: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '1Gi' } } })]))
      .toEqual(['container app has no cpu limit', 'container app has no memory limit', 'container app has no ephemeral-storage limit']);
    // Ephemeral storage unbounded: a container that fills the node's disk evicts its neighbours.
    const noEphemeral = { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } };
    expect(messages(resourceLimits, [deployment({}, { resources: noEphemeral })]))
      .toEqual(['container app has no ephemeral-storage request', 'container app has no ephemeral-storage limit']);
    expect(messages(pinnedImages, [deployment({}, { image: 'nginx' }), deployment({}, { image: 'nginx:latest' })]))
      .toEqual(['container app image "nginx" is not pinned', 'container app image "nginx:latest" is not pinned']);
    expect(messages(probes, [deployment({}, { livenessProbe: undefined })])).toEqual(['container app has no livenessProbe']);
  });
});

describe('rbac and scaling checks', () => {
  const role = (rules: unknown[], annotations?: Record<string, string>): KubeObject => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'r', namespace: 'ns', labels: LABELS, annotations },
    rules,
  });

  test('rbac-no-wildcards fails on "*"; rbac-no-escalation on escalate/bind/impersonate', () => {
    const rules = [{ apiGroups: [''], resources: ['*'], verbs: ['get'] }, { apiGroups: [''], resources: ['roles'], verbs: ['bind'] }];
    expect(messages(rbacNoWildcards, [role(rules)])).toEqual(['rule 0 uses "*" in resources']);
    expect(runChecks([rbacNoEscalation], [role(rules)]).map((f) => [f.path, f.message])).toEqual([['rules[1]', 'rule 1 grants bind']]);
  });

  test('rbac-secrets-access fails on reading every Secret, and passes named ones', () => {
    expect(messages(rbacSecretsAccess, [role([{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }])]))
      .toEqual(['rule 0 reads every Secret (no resourceNames)']);
    expect(messages(rbacSecretsAccess, [role([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['db'] }])])).toEqual([]);
  });

  test('rbac-secrets-need-reason fails on unexplained access to secrets', () => {
    const rules = [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }];
    expect(messages(rbacSecretsNeedReason, [role(rules)])).toEqual(['grants access to secrets without a reason']);
    expect(messages(rbacSecretsNeedReason, [role(rules, { 'bulwark.dev/grants': 'get secrets: reads the DB password' })])).toEqual([]);
  });

  test('rbac-cluster-admin-bindings fails on cluster-admin/admin/edit and system:masters; rbac-no-cluster-bindings on any ClusterRoleBinding', () => {
    const binding = (kind: string, roleName: string, subjects?: unknown[]): KubeObject => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind,
      metadata: { name: 'b', namespace: kind === 'RoleBinding' ? 'ns' : undefined, labels: LABELS },
      roleRef: { kind: 'ClusterRole', name: roleName },
      subjects,
    });
    const bindings = [
      binding('ClusterRoleBinding', 'view', [{ kind: 'Group', name: 'system:masters' }]),
      binding('RoleBinding', 'edit'),
      binding('RoleBinding', 'view'),
    ];
    expect(messages(rbacClusterAdminBindings, bindings)).toEqual(['binds the system:masters group', 'binds the built-in ClusterRole edit']);
    expect(messages(rbacNoClusterBindings, bindings)).toEqual(['cluster-wide binding']);
  });

  test('pdb-below-hpa-minimum fails when the budget keeps as many pods as the HPA minimum', () => {
    const hpa: KubeObject = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'x', namespace: 'ns', labels: LABELS },
      spec: { minReplicas: 2, scaleTargetRef: { name: 'x' } },
    };
    const pdb = (minAvailable: number): KubeObject => ({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'x', namespace: 'ns', labels: LABELS },
      spec: { minAvailable },
    });
    expect(messages(pdbBelowHpaMinimum, [hpa, pdb(2)])).toEqual(['PodDisruptionBudget x minAvailable 2 is not below minReplicas 2']);
    expect(messages(pdbBelowHpaMinimum, [hpa, pdb(1)])).toEqual([]);
  });
});

describe('service accounts, env, namespaces and exposure', () => {
  const account = (automount?: boolean): KubeObject => ({
    apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'x', namespace: 'ns', labels: LABELS }, automountServiceAccountToken: automount,
  });
  const withAccount = (pod: Record<string, unknown> = {}) => deployment({ serviceAccountName: 'x', automountServiceAccountToken: undefined, ...pod });

  test('service-account-token-automount: a mounted token needs a binding (or Vault Agent); false on the pod or its account passes', () => {
    expect(messages(serviceAccountTokenAutomount, [withAccount(), account()]))
      .toEqual(['pod mounts the token of ns/x, which no binding grants anything']);
    expect(messages(serviceAccountTokenAutomount, [withAccount(), account(false)])).toEqual([]);
    expect(messages(serviceAccountTokenAutomount, [withAccount({ automountServiceAccountToken: false }), account()])).toEqual([]);
    const binding: KubeObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'x', namespace: 'ns', labels: LABELS },
      roleRef: { kind: 'Role', name: 'x' },
      subjects: [{ kind: 'ServiceAccount', name: 'x' }],
    };
    expect(messages(serviceAccountTokenAutomount, [withAccount(), account(), binding])).toEqual([]);
    const vault = withAccount({ automountServiceAccountToken: true });
    (vault.spec as { template: { metadata?: unknown } }).template.metadata = { annotations: { 'vault.hashicorp.com/agent-inject': 'true' } };
    expect(messages(serviceAccountTokenAutomount, [vault, account(false)])).toEqual([]);
  });

  test('literal-secrets-in-env fails on a credential-named literal, not on where a credential is read from', () => {
    const env = [
      { name: 'DB_PASSWORD', value: 'hunter2' },
      { name: 'API_KEY_FILE', value: '/vault/secrets/key' },
      { name: 'TOKEN', value: '/run/token' },
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'GITHUB_TOKEN', valueFrom: { secretKeyRef: { name: 'gh', key: 'token' } } },
    ];
    expect(runChecks([literalSecretsInEnv], [deployment({}, { env })]).map((f) => [f.path, f.message]))
      .toEqual([['spec.template.spec.containers[0].env[0].value', 'container app sets DB_PASSWORD to a literal value']]);
  });

  test('namespace-pod-security fails without an enforce label and on privileged; default-namespace on objects in default', () => {
    const ns = (labels: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', labels } });
    expect(messages(namespacePodSecurity, [ns({}), ns({ 'pod-security.kubernetes.io/enforce': 'privileged' }),
      ns({ 'pod-security.kubernetes.io/enforce': 'baseline' })]))
      .toEqual(['no pod-security.kubernetes.io/enforce label', 'enforces the privileged level (no restriction)']);
    expect(messages(defaultNamespace, [{ ...deployment(), metadata: { name: 'x', namespace: 'default', labels: LABELS } }]))
      .toEqual(['lives in the default namespace']);
  });

  test('service-selects-pods and network-policy-coverage look across every object given', () => {
    const labelled = deployment();
    (labelled.spec as { template: { metadata?: unknown } }).template.metadata = { labels: { app: 'x' } };
    const service = (selector: Record<string, string>): KubeObject => ({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'ns', labels: LABELS }, spec: { selector },
    });
    expect(messages(serviceSelectsPods, [labelled, service({ app: 'y' })])).toEqual(['selects no pod of any workload in its namespace']);
    expect(messages(serviceSelectsPods, [labelled, service({ app: 'x' })])).toEqual([]);
    const policy = (podSelector: unknown): KubeObject => ({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'ns', labels: LABELS }, spec: { podSelector },
    });
    expect(runChecks([networkPolicyCoverage], [labelled]).map((f) => [f.path, f.message]))
      .toEqual([['spec.template.metadata.labels', 'no NetworkPolicy in ns selects its pods']]);
    expect(messages(networkPolicyCoverage, [labelled, policy({ matchLabels: { app: 'y' } })])).toHaveLength(1);
    expect(messages(networkPolicyCoverage, [labelled, policy({})])).toEqual([]);
    expect(messages(networkPolicyCoverage, [labelled, policy({ matchLabels: { app: 'x' } })])).toEqual([]);
  });

  test('the generic profile leaves out the platform\'s conventions; bulwark runs every check', () => {
    expect(checksOf(ALL_CHECKS, 'bulwark')).toEqual(ALL_CHECKS);
    const generic = checksOf(ALL_CHECKS, 'generic').map((c) => c.id);
    expect(generic).toContain('privileged-containers');
    expect(generic).not.toContain('required-labels');
    expect(generic).not.toContain('mesh-authorization');
  });
});

describe('zero-trust checks', () => {
  const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns', labels: LABELS } };
  const peer = (mode: string, selector?: unknown): KubeObject => ({
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: 'p', namespace: 'ns', labels: LABELS },
    spec: { mtls: { mode }, selector },
  });

  test('mesh-mtls-strict fails on a namespace without a namespace-wide STRICT PeerAuthentication', () => {
    expect(messages(meshMtlsStrict, [ns])).toEqual(['no namespace-wide PeerAuthentication with mtls STRICT']);
    expect(messages(meshMtlsStrict, [ns, peer('PERMISSIVE')])).toHaveLength(1);
    expect(messages(meshMtlsStrict, [ns, peer('STRICT', { matchLabels: { a: 'b' } })])).toHaveLength(1);
    expect(messages(meshMtlsStrict, [ns, peer('STRICT')])).toEqual([]);
  });

  test('mesh-authorization fails on a workload without its AuthorizationPolicy', () => {
    expect(messages(meshAuthorization, [deployment()])).toEqual(['no AuthorizationPolicy x in ns']);
  });

  test('secret-references-resolve fails on a Secret no ExternalSecret produces', () => {
    const reader = deployment({}, { env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }] });
    const producer = (target: string): KubeObject => ({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: target, namespace: 'ns', labels: LABELS },
      spec: { target: { name: target } },
    });
    expect(messages(secretReferencesResolve, [reader, producer('other')])).toEqual(['reads Secret db, which no ExternalSecret in ns produces']);
    expect(messages(secretReferencesResolve, [reader, producer('db')])).toEqual([]);
  });
});

describe('services-have-callers', () => {
  const SELECTOR = { 'app.kubernetes.io/name': 'x' };
  const pods = deployment();
  (pods.spec as { template: { metadata?: unknown } }).template.metadata = { labels: LABELS };
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'x', namespace: 'ns', labels: LABELS },
    spec: { selector: SELECTOR, ports: [{ name: 'http', port: 80 }] },
  };
  const object = (kind: string, name: string, spec: unknown): KubeObject => ({
    apiVersion: kind === 'NetworkPolicy' ? 'networking.k8s.io/v1' : 'security.istio.io/v1',
    kind,
    metadata: { name, namespace: 'ns', labels: LABELS },
    spec,
  });
  // The namespace defaults: deny all traffic, allow no request.
  const defaultDeny = object('NetworkPolicy', 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  const denyAll = object('AuthorizationPolicy', 'deny-all', {});
  const from = { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'caller' } } }], ports: [{ port: 'http' }] };
  const admit = object('NetworkPolicy', 'x-traffic', { podSelector: { matchLabels: SELECTOR }, policyTypes: ['Ingress'], ingress: [from] });
  const allow = (rules?: unknown[]) => object('AuthorizationPolicy', 'x', { selector: { matchLabels: SELECTOR }, action: 'ALLOW', rules });

  test('fails on a Service whose pods neither network policy nor mesh policy lets anyone reach', () => {
    // GIVEN the namespace defaults and the workload's own allow-nothing policy (the agent's Service before the fix)
    expect(messages(servicesHaveCallers, [pods, service, defaultDeny, denyAll, allow()])).toEqual([
      'nothing may call the Service: no NetworkPolicy admits any caller to its pods, and no AuthorizationPolicy rule allows any caller; '
        + 'declare its callers (a component\'s dependsOn, components.<name>.callers, a public host) or do not emit it',
    ]);
  });

  test('fails on each blocked layer alone, and passes once a caller is allowed at both', () => {
    expect(messages(servicesHaveCallers, [pods, service, defaultDeny, admit, denyAll, allow()]))
      .toEqual([expect.stringMatching(/^nothing may call the Service: no AuthorizationPolicy rule allows any caller; /)]);
    const rules = [{ from: [{ source: { principals: ['cluster.local/ns/ns/sa/caller'] } }] }];
    expect(messages(servicesHaveCallers, [pods, service, defaultDeny, denyAll, allow(rules)]))
      .toEqual([expect.stringMatching(/^nothing may call the Service: no NetworkPolicy admits any caller to its pods; /)]);
    expect(messages(servicesHaveCallers, [pods, service, defaultDeny, admit, denyAll, allow(rules)])).toEqual([]);
  });

  test('passes a Service whose pods no policy isolates, and one that selects no pod of its namespace', () => {
    expect(messages(servicesHaveCallers, [pods, service])).toEqual([]);
    const elsewhere = { ...service, spec: { selector: { 'app.kubernetes.io/name': 'other' } } };
    expect(messages(servicesHaveCallers, [pods, elsewhere, defaultDeny, denyAll])).toEqual([]);
  });
});

describe('kinds', () => {
  // GIVEN objects that break every check that names its kinds
  const role: KubeObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'r', namespace: 'ns', labels: LABELS },
    rules: [{ apiGroups: ['*'], resources: ['secrets'], verbs: ['bind'] }],
  };
  const violators: KubeObject[] = [
    deployment({ hostNetwork: true }, {
      image: 'nginx',
      securityContext: {},
      resources: undefined,
      livenessProbe: undefined,
      env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'db', key: 'p' } } }],
    }),
    role,
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web', namespace: 'ns', labels: LABELS },
      spec: { strategy: { blueGreen: { activeService: 'absent' } } },
    },
    { ...role, kind: 'ClusterRole', metadata: { name: 'r', labels: LABELS } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'b', labels: LABELS },
      roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns', labels: LABELS }, data: { k: 'dg==' } },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'x', namespace: 'ns', labels: LABELS },
      spec: { minReplicas: 2, scaleTargetRef: { name: 'x' } },
    },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'x', namespace: 'ns', labels: LABELS }, spec: { minAvailable: 2 } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns', labels: LABELS } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', labels: LABELS }, spec: { containers: [COMPLIANT_CONTAINER] } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'p', namespace: 'ns', labels: LABELS },
      spec: { selector: { 'app.kubernetes.io/name': 'x' } },
    },
    { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'deny-all', namespace: 'ns', labels: LABELS }, spec: {} },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'm', namespace: 'ns', labels: LABELS },
      spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'nothing' } }, endpoints: [{ port: 'http' }] },
    },
  ];
  // … and the check corpus' violations, one for each generic check.
  const corpus = path.join(__dirname, '..', 'fixtures', 'check-corpus', 'violations');
  violators.push(...fs.readdirSync(corpus).flatMap((f) => objectsOfText(fs.readFileSync(path.join(corpus, f), 'utf8'), f).map((s) => s.object)));
  const withKinds = ALL_CHECKS.filter((c) => c.kinds !== undefined);
  const inspectingAll = withKinds.map((c) => ({ ...c, kinds: undefined }));

  test('every check that names its kinds finds a problem among the violators (the sample is not vacuous)', () => {
    expect(withKinds.length).toBeGreaterThan(10);
    for (const check of withKinds) expect([check.id, runChecks([check], violators).length > 0]).toEqual([check.id, true]);
  });

  test('naming kinds changes no finding: each violator, also as every other kind, yields what inspecting every object yields', () => {
    // WHEN each violator also appears as every other kind of the sample (and a few more)
    const allKinds = [...new Set([...violators.map((o) => o.kind), 'ConfigMap', 'Service', 'StatefulSet', 'CronJob', 'Pod'])];
    const rekinded = violators.flatMap((o) => allKinds.map((kind) => ({ ...o, kind })));
    // THEN skipping by kind and inspecting every object agree, finding for finding
    const findings = runChecks(withKinds, rekinded);
    expect(findings).toEqual(runChecks(inspectingAll, rekinded));
    expect(findings.length).toBeGreaterThan(20);
  });
});
