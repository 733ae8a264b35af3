import { redirect } from "@sveltejs/kit";
import type { LayoutServerLoad } from "./$types";

export const load: LayoutServerLoad = ({ locals, url }) => {
  // hooks already redirect; this keeps the type of `user` non-null below.
  if (!locals.user) redirect(303, `/signin?next=${encodeURIComponent(url.pathname)}`);
  const u = locals.user;
  return {
    me: { id: u.id, name: u.name, email: u.email, username: u.username, timeZone: u.timeZone },
    baseUrl: locals.app.config.baseUrl.href.replace(/\/$/, ""),
  };
};
