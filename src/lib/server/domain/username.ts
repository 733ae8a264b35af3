import { slugify } from "../../shared/slug.ts";

/** Usernames appear in public URLs (/calendar/{username}/): lowercase, URL-safe, stable. */
export const USERNAME_RE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/**
 * Turns "Zoë O'Brien" or "zoe.obrien+cal" into "zoe-obrien"; never returns an empty string. 32
 * leaves room under USERNAME_RE's 40 for the "-2", "-3" … of a taken one.
 */
export function slugifyUsername(input: string): string {
  return slugify(input.normalize("NFKD").replace(/\+.*$/, ""), 32) || "host";
}

/** The nth candidate for a wanted username: alice, alice-2, alice-3 … */
export function usernameCandidate(base: string, n: number): string {
  return n <= 1 ? base : `${base}-${n}`;
}

export const RESERVED_USERNAMES = new Set([
  "admin",
  "api",
  "auth",
  "dashboard",
  "static",
  "www",
  "widget",
  // /widget/team/… is a team's widget.
  "team",
]);

/**
 * A username its owner gives up stays theirs for 90 days: old links forward to the new name, and
 * nobody else can take it and receive the first host's bookings from those links.
 */
export const USERNAME_HOLD_DAYS = 90;
export const USERNAME_HOLD_MS = USERNAME_HOLD_DAYS * 86_400_000;

export type UsernameHold = { userId: string; untilMs: number };

/** Whether `name`, released under `hold`, is still unavailable to `userId` at `nowMs`. */
export function isHeldFrom(
  hold: UsernameHold | null,
  userId: string | null,
  nowMs: number,
): boolean {
  return hold !== null && hold.untilMs > nowMs && hold.userId !== userId;
}

/** At most this many names are held for one host at a time (keeps the user record small). */
export const MAX_USERNAME_HOLDS = 5;

export type Hold = { username: string; untilMs: number };

/**
 * The holds a user keeps after renaming from `from` to `to`: `from` is added, `to` (taken back)
 * and expired ones are dropped. Refused while MAX_USERNAME_HOLDS other names are held, until
 * the soonest of them ends.
 */
export function holdsAfterRename(
  holds: readonly Hold[] | undefined,
  from: string,
  to: string,
  nowMs: number,
): { ok: true; holds: Hold[] } | { ok: false; reason: "too_many_holds"; untilMs: number } {
  const kept = (holds ?? []).filter((h) =>
    h.untilMs > nowMs && h.username !== from && h.username !== to
  );
  if (kept.length >= MAX_USERNAME_HOLDS) {
    return {
      ok: false,
      reason: "too_many_holds",
      untilMs: Math.min(...kept.map((h) => h.untilMs)),
    };
  }
  return { ok: true, holds: [...kept, { username: from, untilMs: nowMs + USERNAME_HOLD_MS }] };
}
