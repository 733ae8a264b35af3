import { error } from "@sveltejs/kit";
import type { LayoutServerLoad } from "./$types";
import { hostClock } from "$lib/shared/format.ts";

export const load: LayoutServerLoad = ({ locals }) => {
  // hooks answer 404 to anyone but an admin; this keeps the type of `user` non-null below.
  const u = locals.user;
  if (!u) error(404, locals.t.t("errors.not_found_heading"));
  return {
    me: {
      id: u.id,
      name: u.name,
      email: u.email,
      timeZone: u.timeZone,
      clock: hostClock(u, locals.t.locale),
    },
  };
};

// "/admin/" must answer exactly what "/admin" answers (a 308 to the plain spelling would tell a
// non-admin that the area exists): the gate in hooks judges every spelling.
export const trailingSlash = "ignore";
