/**
 * Old links keep working after a host renames (issue 10, #11): a guest page addressed to a
 * username its owner gave up forwards to their current one while the name is held for them
 * (domain/username.ts); a team's pages under a slug it gave up forward to its current slug
 * (issue 22). That is every page under a name: booking pages and widgets, routing forms (a
 * host's or a team's, page and widget) and the markdown pages for agents (`/calendar/ann.md`,
 * `/calendar/ann/intro.md`). The JSON API and MCP ask `renamedHost` for a host's current name.
 * A closed account's name is held for nobody: its links answer 404. Checked only when the name
 * belongs to nobody now, so a live host's pages cost nothing extra.
 */
import type { App } from "../app.ts";
import { getUserByReleasedUsername, getUserByUsernameCached } from "../store/users.ts";
import { getTeamByReleasedSlug, getTeamBySlugCached } from "../store/teams.ts";

const GUEST_ROUTE = /^\/(calendar|widget)\/\[username\]/;
/** A team's pages: a slug the team gave up forwards to its current one the same way. */
const TEAM_ROUTE = /^\/(widget\/)?team\/\[team\]/;
/** Routing forms: `{owner}` is a host's username or a team's slug (one namespace, ADR 016). */
const FORM_ROUTE = /^\/(widget\/)?forms\/\[owner\]/;
/** A host's markdown page, `/calendar/{user}.md`: the suffix is not part of the name. */
const HOST_MARKDOWN_ROUTE = "/calendar/[username]";
const MD = ".md";

/**
 * The current username of the host who gave up `name` and still holds it (ADR 011), or null:
 * for a name someone has now, a team's old slug, a closed account's name or a hold that ended.
 */
export async function renamedHost(app: App, name: string): Promise<string | null> {
  return (await getUserByReleasedUsername(app.kv, name, app.now()))?.username ?? null;
}

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
  if (routeId && params.owner && FORM_ROUTE.test(routeId)) {
    const to = await renamedOwner(app, params.owner);
    return to ? pathFor(routeId, params, "owner", to, url) : null;
  }
  const param = params.username;
  if (!routeId || !param || !GUEST_ROUTE.test(routeId)) return null;
  const suffix = routeId === HOST_MARKDOWN_ROUTE && param.toLowerCase().endsWith(MD) ? MD : "";
  const name = param.slice(0, param.length - suffix.length);
  const exact = await getUserByUsernameCached(app.kv, name);
  if (exact) {
    // "/calendar/DEMO/" is demo's page: one spelling per page.
    return exact.username === name
      ? null
      : pathFor(routeId, params, "username", exact.username + suffix, url);
  }
  const owner = await renamedHost(app, name);
  return owner ? pathFor(routeId, params, "username", owner + suffix, url) : null;
}

/**
 * A form owner's current name when `name` is one they gave up (a host's username or a team's
 * slug), or null — also when someone has the name now.
 */
async function renamedOwner(app: App, name: string): Promise<string | null> {
  const [user, team] = await Promise.all([
    getUserByUsernameCached(app.kv, name),
    getTeamBySlugCached(app.kv, name),
  ]);
  if (user || team) return null;
  return await renamedHost(app, name) ??
    (await getTeamByReleasedSlug(app.kv, name, app.now()))?.slug ?? null;
}

function pathFor(
  routeId: string,
  params: Partial<Record<string, string>>,
  param: "username" | "team" | "owner",
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
