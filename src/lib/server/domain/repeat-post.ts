/**
 * A booking form sent again by the guest who sent it (docs/decisions/060-repeated-booking-posts.md):
 * a double click on "Book" without JavaScript, a reload that posts again, an enhanced post sent
 * again. The first post books; the engine refuses the second, because the time is now the
 * guest's own. What the browser shows is the second answer, so refusing it told the guest they
 * had no booking. The second post is answered as the first was — when it provably comes from
 * the same browser: its booker tag (a hash of a random cookie that browser got with the booking
 * page, stored on the booking the first post made) must match, beside the address and the time.
 * The address and time alone would tell anyone who knows an address whether and when it booked,
 * and hand them the booking's links.
 */
import type { BookerPostRecord, BookingRecord } from "./model/records.ts";
import type { Entry } from "./model/entries.ts";
import { isLiveBooking } from "./booking.ts";

/**
 * How long a booking form can be sent after it was shown: its fill-time token's lifetime
 * (services/anti-spam.ts takes it from here). A post repeats a booking only within it: an older
 * booking was made from another showing of the form, and the same browser sending the same
 * details for it much later (a shared computer, another person) is told the time is taken.
 */
export const FORM_LIFETIME_MS = 2 * 60 * 60 * 1000;

/**
 * The refusals a repeated post gets for the booking its first post made: the time is taken (by
 * that booking), or — a seated time — the guest already holds a seat there. Other refusals
 * (caps, the host's hours, "busy") do not stem from the guest's own booking and are said as
 * they are, without a lookup.
 */
const REPEAT_REFUSALS: ReadonlySet<string> = new Set([
  "slot_taken",
  "already_seated",
  // The engine's own answer to a team's event type posted again (`decideBookerPost`).
  "repeated",
  // A single-use link spent by the booking its guest's first post made.
  "link_used",
]);

export function mayBeRepeat(reason: string, bookerTag: string | undefined): boolean {
  return !!bookerTag && REPEAT_REFUSALS.has(reason);
}

/** What a post asked for, as the booking it would have made records it. */
export type RepeatedPost = {
  eventTypeId: string;
  startMs: number;
  email: string;
  bookerTag: string;
};

/**
 * Whether `b` is the booking an earlier post of this same form made: the same browser (tag),
 * event type, time and address (any case), still live, and made within a form's lifetime.
 */
export function isRepeatOf(b: BookingRecord, post: RepeatedPost, nowMs: number): boolean {
  return !!b.bookerTag && b.bookerTag === post.bookerTag &&
    b.eventTypeId === post.eventTypeId && b.startMs === post.startMs &&
    b.guestEmail.toLowerCase() === post.email.toLowerCase() &&
    isLiveBooking(b, nowMs) &&
    nowMs - b.createdAtMs <= FORM_LIFETIME_MS;
}

/** A booking's own post, as `isRepeatOf` compares it (null: made without a booker tag). */
export function postOf(b: BookingRecord): RepeatedPost | null {
  return b.bookerTag
    ? {
      eventTypeId: b.eventTypeId,
      startMs: b.startMs,
      email: b.guestEmail,
      bookerTag: b.bookerTag,
    }
    : null;
}

/**
 * The guard of one browser's post of one time of an event type whose engine would not refuse
 * it again by itself: a round-robin team's, where the time taken is one member's and another
 * member is free, so a post sent again booked that member — two meetings for one guest. The
 * booking's atomic write checks the entry at the versionstamp read and names itself in it, so of
 * any number of identical posts at once one books; the others read it and are answered with
 * that booking. Null for a booking made without a tag (nothing to prove a repeat by).
 */
export function bookerPostEntry(b: BookingRecord): Extract<Entry, { kind: "bookerPost" }> | null {
  return b.bookerTag
    ? { kind: "bookerPost", eventTypeId: b.eventTypeId, bookerTag: b.bookerTag, startMs: b.startMs }
    : null;
}

/** How long the guard is kept: a form's lifetime, past which no post of it repeats anything. */
export const BOOKER_POST_TTL_MS = FORM_LIFETIME_MS;

/**
 * What a new booking's post does with its guard, as read (`earlier`: the booking it names, when
 * it names one): "repeated" when that booking is this post's (`isRepeatOf`) — nothing is booked,
 * the post is answered with it; else "book", writing the guard anew (a cancelled, lapsed or older
 * booking of the same browser and time does not stop a new one).
 */
export function decideBookerPost(
  b: BookingRecord,
  earlier: BookingRecord | null,
  nowMs: number,
): "repeated" | { book: BookerPostRecord } {
  const post = postOf(b);
  if (post && earlier && isRepeatOf(earlier, post, nowMs)) return "repeated";
  return { book: { v: 1, bookingId: b.id } };
}
