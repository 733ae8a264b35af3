import type { RequestHandler } from "./$types";
import { feedForToken } from "$lib/server/services/ics-feed.ts";

/** A host's secret calendar subscription (webcal). Unknown and retired tokens look the same. */
export const GET: RequestHandler = async ({ locals, params }) => {
  const body = await feedForToken(locals.app, params.token);
  if (body === null) {
    return new Response("There is no calendar at this address.", {
      status: 404,
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    });
  }
  return new Response(body, {
    headers: {
      "content-type": "text/calendar; charset=utf-8",
      "cache-control": "no-store",
      "content-disposition": 'inline; filename="invito.ics"',
    },
  });
};
