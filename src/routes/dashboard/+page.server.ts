import { redirect } from "@sveltejs/kit";
import type { PageServerLoad } from "./$types";
import { listEventTypes } from "$lib/server/store/event-types.ts";
import { hostHome } from "$lib/server/services/host-home.ts";
import { invitationsFor } from "$lib/server/services/teams.ts";

export const load: PageServerLoad = async ({ locals }) => {
  const user = locals.user!;
  // A new host first gets the short setup (which they may skip).
  if (user.onboarding === "pending") redirect(303, "/dashboard/setup");
  const [types, home] = await Promise.all([
    listEventTypes(locals.app.kv, user.id),
    hostHome(locals.app, user, locals.t),
  ]);
  return {
    eventTypes: types.map((t) => ({
      id: t.id,
      title: t.title,
      slug: t.slug,
      durationMin: t.durationMin,
      active: t.active,
      color: t.color,
    })),
    home,
    invitations: await invitationsFor(locals.app, user),
  };
};
