import { error } from "@sveltejs/kit";
import type { PageServerLoad } from "./$types";
import { viewByToken } from "$lib/server/services/booking-view.ts";
import { describeDuration } from "$lib/server/config.ts";

export const load: PageServerLoad = async ({ locals, params, setHeaders, url }) => {
  setHeaders({ "cache-control": "no-store" });
  const view = await viewByToken(locals.app, params.token, "guest");
  if (!view) error(404, "This booking link is not valid.");
  return {
    view,
    token: params.token,
    ttlText: describeDuration(locals.app.config.bookingTtlMs),
    moved: url.searchParams.has("moved"),
  };
};
