import type { Problem } from '../config/errors';
import type { RuleInput } from './platform-model';

/**
 * TLS to an external host leaves through the mesh egress gateway, which serves one TLS port and
 * routes by SNI alone: a host it forwards to two ports would be ambiguous there, so a host reached
 * through it names one port (in one endpoint). Endpoints with cidrs and protocol TCP bypass it.
 */
export function egressGatewayHostsHaveOnePort({ overlay, problem }: RuleInput): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, { endpoint: string; port: number }>();
  for (const [name, e] of Object.entries(overlay.externalEndpoints)) {
    if (e.hosts.length === 0 || (e.protocol !== 'TLS' && e.protocol !== 'HTTPS')) continue;
    if (e.ports.length > 1) {
      problems.push(problem(['externalEndpoints', name, 'ports'], {
        message: `${e.protocol} to ${e.hosts.join(', ')} leaves through the egress gateway, which routes by SNI on its one TLS port: `
          + 'it cannot forward a host to two ports',
        received: JSON.stringify(e.ports),
        allowed: 'one port',
        fix: 'keep one port, or give the endpoint cidrs and protocol: TCP so that it bypasses the egress gateway',
      }));
      continue;
    }
    for (const host of e.hosts) {
      const other = seen.get(host);
      if (other && other.port !== e.ports[0]) {
        problems.push(problem(['externalEndpoints', name, 'hosts'], {
          message: `${host} is also an endpoint of ${other.endpoint} on port ${other.port}: the egress gateway routes a host by SNI to one port`,
          received: JSON.stringify(host),
          allowed: `port ${other.port} for ${host}, as ${other.endpoint} has it`,
          fix: `use one endpoint (and one port) for ${host}`,
        }));
      } else if (!other) {
        seen.set(host, { endpoint: name, port: e.ports[0] });
      }
    }
  }
  return problems;
}
