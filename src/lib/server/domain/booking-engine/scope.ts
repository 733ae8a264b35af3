/**
 * What a change must read: its primary record first, then — derived from the change and that
 * record — whose busy time, which caps, which guest's holds, calendars and guards.
 */
import type { BookerPostRecord, BookingRecord, CoordinatorRecord } from "../model/records.ts";
import { utcDaysTouched } from "../booking.ts";
import type { Entry, Key, KeyOf } from "../model/entries.ts";
import { block, capRefs, guestKey, guestOwner, personsOf } from "./core.ts";
import { successorRecord } from "./reschedule.ts";
import { ledgerOf, movedSeatRecord } from "./seat.ts";
import { seatsOf } from "../seats.ts";
import { linkReleaseEntries } from "./link-release.ts";
import { SERIES_HOLD_MAX } from "./series.ts";
import { bookerPostEntry } from "../repeat-post.ts";
import type { Assignment, Change, EngineRules, EventTypeLimits, Scope } from "./types.ts";

// ── reading ─────────────────────────────────────────────────────────────────────────────────

/** A change's primary record: what it acts on, or (a team's new booking) its post's guard. */
export type Primary = BookingRecord | CoordinatorRecord | BookerPostRecord;

/** The record a change acts on, read before everything else (it decides the scope). */
export function primaryEntry(change: Change): Entry | null {
  switch (change.kind) {
    case "transition":
    case "reschedule":
    case "rebook":
      return { kind: "booking", id: change.bookingId };
    case "assign":
      // The guard of this browser's post of this time (ADR 060): it names a booking to read.
      return bookerPostEntry(change.booking);
    case "hold":
    case "commit":
    case "release":
    case "series_hold":
    case "series_commit":
    case "series_finish":
      return { kind: "coordinator", id: change.coordinatorId };
    case "import":
      return { kind: "booking", id: change.booking.id };
    default:
      return null;
  }
}

export function addScope(
  b: BookingRecord,
  et: EventTypeLimits | null,
  assign?: Assignment,
): Scope {
  const days = utcDaysTouched(b.blockStartMs, b.blockEndMs);
  // A round-robin booking reads every candidate's time: the plan picks among them.
  const persons = assign ? assign.candidates.map((c) => c.personId) : personsOf(b);
  return {
    busy: persons.map((personId) => ({ personId, days, ...block(b) })),
    caps: capRefs(b, et, true),
    guest: guestScope(b),
    calendars: persons.map((personId) => ({ personId, ...block(b) })),
    coordinatorIds: [],
    absent: [],
    guards: assign ? [assign.rosterKey, assign.rotationKey] : [],
  };
}

export const guestScope = (b: BookingRecord) =>
  b.status === "PENDING" ? { hostId: guestOwner(b), email: guestKey(b.guestEmail) } : null;

export const EMPTY_SCOPE: Scope = {
  busy: [],
  caps: [],
  guest: null,
  calendars: [],
  coordinatorIds: [],
  absent: [],
  guards: [],
};

/** The `extra` keys a change expects absent or at a versionstamp, with what it expects. */
export function expectedOf(change: Change): { key: Key; versionstamp: string | null }[] {
  const extra = "extra" in change ? change.extra ?? [] : [];
  return extra.flatMap((x) =>
    x.expectVersionstamp !== undefined
      ? [{ key: x.key, versionstamp: x.expectVersionstamp }]
      : x.expectAbsent
      ? [{ key: x.key, versionstamp: null }]
      : []
  );
}

export function absentKeys(change: Change): Key[] {
  return expectedOf(change).map((x) => x.key);
}

/** What the change needs read, once its primary record (if any) is known. */
export function scopeOf(
  change: Change,
  primary: Primary | null,
  rules: EngineRules,
  keyOf: KeyOf,
): Scope {
  return { ...changeScope(change, primary, rules, keyOf), absent: absentKeys(change) };
}

