/**
 * What a guest brings besides their own details (issue 29, docs/decisions/047-additional-guests-and-source.md):
 * where they came from (UTM parameters and a free `ref`, read from the booking page's URL) and
 * the addresses of colleagues they invite along. Pure and browser-safe, and free of valibot so
 * the booking page's scripts stay small; the guests' addresses are decided in booking-guests.ts.
 */

/** The source fields, in the order the dashboard, exports and the API list them. */
export const SOURCE_FIELDS = [
  "utm_source",
  "utm_medium",
  "utm_campaign",
  "utm_term",
  "utm_content",
  "ref",
] as const;
export type SourceField = (typeof SOURCE_FIELDS)[number];
/** Where a booking came from: only the fields that were given (absent = not given). */
export type BookingSource = Partial<Record<SourceField, string>>;
/** Longest value kept, in characters; a longer one is ignored (six fields stay under 2 KiB). */
export const SOURCE_MAX = 200;

/** Control characters, and bidirectional overrides that could reorder text in the dashboard. */
const UNWANTED = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** One source value as stored: control characters stripped, spaces collapsed; "" = ignored. */
export function cleanSourceValue(raw: unknown): string {
  if (typeof raw !== "string") return "";
  const text = raw.replace(UNWANTED, " ").replace(/\s+/g, " ").trim();
  return text.length > SOURCE_MAX ? "" : text;
}

/**
 * The source a request carries (URL query, form fields, an API body or an imported row): each
 * field cleaned; an invalid one (too long, empty) is dropped silently — a guest never sees an
 * error for a link someone else wrote. Null when nothing is left.
 */
export function decideSource(get: (field: SourceField) => unknown): BookingSource | null {
  const out: BookingSource = {};
  for (const f of SOURCE_FIELDS) {
    // A URL may repeat a parameter; the first counts (URLSearchParams.get).
    const value = cleanSourceValue(get(f));
    if (value) out[f] = value;
  }
  return Object.keys(out).length ? out : null;
}

/** The source as `utm_source=…&ref=…` (for links that keep it), in the fields' order. */
export function sourceQuery(source: BookingSource | null | undefined): [SourceField, string][] {
  return SOURCE_FIELDS.filter((f) => source?.[f]).map((f) => [f, source![f]!]);
}

/** Additional guests an event type allows when its host has not said (0 turns them off). */
export const GUESTS_DEFAULT = 5;
/** The most a host may allow (each is a mail; the booking record stays small). */
export const GUESTS_MAX = 10;
/**
 * The most additional guests a stored booking may hold: a meeting poll's other voters are its
 * booked meeting's additional guests (up to the poll's 100 voters; ADR 050), beyond GUESTS_MAX.
 */
export const STORED_GUESTS_MAX = 100;
export const EMAIL_MAX = 254;

/** The longest text the guests field may hold (every address at its longest, separated). */
export const guestsFieldMax = (max: number) => Math.max(1, max) * (EMAIL_MAX + 2);
