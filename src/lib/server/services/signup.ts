/**
 * Whether a sign-in may go ahead under the server's sign-up policy: people who have an account
 * (by address, or by an identity already linked to one) always may; a new account only when the
 * policy lets this address in (an admin's address always).
 */
import type { App } from "../app.ts";
import { mayCreateAccount } from "../domain/signup.ts";
import { getUser, getUserByEmail } from "../store/users.ts";
import { getLinkedUserId, hasLinkedAccount } from "../store/auth-adapter.ts";

export async function maySignIn(
  app: App,
  who: { email: string | null | undefined; provider?: string; providerAccountId?: string },
): Promise<boolean> {
  const policy = app.config.signup;
  if (policy.open) return true;
  if (who.provider && who.providerAccountId) {
    if (await hasLinkedAccount(app.kv, who.provider, who.providerAccountId)) return true;
  }
  if (who.email && await getUserByEmail(app.kv, who.email)) return true;
  return mayCreateAccount(policy, who.email, app.config.admins);
}

/**
 * Whether the account a sign-in would reach (by linked identity, else by address) is suspended
 * by an admin (issue 32): that sign-in is refused with a message instead of a session.
 */
export async function isSuspendedSignIn(
  app: App,
  who: { email: string | null | undefined; provider?: string; providerAccountId?: string },
): Promise<boolean> {
  if (who.provider && who.providerAccountId) {
    const id = await getLinkedUserId(app.kv, who.provider, who.providerAccountId);
    if (id) return !!(await getUser(app.kv, id))?.suspendedAtMs;
  }
  return !!(who.email && (await getUserByEmail(app.kv, who.email))?.suspendedAtMs);
}
