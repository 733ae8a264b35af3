import { error } from "@sveltejs/kit";
import type { PageServerLoad } from "./$types";
import { viewByToken } from "$lib/server/services/booking-view.ts";
import { formatDuration } from "$lib/shared/format.ts";

export const load: PageServerLoad = async ({ locals, params, setHeaders }) => {
  setHeaders({ "cache-control": "no-store" });
  const view = await viewByToken(locals.app, params.token, "guest", locals.locale);
  if (!view) error(404, locals.t.t("errors.link_invalid"));
  return {
    view,
    token: params.token,
    ttlText: formatDuration(locals.app.config.bookingTtlMs, locals.locale),
  };
};
