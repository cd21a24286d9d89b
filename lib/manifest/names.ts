/**
 * The naming authority for names that carry the environment. Cluster-scoped objects (priority
 * classes, secret stores, issuers, admission policies, mutators), objects in shared namespaces
 * (Falco's rules, gateway credentials) and API-server entries live beside every other environment
 * of the same cluster, so their names start with the environment's prefix; built here and nowhere
 * else, so that two environments on one cluster can never collide by a stray template string.
 */

/** `bulwark-<env>`: what every environment-owned shared name starts with. */
export function environmentPrefix(environment: string): string {
  return `bulwark-${environment}`;
}

/** `bulwark-<env>-<part>-<part>…`; without an environment (the gator suites) `bulwark-<part>…`. */
export function environmentName(environment: string | undefined, ...parts: readonly string[]): string {
  return [environment === undefined ? 'bulwark' : environmentPrefix(environment), ...parts].join('-');
}
