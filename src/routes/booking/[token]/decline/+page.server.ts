import { error, fail } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { declineState } from "$lib/server/services/guest-manage.ts";
import { declineByInvitee } from "$lib/server/services/decide-booking.ts";
import { BUSY_STATUS, retryLater } from "$lib/server/http/busy.ts";
import { refusalKey } from "$lib/shared/refusals.ts";

/** One of the host's invitees says they cannot come, from their own link (ADR 050). */
export const load: PageServerLoad = async ({ locals, params, setHeaders }) => {
  setHeaders({ "cache-control": "no-store" });
  const state = await declineState(locals.app, params.token, locals.locale);
  if (!state) error(404, locals.t.t("errors.link_invalid"));
  return { ...state };
};

export const actions: Actions = {
  default: async ({ locals, params, setHeaders }) => {
    const res = await declineByInvitee(locals.app, params.token);
    // The last invitee to decline cancelled the meeting.
    if (res.ok) return { declined: true, ended: res.booking.status === "CANCELLED" };
    if (res.reason === "not_found") error(404, locals.t.t("errors.link_invalid"));
    if (res.reason === "busy") {
      retryLater(setHeaders);
      return fail(BUSY_STATUS, { error: locals.t.t(refusalKey("busy")) });
    }
    const state = await declineState(locals.app, params.token, locals.locale);
    return fail(409, { error: state?.blocked || locals.t.t("manage.cannot_cancel") });
  },
};
