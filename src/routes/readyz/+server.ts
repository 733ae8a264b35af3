import { json } from "@sveltejs/kit";
import type { RequestHandler } from "./$types";
import { readiness } from "$lib/server/services/ops-status.ts";

/** Readiness for orchestrators (503 while not ready); /healthz stays the cheap liveness check. */
export const GET: RequestHandler = async ({ locals }) => {
  const r = await readiness(locals.app, locals.app.now());
  return json(r, { status: r.ready ? 200 : 503, headers: { "cache-control": "no-store" } });
};