export function changeScope(
  change: Change,
  primary: Primary | null,
  rules: EngineRules,
  keyOf: KeyOf,
): Scope {
  switch (change.kind) {
    case "create":
      return addScope(change.booking, rules.eventType);
    case "assign": {
      const scope = addScope(change.booking, rules.eventType, change.assign);
      // The booking an earlier identical post made, as its guard names it: read, not checked.
      const earlier = (primary as BookerPostRecord | null)?.bookingId;
      return earlier
        ? { ...scope, guards: [...scope.guards, keyOf({ kind: "booking", id: earlier })] }
        : scope;
    }
    case "seat": {
      const b = change.booking;
      // A collective time's later seat: its members' time is the meeting's, guarded by the
      // ledger and the meeting's coordinator (ADR 040), not by each member's days.
      if (b.personIds) {
        return {
          ...EMPTY_SCOPE,
          caps: capRefs(b, rules.eventType, true),
          guest: guestScope(b),
          coordinatorIds: change.coordinatorId ? [change.coordinatorId] : [],
          guards: [keyOf(ledgerOf(b))],
        };
      }
      const scope = addScope(b, rules.eventType);
      return { ...scope, guards: [keyOf(ledgerOf(b))] };
    }
    case "transition": {
      const b = primary as BookingRecord | null;
      const scope = transitionScope(change, b, rules, keyOf);
      // A request through a one-off link that ends unmet may give the link back (link-release.ts).
      const link = b ? linkReleaseEntries(b, change.action).map(keyOf) : [];
      return link.length > 0 ? { ...scope, guards: [...scope.guards, ...link] } : scope;
    }
    case "reschedule": {
      const b = primary as BookingRecord | null;
      if (!b) return EMPTY_SCOPE;
      // The successor's block decides; settings come from the draft.
      const draft = b.seat
        ? movedSeatRecord(b, change, rules, 0)
        : successorRecord(b, change, rules, 0);
      const ledgers = [keyOf(ledgerOf(b)), keyOf(ledgerOf(draft))];
      // A collective time's seat joining a meeting: both meetings' coordinators guard the
      // members' time (ADR 040), not each member's days.
      if (b.seat && change.join) {
        return {
          ...EMPTY_SCOPE,
          caps: capRefs(draft, rules.eventType, true),
          guest: guestScope(draft),
          coordinatorIds: [
            ...(b.coordinatorId ? [b.coordinatorId] : []),
            change.join.coordinatorId,
          ],
          guards: ledgers,
        };
      }
      const scope = addScope(draft, rules.eventType, change.assign);
      // A seat leaves its time's ledger and takes a seat in the new time's.
      if (!b.seat) return scope;
      return { ...scope, guards: ledgers };
    }
    case "hold_time": {
      const { personId, startMs, endMs } = change;
      return {
        ...EMPTY_SCOPE,
        busy: [{ personId, days: utcDaysTouched(startMs, endMs), startMs, endMs }],
        calendars: [{ personId, startMs, endMs }],
      };
    }
    case "rebook": {
      const b = primary as BookingRecord | null;
      if (!b) return EMPTY_SCOPE;
      const draft = successorRecord(b, change, rules, 0);
      // A collective time's seat joining a meeting: the ledger and that meeting's coordinator
      // guard the members' time (ADR 040), not each member's days.
      if (b.seat && change.join) {
        return {
          ...EMPTY_SCOPE,
          caps: capRefs(draft, rules.eventType, true),
          guest: guestScope(draft),
          coordinatorIds: [change.join.coordinatorId],
          guards: [keyOf(ledgerOf(draft))],
        };
      }
      const scope = addScope(draft, rules.eventType);
      // A seated event type's successor takes a seat in its time's ledger.
      return seatsOf(change.successor.eventType)
        ? { ...scope, guards: [keyOf(ledgerOf(draft))] }
        : scope;
    }
    case "hold": {
      const c = primary as CoordinatorRecord | null;
      if (!c) return EMPTY_SCOPE;
      return {
        ...EMPTY_SCOPE,
        busy: [{
          personId: change.personId,
          days: utcDaysTouched(c.startMs, c.endMs),
          startMs: c.startMs,
          endMs: c.endMs,
        }],
        calendars: [{ personId: change.personId, startMs: c.startMs, endMs: c.endMs }],
      };
    }
    case "series_hold": {
      // The occurrences the plan may hold in this write (series.ts `SERIES_HOLD_MAX`): the
      // host's time on each of their days, caps, and the host's calendars over their span.
      const todo = change.bookings.slice(0, SERIES_HOLD_MAX);
      if (todo.length === 0) return EMPTY_SCOPE;
      const personId = todo[0].hostId;
      const startMs = Math.min(...todo.map((b) => b.blockStartMs));
      const endMs = Math.max(...todo.map((b) => b.blockEndMs));
      const days = [...new Set(todo.flatMap((b) => utcDaysTouched(b.blockStartMs, b.blockEndMs)))];
      return {
        ...EMPTY_SCOPE,
        busy: [{ personId, days, startMs, endMs }],
        caps: todo.flatMap((b) => capRefs(b, rules.eventType, true)),
        calendars: [{ personId, startMs, endMs }],
      };
    }
    case "series_commit":
      return { ...EMPTY_SCOPE, guest: guestScope(change.first) };
    case "import": {
      const b = change.booking;
      if (b.status !== "PENDING" && b.status !== "CONFIRMED") return EMPTY_SCOPE;
      // External calendars are not consulted: the host's calendar most likely holds this very
      // meeting (the old server wrote it there), and it would refuse its own import.
      const scope = { ...addScope(b, rules.eventType), calendars: [] };
      return b.seat ? { ...scope, guards: [keyOf(ledgerOf(b))] } : scope;
    }
    case "commit": {
      const b = change.booking;
      return {
        ...EMPTY_SCOPE,
        caps: capRefs(b, rules.eventType, true),
        guest: guestScope(b),
        guards: [
          ...(change.rosterKey ? [change.rosterKey] : []),
          ...(change.retire ? [keyOf({ kind: "booking", id: change.retire.bookingId })] : []),
          ...(change.seat ? [keyOf(ledgerOf(b))] : []),
          // A collective time's seat moving to this one leaves its own time's ledger.
          ...(change.retire?.seat
            ? [keyOf(ledgerOf({ eventTypeId: b.eventTypeId, startMs: change.retire.seat.startMs }))]
            : []),
        ],
        coordinatorIds: change.retire?.seat ? [change.retire.seat.coordinatorId] : [],
      };
    }
    default:
      return EMPTY_SCOPE;
  }
}

