/**
 * A SecureWorkload serving more than one port (the trace collector: OTLP over HTTP and gRPC, a
 * health port for the probes alone) and reading a configuration file of its own format.
 */
import { SecureWorkload, SecureWorkloadProps } from '../../lib/workloads/secure-workload';
import { findObject, synthObjects } from '../helpers';

const BASE: SecureWorkloadProps = {
  name: 'collector',
  environment: 'dev',
  namespace: 'bulwark-dev',
  role: 'trace-collector',
  image: 'docker.io/otel/opentelemetry-collector-contrib:0.140.0',
  version: '0.140.0',
  port: 4318,
  livenessPath: '/',
  readinessPath: '/',
  resources: {
    requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '64Mi' },
    limits: { cpu: '500m', memory: '512Mi', 'ephemeral-storage': '256Mi' },
  },
  allowFrom: ['backend'],
};

const synth = (props: Partial<SecureWorkloadProps> = {}) =>
  synthObjects((chart) => new SecureWorkload(chart, 'workload', { ...BASE, ...props }));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('SecureWorkload with several ports', () => {
  const objects = synth({
    servicePort: 4318,
    extraPorts: [{ name: 'grpc', port: 4317 }],
    probePort: { name: 'health', port: 13133 },
    configFile: '/etc/otelcol/config.yaml',
    configFileContent: 'receivers: {}\n',
  });
  const pod = (findObject(objects, 'Deployment').spec as Json).template.spec;

  test('the extra ports are on the Service under their own number and open to the callers; the probe port is neither', () => {
    expect((findObject(objects, 'Service').spec as Json).ports).toEqual([
      { name: 'http', port: 4318, targetPort: 'http', protocol: 'TCP' },
      { name: 'grpc', port: 4317, targetPort: 'grpc', protocol: 'TCP' },
    ]);
    expect((findObject(objects, 'NetworkPolicy').spec as Json).ingress[0].ports)
      .toEqual([{ protocol: 'TCP', port: 'http' }, { protocol: 'TCP', port: 'grpc' }]);
    expect(pod.containers[0].ports.map((p: Json) => p.name)).toEqual(['http', 'grpc', 'health']);
    expect(pod.containers[0].livenessProbe.httpGet.port).toBe('health');
  });

  test('the configuration file holds the given content, and a change of it rolls the pods', () => {
    expect(findObject(objects, 'ConfigMap', 'collector-config-file').data).toEqual({ 'config.yaml': 'receivers: {}\n' });
    const sha = (content: string): string => {
      const deployment = findObject(synth({ configFile: '/etc/otelcol/config.yaml', configFileContent: content }), 'Deployment');
      return (deployment.spec as Json).template.metadata.annotations['bulwark.dev/config-sha256'];
    };
    expect(sha('a: 1\n')).not.toBe(sha('a: 2\n'));
  });

  test.each([
    ['an extra port with a name longer than 15 characters', { extraPorts: [{ name: 'otlp-grpc-receiver', port: 4317 }] }, 'invalid port'],
    ['a privileged extra port', { extraPorts: [{ name: 'grpc', port: 317 }] }, 'invalid port'],
    ['two ports of one name', { extraPorts: [{ name: 'http', port: 4317 }] }, 'invalid ports'],
    ['two ports of one number', { probePort: { name: 'health', port: 4318 } }, 'invalid ports'],
    ['a file content without a file', { configFileContent: 'a: 1\n' },
      'invalid configFileContent: received "(content)"; allowed: only together with configFile'],
  ])('fails on %s', (_, props, message) => {
    expect(() => synth(props as Partial<SecureWorkloadProps>)).toThrow(`secure-workload "collector": ${message}`);
  });
});
