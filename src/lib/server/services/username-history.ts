/**
 * Old links keep working after a host renames (issue 10, #11): a guest page addressed to a
 * username its owner gave up forwards to their current one while the name is held for them
 * (domain/username.ts); a team's pages under a slug it gave up forward to its current slug
 * (issue 22). A closed account's name is held for nobody: its links answer 404. Checked only when the name belongs to nobody now, so a live host's
 * pages cost nothing extra.
 */
import type { App } from "../app.ts";
import { getUserByReleasedUsername, getUserByUsernameCached } from "../store/users.ts";
import { getTeamByReleasedSlug, getTeamBySlugCached } from "../store/teams.ts";

const GUEST_ROUTE = /^\/(calendar|widget)\/\[username\]/;
/** A team's pages: a slug the team gave up forwards to its current one the same way. */
const TEAM_ROUTE = /^\/(widget\/)?team\/\[team\]/;

/** The URL to forward to, or null. Built from the route and its decoded params. */
export async function usernameRedirect(
  app: App,
  routeId: string | null,
  params: Partial<Record<string, string>>,
  url: URL,
): Promise<string | null> {
  if (routeId && params.team && TEAM_ROUTE.test(routeId)) {
    if (await getTeamBySlugCached(app.kv, params.team)) return null;
    const team = await getTeamByReleasedSlug(app.kv, params.team, app.now());
    return team ? pathFor(routeId, params, "team", team.slug, url) : null;
  }
  const name = params.username;
  if (!routeId || !name || !GUEST_ROUTE.test(routeId)) return null;
  const exact = await getUserByUsernameCached(app.kv, name);
  if (exact) {
    // "/calendar/DEMO/" is demo's page: one spelling per page.
    return exact.username === name
      ? null
      : pathFor(routeId, params, "username", exact.username, url);
  }
  const owner = await getUserByReleasedUsername(app.kv, name, app.now());
  return owner ? pathFor(routeId, params, "username", owner.username, url) : null;
}

function pathFor(
  routeId: string,
  params: Partial<Record<string, string>>,
  param: "username" | "team",
  name: string,
  url: URL,
): string {
  let path = routeId.replace(
    /\[(\w+)\]/g,
    (_, key: string) => encodeURIComponent(key === param ? name : params[key] ?? ""),
  );
  if (url.pathname.endsWith("/") && !path.endsWith("/")) path += "/";
  return path + url.search;
}
