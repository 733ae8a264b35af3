import { json } from "@sveltejs/kit";
import type { RequestHandler } from "./$types";
import { suggestTimeZones } from "$lib/server/domain/time-zone-search.ts";

/**
 * The time zone combobox's list: `?q=tokyo` → `{ matches: [{ zone, label }] }` in the page's
 * language. Read-only and public (guests pick their zone before signing anything).
 */
export const GET: RequestHandler = ({ url, locals }) => {
  const q = (url.searchParams.get("q") ?? "").slice(0, 80);
  const matches = q.trim()
    ? suggestTimeZones(q, { nowMs: locals.app.now(), locale: locals.locale })
    : [];
  return json({ matches }, { headers: { "cache-control": "public, max-age=3600" } });
};
