import { Temporal } from "./temporal.ts";
import { ianaZoneName } from "../../shared/time-zone-names.ts";

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

const canonical = new Map<string, string>();

/**
 * The canonical IANA name of a valid zone ("europe/berlin" → "Europe/Berlin", "Asia/Kolkata" and
 * "Asia/Calcutta" → "Asia/Kolkata"), else null. Every zone that comes in (a form, a guest's
 * browser, the API, an import) is kept under this name.
 */
export function canonicalTimeZone(timeZone: string): string | null {
  if (!isValidTimeZone(timeZone)) return null;
  // A formatter per call was the top item of a crowd's refusals (issue 26); a name's canonical
  // name never changes within a process.
  const known = canonical.get(timeZone);
  if (known !== undefined) return known;
  const name = ianaZoneName(
    new Intl.DateTimeFormat("en-US", { timeZone }).resolvedOptions().timeZone,
  );
  if (canonical.size < 2_000) canonical.set(timeZone, name);
  return name;
}

let zones: readonly string[] | undefined;

/** Every zone a host can pick: Intl's zones under their current IANA names plus "UTC", sorted. */
export function listTimeZones(): string[] {
  zones ??= [...new Set([...Intl.supportedValuesOf("timeZone").map(ianaZoneName), "UTC"])].sort();
  return [...zones];
}
