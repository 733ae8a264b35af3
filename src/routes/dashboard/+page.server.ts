import type { PageServerLoad } from "./$types";
import { listEventTypes } from "$lib/server/store/event-types.ts";
import { invitationsFor } from "$lib/server/services/teams.ts";

export const load: PageServerLoad = async ({ locals }) => {
  const types = await listEventTypes(locals.app.kv, locals.user!.id);
  return {
    eventTypes: types.map((t) => ({
      id: t.id,
      title: t.title,
      slug: t.slug,
      durationMin: t.durationMin,
      active: t.active,
      color: t.color,
    })),
    invitations: await invitationsFor(locals.app, locals.user!),
  };
};
