/**
 * When two `clusters:` entries name one API server. The overlay rules (two clusters of one
 * environment) and the collision checks (environments sharing a cluster) both compare servers by
 * this key, so that no spelling of a URL passes one and fails the other.
 */

/**
 * The API server a cluster entry names, so that spellings of one server compare equal: host in
 * lowercase, no default port, no trailing slash. A server that is no URL is its own key.
 */
export function serverKey(server: string): string {
  try {
    const url = new URL(server);
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return server;
  }
}
