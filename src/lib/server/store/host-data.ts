/**
 * A host's data as a whole: every booking of theirs in pages (for the export), and the guarded
 * rewrite that erases one guest's personal data from their bookings.
 */
import { keys, type UserId } from "./keys.ts";
import type { BookingRecord } from "./records.ts";
import { enqueue, newOutboxRecord } from "./outbox.ts";

/** All of a host's bookings by start time, `size` at a time (memory stays bounded). */
export async function* hostBookingPages(
  kv: Deno.Kv,
  hostId: UserId,
  size = 100,
): AsyncGenerator<BookingRecord[]> {
  let ids: string[] = [];
  const page = async () => {
    const out: BookingRecord[] = [];
    for (let i = 0; i < ids.length; i += 10) {
      const got = await kv.getMany<BookingRecord[]>(
        ids.slice(i, i + 10).map((id) => keys.booking(id)),
      );
      for (const g of got) if (g.value) out.push(g.value);
    }
    ids = [];
    return out;
  };
  for await (const e of kv.list<string>({ prefix: keys.bookingByHostStartPrefix(hostId) })) {
    ids.push(e.value);
    if (ids.length >= size) yield await page();
  }
  if (ids.length) yield await page();
}

/** What stays of a booking once its guest is erased: times and state, no person. */
export function erasedBooking(b: BookingRecord, nowMs: number): BookingRecord {
  return {
    ...b,
    guestName: "Erased guest",
    guestEmail: "",
    guestNote: "",
    answers: [],
    // Words of the guest's own cancellation are theirs too.
    ...(b.endReason === "cancelled_by_guest" ? { cancelReason: null } : {}),
    guestErasedAtMs: nowMs,
  };
}

export type EraseResult = { bookings: number; retried: number };

/**
 * Erases `email`'s name, address, note and answers from every booking of `hostId`. Each booking
 * is rewritten with a check of the version read (a concurrent change — a cancellation, a
 * confirmation — is re-read, never overwritten); a booking already in the host's calendar gets a
 * calendar update queued in the same write, so the event there loses the guest's details too.
 */
export async function eraseGuestFromBookings(
  kv: Deno.Kv,
  hostId: UserId,
  email: string,
  nowMs: number,
): Promise<EraseResult> {
  const target = email.trim().toLowerCase();
  const result: EraseResult = { bookings: 0, retried: 0 };
  const matches: string[] = [];
  for await (const page of hostBookingPages(kv, hostId)) {
    for (const b of page) if (b.guestEmail.toLowerCase() === target) matches.push(b.id);
  }
  for (const id of matches) {
    for (let attempt = 0; attempt < 8; attempt++) {
      const [entry, written] = await kv.getMany<[BookingRecord, unknown]>([
        keys.booking(id),
        keys.bookingWriteback(id),
      ]);
      const b = entry.value;
      if (!b || b.hostId !== hostId || b.guestEmail.toLowerCase() !== target) break;
      const op = kv.atomic().check(entry).check(written).set(
        keys.booking(id),
        erasedBooking(b, nowMs),
      );
      if (written.value) {
        enqueue(op, newOutboxRecord({ kind: "writeback", op: "put", bookingId: id }, nowMs));
      }
      if ((await op.commit()).ok) {
        result.bookings++;
        break;
      }
      result.retried++;
    }
  }
  // The per-guest hold counter is keyed by the address itself.
  const holds = await kv.get(keys.guestHolds(hostId, target));
  if (holds.value) await kv.atomic().check(holds).delete(holds.key).commit();
  return result;
}
