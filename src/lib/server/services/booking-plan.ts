/**
 * Pieces shared by every booking decision (book, confirm, reject, cancel, expire, reschedule):
 * the counters that must change in the same atomic write, and the side effects it queues.
 */
import type { App } from "../app.ts";
import type {
  BookingRecord,
  CapCounterRecord,
  EventTypeRecord,
  GuestHoldsRecord,
  MailKind,
  OutboxRecord,
  WebhookEvent,
} from "../store/records.ts";
import { type GuardedWrite, readCapCounters, readGuestHolds } from "../store/bookings.ts";
import { newOutboxRecord } from "../store/outbox.ts";
import {
  capPeriods,
  eventTypeRules,
  followUpDueTimes,
  liveCapEntries,
  reminderDueTimes,
} from "../domain/event-rules.ts";

/** What a booking contributes to counters: its id and, while pending, when its hold ends. */
export type CounterChange = {
  add?: BookingRecord;
  remove?: BookingRecord;
};

const holdOf = (b: BookingRecord) => (b.status === "PENDING" ? b.reservedUntilMs : null);

/**
 * The day/week cap counters of the event type(s) touched by a change, or "cap_reached" when
 * adding would exceed a cap. Counters live per event type, keyed in the host's zone.
 */
export async function capWrites(
  app: App,
  et: EventTypeRecord | null,
  change: CounterChange,
  nowMs: number,
  enforce = true,
): Promise<{ ok: true; writes: GuardedWrite[] } | { ok: false; reason: "cap_reached" }> {
  if (!et) return { ok: true, writes: [] };
  const rules = eventTypeRules(et);
  const touched = new Map<
    string,
    {
      entry: Deno.KvEntryMaybe<CapCounterRecord>;
      limit: number | null;
      entries: CapCounterRecord["entries"];
    }
  >();
  const load = async (b: BookingRecord) => {
    const p = capPeriods(b.startMs, b.hostTimeZone);
    const [d, w] = await readCapCounters(app.kv, et.id, p.day, p.week);
    for (const [entry, limit] of [[d, rules.maxPerDay], [w, rules.maxPerWeek]] as const) {
      const k = JSON.stringify(entry.key);
      if (!touched.has(k)) {
        touched.set(k, {
          entry,
          limit,
          entries: liveCapEntries(entry.value?.entries ?? [], nowMs),
        });
      }
    }
    return [JSON.stringify(d.key), JSON.stringify(w.key)];
  };
  // A record with no cap set and no counter yet needs no write at all.
  const capsOn = rules.maxPerDay !== null || rules.maxPerWeek !== null;
  if (change.remove && change.remove.eventTypeId === et.id) {
    for (const k of await load(change.remove)) {
      const t = touched.get(k)!;
      t.entries = t.entries.filter((e) => e.bookingId !== change.remove!.id);
    }
  }
  if (change.add && change.add.eventTypeId === et.id && capsOn) {
    for (const k of await load(change.add)) {
      const t = touched.get(k)!;
      t.entries = [...t.entries.filter((e) => e.bookingId !== change.add!.id), {
        bookingId: change.add.id,
        holdUntilMs: holdOf(change.add),
      }];
      if (enforce && t.limit !== null && t.entries.length > t.limit) {
        return { ok: false, reason: "cap_reached" };
      }
    }
  }
  const writes: GuardedWrite[] = [];
  for (const t of touched.values()) {
    if (!t.entry.value && t.entries.length === 0) continue;
    writes.push({
      entry: t.entry,
      next: t.entries.length ? ({ v: 1, entries: t.entries } satisfies CapCounterRecord) : null,
    });
  }
  return { ok: true, writes };
}

