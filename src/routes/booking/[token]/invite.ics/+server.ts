import { error } from "@sveltejs/kit";
import type { RequestHandler } from "./$types";
import { icsForGuestToken } from "$lib/server/services/booking-view.ts";

export const GET: RequestHandler = async ({ locals, params }) => {
  const ics = await icsForGuestToken(locals.app, params.token);
  if (!ics) error(404, locals.t.t("errors.no_confirmed_booking"));
  return new Response(ics.body, {
    headers: {
      "content-type": "text/calendar; charset=utf-8",
      "content-disposition": `attachment; filename="${ics.filename}"`,
      "cache-control": "no-store",
    },
  });
};
