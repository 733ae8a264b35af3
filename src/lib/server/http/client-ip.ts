/**
 * The client's address: the socket's, unless the socket is a trusted proxy; then the right-most
 * X-Forwarded-For entry that is not itself a trusted proxy (entries left of it can be forged).
 */
export function clientIp(
  socketIp: string,
  forwardedFor: string | null,
  trusted: readonly string[],
): string {
  if (!trusted.length || !isTrusted(socketIp, trusted) || !forwardedFor) return socketIp;
  const hops = forwardedFor.split(",").map((s) => s.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!isTrusted(hops[i], trusted)) return hops[i];
  }
  return hops[0] ?? socketIp;
}

function isTrusted(ip: string, trusted: readonly string[]): boolean {
  const bare = ip.replace(/^::ffff:/, "");
  return trusted.some((t) => (t.includes("/") ? inCidr4(bare, t) : t === ip || t === bare));
}

function inCidr4(ip: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split("/");
  const bits = Number(bitsText);
  const a = ipv4(ip), b = ipv4(net);
  if (a === null || b === null || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((a & mask) >>> 0) === ((b & mask) >>> 0);
}

function ipv4(s: string): number | null {
  const p = s.split(".");
  if (p.length !== 4 || p.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)) return null;
  return p.reduce((acc, x) => ((acc << 8) | Number(x)) >>> 0, 0);
}
