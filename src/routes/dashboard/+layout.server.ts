import { redirect } from "@sveltejs/kit";
import type { LayoutServerLoad } from "./$types";
import { hostClock, hostWeekStart } from "$lib/shared/format.ts";
import { isAdmin } from "$lib/server/domain/admin.ts";

export const load: LayoutServerLoad = ({ locals, url }) => {
  // hooks already redirect; this keeps the type of `user` non-null below.
  if (!locals.user) redirect(303, `/signin?next=${encodeURIComponent(url.pathname)}`);
  const u = locals.user;
  return {
    me: {
      id: u.id,
      name: u.name,
      email: u.email,
      username: u.username,
      timeZone: u.timeZone,
      // One clock and one week start for the whole dashboard (Profile changes them).
      clock: hostClock(u, locals.locale),
      weekStart: hostWeekStart(u, locals.locale),
    },
    baseUrl: locals.app.config.baseUrl.href.replace(/\/$/, ""),
    /** The admin area is linked for admins only (everyone else gets 404 there). */
    isAdmin: isAdmin(locals.app.config.admins, u),
  };
};