/** What a status change reads: a confirm adds time; the others only free it (a seat's ledger). */
function transitionScope(
  change: Extract<Change, { kind: "transition" }>,
  b: BookingRecord | null,
  rules: EngineRules,
  keyOf: KeyOf,
): Scope {
  // A seat's every change reads its time's ledger; a confirm also the host's time.
  if (b?.seat) {
    const guards = [keyOf(ledgerOf(b))];
    // A collective time's seat: the meeting's coordinator instead of the members' days.
    if (b.personIds) {
      return {
        ...EMPTY_SCOPE,
        caps: change.action === "confirm" ? capRefs(b, rules.eventType, true) : [],
        coordinatorIds: b.coordinatorId ? [b.coordinatorId] : [],
        guards,
      };
    }
    if (change.action !== "confirm") return { ...EMPTY_SCOPE, guards };
    const days = utcDaysTouched(b.blockStartMs, b.blockEndMs);
    return {
      ...EMPTY_SCOPE,
      busy: [{ personId: b.hostId, days, ...block(b) }],
      caps: capRefs(b, rules.eventType, true),
      guards,
    };
  }
  // Only a confirm adds (firms) time; a coordinated booking's confirm checks its coordinator.
  if (!b || change.action !== "confirm") return EMPTY_SCOPE;
  if (b.coordinatorId) {
    return {
      ...EMPTY_SCOPE,
      caps: capRefs(b, rules.eventType, true),
      coordinatorIds: [b.coordinatorId],
    };
  }
  const days = utcDaysTouched(b.blockStartMs, b.blockEndMs);
  return {
    ...EMPTY_SCOPE,
    busy: personsOf(b).map((personId) => ({ personId, days, ...block(b) })),
    caps: capRefs(b, rules.eventType, true),
  };
}
