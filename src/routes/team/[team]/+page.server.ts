import { error } from "@sveltejs/kit";
import type { PageServerLoad } from "./$types";
import { getTeamPage } from "$lib/server/services/public-calendar.ts";
import { pageMeta } from "$lib/server/http/page-meta.ts";

export const trailingSlash = "ignore";

export const load: PageServerLoad = async (event) => {
  const { locals, params } = event;
  const page = await getTeamPage(locals.app, params.team.toLowerCase(), locals.locale);
  if (!page) error(404, locals.t.t("errors.no_booking_page"));
  const t = locals.t.t;
  return {
    ...page,
    meta: pageMeta(event, {
      title: `${t("host_page.title", { host: page.team.name })} · Invito`,
      description: t("meta.host_description", { host: page.team.name }),
    }),
  };
};
