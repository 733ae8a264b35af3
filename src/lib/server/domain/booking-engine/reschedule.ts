/**
 * Moving a booking: the old one is retired ("rescheduled") and its successor created in one
 * write, linked both ways; a round-robin booking may move to another member.
 */
import type { BookingRecord } from "../model/records.ts";
import type { KvLimits } from "../kv-budget.ts";
import { isOwnTime, newBookingRecord, nextStep } from "../booking.ts";
import { successorIdentity } from "../calendar-identity.ts";
import { newProviderMeeting } from "../locations.ts";
import { handoverEffects, sideEffects } from "./effects.ts";
import { Draft } from "./draft.ts";
import {
  block,
  bookingExists,
  decideOn,
  personsOf,
  writeExtras,
  writeNewBooking,
  writeUpdatedBooking,
} from "./core.ts";
import { claimTime, orClear, writeBusy } from "./busy.ts";
import { claimCaps, claimGuestHold, dropHoldings } from "./caps.ts";
import { chooseMember, writeRotation } from "./create.ts";
import type { Change, EngineRules, PlanResult, Refusal, Snapshot } from "./types.ts";

/** The successor a reschedule would create from `old` at `nowMs`. */
export function successorRecord(
  old: BookingRecord,
  change: Pick<
    Extract<Change, { kind: "reschedule" | "rebook" }>,
    "successor" | "by" | "guestTimeZone"
  >,
  rules: EngineRules,
  nowMs: number,
): BookingRecord {
  return {
    ...newBookingRecord(
      {
        ...change.successor,
        name: old.guestName,
        email: old.guestEmail,
        note: old.guestNote,
        // The zone the guest moved it in is theirs from now on (the page they moved it on
        // showed its times in it; their result page and mails follow). A host's move keeps it.
        guestTimeZone: (change.by === "guest" && change.guestTimeZone) || old.guestTimeZone,
        clock: old.guestClock,
        locale: old.guestLocale,
        answers: old.answers,
        // The same place: a moved meeting keeps its room (and the guest's number).
        location: old.location,
        by: change.by,
        // A meeting booked through a single-use link stays one: its moves never reveal the type.
        singleUseLinkId: old.singleUseLinkId,
        // …and one made through a one-off link keeps to the times its host offered.
        offeredStarts: old.offeredStarts,
        // The same people are invited to the moved meeting; where it came from stays told.
        additionalGuests: old.additionalGuests,
        additionalGuestNames: old.additionalGuestNames,
        // …each still reading their mails as they did (a poll's voters: ADR 050).
        additionalGuestReaders: old.additionalGuestReaders,
        invitedBy: old.invitedBy,
        source: old.source,
        // …and the routing form's answers it came with (linked to the first booking, once).
        routing: old.routing,
      },
      nowMs,
      rules.bookingTtlMs,
    ),
    rescheduledFromId: old.id,
    // The same meeting under its own name: a poll's title, or the event type's as it was booked
    // (the invitation's UID stays; a SUMMARY that changed with a move renamed the meeting).
    eventTitle: old.eventTitle,
    ...successorIdentity(old, rules.calendarHost),
    // A series' date moved stays that date of its series.
    ...(old.series ? { series: old.series } : {}),
    // Who declined the meeting still does not come (domain/attendees.ts).
    ...(old.declined ? { declined: old.declined } : {}),
  };
}

export function planReschedule(
  s: Snapshot,
  change: Extract<Change, { kind: "reschedule" }>,
  rules: EngineRules,
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const decided = decideOn(s, change, "cancel", rules, nowMs);
  // A multi-person booking moves through the coordinator protocol (a commit with `retire`).
  if (decided.ok && decided.current.value.coordinatorId) {
    return { ok: false, reason: "not_supported" };
  }
  if (!decided.ok) return decided;
  const { current } = decided;
  const old = current.value;

  let successor = successorRecord(old, change, rules, nowMs);
  const retired = retiredRecord(old, change, successor.id, nowMs);
  // The old booking's time, counts and hold are freed in this same write.
  const ignore = new Set([old.id, successor.id]);
  let d = new Draft(s.keyOf);
  let refused: Refusal | null;
  if (change.assign) {
    // A round robin's member moving their own meeting moves it for themselves (their page offers
    // their times, their message reaches the guest as the host's): it stays theirs, also after
    // they left the team, or is refused — never handed to whoever else is free then (ADR 016, amended).
    // A guest's move keeps their member when free, else goes on in rotation order.
    const a = {
      ...change.assign,
      prefer: old.hostId,
      ...(change.by === "host" ? { only: old.hostId } : {}),
    };
    const picked = chooseMember(s, a, successor, ignore, nowMs);
    if (!picked.ok) return picked;
    ({ d, booking: successor } = picked.chosen);
    const from = a.candidates.find((c) => c.personId === old.hostId) ??
      { personId: old.hostId, weight: 1, priority: 0 };
    writeRotation(d, s, a, picked.chosen.candidate, from);
    refused = null;
  } else {
    refused = claimTime(
      d,
      s,
      personsOf(successor)[0],
      block(successor),
      ignore,
      nowMs,
      "slot_taken",
    );
  }
  // Where it is already, with the host it has (a round robin's pick prefers them): no move.
  if (isOwnTime(old, successor)) return { ok: false, reason: "same_time" };
  refused ??= claimCaps(d, s, successor, rules.eventType, ignore, nowMs) ??
    claimGuestHold(d, s, successor, ignore, rules, nowMs);
  if (refused) return { ok: false, reason: refused };
  // Another host: their account or calendar makes the video meeting, so the old link goes.
  if (successor.hostId !== old.hostId) {
    successor = { ...successor, location: newProviderMeeting(successor.location) };
  }
  writeUpdatedBooking(d, current, retired);
  dropHoldings(d, old);
  writeNewBooking(d, successor);
  writeBusy(d, successor);
  writeExtras(d, change.extra);
  d.job(
    ...sideEffects(old, retired, nowMs),
    ...handoverEffects(old, successor, nowMs),
    ...sideEffects(null, successor, nowMs),
  );
  const claims = [{ personId: personsOf(successor)[0], iv: block(successor) }];
  return finishReschedule(d, s, successor, retired, claims, nowMs, limits);
}

/** The old booking as a move leaves it: cancelled as "rescheduled", linked to its successor. */
export function retiredRecord(
  old: BookingRecord,
  change: { by: "guest" | "host"; reason?: string },
  successorId: string,
  nowMs: number,
): BookingRecord {
  const step = nextStep(old, "CANCELLED", change.by, nowMs);
  return {
    ...old,
    status: "CANCELLED",
    reservedUntilMs: null,
    decidedAtMs: step.atMs,
    endReason: "rescheduled",
    ...(change.reason ? { cancelReason: change.reason } : {}),
    rescheduledToId: successorId,
    history: step.history,
  };
}

/** The end every move shares (a seat's too): the plan, probed by the successor's record. */
export function finishReschedule(
  d: Draft,
  s: Snapshot,
  successor: BookingRecord,
  retired: BookingRecord,
  claims: { personId: string; iv: { startMs: number; endMs: number } }[],
  nowMs: number,
  limits: KvLimits,
): PlanResult {
  const result = d.finish("reschedule", {
    booking: successor,
    retired,
    probe: {
      key: d.key({ kind: "booking", id: successor.id }),
      landed: bookingExists(successor.id),
    },
  }, limits);
  return orClear(result, s, claims, nowMs, limits);
}
