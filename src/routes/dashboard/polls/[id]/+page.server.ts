import { error, fail, redirect } from "@sveltejs/kit";
import type { Actions, PageServerLoad } from "./$types";
import { closePoll, pickPollTime, pollMatrix } from "$lib/server/services/polls.ts";
import { refusalKey } from "$lib/shared/refusals.ts";
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
    const start = (await request.formData()).get("start");
    const res = await pickPollTime(
      locals.app,
      locals.user!,
      params.id,
      typeof start === "string" ? start.slice(0, 40) : "",
    );
    if (res.ok) redirect(303, `/dashboard/bookings?booked=${res.bookingId}`);
    if (res.reason === "not_found") error(404, locals.t.t("poll.not_found"));
    if (res.reason === "busy") retryLater(setHeaders);
    const key = res.reason === "closed"
      ? "poll.closed"
      : res.reason === "no_votes"
      ? "poll.no_votes"
      : refusalKey(res.reason);
    return fail(res.reason === "busy" ? BUSY_STATUS : 409, { error: locals.t.t(key) });
  },
  close: async ({ locals, params }) => {
    const res = await closePoll(locals.app, locals.user!, params.id);
    if (!res.ok && res.reason === "not_found") error(404, locals.t.t("poll.not_found"));
    if (!res.ok) return fail(409, { error: locals.t.t("poll.closed") });
    redirect(303, `/dashboard/polls/${params.id}`);
  },
};
