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
import type { BookingRecord } from "./model/records.ts";
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
const REPEAT_REFUSALS: ReadonlySet<string> = new Set(["slot_taken", "already_seated"]);

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
