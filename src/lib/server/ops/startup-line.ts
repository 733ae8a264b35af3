/**
 * The line the server prints when it starts: where it listens, and the address to open. That is
 * INVITO_BASE_URL when the operator set it (the address people use, a proxy in front perhaps);
 * else the address it listens on, with "localhost" for a wildcard (0.0.0.0 or ::), never a
 * default that names another port.
 */
/**
 * The address of a server listening on `listening`, as a person on the same machine opens it:
 * "localhost" for a wildcard (0.0.0.0 or ::). Also INVITO_BASE_URL's default, so links in mails
 * and the origin check follow the port the server was started on.
 */
export function listenUrl(listening: { hostname: string; port: number }): string {
  const host = (h: string) => (h.includes(":") ? `[${h}]` : h);
  const wildcard = listening.hostname === "0.0.0.0" || listening.hostname === "::";
  return `http://${wildcard ? "localhost" : host(listening.hostname)}:${listening.port}/`;
}

export function startupLine(
  listening: { hostname: string; port: number },
  baseUrl: URL | null,
): string {
  const host = (h: string) => (h.includes(":") ? `[${h}]` : h);
  const bound = `http://${host(listening.hostname)}:${listening.port}`;
  const open = baseUrl?.href ?? listenUrl(listening);
  return `Invito listening on ${bound} — open ${open}`;
}
