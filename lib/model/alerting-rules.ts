import type { Problem } from '../config/errors';
import { didYouMean } from '../config/errors';
import type { RuleInput } from './platform-model';

/**
 * The rules of the overlay's `alerting` that span fields: what its routes, owners and burn rates
 * name must exist, and every alert must be able to fire.
 */

/** The alerts are evaluated by the Prometheus of `monitoring`, over the SLIs it records. */
export function alertingNeedsMonitoring({ overlay, problem }: RuleInput): Problem[] {
  if (!overlay.alerting || overlay.monitoring) return [];
  return [problem(['alerting'], {
    message: 'alerting needs monitoring: the alerts are Prometheus rules over the SLIs it records',
    received: 'alerting without monitoring',
    allowed: 'alerting together with monitoring',
    fix: 'add monitoring: {prometheus: {serviceAccount, podLabels, url}}, or remove alerting',
  }, true)];
}

/** An owner is a component of the environment. */
export function alertOwnersAreComponents({ overlay, components, problem }: RuleInput): Problem[] {
  if (!overlay.alerting) return [];
  const names = components.map(([name]) => name);
  return Object.keys(overlay.alerting.owners).filter((name) => !names.includes(name)).map((name) => {
    const suggestion = didYouMean(name, names);
    return problem(['alerting', 'owners', name], {
      message: 'owner of a component this environment does not deploy',
      received: JSON.stringify(name),
      allowed: names.join(', '),
      fix: suggestion ? `did you mean "${suggestion}"?` : 'remove it, or add the component',
    }, true);
  });
}

/** The teams alerts carry: alerting.team, the owners' teams and the tenants. */
function alertTeams({ overlay }: RuleInput): string[] {
  const alerting = overlay.alerting!;
  return [...new Set([alerting.team, ...Object.values(alerting.owners), ...overlay.tenants.map((tn) => tn.name)])].sort();
}

/** Routes and the default name receivers of alerting.receivers, and teams some alert carries. */
export function alertRoutesResolve(input: RuleInput): Problem[] {
  const { overlay, problem } = input;
  if (!overlay.alerting) return [];
  const { receivers, routes, defaultReceiver } = overlay.alerting;
  const known = Object.keys(receivers).sort();
  const unknownReceiver = (at: (string | number)[], name: string): Problem[] => {
    if (known.includes(name)) return [];
    const suggestion = didYouMean(name, known);
    return [problem(at, {
      message: 'routes to a receiver alerting.receivers does not define',
      received: JSON.stringify(name),
      allowed: known.join(', '),
      fix: suggestion ? `did you mean "${suggestion}"?` : `add alerting.receivers.${name}, or route to one of ${known.join(', ')}`,
    })];
  };
  const teams = alertTeams(input);
  return [
    ...routes.flatMap((r, i) => [
      ...unknownReceiver(['alerting', 'routes', i, 'receiver'], r.receiver),
      ...(r.team === undefined || teams.includes(r.team) ? [] : [problem(['alerting', 'routes', i, 'team'], {
        message: 'no alert carries this team, so the route never matches',
        received: JSON.stringify(r.team),
        allowed: teams.join(', '),
        fix: didYouMean(r.team, teams) ? `did you mean "${didYouMean(r.team, teams)}"?` : 'use one of the teams, or add an owner with it',
      })]),
    ]),
    ...unknownReceiver(['alerting', 'defaultReceiver'], defaultReceiver),
  ];
}

/**
 * A burn rate times an objective's error budget is an error ratio; above 1 (every request failing
 * is ratio 1) the alert could never fire.
 */
export function burnRatesReachable({ overlay, components, problem }: RuleInput): Problem[] {
  if (!overlay.alerting || !overlay.monitoring) return [];
  const defaults = overlay.monitoring.slo;
  const targets = components.flatMap(([name, c]) => [
    { name, objective: 'availability', target: c.slo?.availability ?? defaults.availability },
    { name, objective: 'latency', target: c.slo?.latency?.target ?? defaults.latency.target },
  ]);
  const loosest = targets.reduce((a, b) => (b.target < a.target ? b : a), targets[0]);
  if (loosest === undefined) return [];
  const budget = 1 - loosest.target / 100;
  return Object.entries(overlay.alerting.burnRates).filter(([, rate]) => rate * budget >= 1).map(([key, rate]) => problem(
    ['alerting', 'burnRates', key],
    {
      message: `the burn rate times the error budget of ${loosest.name}'s ${loosest.objective} objective (${loosest.target}%) `
        + 'is an error ratio above 1: the alert could never fire',
      received: String(rate),
      allowed: `below ${Number((1 / budget).toFixed(2))}`,
      fix: `lower alerting.burnRates.${key}, or raise the ${loosest.objective} objective of ${loosest.name}`,
    },
  ));
}
