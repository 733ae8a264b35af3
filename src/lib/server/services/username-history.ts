/**
 * Old links keep working after a host renames (issue 10, #11): a guest page addressed to a
 * username its owner gave up forwards to their current one while the name is held for them
 * (domain/username.ts). Checked only when the name belongs to nobody now, so a live host's
 * pages cost nothing extra.
 */
import type { App } from "../app.ts";
import { getUserByReleasedUsername, getUserByUsernameCached } from "../store/users.ts";

const GUEST_ROUTE = /^\/(calendar|widget)\/\[username\]/;

/** The URL to forward to, or null. Built from the route and its decoded params. */
export async function usernameRedirect(
  app: App,
  routeId: string | null,
  params: Partial<Record<string, string>>,
  url: URL,
): Promise<string | null> {
  const name = params.username;
  if (!routeId || !name || !GUEST_ROUTE.test(routeId)) return null;
  const exact = await getUserByUsernameCached(app.kv, name);
  if (exact) {
    // "/calendar/DEMO/" is demo's page: one spelling per page.
    return exact.username === name ? null : pathFor(routeId, params, exact.username, url);
  }
  const owner = await getUserByReleasedUsername(app.kv, name, app.now());
  return owner ? pathFor(routeId, params, owner.username, url) : null;
}

function pathFor(
  routeId: string,
  params: Partial<Record<string, string>>,
  username: string,
  url: URL,
): string {
  let path = routeId.replace(
    /\[(\w+)\]/g,
    (_, key: string) => encodeURIComponent(key === "username" ? username : params[key] ?? ""),
  );
  if (url.pathname.endsWith("/") && !path.endsWith("/")) path += "/";
  return path + url.search;
}
