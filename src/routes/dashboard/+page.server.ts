import { redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { listOwnEventTypes } from "$lib/server/services/event-types.ts";
import { decisionAction } from "$lib/server/http/booking-decisions.ts";
import { hostHome } from "$lib/server/services/host-home.ts";
import { invitationsFor } from "$lib/server/services/team-invites.ts";

export const load: PageServerLoad = async ({ locals }) => {
  const user = locals.user!;
  // A new host first gets the short setup (which they may skip).
  if (user.onboarding === "pending") redirect(303, "/dashboard/setup");
  const [types, home] = await Promise.all([
    listOwnEventTypes(locals.app, user),
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

/** Open requests are answered right here (Confirm, Reject with a message), without leaving Home. */
export const actions: Actions = {
  confirm: decisionAction("confirm"),
  reject: decisionAction("reject"),
};
