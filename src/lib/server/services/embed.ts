/**
 * Embedding: who may frame a host's widget, and the host's own setting for it.
 */
import type { App } from "../app.ts";
import type { UserRecord } from "../store/records.ts";
import { getUserByUsernameCached, updateUser } from "../store/users.ts";
import { frameAncestors, parseOriginList } from "../domain/embed.ts";
import { bookingForToken } from "./decide-booking.ts";
import { getUser } from "../store/users.ts";

/** frame-ancestors for a /widget/… path: the host's allowlist; unknown hosts get 'none'. */
export async function frameAncestorsForPath(app: App, pathname: string): Promise<string> {
  const parts = pathname.split("/");
  let host: UserRecord | null = null;
  // A team's widget may be framed anywhere (teams have no allowlist of their own yet).
  if (parts[2] === "team") return "*";
  if (parts[2] === "booking" && parts[3]) {
    const b = await bookingForToken(app, parts[3], "guest");
    if (b?.teamId) return "*";
    host = b ? await getUser(app.kv, b.hostId) : null;
  } else if (parts[2]) {
    host = await getUserByUsernameCached(app.kv, parts[2].toLowerCase());
  }
  // A 404 page for an unknown host may still show inside the frame that asked for it.
  if (!host) return parts[2] ? "*" : "'none'";
  return frameAncestors(host.embedOrigins);
}

export async function saveEmbedOrigins(app: App, user: UserRecord, text: string) {
  const parsed = parseOriginList(text);
  if (!parsed.ok) return parsed;
  const res = await updateUser(app.kv, user.id, { embedOrigins: parsed.origins });
  return res.ok
    ? { ok: true as const, origins: parsed.origins }
    : { ok: false as const, errors: ["Your account was not found"] };
}
