/**
 * The booker cookie (docs/decisions/060-repeated-booking-posts.md): what proves that a second,
 * identical booking post comes from the browser whose first post booked, so that it can be
 * answered with that booking instead of "taken" (domain/repeat-post.ts).
 *
 * A booking page is kept and replayed byte for byte to every guest (ADR 049; ADR 055 answers
 * its posts before SvelteKit), so nothing secret can ride in its form. The answer's headers are
 * per response, though: every view of a booking page — the page, a guest's clicks through its
 * days — carries `Set-Cookie` with a random value (the browser's own again when it sent one, so
 * the cookie lives a day past the last view and never runs out under a form that can still be
 * sent: a form lives 2 hours). It is HttpOnly (no script of any page reads it), SameSite=Lax
 * (a post from another site carries none) and scoped to the page's own path, where its form
 * posts: no other request of the site carries it.
 *
 * The booking stores only a short hash of it, the booker tag: a copy of the store yields no
 * cookie, and a tag says nothing about anyone.
 */
import { createHash } from "node:crypto";

export const BOOKER_COOKIE = "invito_booker";
/**
 * The booking pages that give the cookie. Not the widget: it is cookie-free (README, Embeddable),
 * and in another site's frame a Lax cookie is neither kept nor sent anyway; its posts sent twice
 * are answered as before.
 */
export const BOOKER_ROUTES: ReadonlySet<string> = new Set([
  "/calendar/[username]/[slug]",
  "/team/[team]/[slug]",
  // A single-use link's page: its guest's post sent again is answered as the first was.
  "/calendar/[username]/once/[token]",
]);
/** A day past the last view of the page (see above). */
const MAX_AGE_S = 86_400;
/** 128 random bits, base64url: what this server hands out, and all it takes back. */
const VALUE = /^[A-Za-z0-9_-]{22}$/;
/** A path a cookie's Path attribute can carry as it is (booking pages' paths always are). */
const PLAIN_PATH = /^\/[A-Za-z0-9._~%!$&'()*+=:@/-]*$/;
const COOKIE = new RegExp(`(?:^|;)\\s*${BOOKER_COOKIE}=([^;]*)`);

/** The booker cookie a request carries (a `Cookie` header's), when it is one of ours. */
export function bookerCookieOf(cookieHeader: string | null): string | null {
  if (!cookieHeader || !cookieHeader.includes(BOOKER_COOKIE)) return null;
  const value = COOKIE.exec(cookieHeader)?.[1]?.trim() ?? "";
  return VALUE.test(value) ? value : null;
}

/** The tag a booking made with this cookie stores: 96 bits of its SHA-256. */
export function bookerTag(cookie: string | null): string | undefined {
  if (!cookie) return undefined;
  return createHash("sha256").update(cookie).digest("base64url").slice(0, 16);
}

/**
 * The `Set-Cookie` of a booking page's view at `pagePath` (the page's, not its data request's),
 * renewing the browser's cookie or giving it one; null when the path cannot be a cookie's.
 */
export function bookerSetCookie(
  cookieHeader: string | null,
  pagePath: string,
  secure: boolean,
): string | null {
  if (!PLAIN_PATH.test(pagePath)) return null;
  const value = bookerCookieOf(cookieHeader) ?? newValue();
  return `${BOOKER_COOKIE}=${value}; Path=${pagePath}; Max-Age=${MAX_AGE_S}; HttpOnly; SameSite=Lax${
    secure ? "; Secure" : ""
  }`;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** Random bytes drawn 4 KiB at a time: a view of a kept page is ~70 µs, a draw each ~1 µs. */
const pool = new Uint8Array(4096);
let used = pool.length;

/**
 * 128 random bits as 22 base64url characters (the last carries 2 of them): what `randomToken(16)`
 * gives, written straight from the bytes instead of through `btoa` and three replacements
 * (2–3 µs of every view without a cookie, measured).
 */
function newValue(): string {
  if (used + 16 > pool.length) {
    crypto.getRandomValues(pool);
    used = 0;
  }
  let out = "";
  let bits = 0;
  let n = 0;
  for (let i = used; i < used + 16; i++) {
    bits = (bits << 8) | pool[i];
    n += 8;
    while (n >= 6) {
      n -= 6;
      out += ALPHABET[(bits >> n) & 63];
    }
    bits &= (1 << n) - 1;
  }
  used += 16;
  return out + ALPHABET[(bits << (6 - n)) & 63];
}
