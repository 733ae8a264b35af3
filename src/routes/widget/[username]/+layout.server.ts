import { error } from "@sveltejs/kit";
import type { LayoutServerLoad } from "./$types";
import { suspendedHostName } from "$lib/server/services/public-calendar.ts";

/** A suspended host's pages (issue 32): 410 with calm words, rendered by the app's error page. */
export const load: LayoutServerLoad = async ({ locals, params }) => {
  const name = await suspendedHostName(locals.app, params.username);
  if (name !== null) error(410, locals.t.t("host_page.not_taking_bookings", { host: name }));
  return {};
};
