/**
 * Embedding: who may frame a host's widget, and the host's own setting for it.
 */
import type { App } from "../app.ts";
import { messageRef } from "../../shared/i18n.ts";
import type { UserRecord } from "../store/records.ts";
import { getUserByUsernameCached, updateUser } from "../store/users.ts";
import { frameAncestors, parseOriginList } from "../domain/embed.ts";
import { bookingForToken } from "./decide-booking.ts";
import { getUser } from "../store/users.ts";
import { getTeamBySlugCached } from "../store/teams.ts";

/**
 * frame-ancestors for a widget page, from the route SvelteKit resolved and its decoded params
 * (`/widget/%61lice/x` is alice's widget and gets alice's list). Anything that does not lead to a
 * known host — an unknown name, an invalid token, a widget path no route matched — gets the
 * strictest policy, 'none': a frame elsewhere then shows the browser's refusal, never our page.
 */
export async function frameAncestorsForWidget(
  app: App,
  routeId: string | null,
  params: Partial<Record<string, string>>,
): Promise<string> {
  let host: UserRecord | null = null;
  // A team's widget may be framed anywhere, like a host's without a list (teams have no list
  // of their own yet); an unknown team gets 'none' like an unknown host.
  if (routeId?.startsWith("/widget/team/[team]") && params.team) {
    return (await getTeamBySlugCached(app.kv, params.team)) ? "*" : "'none'";
  }
  if (routeId?.startsWith("/widget/booking/[token]") && params.token) {
    const b = await bookingForToken(app, params.token, "guest");
    if (b?.teamId) return "*";
    host = b ? await getUser(app.kv, b.hostId) : null;
  } else if (routeId?.startsWith("/widget/[username]") && params.username) {
    host = await getUserByUsernameCached(app.kv, params.username.toLowerCase());
  }
  return host ? frameAncestors(host.embedOrigins) : "'none'";
}

export async function saveEmbedOrigins(app: App, user: UserRecord, text: string) {
  const parsed = parseOriginList(text);
  if (!parsed.ok) return parsed;
  const res = await updateUser(app.kv, user.id, { embedOrigins: parsed.origins });
  return res.ok
    ? { ok: true as const, origins: parsed.origins }
    : { ok: false as const, errors: [messageRef("profile.account_missing")] };
}
