/**
 * Asking for a sign-in link: the one gate every sign-in mail passes (issue 10, #2 and #13).
 *
 * Our sign-in form is the only way in: Auth.js's own `/auth/signin/*` endpoints are closed to
 * outside requests (hooks), and Auth.js mails a link only for a request this gate let through
 * (`mayMail`), so no path can mail an address past its per-address limit. The IP limit is the
 * hook's (`signin`, by route).
 *
 * Under a closed or listed sign-up policy, an address with an account and one without get the
 * same answer and the same limits; only the first gets a mail. Telling them apart is the mailbox
 * owner's privilege, not the requester's.
 */
import type { App } from "../app.ts";
import { checkRateLimit } from "./rate-limit.ts";
import { maySignIn } from "./signup.ts";
import { mailboxKey } from "../domain/mailbox.ts";

export type LinkRequest =
  | { ok: true; send: boolean }
  | { ok: false; reason: "too_many"; retryAfterS: number };

/**
 * Counts the request against its mailbox's limit (`ann+1@…` and `ann@…` are one mailbox:
 * domain/mailbox.ts), then says whether a link goes out (to the address as typed).
 */
export async function requestSignInLink(app: App, email: string): Promise<LinkRequest> {
  const address = email.trim().toLowerCase();
  const limited = await checkRateLimit(app, "signin_email", mailboxKey(address));
  if (!limited.ok) return { ok: false, reason: "too_many", retryAfterS: limited.retryAfterS };
  return { ok: true, send: await maySignIn(app, { email: address }) };
}

/** Addresses the gate let through in this request; Auth.js mails only these. */
const allowed = new WeakMap<object, string>();

export function allowMail(locals: object, email: string): void {
  allowed.set(locals, email.trim().toLowerCase());
}

export function mayMail(locals: object, email: string): boolean {
  return allowed.get(locals) === email.trim().toLowerCase();
}
