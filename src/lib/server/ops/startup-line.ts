/**
 * The line the server prints when it starts: where it listens, and the address to open. That is
 * INVITO_BASE_URL when the operator set it (the address people use, a proxy in front perhaps);
 * else the address it listens on, with "localhost" for a wildcard (0.0.0.0 or ::), never a
 * default that names another port.
 */
export function startupLine(
  listening: { hostname: string; port: number },
  baseUrl: URL | null,
): string {
  const host = (h: string) => (h.includes(":") ? `[${h}]` : h);
  const bound = `http://${host(listening.hostname)}:${listening.port}`;
  const wildcard = listening.hostname === "0.0.0.0" || listening.hostname === "::";
  const open = baseUrl?.href ??
    `http://${wildcard ? "localhost" : host(listening.hostname)}:${listening.port}/`;
  return `Invito listening on ${bound} — open ${open}`;
}
