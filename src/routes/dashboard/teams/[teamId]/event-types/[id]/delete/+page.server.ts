import { error, redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { deleteTeamEventType, findTeamEventType } from "$lib/server/services/team-event-types.ts";

export const load: PageServerLoad = async ({ locals, params }) => {
  const found = await findTeamEventType(locals.app, locals.user!, params.teamId, params.id);
  if (!found) error(404, locals.t.t("errors.not_found_heading"));
  if (found.role !== "owner") error(403, locals.t.t("team.owners_only"));
  return { id: found.et.id, title: found.et.title, slug: found.et.slug };
};

export const actions: Actions = {
  default: async ({ locals, params }) => {
    const res = await deleteTeamEventType(locals.app, locals.user!, params.teamId, params.id);
    if (!res.ok && res.reason === "forbidden") error(403, locals.t.t("team.owners_only"));
    if (!res.ok) error(404, locals.t.t("errors.not_found_heading"));
    redirect(303, `/dashboard/teams/${params.teamId}/event-types?deleted=1`);
  },
};
