import { json } from "@sveltejs/kit";
import type { RequestHandler } from "./$types";
import { FIELD_MAX } from "$lib/shared/field-bounds.ts";
import { holidayRegions } from "$lib/server/services/holidays.ts";

/** The regions of a country with their own public holidays, for the import form's second list. */
export const GET: RequestHandler = ({ url, locals }) => {
  const country = (url.searchParams.get("country") ?? "").slice(0, FIELD_MAX.code + 1);
  return json(holidayRegions(country, locals.locale), {
    headers: { "cache-control": "private, max-age=3600" },
  });
};
