/**
 * The side effects of a booking entering a state: which mails, calendar writes, reminders,
 * follow-ups and webhook events are queued, in the same atomic write as the change, so each
 * happens once per transition.
 */
import type { BookingRecord, MailKind, OutboxPayload, WebhookEvent } from "../store/records.ts";
import { followUpDueTimes, reminderDueTimes } from "./event-rules.ts";
import { calendarMayHold } from "./calendar-identity.ts";

export type PlannedJob = { payload: OutboxPayload; dueMs: number };

export function sideEffects(
  before: BookingRecord | null,
  after: BookingRecord,
  nowMs: number,
): PlannedJob[] {
  const out = peopleEffects(before, after, nowMs);
  // Last in the booking's lane: people's mails go out before the hosts' systems hear of it.
  const event = webhookEvent(before, after);
  if (event) {
    out.push({
      payload: { kind: "webhook_event", bookingId: after.id, event, seq: after.history.length },
      dueMs: nowMs,
    });
  }
  return out;
}

/** Mails, calendar writes, reminders and follow-ups of a change. */
function peopleEffects(
  before: BookingRecord | null,
  after: BookingRecord,
  nowMs: number,
): PlannedJob[] {
  const out: PlannedJob[] = [];
  const now = (payload: OutboxPayload) => out.push({ payload, dueMs: nowMs });
  const mail = (kind: MailKind) => now({ kind: "booking_mail", mail: kind, bookingId: after.id });
  const writeback = (op: "put" | "delete") => now({ kind: "writeback", op, bookingId: after.id });
  const wasConfirmed = before?.status === "CONFIRMED";
  if (after.status === "PENDING" && before === null) {
    mail("host_request");
    mail("guest_pending");
    // A moved meeting: the host's calendar shows the new time as tentative, in place.
    if (after.calendarIssued) writeback("put");
  } else if (after.status === "CONFIRMED" && !wasConfirmed) {
    mail("guest_confirmed");
    mail(before === null ? "host_booked" : "host_confirmed_copy");
    writeback("put");
    for (const { dueMs, r } of reminderDueTimes(after.startMs, after.reminders ?? [], nowMs)) {
      // One job per recipient, so a failure to reach one never resends to the other.
      for (const toHost of r.toHost ? [false, true] : [false]) {
        out.push({
          payload: {
            kind: "reminder",
            bookingId: after.id,
            startMs: after.startMs,
            minutesBefore: r.minutesBefore,
            toHost,
          },
          dueMs,
        });
      }
    }
    // Beside the reminders: sent only if the meeting still took place at this time.
    for (const { dueMs, f } of followUpDueTimes(after.endMs, after.followUps ?? [], nowMs)) {
      out.push({
        payload: {
          kind: "follow_up",
          bookingId: after.id,
          startMs: after.startMs,
          minutesAfter: f.minutesAfter,
        },
        dueMs,
      });
    }
  } else if (after.status === "REJECTED" || after.status === "CANCELLED") {
    // Moved: the successor's own mails and calendar write move the meeting.
    if (after.endReason === "rescheduled") return out;
    const inCalendars = calendarMayHold(after);
    if (after.status === "REJECTED") mail("guest_rejected");
    else if (after.endReason === "expired") mail("guest_expired");
    else mail("guest_cancelled");
    // The host hears of a guest's cancellation, and of any end of a meeting their calendar holds
    // (with its CANCEL); a request that expired unanswered tells them too.
    if (after.endReason === "cancelled_by_guest" || inCalendars) mail("host_cancelled");
    else if (after.endReason === "expired") mail("host_expired");
    if (inCalendars) writeback("delete");
  }
  return out;
}

/**
 * The webhook event of a change. A reschedule is one event, on the new booking (which names the
 * one it replaced); the retired booking sends none.
 */
export function webhookEvent(
  before: BookingRecord | null,
  after: BookingRecord,
): WebhookEvent | null {
  if (before === null) {
    if (after.rescheduledFromId) return "booking.rescheduled";
    return after.status === "PENDING" ? "booking.requested" : "booking.confirmed";
  }
  if (before.status === after.status) return null;
  if (after.status === "CONFIRMED") return "booking.confirmed";
  if (after.status === "REJECTED") return "booking.rejected";
  if (after.status === "CANCELLED") {
    if (after.endReason === "rescheduled") return null;
    return after.endReason === "expired" ? "booking.expired" : "booking.cancelled";
  }
  return null;
}
