/**
 * Who administers the instance, and what an account's state allows. Pure: the configured list
 * and a user record in, a decision out.
 */
import type { UserRecord } from "./model/records.ts";

const ADDRESS = /^[^\s@,]+@[a-z0-9.-]+\.[a-z]{2,}$/;

/**
 * INVITO_ADMINS: a comma-separated list of addresses ("ops@example.org, ann@example.org").
 * Domains are not accepted: an admin is a named person, never "whoever has a mailbox there".
 */
export function parseAdminList(
  text: string,
): { ok: true; admins: string[] } | { ok: false; error: string } {
  const admins: string[] = [];
  const bad: string[] = [];
  for (const raw of text.split(",")) {
    const item = raw.trim().toLowerCase();
    if (!item) continue;
    if (ADDRESS.test(item)) {
      if (!admins.includes(item)) admins.push(item);
    } else bad.push(raw.trim());
  }
  if (bad.length) {
    return {
      ok: false,
      error: `INVITO_ADMINS must be a comma-separated list of email addresses; not understood: ${
        bad.join(", ")
      }`,
    };
  }
  return { ok: true, admins };
}

/**
 * Whether a signed-in person is an admin: an open, unsuspended account whose address — the one
 * its sign-in verified (a magic link to it, or an IdP that marked it verified, ADR 007) — is
 * listed. Anyone else is told nothing: every admin route answers them 404.
 */
export function isAdmin(admins: readonly string[], user: UserRecord | null): boolean {
  if (!user || !isActive(user)) return false;
  return user.emailVerifiedMs !== null && admins.includes(user.email.toLowerCase());
}

/**
 * Why `actor` may not suspend or delete `target`, or null. Not themselves (they would lock
 * themselves out), and from the web not another administrator either: one admin could lock the
 * others out, deleting their API keys for good. The operator of the machine (the command line,
 * no account: `actorId` null) may, and an administrator taken out of INVITO_ADMINS is a person
 * like any other.
 */
export function endRefusal(
  actorId: string | null,
  target: UserRecord,
  admins: readonly string[],
): "self" | "admin" | null {
  if (target.id === actorId) return "self";
  return actorId !== null && isAdmin(admins, target) ? "admin" : null;
}

/** Open and not suspended: the account's credentials work and its pages take bookings. */
export function isActive(user: Pick<UserRecord, "closedAtMs" | "suspendedAtMs">): boolean {
  return !user.closedAtMs && !user.suspendedAtMs;
}

/** The state an admin sees and filters by. */
export type AccountState = "active" | "suspended" | "closed";

export function accountState(user: Pick<UserRecord, "closedAtMs" | "suspendedAtMs">): AccountState {
  if (user.closedAtMs) return "closed";
  if (user.suspendedAtMs) return "suspended";
  return "active";
}
