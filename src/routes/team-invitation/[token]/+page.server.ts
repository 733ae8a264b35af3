import { error, fail, redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import {
  ANSWER_MESSAGES,
  answerInviteByToken,
  inviteByToken,
} from "$lib/server/services/team-invites.ts";
import { formValues } from "$lib/shared/forms/common.ts";
import { translateRef } from "$lib/shared/i18n.ts";

/**
 * The invitation link from the mail. Showing it changes nothing (mail scanners fetch links);
 * accepting or declining is a button press, by the person signed in with the invited address.
 */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  if (!locals.user) redirect(303, `/signin?next=${encodeURIComponent(url.pathname)}`);
  const invite = await inviteByToken(locals.app, params.token);
  if (!invite) error(404, translateRef(locals.t, ANSWER_MESSAGES.not_found));
  return {
    invite: {
      teamName: invite.teamName,
      inviterName: invite.inviterName,
      role: invite.role,
      email: invite.email,
      expired: invite.expired,
    },
    signedInAs: locals.user.email,
    matches: locals.user.email.toLowerCase() === invite.email,
  };
};

export const actions: Actions = {
  default: async ({ request, locals, params, url }) => {
    if (!locals.user) redirect(303, `/signin?next=${encodeURIComponent(url.pathname)}`);
    const { accept } = formValues(await request.formData(), ["accept"], "choice");
    const res = await answerInviteByToken(locals.app, locals.user, params.token, accept === "1");
    if (!res.ok && res.reason === "not_found") {
      error(404, translateRef(locals.t, ANSWER_MESSAGES.not_found));
    }
    if (!res.ok) return fail(409, { message: translateRef(locals.t, ANSWER_MESSAGES[res.reason]) });
    if (accept === "1") redirect(303, `/dashboard/teams/${res.teamId}?joined=1`);
    redirect(303, "/dashboard/teams?declined=1");
  },
};
