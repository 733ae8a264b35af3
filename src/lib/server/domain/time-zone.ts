import { Temporal } from "./temporal.ts";

/**
 * True when `timeZone` names an IANA zone (or an alias such as "Asia/Calcutta", or "UTC") that
 * both Temporal and Intl accept. Offset strings ("+01:00") are refused: a fixed offset has no
 * DST and is never what a person who lives somewhere means.
 */
const validity = new Map<string, boolean>();

export function isValidTimeZone(timeZone: string): boolean {
  if (
    typeof timeZone !== "string" || timeZone === "" || timeZone.length > 64 ||
    /^[+\-\u2212]/.test(timeZone)
  ) {
    return false;
  }
  // Checking costs two formatter constructions; the answer for a name never changes.
  const known = validity.get(timeZone);
  if (known !== undefined) return known;
  const ok = check(timeZone);
  if (validity.size < 2_000) validity.set(timeZone, ok);
  return ok;
}

function check(timeZone: string): boolean {
  try {
    // Temporal alone would also accept ISO strings such as "2020-01-01T00:00[Europe/Berlin]".
    new Intl.DateTimeFormat("en-US", { timeZone });
    Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The spelling Intl resolves a valid zone to ("europe/berlin" → "Europe/Berlin"), else null. */
export function canonicalTimeZone(timeZone: string): string | null {
  if (!isValidTimeZone(timeZone)) return null;
  return new Intl.DateTimeFormat("en-US", { timeZone }).resolvedOptions().timeZone;
}

let zones: readonly string[] | undefined;

/** Every zone a host can pick: Intl's canonical IANA zones plus "UTC", sorted. */
export function listTimeZones(): string[] {
  zones ??= [...new Set([...Intl.supportedValuesOf("timeZone"), "UTC"])].sort();
  return [...zones];
}
