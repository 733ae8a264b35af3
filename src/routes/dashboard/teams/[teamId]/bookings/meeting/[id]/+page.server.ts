/**
 * The step before a team's seated meeting is cancelled whole (a link from its row on the team's
 * bookings): what goes, and one press — a page of its own, so it asks without scripts too.
 */
import { error, fail, redirect } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import { cancelTeamMeeting, teamMeetingToCancel } from "$lib/server/services/team-dashboard.ts";
import { CancelReason } from "$lib/server/http/booking-decisions.ts";
import { translateRef, type Translator } from "$lib/shared/i18n.ts";

/** A refusal as the page answers it ("not_supported": not a seat, as good as none). */
function refused(t: Translator, reason: string): never {
  if (reason === "forbidden") error(403, t.t("team.bookings_forbidden"));
  if (reason === "cancelled") error(409, t.t("seated.nothing_to_cancel"));
  error(404, t.t("bookings.no_such"));
}

export const load: PageServerLoad = async ({ locals, params }) => {
  const res = await teamMeetingToCancel(
    locals.app,
    locals.user!,
    params.teamId,
    params.id,
    locals.locale,
  );
  if (!res.ok) refused(locals.t, res.reason);
  return { time: res.time, organiser: res.organiser };
};

export const actions: Actions = {
  default: async ({ request, locals, params }) => {
    const form = Object.fromEntries(await request.formData());
    const parsed = v.safeParse(v.object({ reason: CancelReason }), form);
    if (!parsed.success) {
      return fail(400, {
        error: translateRef(locals.t, parsed.issues[0].message),
        reason: typeof form.reason === "string" ? form.reason.slice(0, 2000) : "",
      });
    }
    const res = await cancelTeamMeeting(
      locals.app,
      locals.user!,
      params.teamId,
      params.id,
      parsed.output.reason,
    );
    if (!res.ok) refused(locals.t, res.reason);
    redirect(303, `/dashboard/teams/${params.teamId}/bookings?meeting_cancelled=${res.cancelled}`);
  },
};
