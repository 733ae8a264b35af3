/**
 * Handing a departing host's meetings over to someone else (issue 32): each booking ahead is
 * moved through the booking engine's reschedule to the same time with the other person as host —
 * one checked write per booking, the no-overlap rule decided by the engine for the new host, so a
 * clash (with a booking of theirs, or one a guest takes at the same moment) is refused and listed,
 * never overwritten. The guest gets the moved meeting's mail with its new host; the old host is
 * told it left their calendar.
 *
 * A moved meeting is of an event type of its new host: a copy of the departing host's (secret,
 * so it is listed nowhere), made once per kind and reused by later hand-overs. Every path that
 * reads a meeting's event type — the guest's and the host's reschedule, cancellation cut-offs,
 * insights, follow-ups — looks it up under the meeting's host, and found nothing before.
 */
import type { App } from "../app.ts";
import type { BookingRecord, EventTypeRecord, UserRecord } from "../domain/model/records.ts";
import { isActive } from "../domain/admin.ts";
import { isLiveBooking } from "../domain/booking.ts";
import type { UserId } from "../store/keys.ts";
import { getUser, newId } from "../store/users.ts";
import { getEventType, insertEventType, listEventTypes } from "../store/event-types.ts";
import { hostBookingPages } from "../store/host-data.ts";
import { randomToken } from "../integrations/crypto.ts";
import { engineRules, runChange } from "./transaction.ts";
import { type AuditParty, recordAudit } from "./audit.ts";

export type HandOverItem = { bookingId: string; startMs: number; guestName: string };
export type HandOverConflict = HandOverItem & { reason: string };

export type HandOverResult =
  | { ok: true; moved: HandOverItem[]; conflicts: HandOverConflict[] }
  | { ok: false; reason: "not_found" | "same_person" | "target_not_active" };

const item = (b: BookingRecord): HandOverItem => ({
  bookingId: b.id,
  startMs: b.startMs,
  guestName: b.guestName,
});

export async function handOverBookings(
  app: App,
  actor: NonNullable<AuditParty>,
  fromId: string,
  toId: string,
): Promise<HandOverResult> {
  if (fromId === toId) return { ok: false, reason: "same_person" };
  const [from, to] = await Promise.all([
    getUser(app.kv, fromId as UserId),
    getUser(app.kv, toId as UserId),
  ]);
  if (!from || from.closedAtMs || !to) return { ok: false, reason: "not_found" };
  if (!isActive(to)) return { ok: false, reason: "target_not_active" };
  const nowMs = app.now();
  const ahead: BookingRecord[] = [];
  for await (const page of hostBookingPages(app.kv, from.id)) {
    for (const b of page) if (b.startMs > nowMs && isLiveBooking(b, nowMs)) ahead.push(b);
  }
  const moved: HandOverItem[] = [];
  const conflicts: HandOverConflict[] = [];
  const copies = new Map<string, Promise<EventTypeRecord | null>>();
  for (const old of ahead) {
    // A team's meeting follows the team's own rules (its members, its rotation).
    if (old.teamId || old.coordinatorId) {
      conflicts.push({ ...item(old), reason: "team_booking" });
      continue;
    }
    const theirs = await getEventType(app.kv, old.hostId, old.eventTypeId);
    const et = theirs && await copyFor(app, to, theirs, copies);
    if (!et) {
      conflicts.push({ ...item(old), reason: "not_found" });
      continue;
    }
    // The meeting keeps its status: a confirmed one stays confirmed with the new host.
    const eventType = { ...et, requiresConfirmation: old.status === "PENDING" };
    const identity = { id: newId(app.now()), tokenSalt: randomToken(16) };
    const res = await runChange(app, {
      lane: to.id,
      rules: engineRules(app, et),
      change: () => ({
        kind: "reschedule",
        bookingId: old.id,
        by: "host",
        successor: {
          ...identity,
          host: to,
          eventType,
          startMs: old.startMs,
          durationMin: old.durationMin,
          // Counted as handed over, not as a move the new host made (insights' origins).
          origin: "handover",
        },
        enforceCutoff: false,
        hostId: old.hostId,
      }),
    });
    if (res.ok) moved.push(item(old));
    else conflicts.push({ ...item(old), reason: res.reason });
  }
  await recordAudit(app, {
    kind: "bookings_handed_over",
    actor,
    target: from,
    said: {
      code: "handed_over",
      values: { name: to.username, moved: moved.length, kept: conflicts.length },
    },
  });
  return { ok: true, moved, conflicts };
}

/**
 * The new host's copy of `et`: the one an earlier hand-over made, or a new one — every setting
 * kept (duration, questions, buffers, reminders …), secret so it is listed nowhere, under the
 * same slug or, when the new host has that slug, the first free `slug-N`. One per kind and run.
 */
function copyFor(
  app: App,
  to: UserRecord,
  et: EventTypeRecord,
  copies: Map<string, Promise<EventTypeRecord | null>>,
): Promise<EventTypeRecord | null> {
  let got = copies.get(et.id);
  if (!got) copies.set(et.id, got = makeCopy(app, to, et));
  return got;
}

async function makeCopy(
  app: App,
  to: UserRecord,
  et: EventTypeRecord,
): Promise<EventTypeRecord | null> {
  const own = await listEventTypes(app.kv, to.id);
  const earlier = own.find((e) => e.handedOverFrom === et.id);
  if (earlier) return earlier;
  const taken = new Set(own.map((e) => e.slug));
  const nowMs = app.now();
  for (let n = 1; n <= 20; n++) {
    const suffix = n === 1 ? "" : `-${n}`;
    const slug = `${et.slug.slice(0, 60 - suffix.length).replace(/-+$/, "")}${suffix}`;
    if (taken.has(slug)) continue;
    const copy: EventTypeRecord = {
      ...et,
      id: newId(nowMs),
      userId: to.id,
      slug,
      secret: true,
      active: true,
      createdAtMs: nowMs,
      updatedAtMs: nowMs,
      handedOverFrom: et.id,
    };
    // A slug claimed in the meantime: the next one.
    if ((await insertEventType(app.kv, copy)).ok) return copy;
    taken.add(slug);
  }
  return null;
}
