import { ALL_CHECKS, runChecks } from '../../lib/checks';
import { namespaceScope, noSecretData, requiredLabels, uniqueObjects } from '../../lib/checks/metadata';
import { podSecurityRestricted } from '../../lib/checks/pod-security';
import { rbacNoPrivilegedBindings, rbacNoWildcards, rbacSecretsNeedReason } from '../../lib/checks/rbac';
import { pdbBelowHpaMinimum } from '../../lib/checks/scaling';
import { servicesHaveCallers } from '../../lib/checks/service-callers';
import { pinnedImages, probes, readOnlyRootFilesystem, resourceLimits } from '../../lib/checks/workload-hygiene';
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
    spec: { template: { spec: { containers: [{ ...COMPLIANT_CONTAINER, ...container }], ...pod } } },
  };
}

const messages = (check: typeof requiredLabels, objects: KubeObject[]) => runChecks([check], objects).map((f) => f.message);

describe('checks', () => {
  test('the synthesized platform passes every check in every environment', () => {
    const result = synthesize(ENVIRONMENTS.map(loadOverlay), { platformVersion: '1.2.3', checks: [] });
    for (const env of result.environments) expect(runChecks(ALL_CHECKS, env.objects)).toEqual([]);
  });

  test('a compliant deployment with its AuthorizationPolicy passes every check', () => {
    const policy: KubeObject = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'x', namespace: 'ns', labels: LABELS },
      spec: {},
    };
    expect(runChecks(ALL_CHECKS, [deployment(), policy])).toEqual([]);
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

  test('namespace-scope fails on a namespaced Namespace and on a Deployment without namespace', () => {
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', namespace: 'b', labels: LABELS } };
    const noNs = { ...deployment(), metadata: { name: 'x', labels: LABELS } };
    expect(messages(namespaceScope, [ns, noNs])).toEqual([
      'cluster-scoped Namespace must not set metadata.namespace',
      'namespaced object without metadata.namespace',
    ]);
  });

  test('unique-objects reports a duplicate once', () => {
    expect(runChecks([uniqueObjects], [deployment(), deployment()])).toEqual([
      { check: 'unique-objects', severity: 'error', object: 'Deployment/ns/x', message: 'defined 2 times' },
    ]);
  });

  test('no-plaintext-secrets fails on a Secret with data and passes an empty one', () => {
    const secret = (data?: Record<string, string>): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'ns', labels: LABELS },
      stringData: data,
    });
    expect(messages(noSecretData, [secret({ password: 'hunter2' }), secret()]))
      .toEqual(['Secret carries data; deliver it through the secret store instead']);
  });

  test.each([
    ['privileged', {}, securityContext({ privileged: true }), 'container app is privileged'],
    ['privilege escalation', {}, securityContext({ allowPrivilegeEscalation: true }), 'container app must set allowPrivilegeEscalation: false'],
    ['root', {}, securityContext({ runAsNonRoot: false }), 'container app must run as non-root (runAsNonRoot: true)'],
    ['capabilities kept', {}, securityContext({ capabilities: {} }), 'container app must drop ALL capabilities'],
    ['capability added', {}, securityContext({ capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } }), 'container app adds capabilities SYS_ADMIN'],
    ['no seccomp', {}, securityContext({ seccompProfile: undefined }), 'container app must use seccomp RuntimeDefault or Localhost'],
    ['host network', { hostNetwork: true }, {}, 'uses host namespaces (hostNetwork/hostPID/hostIPC)'],
    ['hostPath', { volumes: [{ name: 'root', hostPath: { path: '/' } }] }, {}, 'volume root is a hostPath'],
    ['hostPort', {}, { ports: [{ containerPort: 80, hostPort: 80 }] }, 'container app uses a hostPort'],
  ])('pod-security-restricted fails on %s', (_, pod, container, message) => {
    expect(messages(podSecurityRestricted, [deployment(pod, container)])).toEqual([message]);
  });

  test('pod-security-restricted accepts seccomp set at pod level', () => {
    const pod = { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } };
    expect(messages(podSecurityRestricted, [deployment(pod, securityContext({ seccompProfile: undefined }))])).toEqual([]);
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

  test('rbac-no-wildcards fails on "*" and on escalate/bind/impersonate', () => {
    const rules = [{ apiGroups: [''], resources: ['*'], verbs: ['get'] }, { apiGroups: [''], resources: ['roles'], verbs: ['bind'] }];
    expect(messages(rbacNoWildcards, [role(rules)])).toEqual(['rule 0 uses "*" in resources', 'rule 1 grants bind']);
  });

  test('rbac-secrets-need-reason fails on unexplained access to secrets', () => {
    const rules = [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }];
    expect(messages(rbacSecretsNeedReason, [role(rules)])).toEqual(['grants access to secrets without a reason']);
    expect(messages(rbacSecretsNeedReason, [role(rules, { 'bulwark.dev/grants': 'get secrets: reads the DB password' })])).toEqual([]);
  });

  test('rbac-no-privileged-bindings fails on ClusterRoleBindings and on cluster-admin/admin/edit', () => {
    const binding = (kind: string, roleName: string): KubeObject => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind,
      metadata: { name: 'b', namespace: kind === 'RoleBinding' ? 'ns' : undefined, labels: LABELS },
      roleRef: { kind: 'ClusterRole', name: roleName },
    });
    const bindings = [binding('ClusterRoleBinding', 'view'), binding('RoleBinding', 'edit'), binding('RoleBinding', 'view')];
    expect(messages(rbacNoPrivilegedBindings, bindings)).toEqual(['cluster-wide binding', 'binds the built-in ClusterRole edit']);
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
