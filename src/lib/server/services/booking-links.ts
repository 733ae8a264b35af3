/**
 * Link tokens for a booking (ADR 054, amending 003): the booking's id followed by an HMAC of its
 * random salt, its id and one purpose, so a token opens one booking for one action and proves
 * itself against the booking it names. Nothing is stored per token: a store without the link
 * key still yields no usable link, and a booking's write carries no token keys (three random
 * keys of its 21 mutations, issue 26). Tokens of bookings made before (the HMAC alone) are still
 * found by the SHA-256 the store kept of them.
 */
import type { App } from "../app.ts";
import { getBooking, getTokenRecord } from "../store/bookings.ts";
import type { BookingRecord, TokenPurpose } from "../domain/model/records.ts";
import { hmacToken, hmacTokenNow, sha256Hex, timingSafeEqual } from "../integrations/crypto.ts";
import { inviteesDecline, inviteesOf } from "../domain/attendees.ts";

/** A booking id (a ULID) then the HMAC (SHA-256, base64url: 43 characters). */
const SELF_PROVING = /^([0-9A-HJKMNP-TV-Z]{26})([A-Za-z0-9_-]{43})$/;
/** A token of a booking made before ADR 054: the HMAC alone, found by its stored hash. */
const STORED = /^[A-Za-z0-9_-]{43}$/;

export async function bookingToken(
  app: Pick<App, "linkKey">,
  b: Pick<BookingRecord, "id" | "tokenSalt">,
  purpose: TokenPurpose,
): Promise<string> {
  return b.id + await hmacToken(app.linkKey, b.tokenSalt, b.id, purpose);
}

/** `bookingToken` inside a change's plan (an API booking's answer kept in its own commit). */
export function bookingTokenNow(
  app: Pick<App, "linkKey">,
  b: Pick<BookingRecord, "id" | "tokenSalt">,
  purpose: TokenPurpose,
): string {
  return b.id + hmacTokenNow(app.linkKey, b.tokenSalt, b.id, purpose);
}

/**
 * The path of a host's decision page for a booking whose token was already proved: the confirm
 * page offers "reject" and the reject page "confirm instead" by the other purpose's own token.
 */
export async function decisionPath(
  app: Pick<App, "linkKey">,
  b: Pick<BookingRecord, "id" | "tokenSalt">,
  action: "confirm" | "reject",
): Promise<string> {
  return `/booking/${await bookingToken(app, b, action)}/${action}`;
}

/** The booking id a token names, unverified (for tests and logs that follow a link). */
export function tokenBookingId(token: string): string | null {
  return SELF_PROVING.exec(token)?.[1] ?? null;
}

export async function bookingLinks(
  app: Pick<App, "linkKey" | "config">,
  b: Pick<BookingRecord, "id" | "tokenSalt">,
) {
  const [confirm, reject, guest] = await Promise.all([
    bookingToken(app, b, "confirm"),
    bookingToken(app, b, "reject"),
    bookingToken(app, b, "guest"),
  ]);
  const base = baseOf(app);
  return {
    confirm: `${base}/booking/${confirm}/confirm`,
    reject: `${base}/booking/${reject}/reject`,
    ...guestLinksOf(base, guest),
    tokens: { confirm, reject, guest },
  };
}

/**
 * The guest's links alone. Each token is an HMAC of its own (~20 µs here), and an API booking's
 * answer, which shows only these, made all three of them (issue 26's profile); `guestToken`, when
 * the caller already made it, makes none.
 */
export async function guestLinks(
  app: Pick<App, "linkKey" | "config">,
  b: Pick<BookingRecord, "id" | "tokenSalt">,
  guestToken?: string,
) {
  return guestLinksNow(app, b, guestToken ?? await bookingToken(app, b, "guest"));
}

/** `guestLinks` inside a change's plan. */
export const guestLinksNow = (
  app: Pick<App, "linkKey" | "config">,
  b: Pick<BookingRecord, "id" | "tokenSalt">,
  guestToken = bookingTokenNow(app, b, "guest"),
) => guestLinksOf(baseOf(app), guestToken);

const baseOf = (app: Pick<App, "config">) => app.config.baseUrl.href.replace(/\/$/, "");

const guestLinksOf = (base: string, guest: string) => ({
  guest: `${base}/booking/${guest}`,
  ics: `${base}/booking/${guest}/invite.ics`,
  cancel: `${base}/booking/${guest}/cancel`,
  reschedule: `${base}/booking/${guest}/reschedule`,
});

export const tokenHash = sha256Hex;

/** The booking a link token opens, if the token was made for it and for this purpose. */
export async function bookingForToken(
  app: App,
  token: string,
  purpose: TokenPurpose,
): Promise<BookingRecord | null> {
  if (typeof token !== "string") return null;
  const m = SELF_PROVING.exec(token);
  if (m) {
    const b = await getBooking(app.kv, m[1]);
    if (!b) return null;
    const mac = await hmacToken(app.linkKey, b.tokenSalt, b.id, purpose);
    return timingSafeEqual(mac, m[2]) ? b : null;
  }
  if (!STORED.test(token)) return null;
  const rec = await getTokenRecord(app.kv, await tokenHash(token));
  if (!rec || rec.purpose !== purpose) return null;
  return await getBooking(app.kv, rec.bookingId);
}

/**
 * An invitee's own link to decline the meeting the host invited them to (ADR 050, amendment
 * "declining"): the booking's id and an HMAC of its salt, its id and the invitee's address (lower
 * case), so it opens that booking for that one person; nothing is stored for it.
 */
export async function declineToken(
  app: Pick<App, "linkKey">,
  b: Pick<BookingRecord, "id" | "tokenSalt">,
  email: string,
): Promise<string> {
  return b.id + await hmacToken(app.linkKey, b.tokenSalt, b.id, "decline", email.toLowerCase());
}

export const declineUrl = (app: Pick<App, "config">, token: string) =>
  `${baseOf(app)}/booking/${token}/decline`;

/**
 * The booking and the invitee a decline link is for: each invitee's HMAC is made until one matches
 * (a poll's at most 100 voters, ~20 µs each).
 */
export async function inviteeForToken(
  app: App,
  token: string,
): Promise<{ booking: BookingRecord; email: string } | null> {
  if (typeof token !== "string") return null;
  const m = SELF_PROVING.exec(token);
  if (!m) return null;
  const b = await getBooking(app.kv, m[1]);
  if (!b || !inviteesDecline(b)) return null;
  for (const email of inviteesOf(b)) {
    const mac = await hmacToken(app.linkKey, b.tokenSalt, b.id, "decline", email.toLowerCase());
    if (timingSafeEqual(mac, m[2])) return { booking: b, email };
  }
  return null;
}