/** The per-guest list of live pending requests with a host, after a change. */
export async function guestHoldWrites(
  app: App,
  change: CounterChange,
  nowMs: number,
  /** The guest's hold list, when the caller read it already (in the same read as the ledgers). */
  read?: Deno.KvEntryMaybe<GuestHoldsRecord>,
): Promise<{ ok: true; writes: GuardedWrite[] } | { ok: false; reason: "too_many_pending" }> {
  const b = change.add ?? change.remove;
  if (!b) return { ok: true, writes: [] };
  const addPending = change.add?.status === "PENDING";
  const removePending = change.remove?.status === "PENDING";
  if (!addPending && !removePending) return { ok: true, writes: [] };
  const entry = read ?? await readGuestHolds(app.kv, b.hostId, b.guestEmail);
  let holds = (entry.value?.holds ?? []).filter((h) => h.untilMs > nowMs);
  if (removePending) holds = holds.filter((h) => h.bookingId !== change.remove!.id);
  if (addPending) {
    if (holds.length >= app.config.maxPendingPerGuest) {
      return { ok: false, reason: "too_many_pending" };
    }
    holds = [...holds, { bookingId: change.add!.id, untilMs: change.add!.reservedUntilMs! }];
  }
  if (!entry.value && holds.length === 0) return { ok: true, writes: [] };
  return {
    ok: true,
    writes: [{ entry, next: holds.length ? ({ v: 1, holds } satisfies GuestHoldsRecord) : null }],
  };
}

/** Firming a pending booking: its counter entries stop expiring. */
export async function firmCounters(
  app: App,
  et: EventTypeRecord | null,
  before: BookingRecord,
  after: BookingRecord,
  nowMs: number,
) {
  // Confirming never adds a booking to a count, so a cap cannot refuse it.
  const caps = await capWrites(app, et, { remove: before, add: after }, nowMs, false);
  const capList = caps.ok ? caps.writes : [];
  const holds = await guestHoldWrites(app, { remove: before }, nowMs);
  return [...capList, ...(holds.ok ? holds.writes : [])];
}

/**
 * The side effects of a booking entering a state, queued in the same write as the change so
 * they happen exactly once: mails, the calendar write, reminders.
 */
export function sideEffects(
  before: BookingRecord | null,
  after: BookingRecord,
  nowMs: number,
): OutboxRecord[] {
  const mail = (kind: MailKind) =>
    newOutboxRecord({ kind: "booking_mail", mail: kind, bookingId: after.id }, nowMs);
  const out: OutboxRecord[] = [];
  const wasConfirmed = before?.status === "CONFIRMED";
  if (after.status === "PENDING" && before === null) {
    out.push(mail("host_request"), mail("guest_pending"));
  } else if (after.status === "CONFIRMED" && !wasConfirmed) {
    out.push(
      mail("guest_confirmed"),
      mail(before === null ? "host_booked" : "host_confirmed_copy"),
    );
    out.push(newOutboxRecord({ kind: "writeback", op: "put", bookingId: after.id }, nowMs));
    for (const { dueMs, r } of reminderDueTimes(after.startMs, after.reminders ?? [], nowMs)) {
      // One job per recipient, so a failure to reach one never resends to the other.
      for (const toHost of r.toHost ? [false, true] : [false]) {
        out.push(newOutboxRecord(
          {
            kind: "reminder",
            bookingId: after.id,
            startMs: after.startMs,
            minutesBefore: r.minutesBefore,
            toHost,
          },
          nowMs,
          dueMs,
        ));
      }
    }
    for (const { dueMs, f } of followUpDueTimes(after.endMs, after.followUps ?? [], nowMs)) {
      const p = { bookingId: after.id, startMs: after.startMs, minutesAfter: f.minutesAfter };
      out.push(newOutboxRecord({ kind: "follow_up", ...p }, nowMs, dueMs));
    }
  } else if (after.status === "REJECTED") {
    out.push(mail("guest_rejected"));
  } else if (after.status === "CANCELLED") {
    if (after.endReason === "expired") out.push(mail("guest_expired"), mail("host_expired"));
    else if (after.endReason === "rescheduled") {
      // The successor's own mails tell both sides; the old calendar entry goes away.
    } else {
      out.push(mail("guest_cancelled"));
      if (after.endReason === "cancelled_by_guest") out.push(mail("host_cancelled"));
    }
    if (wasConfirmed) {
      out.push(newOutboxRecord({ kind: "writeback", op: "delete", bookingId: after.id }, nowMs));
    }
  }
  // Last in the booking's lane: people's mails go out before the hosts' systems hear of it.
  const event = webhookEvent(before, after);
  if (event) {
    out.push(newOutboxRecord(
      { kind: "webhook_event", bookingId: after.id, event, seq: after.history.length },
      nowMs,
    ));
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
