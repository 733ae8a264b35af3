import { error } from "@sveltejs/kit";
import type { PageServerLoad } from "./$types";
import { getTeamPage } from "$lib/server/services/public-calendar.ts";

export const trailingSlash = "ignore";

export const load: PageServerLoad = async ({ locals, params }) => {
  const page = await getTeamPage(locals.app, params.team.toLowerCase(), locals.locale);
  if (!page) error(404, locals.t.t("errors.no_booking_page"));
  return page;
};
