/**
 * An invitee declines the meeting the host invited them to (a meeting poll's pick; ADR 050,
 * amendment "declining"): they leave it, the others keep it. One guarded write of the booking
 * (its versionstamp checked: two declines at once are one after the other, each on what the
 * other left) with its mails, calendar update and webhook. The last attendee declining is the
 * booking's cancel (transition.ts goes on with the marked booking), in the same write.
 */
import type { BookingRecord } from "../model/records.ts";
import type { KvLimits } from "../kv-budget.ts";
import {
  attendeeOf,
  attendeesOf,
  hasDeclined,
  inviteesDecline,
  withDeclined,
} from "../attendees.ts";
import { calendarMayHold } from "../calendar-identity.ts";
import { Draft } from "./draft.ts";
import { writeExtras, writeUpdatedBooking } from "./core.ts";
import { hostsOf, laneOf, type PlannedJob } from "./effects.ts";
import type { Change, PlanResult, Snapshot, Versioned } from "./types.ts";

export type DeclinePlan =
  | { done: true; result: PlanResult }
  | { done: false; booking: BookingRecord; jobs: PlannedJob[] };

export function planDecline(
  s: Snapshot,
  current: Versioned<BookingRecord> & { value: BookingRecord },
  change: Extract<Change, { kind: "transition" }>,
  email: string,
  nowMs: number,
  limits: KvLimits,
): DeclinePlan {
  const b = current.value;
  const d = new Draft(s.keyOf);
  const refuse = (reason: "not_found" | "not_supported"): DeclinePlan => ({
    done: true,
    result: { ok: false, reason },
  });
  if (!inviteesDecline(b) || b.seat || b.series) return refuse("not_supported");
  // An invitee's press takes back their own place, nothing else: confirming or rejecting the
  // meeting is the host's (a confirm from the last one leaving confirmed a meeting nobody attends).
  if (change.action !== "cancel" || change.by !== "guest") return refuse("not_supported");
  // Declined already (a second press, a retry): done, nothing to write.
  if (hasDeclined(b, email)) {
    return {
      done: true,
      result: d.finish("transition", { booking: b, probe: probeOf(current, email) }, limits),
    };
  }
  const listed = attendeeOf(b, email);
  if (!listed) return refuse("not_found");
  const next = withDeclined(b, listed, nowMs);
  const jobs = declineJobs(b, next, listed, nowMs);
  if (attendeesOf(next).length === 0) return { done: false, booking: next, jobs: [jobs[0]] };
  writeUpdatedBooking(d, current, next);
  writeExtras(d, change.extra);
  d.job(...jobs);
  return {
    done: true,
    result: d.finish("transition", { booking: next, probe: probeOf(current, listed) }, limits),
  };
}

/** Landed: the booking read back lists them as declined. */
const probeOf = (current: Versioned<BookingRecord>, email: string) => ({
  key: current.key,
  landed: (v: unknown) => !!v && hasDeclined(v as BookingRecord, email),
});

/**
 * The decline's effects: their copy's CANCEL (first: the one a last decline keeps), the host's
 * mail naming them, the host's calendar entry without them, and `booking.updated`.
 */
function declineJobs(
  before: BookingRecord,
  after: BookingRecord,
  email: string,
  nowMs: number,
): PlannedJob[] {
  const out: PlannedJob[] = [];
  const now = (payload: PlannedJob["payload"]) => out.push({ payload, dueMs: nowMs });
  const forPerson = (p: string | undefined) => (p ? { personId: p } : {});
  now({ kind: "booking_mail", mail: "attendee_declined", bookingId: after.id, attendee: email });
  for (const p of hostsOf(after)) {
    now({
      kind: "booking_mail",
      mail: "host_declined",
      bookingId: after.id,
      attendee: email,
      ...forPerson(p),
    });
  }
  if (calendarMayHold(before)) {
    for (const p of hostsOf(after)) {
      now({ kind: "writeback", op: "put", bookingId: after.id, ...forPerson(p) });
    }
  }
  now({
    kind: "webhook_event",
    bookingId: after.id,
    event: "booking.updated",
    seq: after.history.length,
    by: "guest",
  });
  const lane = laneOf(after);
  return lane ? out.map((j) => ({ ...j, lane })) : out;
}
