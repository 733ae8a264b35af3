/**
 * Who of a booking's additional guests reads their mails how (ADR 050, amendment of 2026-11-27).
 *
 * A meeting poll's voters each answered on a page in their own language, zone and clock; the
 * mails about the meeting picked (its invitation, update and CANCEL) reach each of them that way.
 * Each voter gets a mail of their own, since it carries their own link to decline (ADR 050,
 * amendment "declining"; it superseded one mail per way of reading for them). A guest's own
 * guests still share one mail per way of reading. Each group is a job of its own (`readers` on the outbox payload), so a failure to reach one group never
 * resends to another, and each is a distinct mail with its own Message-ID (mail-identity.ts).
 */
import type { BookingRecord, GuestReader } from "./model/records.ts";

/** A group's name, stable while its reading is: what the job and the Message-ID carry. */
export function readerKey(r: GuestReader): string {
  return `${r.locale}~${r.timeZone}~${r.clock}`;
}

export type ReaderGroup = {
  /** Absent: those who read as the booking's guest (any guest's guests, older bookings). */
  key?: string;
  emails: string[];
  /** Absent with `key`: the guest's reading. */
  reader?: GuestReader;
};

/**
 * The additional guests by way of reading, in the order of their first address. The host's
 * invitees (a meeting poll's voters, `invitedBy: "host"`) each get a mail of their own, since it
 * carries their own link to decline (ADR 050, amendment "declining"): a group per address.
 */
export function readerGroups(
  b: Pick<BookingRecord, "additionalGuests" | "additionalGuestReaders" | "invitedBy">,
): ReaderGroup[] {
  const readers = b.additionalGuestReaders ?? {};
  const groups = new Map<string | undefined, ReaderGroup>();
  const own = b.invitedBy === "host";
  for (const email of b.additionalGuests ?? []) {
    const reader = Object.hasOwn(readers, email) ? readers[email] : undefined;
    const way = reader ? readerKey(reader) : undefined;
    const key = own ? `${way ?? ""}~${email}` : way;
    const group = groups.get(key);
    if (group) group.emails.push(email);
    else {groups.set(key, {
        ...(key ? { key } : {}),
        ...(reader ? { reader } : {}),
        emails: [email],
      });}
  }
  return [...groups.values()];
}

/** The group a mail's job names (`readers`); none when nobody reads that way any more. */
export function readerGroup(
  b: Pick<BookingRecord, "additionalGuests" | "additionalGuestReaders" | "invitedBy">,
  key: string | undefined,
): ReaderGroup | null {
  return readerGroups(b).find((g) => g.key === key) ?? null;
}
