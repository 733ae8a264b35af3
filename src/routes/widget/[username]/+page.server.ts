import { error } from "@sveltejs/kit";
import type { PageServerLoad } from "./$types";
import { getHostPage } from "$lib/server/services/public-calendar.ts";

export const trailingSlash = "ignore";

export const load: PageServerLoad = async ({ locals, params }) => {
  const page = await getHostPage(locals.app, params.username.toLowerCase(), locals.locale);
  if (!page) error(404, locals.t.t("errors.no_booking_page"));
  return page;
};
