import type { RequestHandler } from "./$types";
import { exportHostIcs } from "$lib/server/services/host-data.ts";
import { textStream } from "$lib/server/http/text-stream.ts";

/** The signed-in host's confirmed and pending bookings as an iCalendar file. */
export const GET: RequestHandler = ({ locals }) => {
  const user = locals.user!;
  return new Response(textStream(exportHostIcs(locals.app, user)), {
    headers: {
      "content-type": "text/calendar; charset=utf-8",
      "content-disposition": `attachment; filename="invito-${user.username}-bookings.ics"`,
      "cache-control": "no-store",
    },
  });
};
