/**
 * Cheap bot filters for the public booking form: a honeypot field people never see, and a
 * signed render time so a form posted faster than a person could fill it is refused.
 */
import type { App } from "../app.ts";
import { hmacToken, timingSafeEqual } from "../integrations/crypto.ts";
import { type MessageRef, messageRef } from "../../shared/i18n.ts";
import { FORM_LIFETIME_MS } from "../domain/repeat-post.ts";

/**
 * How long a rendered form's token is good for. Without an end, one token fetched once let a
 * script skip the minimum fill time for ever (issue 10, #13); a person who leaves the page open
 * longer is asked to send the form again, with everything they typed kept.
 */
export const FILL_TOKEN_MAX_AGE_MS = FORM_LIFETIME_MS;

/** The token of the current second, per signing key: one HMAC a second however busy the page. */
const lastToken = new WeakMap<object, { ms: number; token: Promise<string> }>();

export function fillToken(app: App): Promise<string> {
  // Whole seconds: the token looks up to 999 ms older than the render, well inside the minimum
  // fill time's purpose (a bot posting in milliseconds) and never blocking a person.
  const ms = Math.floor(app.now() / 1000) * 1000;
  const last = lastToken.get(app.linkKey);
  if (last?.ms === ms) return last.token;
  const token = hmacToken(app.linkKey, "form-fill", String(ms)).then((sig) => `${ms}.${sig}`);
  lastToken.set(app.linkKey, { ms, token });
  return token;
}

export async function checkFillToken(
  app: App,
  token: string,
  honeypot: string,
): Promise<{ ok: true } | { ok: false; message: MessageRef }> {
  if (honeypot.trim() !== "") {
    return { ok: false, message: messageRef("antispam.honeypot") };
  }
  const minFill = app.config.minFillMs;
  if (minFill === 0) return { ok: true };
  const [ms, sig] = token.split(".");
  if (
    !ms || !sig || !/^\d{1,15}$/.test(ms) ||
    !timingSafeEqual(sig, await hmacToken(app.linkKey, "form-fill", ms))
  ) {
    return { ok: false, message: messageRef("antispam.stale") };
  }
  const age = app.now() - Number(ms);
  if (age > FILL_TOKEN_MAX_AGE_MS) return { ok: false, message: messageRef("antispam.stale") };
  if (age < minFill) {
    return { ok: false, message: messageRef("antispam.too_fast") };
  }
  return { ok: true };
}
