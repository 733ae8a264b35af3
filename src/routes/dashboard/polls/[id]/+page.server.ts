import { error, fail, redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { closePoll, pollMatrix, switchOnPollEventType } from "$lib/server/services/polls.ts";
import { pickPollTime } from "$lib/server/services/poll-pick.ts";
import { refusalKey } from "$lib/shared/refusals.ts";
import { translateRef } from "$lib/shared/i18n.ts";
import { BUSY_STATUS, retryLater } from "$lib/server/http/busy.ts";

export const load: PageServerLoad = async ({ locals, params, setHeaders, depends }) => {
  setHeaders({ "cache-control": "no-store" });
  // The open page asks again every few seconds (+page.svelte): new answers appear without a
  // reload, and only this load runs for it.
  depends("app:poll-matrix");
  const m = await pollMatrix(locals.app, locals.user!, params.id, locals.locale);
  if (!m) error(404, locals.t.t("poll.not_found"));
  return { poll: m };
};

export const actions: Actions = {
  pick: async ({ locals, params, request, setHeaders }) => {
    const data = await request.formData();
    const text = (k: string, max: number) => {
      const v = data.get(k);
      return typeof v === "string" ? v.slice(0, max) : undefined;
    };
    const values = { location: text("location", 2) ?? "", phone: text("phone", 30) ?? "" };
    const res = await pickPollTime(locals.app, locals.user!, params.id, text("start", 40) ?? "", {
      locationChoice: values.location,
      phone: values.phone,
    });
    if (res.ok) redirect(303, `/dashboard/bookings?booked=${res.bookingId}`);
    if (res.reason === "not_found") error(404, locals.t.t("poll.not_found"));
    if (res.reason === "invalid_answers") {
      const errors = Object.fromEntries(
        Object.entries(res.errors).map(([k, m]) => [k, translateRef(locals.t, m)]),
      );
      return fail(400, { error: Object.values(errors)[0] ?? "", errors, values });
    }
    if (res.reason === "busy") retryLater(setHeaders);
    const key = res.reason === "closed"
      ? "poll.closed"
      : res.reason === "no_votes"
      ? "poll.no_votes"
      : refusalKey(res.reason);
    return fail(res.reason === "busy" ? BUSY_STATUS : 409, {
      error: locals.t.t(key),
      errors: {} as Record<string, string>,
      values,
    });
  },
  /** The poll's event type was switched off: switched on here, the host can pick again. */
  switchOn: async ({ locals, params }) => {
    const res = await switchOnPollEventType(locals.app, locals.user!, params.id);
    if (!res.ok) error(404, locals.t.t("poll.not_found"));
    redirect(303, `/dashboard/polls/${params.id}`);
  },
  close: async ({ locals, params }) => {
    const res = await closePoll(locals.app, locals.user!, params.id);
    if (!res.ok && res.reason === "not_found") error(404, locals.t.t("poll.not_found"));
    if (!res.ok) {
      return fail(409, {
        error: locals.t.t("poll.closed"),
        errors: {} as Record<string, string>,
        values: { location: "", phone: "" },
      });
    }
    redirect(303, `/dashboard/polls/${params.id}`);
  },
};
