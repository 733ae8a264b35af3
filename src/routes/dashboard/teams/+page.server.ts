import { error, fail, redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import {
  ANSWER_MESSAGES,
  answerInvite,
  invitationsFor,
} from "$lib/server/services/team-invites.ts";
import { createTeam, listMyTeams } from "$lib/server/services/teams.ts";
import { listTimeZones } from "$lib/server/domain/time-zone.ts";
import { readFields } from "$lib/shared/field-bounds.ts";
import { readTeamForm } from "$lib/shared/team-forms.ts";
import { translateRef, translateRefs } from "$lib/shared/i18n.ts";

export const load: PageServerLoad = async ({ locals, url }) => {
  const user = locals.user!;
  const teams = await listMyTeams(locals.app, user);
  return {
    teams: teams.map(({ team, role }) => ({
      id: team.id,
      name: team.name,
      slug: team.slug,
      role,
      members: team.members.length,
    })),
    invitations: await invitationsFor(locals.app, user),
    zones: listTimeZones(),
    left: url.searchParams.get("left") === "1",
    deleted: url.searchParams.get("deleted") === "1",
    declinedByLink: url.searchParams.get("declined") === "1",
  };
};

export const actions: Actions = {
  create: async ({ request, locals }) => {
    const values = readTeamForm(await request.formData());
    const res = await createTeam(locals.app, locals.user!, values);
    if (!res.ok) return fail(400, { values, errors: translateRefs(locals.t, res.errors) });
    redirect(303, `/dashboard/teams/${res.team.id}?created=1`);
  },
  /** Accept or decline an invitation listed here (by the signed-in user's own address). */
  answer: async ({ request, locals }) => {
    const { teamId, inviteId, accept } = readFields(await request.formData(), {
      teamId: "id",
      inviteId: "id",
      accept: "choice",
    });
    const res = await answerInvite(locals.app, locals.user!, { teamId, inviteId }, accept === "1");
    if (!res.ok && res.reason === "not_found") {
      error(404, translateRef(locals.t, ANSWER_MESSAGES.not_found));
    }
    if (!res.ok) {
      return fail(409, { answerError: translateRef(locals.t, ANSWER_MESSAGES[res.reason]) });
    }
    if (accept === "1") redirect(303, `/dashboard/teams/${res.teamId}?joined=1`);
    return { declined: true };
  },
};
