/** Writeback records: what Invito wrote into a calendar for a booking, by booking and by meeting UID. */
import { keys } from "./keys.ts";
import { getEntries } from "./kv.ts";
import type { BookingWritebackRecord, MeetingWritebackRecord } from "../domain/model/records.ts";

// ── writeback records ────────────────────────────────────────────────────

/**
 * Where a booking's writeback record lives: its host's under the booking alone; another person's
 * (a member of a multi-person booking) under the booking and that person.
 */
const writebackKey = (bookingId: string, personId?: string) =>
  personId ? keys.bookingWritebackOf(bookingId, personId) : keys.bookingWriteback(bookingId);

export async function getBookingWriteback(
  kv: Deno.Kv,
  bookingId: string,
  /** A member other than the booking's host. */
  personId?: string,
): Promise<BookingWritebackRecord | null> {
  return (await kv.get<BookingWritebackRecord>(writebackKey(bookingId, personId))).value;
}

export async function getBookingWritebacks(
  kv: Deno.Kv,
  bookingIds: string[],
): Promise<Map<string, BookingWritebackRecord>> {
  const got = await getEntries<BookingWritebackRecord>(
    kv,
    bookingIds.map((id) => keys.bookingWriteback(id)),
  );
  const out = new Map<string, BookingWritebackRecord>();
  got.forEach((g, j) => g.value && out.set(bookingIds[j], g.value));
  return out;
}

export async function putBookingWriteback(
  kv: Deno.Kv,
  bookingId: string,
  rec: BookingWritebackRecord,
  personId?: string,
): Promise<void> {
  await kv.set(writebackKey(bookingId, personId), rec);
}

export async function deleteBookingWriteback(
  kv: Deno.Kv,
  bookingId: string,
  personId?: string,
): Promise<void> {
  await kv.delete(writebackKey(bookingId, personId));
}

// ── meeting writeback (by UID) ────────────────────────────────────────────

/**
 * Where a meeting's record lives: its host's under the UID alone; another person's (a member of a
 * team booking, whose own calendar holds the same meeting) under the UID and that person.
 */
const meetingKey = (uid: string, personId?: string) =>
  personId ? keys.meetingWritebackOf(uid, personId) : keys.meetingWriteback(uid);

export async function getMeetingWriteback(
  kv: Deno.Kv,
  uid: string,
  /** A member other than the booking's host. */
  personId?: string,
): Promise<MeetingWritebackRecord | null> {
  return (await kv.get<MeetingWritebackRecord>(meetingKey(uid, personId))).value;
}

/**
 * Records where a booking's meeting was written: by booking (for its page) and by UID. The
 * record by booking moves with the meeting to its newest booking (a reschedule successor).
 */
export async function putWrittenEvent(
  kv: Deno.Kv,
  uid: string,
  booking: BookingWritebackRecord,
  meeting: MeetingWritebackRecord,
  movedFromBookingId: string | null = null,
  /**
   * Whose calendar it was written into, when not (only) the host's: `booking` keys the record by
   * booking (absent for the booking's host), `meeting` the record by UID (a team booking's are
   * always per person: a round-robin reschedule may give the same UID to another member).
   */
  person: { booking?: string; meeting?: string } = {},
): Promise<void> {
  const op = kv.atomic().set(writebackKey(meeting.bookingId, person.booking), booking).set(
    meetingKey(uid, person.meeting),
    meeting,
  );
  if (movedFromBookingId && movedFromBookingId !== meeting.bookingId) {
    op.delete(writebackKey(movedFromBookingId, person.booking));
  }
  await op.commit();
}

export async function deleteWrittenEvent(
  kv: Deno.Kv,
  bookingId: string,
  uid: string | null,
  person: { booking?: string; meeting?: string } = {},
): Promise<void> {
  const op = kv.atomic().delete(writebackKey(bookingId, person.booking));
  if (uid) op.delete(meetingKey(uid, person.meeting));
  await op.commit();
}
