import { fail } from "@sveltejs/kit";
import * as v from "valibot";
import type { Actions, PageServerLoad } from "./$types";
import {
  listBookingPageForHost,
  PAST_PAGE,
  retryDelivery,
  type StatusFilter,
} from "$lib/server/services/host-bookings.ts";
import { messageRef, translateRef } from "$lib/shared/i18n.ts";
import { foldSeatedRows } from "$lib/server/services/seated-times.ts";
import {
  cancelMeetingAction,
  decisionAction,
  requestNewTimeAction,
} from "$lib/server/http/booking-decisions.ts";

const FILTERS: StatusFilter[] = ["all", "pending", "confirmed", "rejected", "cancelled"];

export const load: PageServerLoad = async ({ locals, url }) => {
  const f = url.searchParams.get("status") ?? "all";
  const filter = (FILTERS as string[]).includes(f) ? (f as StatusFilter) : "all";
  // A search by the guest's name or address (a plain GET form: works without scripts).
  const q = (url.searchParams.get("q") ?? "").trim().slice(0, 200);
  // How many past bookings to show ("Show older" adds a page); anything else: the first page.
  const asked = Number(url.searchParams.get("past"));
  const pastShown = Number.isInteger(asked) && asked > PAST_PAGE && asked <= 1_000_000
    ? asked
    : PAST_PAGE;
  const list = await listBookingPageForHost(
    locals.app,
    locals.user!,
    filter,
    locals.locale,
    q,
    pastShown,
    // A link to one booking (a routing form's response): the page of the list that holds it.
    url.searchParams.get("booking")?.slice(0, 26),
  );
  return {
    filter,
    filters: FILTERS,
    q,
    /** Back from moving a booking (the move page redirects here). */
    moved: url.searchParams.has("moved"),
    /** Back from booking for a guest. */
    booked: url.searchParams.has("booked"),
    pastShown: list.pastShown,
    olderPast: list.olderPast,
    // Each seated time is one row with its seats (SeatedTimes), the others one row each.
    ...await foldSeatedRows(locals.app, list.rows),
  };
};

const Retry = v.object({
  job: v.pipe(v.string(), v.regex(/^[0-9A-Z]{26}$/, messageRef("bookings.unknown_job"))),
});

export const actions: Actions = {
  confirm: decisionAction("confirm"),
  reject: decisionAction("reject"),
  cancel: decisionAction("cancel"),
  /** A seated time's row: every seat of its meeting cancelled, one reason for all. */
  cancelMeeting: cancelMeetingAction,
  /** "Ask to reschedule": cancelled with a reason; the guest picks a new time with their link. */
  request: requestNewTimeAction,
  /** A failed mail or calendar write goes back into the queue with a fresh set of retries. */
  retry: async ({ request, locals }) => {
    const parsed = v.safeParse(Retry, Object.fromEntries(await request.formData()));
    if (!parsed.success) {
      return fail(400, { error: translateRef(locals.t, parsed.issues[0].message), id: null });
    }
    const ok = await retryDelivery(locals.app, locals.user!.id, parsed.output.job);
    if (!ok) return fail(409, { error: locals.t.t("bookings.retry_gone"), id: null });
    return { done: "retry" as const, id: null };
  },
};
