import type { RequestHandler } from "./$types";
import { exportHostJson } from "$lib/server/services/host-data.ts";
import { textStream } from "$lib/server/http/text-stream.ts";

/** Everything that is the signed-in host's, as one JSON file (streamed: bookings may be many). */
export const GET: RequestHandler = ({ locals }) => {
  const user = locals.user!;
  return new Response(textStream(exportHostJson(locals.app, user)), {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="invito-${user.username}.json"`,
      "cache-control": "no-store",
    },
  });
};
