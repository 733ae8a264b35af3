/** The dashboard's booking actions, shared by the pages that list bookings. */
import { error, fail, type RequestEvent } from "@sveltejs/kit";
import * as v from "valibot";
import { isMultiLineText } from "../../shared/text.ts";
import { decideBooking, requestNewTime } from "../services/decide-booking.ts";
import { cancelSeatedMeeting } from "../services/cancel-meeting.ts";
import { BUSY_STATUS, retryLater } from "./busy.ts";
import { messageRef, translateRef } from "../../shared/i18n.ts";
import { refusalKey } from "../../shared/refusals.ts";
import { formatDateTime, hostClock } from "../../shared/format.ts";
import type { SeriesFailure } from "../services/decide-results.ts";

/** The reason a host gives the guest(s) for a cancel ("" when none). */
export const CancelReason = v.optional(
  v.pipe(
    v.string(),
    v.maxLength(500, messageRef("manage.reason_too_long")),
    v.check(isMultiLineText, messageRef("manage.reason_bad_characters")),
  ),
  "",
);

const Decision = v.object({
  id: v.pipe(v.string(), v.regex(/^[0-9A-Z]{26}$/, messageRef("bookings.unknown"))),
  /** A series' date: cancel it alone ("one") or with the later dates ("rest"). */
  scope: v.optional(v.picklist(["one", "rest"], messageRef("bookings.unknown")), "one"),
  reason: CancelReason,
});

/**
 * The host confirms, rejects or cancels one of their bookings from a list (Bookings, or Home,
 * which answers a request in place).
 */
export function decisionAction(action: "confirm" | "reject" | "cancel") {
  return async ({ request, locals, setHeaders }: RequestEvent) => {
    const parsed = v.safeParse(Decision, Object.fromEntries(await request.formData()));
    if (!parsed.success) {
      return fail(400, { error: translateRef(locals.t, parsed.issues[0].message), id: null });
    }
    const { id, reason, scope } = parsed.output;
    const res = await decideBooking(locals.app, id, action, "host", {
      hostId: locals.user!.id,
      reason: reason || undefined,
      scope,
    });
    if (!res.ok && res.reason === "not_found") error(404, locals.t.t("bookings.no_such"));
    if (!res.ok && res.reason === "busy") {
      retryLater(setHeaders);
      return fail(BUSY_STATUS, { error: locals.t.t(refusalKey("busy")), id });
    }
    // A series' press that could not reach every date names them (services/series-bookings.ts).
    const dates = res.failed?.length ? failedDates(locals, res.failed) : "";
    if (!res.ok && res.reason === "series_partial") {
      retryLater(setHeaders);
      const words = `${locals.t.t(refusalKey(res.reason))} ${
        locals.t.t("bookings.series_not_decided", { dates })
      }`;
      return fail(409, { error: words, id });
    }
    if (!res.ok) {
      return fail(409, { error: locals.t.t(refusalKey(res.reason, "bookings.did_not_work")), id });
    }
    if (dates) {
      return { done: action, id, error: locals.t.t("bookings.series_some_failed", { dates }) };
    }
    return { done: action, id };
  };
}

/** The dates of a series a press could not change, in the host's zone, each with why. */
function failedDates(locals: App.Locals, failed: SeriesFailure[]): string {
  const host = locals.user!;
  const clock = hostClock(host, locals.locale);
  return failed.map((f) =>
    `${formatDateTime(f.startMs, host.timeZone, clock, locals.locale)} (${
      locals.t.t(refusalKey(f.reason, "bookings.did_not_work"))
    })`
  ).join("; ");
}

/** The host cancels a confirmed booking and asks the guest to pick a new time (issue 28). */
export async function requestNewTimeAction({ request, locals, setHeaders }: RequestEvent) {
  const parsed = v.safeParse(Decision, Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    return fail(400, { error: translateRef(locals.t, parsed.issues[0].message), id: null });
  }
  const { id, reason } = parsed.output;
  const res = await requestNewTime(locals.app, locals.user!.id, id, reason);
  if (!res.ok && res.reason === "not_found") error(404, locals.t.t("bookings.no_such"));
  if (!res.ok && res.reason === "busy") {
    retryLater(setHeaders);
    return fail(BUSY_STATUS, { error: locals.t.t(refusalKey("busy")), id });
  }
  if (!res.ok) {
    return fail(409, { error: locals.t.t(refusalKey(res.reason, "bookings.did_not_work")), id });
  }
  return { done: "request" as const, id };
}

/**
 * The host cancels a whole seated meeting from its row (any of its seats names it), with one
 * reason for every guest (services/cancel-meeting.ts).
 */
export async function cancelMeetingAction({ request, locals }: RequestEvent) {
  const parsed = v.safeParse(Decision, Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    return fail(400, { error: translateRef(locals.t, parsed.issues[0].message), id: null });
  }
  const { id, reason } = parsed.output;
  const res = await cancelSeatedMeeting(locals.app, locals.user!.id, id, reason);
  if (!res.ok && res.reason === "not_found") error(404, locals.t.t("bookings.no_such"));
  if (!res.ok) {
    return fail(409, { error: locals.t.t(refusalKey(res.reason, "bookings.did_not_work")), id });
  }
  return { done: "meeting" as const, id, count: res.cancelled };
}
