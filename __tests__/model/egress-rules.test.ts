import { parseOverlay } from '../../lib/config/load-overlay';
import { configErrors, modelOf, overlayText } from '../helpers';

function devWith(search: string, replacement: string) {
  const text = overlayText('dev');
  const changed = text.replace(search, replacement);
  if (changed === text) throw new Error(`fixture did not change: ${search}`);
  return () => modelOf(parseOverlay('overlays/dev.yaml', changed));
}

const LLM = '  llm-api:\n    hosts: [api.openai.com]\n    ports: [443]\n';

describe('external TLS through the egress gateway: one port per host', () => {
  test('a TLS endpoint on another port than 443 is fine', () => {
    expect(devWith(LLM, '  llm-api:\n    hosts: [api.openai.com]\n    ports: [8443]\n')().externalEndpoints.find((e) => e.name === 'llm-api')!.ports)
      .toEqual([8443]);
  });

  test('fails on a TLS endpoint with two ports: the gateway routes a host by SNI to one', () => {
    const errors = configErrors(devWith(LLM, '  llm-api:\n    hosts: [api.openai.com]\n    ports: [443, 8443]\n'));
    expect(errors).toEqual([
      'overlays/dev.yaml:27:12: externalEndpoints.llm-api.ports: TLS to api.openai.com leaves through the egress gateway, which routes by SNI '
        + 'on its one TLS port: it cannot forward a host to two ports; received [443,8443]; allowed: one port; '
        + 'fix: keep one port, or give the endpoint cidrs and protocol: TCP so that it bypasses the egress gateway',
    ]);
  });

  test('fails on one host in two TLS endpoints on different ports, at the second', () => {
    const errors = configErrors(devWith(LLM, `${LLM}  llm-admin:\n    hosts: [api.openai.com]\n    ports: [8443]\n`));
    expect(errors).toEqual([expect.stringMatching(
      /^overlays\/dev\.yaml:\d+:\d+: externalEndpoints\.llm-(admin|api)\.hosts: api\.openai\.com is also an endpoint of llm-(admin|api) on port (443|8443): the egress gateway routes a host by SNI to one port; /,
    )]);
  });

  test('a TCP endpoint with cidrs bypasses the gateway and may name several ports', () => {
    const ok = devWith('    ports: [5432]\n    protocol: TCP', '    ports: [5432, 5433]\n    protocol: TCP')();
    expect(ok.externalEndpoints.find((e) => e.name === 'database')!.ports).toEqual([5432, 5433]);
  });
});
