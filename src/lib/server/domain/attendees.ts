/**
 * Who attends a meeting the host invited people to (a meeting poll's pick; ADR 050, amendment
 * "declining"), and an invitee declining their own place: as in calendars, an invitee who cannot
 * come leaves the meeting; only the host ends it for everyone. The last attendee leaving ends it.
 */
import type { BookingRecord, DeclinedAttendee } from "./model/records.ts";
import { isCollectiveSeat } from "./seats.ts";

type Attending = Pick<
  BookingRecord,
  | "guestEmail"
  | "guestName"
  | "additionalGuests"
  | "additionalGuestNames"
  | "additionalGuestReaders"
  | "declined"
  | "invitedBy"
>;

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Whether the booking's invitees each decline for themselves (the host invited them). */
export const inviteesDecline = (b: Pick<BookingRecord, "invitedBy">) => b.invitedBy === "host";

/** Whether `email` told us they cannot come. */
export const hasDeclined = (b: Pick<BookingRecord, "declined">, email: string) =>
  (b.declined ?? []).some((d) => same(d.email, email));

/** Whether the booking's own guest still comes (they stay its guest when they decline). */
export const guestAttends = (b: Pick<BookingRecord, "guestEmail" | "declined">) =>
  !hasDeclined(b, b.guestEmail);

/** The addresses still invited: the guest (unless they declined), then the additional guests. */
export function attendeesOf(b: Attending): string[] {
  return [...(guestAttends(b) ? [b.guestEmail] : []), ...(b.additionalGuests ?? [])];
}

/** The attendee `email` names (any case), as the booking lists them; null if none. */
export function attendeeOf(b: Attending, email: string): string | null {
  return attendeesOf(b).find((a) => same(a, email)) ?? null;
}

/**
 * Whether `email` is the one attendee left: their decline would be the last, which cancels the
 * meeting for the host too (what their decline page says before they press).
 */
export function isLastAttendee(b: Attending, email: string): boolean {
  const left = attendeesOf(b);
  return left.length === 1 && same(left[0], email);
}

/**
 * The invitee whose decline cancelled the meeting (the last attendee leaving, in the same write),
 * as `declined` lists them; null while it goes on, or when it ended otherwise (the host).
 */
export function lastToDecline(
  b: Attending & Pick<BookingRecord, "status" | "endReason">,
): string | null {
  if (!inviteesDecline(b) || b.status !== "CANCELLED" || b.endReason !== "cancelled_by_guest") {
    return null;
  }
  return attendeesOf(b).length ? null : b.declined?.at(-1)?.email ?? null;
}

/** Everyone a decline link may be for: who attends, and who declined (their link still opens). */
export function inviteesOf(b: Attending): string[] {
  const all = [b.guestEmail, ...(b.additionalGuests ?? [])];
  for (const d of b.declined ?? []) if (!all.some((a) => same(a, d.email))) all.push(d.email);
  return all;
}

/** The name calendars and mails show for an attendee. */
export function attendeeName(b: Attending, email: string): string {
  if (same(email, b.guestEmail)) return b.guestName;
  const names = b.additionalGuestNames ?? {};
  return Object.hasOwn(names, email) ? names[email] : email;
}

/**
 * The booking once `email` (an attendee, as listed) declined at `nowMs`: an additional guest
 * leaves its guests (their name and reading move to their entry in `declined`); the guest is
 * listed as declined and stays its guest.
 */
export function withDeclined(b: BookingRecord, email: string, nowMs: number): BookingRecord {
  const entry: DeclinedAttendee = { email, name: attendeeName(b, email), atMs: nowMs };
  if (same(email, b.guestEmail)) return { ...b, declined: [...(b.declined ?? []), entry] };
  const readers = b.additionalGuestReaders ?? {};
  if (Object.hasOwn(readers, email)) entry.reader = readers[email];
  const without = <T>(r: Record<string, T> | undefined) =>
    r ? Object.fromEntries(Object.entries(r).filter(([g]) => g !== email)) : undefined;
  const names = without(b.additionalGuestNames);
  const kept = without(b.additionalGuestReaders);
  return {
    ...b,
    additionalGuests: (b.additionalGuests ?? []).filter((g) => g !== email),
    ...(names ? { additionalGuestNames: names } : {}),
    ...(kept ? { additionalGuestReaders: kept } : {}),
    declined: [...(b.declined ?? []), entry],
  };
}

/**
 * Whether only the host may move the meeting: the host invited several people to it who still
 * come (a poll's voters). Its guest alone in it moves it like any guest.
 */
export const onlyHostMoves = (b: Attending) => inviteesDecline(b) && attendeesOf(b).length > 1;

/**
 * Why the host may not ask the booking's guest to pick a new time ("Ask to reschedule"), or null
 * when they may. A team's booking moves through its members (a seat of a collective time
 * excepted: it leaves its meeting, ADR 040); a meeting with several invitees (a poll's) is moved
 * by the host for everyone — asked, its first voter's pick would be refused and the others'
 * meeting simply gone.
 */
export function askNewTimeRefusal(
  b: Attending & Pick<BookingRecord, "teamId" | "seat" | "personIds">,
): "team_booking" | "invitees_meeting" | null {
  if (b.teamId && !isCollectiveSeat(b)) return "team_booking";
  if (onlyHostMoves(b)) return "invitees_meeting";
  return null;
}
