import { json } from "@sveltejs/kit";
import type { RequestHandler } from "./$types";
import { keys } from "$lib/server/store/keys.ts";

export const GET: RequestHandler = async ({ locals }) => {
  try {
    await locals.app.kv.get(keys.meta("health"));
    return json({ ok: true }, { headers: { "cache-control": "no-store" } });
  } catch {
    return json({ ok: false, error: "database unavailable" }, { status: 503 });
  }
};
