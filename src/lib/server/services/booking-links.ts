/**
 * Link tokens for a booking. Each is an HMAC of the booking's random salt and one purpose, so a
 * token opens one booking for one action; the store keeps only its SHA-256.
 */
import type { App } from "../app.ts";
import { getBooking, getTokenRecord } from "../store/bookings.ts";
import type { BookingRecord, TokenPurpose } from "../domain/model/records.ts";
import { hmacToken, sha256Hex } from "../integrations/crypto.ts";

export async function bookingToken(
  app: Pick<App, "linkKey">,
  b: Pick<BookingRecord, "id" | "tokenSalt">,
  purpose: TokenPurpose,
) {
  return await hmacToken(app.linkKey, b.tokenSalt, b.id, purpose);
}

export async function bookingLinks(
  app: Pick<App, "linkKey" | "config">,
  b: Pick<BookingRecord, "id" | "tokenSalt">,
) {
  const base = app.config.baseUrl.href.replace(/\/$/, "");
  const [confirm, reject, guest] = await Promise.all([
    bookingToken(app, b, "confirm"),
    bookingToken(app, b, "reject"),
    bookingToken(app, b, "guest"),
  ]);
  return {
    confirm: `${base}/booking/${confirm}/confirm`,
    reject: `${base}/booking/${reject}/reject`,
    guest: `${base}/booking/${guest}`,
    ics: `${base}/booking/${guest}/invite.ics`,
    cancel: `${base}/booking/${guest}/cancel`,
    reschedule: `${base}/booking/${guest}/reschedule`,
    tokens: { confirm, reject, guest },
  };
}

export const tokenHash = sha256Hex;

/** The booking a link token opens, if the token exists and was made for this purpose. */
export async function bookingForToken(
  app: App,
  token: string,
  purpose: TokenPurpose,
): Promise<BookingRecord | null> {
  if (typeof token !== "string" || !/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const rec = await getTokenRecord(app.kv, await tokenHash(token));
  if (!rec || rec.purpose !== purpose) return null;
  return await getBooking(app.kv, rec.bookingId);
}
