import { error, fail } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { manageState } from "$lib/server/services/guest-manage.ts";
import { cancelByGuest } from "$lib/server/services/decide-booking.ts";
import { isMultiLineText } from "$lib/shared/text.ts";
import { BUSY_STATUS, retryLater } from "$lib/server/http/busy.ts";
import { refusalKey } from "$lib/shared/refusals.ts";

export const load: PageServerLoad = async ({ locals, params, setHeaders }) => {
  setHeaders({ "cache-control": "no-store" });
  const state = await manageState(locals.app, params.token, locals.locale, { forCancel: true });
  if (!state.ok) error(404, locals.t.t("errors.link_invalid"));
  // "Book another time" never leads to the event type behind a single-use link.
  return { ...state, slug: state.viaSingleUseLink ? null : state.slug, token: params.token };
};

export const actions: Actions = {
  default: async ({ locals, params, request, setHeaders }) => {
    const form = await request.formData();
    const reason = String(form.get("reason") ?? "");
    // A series' date: this one alone, or this and the later ones.
    const scope = form.get("scope") === "rest" ? "rest" : "one";
    if (reason.length > 500) {
      return fail(400, { reason, error: locals.t.t("manage.reason_too_long") });
    }
    if (!isMultiLineText(reason)) {
      return fail(400, { reason, error: locals.t.t("manage.reason_bad_characters") });
    }
    const res = await cancelByGuest(locals.app, params.token, reason, { scope });
    // A poll meeting's invitee declined: the last one to do so cancelled it (ADR 050).
    // A series' "this and the later dates": how many went, and how many a write could not take
    // (they keep their state in the series list the answer shows).
    if (res.ok) {
      return {
        cancelled: true,
        ended: res.booking.status === "CANCELLED",
        dates: 1 + (res.also?.length ?? 0),
        failed: res.failed?.length ?? 0,
      };
    }
    if (res.reason === "not_found") error(404, locals.t.t("errors.link_invalid"));
    if (res.reason === "busy") {
      retryLater(setHeaders);
      return fail(BUSY_STATUS, { reason, error: locals.t.t(refusalKey("busy")) });
    }
    const state = await manageState(locals.app, params.token, locals.locale, { forCancel: true });
    return fail(409, {
      reason,
      error: (state.ok && state.blocked) || locals.t.t("manage.cannot_cancel"),
    });
  },
};
