/**
 * The connectivity check in the synth: an environment whose objects block a flow its model needs
 * fails the synth with the connectivity finding (nothing is written), and passes without the check.
 */
import { CheckError } from '../../lib/checks/check';
import { parseOverlay } from '../../lib/config/load-overlay';
import { connectivityCheck } from '../../lib/connectivity/check';
import { ENVIRONMENT_CHECKS, synthesize } from '../../lib/synth/pipeline';
import { overlayText } from '../helpers';

/** prod, with the agent depending on a plain-HTTP endpoint that has a host but no addresses. */
const blocked = parseOverlay('overlays/prod.yaml', overlayText('prod')
  .replace('externalEndpoints:\n', 'externalEndpoints:\n  metrics:\n    hosts: [metrics.example.com]\n    ports: [80]\n    protocol: HTTP\n')
  .replace('dependsOn: [mcp, backend, llm-api]', 'dependsOn: [mcp, backend, llm-api, metrics]'));

describe('the connectivity check', () => {
  test('runs in every synth, after the object checks', () => {
    expect(ENVIRONMENT_CHECKS).toEqual([connectivityCheck]);
    expect(connectivityCheck).toMatchObject({ id: 'connectivity', severity: 'error' });
  });

  test('fails the synth on a needed flow that no policy can allow, naming it', () => {
    let error: unknown;
    try {
      synthesize([blocked], { platformVersion: '1.2.3' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CheckError);
    expect((error as CheckError).message.split('\n')).toEqual([
      'prod: error: connectivity: Deployment/bulwark-prod/agent: needed flow blocked at NetworkPolicy: component agent -> metrics.example.com '
        + '(TCP 80), depends-on-endpoint: agent dependsOn metrics (HTTP, no cidrs: network policy cannot allow a host by name); external '
        + 'endpoint metrics (no addresses): nothing a NetworkPolicy can allow; fix: the endpoint\'s cidrs (network policy egress) and its '
        + 'ServiceEntry come from externalEndpoints.<name>: give it cidrs',
    ]);
  });

  test('the same environment synthesizes without the check', () => {
    const [prod] = synthesize([blocked], { platformVersion: '1.2.3', environmentChecks: [] }).environments;
    expect(prod.environment).toBe('prod');
  });
});
