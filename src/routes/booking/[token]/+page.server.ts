import { error } from "@sveltejs/kit";
import type { PageServerLoad } from "./$types";
import { manageState } from "$lib/server/services/guest-manage.ts";
import { formatDuration } from "$lib/shared/format.ts";

export const load: PageServerLoad = async ({ locals, params, setHeaders }) => {
  setHeaders({ "cache-control": "no-store" });
  // The booking, and whether its guest may still change it (what its reschedule and cancel
  // pages would say): the page offers only what those pages would do.
  const state = await manageState(locals.app, params.token, locals.locale);
  if (!state.ok) error(404, locals.t.t("errors.link_invalid"));
  return {
    view: state.view,
    token: params.token,
    changesClosed: state.changesClosed,
    declines: state.declines,
    hostMoves: state.hostMoves,
    ttlText: formatDuration(locals.app.config.bookingTtlMs, locals.locale),
  };
};
