/**
 * The additional guests a booking brings (docs/decisions/047-additional-guests-and-source.md):
 * one decision for the booking form, the API and every other door.
 */
import { messageRef } from "./i18n.ts";
import { EMAIL_MAX, guestsFieldMax } from "./booking-extras.ts";
import { isMailAddress } from "./forms/common.ts";

export type GuestsDecision =
  | { ok: true; guests: string[] }
  /** `error`: a message reference for the form's `guests` field. */
  | { ok: false; error: string };

/**
 * The extra attendees a guest typed (one field; addresses separated by commas, semicolons,
 * spaces or lines), checked against the event type's `max`: each a valid address, at most
 * `max` of them. Repeats and the guest's own address are dropped (case-insensitively), not
 * refused; addresses are kept as typed, trimmed.
 */
export function decideGuests(raw: string, max: number, ownEmail: string): GuestsDecision {
  const text = raw.trim();
  if (!text) return { ok: true, guests: [] };
  if (max <= 0) return { ok: false, error: messageRef("booking.guests_off") };
  if (text.length > guestsFieldMax(max)) {
    return { ok: false, error: messageRef("booking.guests_too_many", { max }) };
  }
  const seen = new Set([ownEmail.trim().toLowerCase()]);
  const guests: string[] = [];
  for (const part of text.split(/[\s,;]+/)) {
    const email = part.replace(/^<|>$/g, "");
    if (!email) continue;
    // The booking form's own rule: an additional guest's address is taken where the guest's is.
    if (email.length > EMAIL_MAX || !isMailAddress(email)) {
      return {
        ok: false,
        error: messageRef("booking.guests_invalid", { email: email.slice(0, 60) }),
      };
    }
    const key = email.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    guests.push(email);
  }
  if (guests.length > max) {
    return { ok: false, error: messageRef("booking.guests_too_many", { max }) };
  }
  return { ok: true, guests };
}
