import { error, redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { deleteEventType, findEventType } from "$lib/server/services/event-types.ts";

/** The confirm step for deleting an event type; the list and editor open it as a dialog when they can. */
export const load: PageServerLoad = async ({ locals, params }) => {
  const record = await findEventType(locals.app, locals.user!, params.id);
  if (!record) error(404, locals.t.t("errors.not_found_heading"));
  return { id: record.id, title: record.title, slug: record.slug };
};

export const actions: Actions = {
  default: async ({ locals, params }) => {
    const deleted = await deleteEventType(locals.app, locals.user!, params.id);
    if (!deleted) error(404, locals.t.t("errors.not_found_heading"));
    redirect(303, "/dashboard/event-types?deleted=1");
  },
};
