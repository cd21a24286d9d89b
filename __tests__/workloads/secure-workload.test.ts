import { runChecks } from '../../lib/checks';
import { POD_SECURITY_CHECKS } from '../../lib/checks/pod-security';
import { readOnlyRootFilesystem } from '../../lib/checks/workload-hygiene';
import { SecureWorkload, SecureWorkloadProps } from '../../lib/workloads/secure-workload';
import { findObject, synthObjects } from '../helpers';

const BASE: SecureWorkloadProps = {
  name: 'backend',
  environment: 'dev',
  namespace: 'bulwark-dev',
  role: 'api',
  image: 'ghcr.io/org/backend:1.0.0',
  version: '1.0.0',
  port: 8080,
  livenessPath: '/healthz',
  readinessPath: '/readyz',
  resources: {
    requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '64Mi' },
    limits: { cpu: '500m', memory: '512Mi', 'ephemeral-storage': '256Mi' },
  },
};

const synth = (props: Partial<SecureWorkloadProps> = {}) =>
  synthObjects((chart) => new SecureWorkload(chart, 'workload', { ...BASE, ...props }));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const podSpec = (objects: ReturnType<typeof synth>): any => (findObject(objects, 'Deployment').spec as any).template.spec;

describe('SecureWorkload', () => {
  test('emits the objects of a single-replica workload, names without hashes', () => {
    const objects = synth({ allowFrom: ['frontend'] });
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/backend-config',
      'Deployment/backend',
      'NetworkPolicy/backend-traffic',
      'Service/backend',
      'ServiceAccount/backend',
    ]);
  });

  test('emits no Service for a workload nothing may call, and one as soon as a caller of any namespace may', () => {
    expect(synth().some((o) => o.kind === 'Service')).toBe(false);
    expect(findObject(synth({ allowFrom: ['frontend'] }), 'Service').spec).toMatchObject({ ports: [{ name: 'http', port: 80, targetPort: 'http' }] });
    const fromGateway = synth({ allowFromNamespaces: [{ namespace: 'istio-system', podLabels: { istio: 'ingressgateway' } }] });
    expect(findObject(fromGateway, 'Service').metadata.name).toBe('backend');
  });

  test('gives the pod a dedicated service account without a token', () => {
    const objects = synth();
    expect(findObject(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
    expect(podSpec(objects)).toMatchObject({ serviceAccountName: 'backend', automountServiceAccountToken: false });
  });

  test('runs restricted: non-root ids, seccomp, no escalation, no capabilities, read-only root', () => {
    const pod = podSpec(synth());
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
    });
  });

  test('mounts an emptyDir at /tmp and at each writable path', () => {
    const pod = podSpec(synth({ writablePaths: ['/var/cache/nginx'] }));
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, { name: 'scratch-1', mountPath: '/var/cache/nginx' }]);
    expect(pod.volumes.map((v: { name: string; emptyDir: unknown }) => [v.name, v.emptyDir]))
      .toEqual([['tmp', { sizeLimit: '64Mi' }], ['scratch-1', { sizeLimit: '64Mi' }]]);
  });

  test('sets requests and limits (ephemeral storage included), probes on the named port and a pinned image', () => {
    const container = podSpec(synth()).containers[0];
    expect(container.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '64Mi' },
      limits: { cpu: '500m', memory: '512Mi', 'ephemeral-storage': '256Mi' },
    });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container).toMatchObject({ image: 'ghcr.io/org/backend:1.0.0', imagePullPolicy: 'IfNotPresent' });
  });

  test('labels every object with app.kubernetes.io/* and selects on name + instance only', () => {
    const objects = synth({ allowFrom: ['frontend'] });
    for (const o of objects) {
      expect(o.metadata.labels).toEqual({
        'app.kubernetes.io/component': 'api',
        'app.kubernetes.io/instance': 'backend-dev',
        'app.kubernetes.io/managed-by': 'bulwark',
        'app.kubernetes.io/name': 'backend',
        'app.kubernetes.io/part-of': 'bulwark',
        'app.kubernetes.io/version': '1.0.0',
      });
    }
    expect((findObject(objects, 'Service').spec as { selector: unknown }).selector)
      .toEqual({ 'app.kubernetes.io/instance': 'backend-dev', 'app.kubernetes.io/name': 'backend' });
  });

  test('puts settings and dependency URLs in the ConfigMap and rolls pods when they change', () => {
    const a = synth({ config: { LOG_LEVEL: 'info' }, dependencies: [{ name: 'mcp', containerPort: 8080 }] });
    expect(findObject(a, 'ConfigMap').data).toEqual({
      BULWARK_COMPONENT: 'backend',
      BULWARK_ENVIRONMENT: 'dev',
      LOG_LEVEL: 'info',
      MCP_URL: 'http://mcp.bulwark-dev.svc.cluster.local:80',
    });
    const b = synth({ config: { LOG_LEVEL: 'debug' }, dependencies: [{ name: 'mcp', containerPort: 8080 }] });
    type Template = { template: { metadata: { annotations: Record<string, string> } } };
    const hash = (objects: typeof a) => (findObject(objects, 'Deployment').spec as Template)
      .template.metadata.annotations['bulwark.dev/config-sha256'];
    expect(hash(a)).toMatch(/^[a-f0-9]{64}$/);
    expect(hash(a)).not.toBe(hash(b));
  });

  test('a component that reads a settings file gets its settings there too, in a read-only mount; the pod stays restricted', () => {
    // GIVEN a workload whose process reads /etc/backend/config.yaml
    const objects = synth({ config: { LOG_LEVEL: 'info' }, configFile: '/etc/backend/config.yaml' });
    // THEN the settings are a YAML file of their own ConfigMap, and still the container's env
    expect(findObject(objects, 'ConfigMap', 'backend-config-file').data).toEqual({
      'config.yaml': 'BULWARK_COMPONENT: backend\nBULWARK_ENVIRONMENT: dev\nLOG_LEVEL: info\n',
    });
    const pod = podSpec(objects);
    expect(pod.containers[0].envFrom).toEqual([{ configMapRef: { name: 'backend-config' } }]);
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'config-file', mountPath: '/etc/backend', readOnly: true });
    expect(pod.volumes).toContainEqual({
      name: 'config-file',
      configMap: { name: 'backend-config-file', items: [{ key: 'config.yaml', path: 'config.yaml' }] },
    });
    expect(runChecks([...POD_SECURITY_CHECKS, readOnlyRootFilesystem], objects)).toEqual([]);
    expect(synth().some((o) => o.metadata.name === 'backend-config-file')).toBe(false);
  });

  test.each([
    ['a relative path', 'config.yaml', 'an absolute file path in a directory of its own'],
    ['a file at the root', '/config.yaml', 'an absolute file path in a directory of its own'],
    ['a writable directory', '/tmp/config.yaml', 'a directory apart from the writable paths /tmp, /data (its mount is read-only)'],
    ['another writable directory', '/data/config.yaml', 'a directory apart from the writable paths /tmp, /data'],
  ])('fails on a configFile in %s', (_, configFile, allowed) => {
    expect(() => synth({ configFile, writablePaths: ['/data'] }))
      .toThrow(`secure-workload "backend": invalid configFile: received ${JSON.stringify(configFile)}; allowed: ${allowed}`);
  });

  test('adds a PodDisruptionBudget keeping all but one pod when replicas > 1, never blocking a drain on a pod that is not ready', () => {
    expect(synth({ replicas: 1 }).some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
    expect(findObject(synth({ replicas: 3 }), 'PodDisruptionBudget').spec).toEqual({
      minAvailable: 2,
      selector: { matchLabels: { 'app.kubernetes.io/instance': 'backend-dev', 'app.kubernetes.io/name': 'backend' } },
      // The default, IfHealthyBudget, keeps a crash-looping pod while the budget is not met: the drain waits forever.
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });

  test('admits exactly the declared callers and reaches exactly the declared dependencies', () => {
    const objects = synth({ allowFrom: ['frontend'], dependencies: [{ name: 'mcp', containerPort: 3000 }] });
    const policy = findObject(objects, 'NetworkPolicy', 'backend-traffic');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'backend-dev', 'app.kubernetes.io/name': 'backend' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{
        from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'frontend-dev', 'app.kubernetes.io/name': 'frontend' } } }],
        ports: [{ protocol: 'TCP', port: 'http' }],
      }],
      egress: [{
        to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'mcp-dev', 'app.kubernetes.io/name': 'mcp' } } }],
        ports: [{ protocol: 'TCP', port: 3000 }],
      }],
    });
  });

  test('emits no allow policy for a workload nobody calls and that calls nobody', () => {
    expect(synth().some((o) => o.kind === 'NetworkPolicy')).toBe(false);
  });

  test('lets pods of another namespace in (the mesh ingress gateway) on the http port', () => {
    const objects = synth({ allowFromNamespaces: [{ namespace: 'istio-system', podLabels: { istio: 'ingressgateway' } }] });
    const policy = findObject(objects, 'NetworkPolicy', 'backend-traffic');
    expect((policy.spec as { ingress: unknown[] }).ingress).toEqual([{
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } },
        podSelector: { matchLabels: { istio: 'ingressgateway' } },
      }],
      ports: [{ protocol: 'TCP', port: 'http' }],
    }]);
    expect(objects.some((o) => o.kind === 'Ingress')).toBe(false);
  });

  test('wires secrets delivered by External Secrets as env vars from the generated Secret', () => {
    const objects = synth({
      secrets: {
        secrets: [{ name: 'db', remoteKey: 'app/db', env: { DB_PASSWORD: 'password' } }],
        delivery: 'external-secrets',
        storeName: 'store',
        refreshInterval: '1h',
      },
    });
    expect(podSpec(objects).containers[0].env)
      .toEqual([{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'backend-db', key: 'password' } } }]);
    expect(findObject(objects, 'ExternalSecret').metadata.name).toBe('backend-db');
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
  });

  test.each([
    ['latest tag', { image: 'ghcr.io/org/backend:latest' }, 'invalid image: received "ghcr.io/org/backend:latest"'],
    ['no tag', { image: 'ghcr.io/org/backend' }, 'invalid image'],
    ['privileged port', { port: 80 }, 'invalid port: received 80; allowed: an unprivileged port from 1024 to 65535'],
    ['root identity', { runAsId: 0 }, 'invalid runAsId: received 0; allowed: a non-zero user id'],
    ['bad name', { name: 'Backend' }, 'invalid name: received "Backend"'],
    ['negative replicas', { replicas: -1 }, 'invalid replicas: received -1'],
    ['relative writable path', { writablePaths: ['cache'] }, 'invalid writablePaths entry: received "cache"'],
  ])('fails on %s', (_, props, message) => {
    expect(() => synth(props as Partial<SecureWorkloadProps>)).toThrow(message);
  });
});

