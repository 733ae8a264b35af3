import { json } from "@sveltejs/kit";
import type { RequestHandler } from "./$types";
import { pingDatabase } from "$lib/server/services/ops-status.ts";

export const GET: RequestHandler = async ({ locals }) => {
  try {
    await pingDatabase(locals.app);
    return json({ ok: true }, { headers: { "cache-control": "no-store" } });
  } catch {
    return json({ ok: false, error: "database unavailable" }, { status: 503 });
  }
};
