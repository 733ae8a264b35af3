import type { RequestHandler } from "./$types";
import { llmsTxt } from "$lib/server/services/agent-pages.ts";

export const GET: RequestHandler = ({ locals }) =>
  new Response(llmsTxt(locals.app), {
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "max-age=300" },
  });
