import type { RequestHandler } from "./$types";
import { exportHostCsv } from "$lib/server/services/host-data.ts";
import { textStream } from "$lib/server/http/text-stream.ts";

/** The signed-in host's bookings as a spreadsheet (streamed: bookings may be many). */
export const GET: RequestHandler = ({ locals }) => {
  const user = locals.user!;
  return new Response(textStream(exportHostCsv(locals.app, user)), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="invito-${user.username}-bookings.csv"`,
      "cache-control": "no-store",
    },
  });
};
