import { error } from "@sveltejs/kit";
import type { PageServerLoad } from "./$types";
import { getHostPage } from "$lib/server/services/public-calendar.ts";
import { pageMeta } from "$lib/server/http/page-meta.ts";
import { initialsOf } from "$lib/server/domain/team-membership.ts";

export const load: PageServerLoad = async (event) => {
  const { locals, params } = event;
  const page = await getHostPage(locals.app, params.username.toLowerCase(), locals.locale);
  if (!page) error(404, locals.t.t("errors.no_booking_page"));
  const t = locals.t.t;
  return {
    ...page,
    // The avatar without a photo: initials as team pages show them (a leading emoji kept whole).
    initials: initialsOf(page.host.name),
    meta: pageMeta(event, {
      title: `${t("host_page.title", { host: page.host.name })} · Invito`,
      description: t("meta.host_description", { host: page.host.name }),
    }),
  };
};
export const trailingSlash = "ignore";