describe('SecureWorkload scaling, scheduling and identity', () => {
  test('with autoscaling: an HPA owns replicas, the PDB stays below its minimum, replicas spread over nodes and zones', () => {
    const objects = synth({ autoscaling: { minReplicas: 3, maxReplicas: 6, targetCPUUtilization: 70 }, priorityClassName: 'bulwark-dev-workload' });
    const deployment = findObject(objects, 'Deployment').spec as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(deployment.replicas).toBeUndefined();
    expect(findObject(objects, 'HorizontalPodAutoscaler').spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'backend' },
      minReplicas: 3,
      maxReplicas: 6,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    });
    expect((findObject(objects, 'PodDisruptionBudget').spec as { minAvailable: number }).minAvailable).toBe(2);
    expect(deployment.template.spec.priorityClassName).toBe('bulwark-dev-workload');
    expect(deployment.template.spec.topologySpreadConstraints
      .map((c: { topologyKey: string; whenUnsatisfiable: string }) => [c.topologyKey, c.whenUnsatisfiable]))
      .toEqual([['kubernetes.io/hostname', 'DoNotSchedule'], ['topology.kubernetes.io/zone', 'ScheduleAnyway']]);
  });

  test('a single replica gets no spread constraints and no PDB', () => {
    const objects = synth({ replicas: 1 });
    expect(podSpec(objects).topologySpreadConstraints).toBeUndefined();
    expect(objects.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
  });

  test('mounts a service account token only once the role grants something', () => {
    expect(podSpec(synth()).automountServiceAccountToken).toBe(false);
    const objects = synthObjects((chart) => {
      new SecureWorkload(chart, 'workload', BASE).grantRead(['configmaps'], { resourceNames: ['backend-config'] });
    });
    expect(podSpec(objects).automountServiceAccountToken).toBe(true);
    expect(findObject(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
    expect(findObject(objects, 'Role').rules).toEqual([{
      apiGroups: [''],
      resources: ['configmaps'],
      resourceNames: ['backend-config'],
      verbs: ['get'],
    }]);
  });

  test('fails on autoscaling with min above max', () => {
    expect(() => synth({ autoscaling: { minReplicas: 5, maxReplicas: 2, targetCPUUtilization: 70 } })).toThrow('invalid autoscaling');
  });
});
