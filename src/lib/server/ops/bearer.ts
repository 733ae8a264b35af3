/** `Authorization: Bearer <token>` compared in constant time (no timing oracle on the token). */
import { timingSafeEqual } from "node:crypto";

export function tokenMatches(authorization: string | null, expected: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!m) return false;
  const a = new TextEncoder().encode(m[1]);
  const b = new TextEncoder().encode(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
