/** Pieces every resource's shapes use: ids, names, zones, dates, instants, problems. */
import * as v from "valibot";
import { SLUG_RE } from "../../../shared/forms/common.ts";
import { isValidTimeZone } from "../../domain/time-zone.ts";
import type { Temporal } from "../../domain/temporal.ts";
import { parseStart } from "../../services/book-basics.ts";
import { LANGUAGES } from "../../../shared/i18n.ts";

export const d = v.description;

export const Ulid = v.pipe(v.string(), v.regex(/^[0-9A-Z]{26}$/, "Not an id of ours"));
export const Username = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}[A-Za-z0-9])?$/, "Not a username"),
);
export const Slug = v.pipe(v.string(), v.regex(SLUG_RE, "Not an event type slug"));
export const TimeZone = v.pipe(
  v.string(),
  v.maxLength(64, "Not a time zone"),
  v.check(isValidTimeZone, "Use an IANA time zone like Europe/Berlin"),
  d("IANA time zone, e.g. `Europe/Berlin`."),
);
/** One of the languages Invito speaks (`shared/i18n.ts`), as the pages' language links name them. */
export const Language = v.picklist(LANGUAGES, `Use one of ${LANGUAGES.join(", ")}`);
export const IsoDate = v.pipe(v.string(), v.isoDate("Write dates as YYYY-MM-DD"));

/**
 * An instant as every route and MCP tool takes it: an RFC 3339 date-time (the document's
 * `format: date-time`) — date, `T`, time with seconds, an optional fraction, then `Z` or a full
 * `±HH:MM` offset — that names a real time, read by the services' own Temporal parse. Temporal
 * alone also reads `+01`, `+0100`, a space for `T` and zone annotations, and `Date.parse` read
 * some of those as nothing at all (a 500) and rolled 31 November over into December.
 */
const RFC3339_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}[Tt](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** The instant `text` names under the API's one rule, or null. */
export function parseInstant(text: string): Temporal.Instant | null {
  return RFC3339_DATE_TIME.test(text) ? parseStart(text) : null;
}

/** An instant the schema below accepted (a route reads its validated input with this). */
export function instantOf(text: string): Temporal.Instant {
  const instant = parseInstant(text);
  if (!instant) throw new Error("instantOf: not an instant the Instant schema accepts");
  return instant;
}

const INSTANT_MESSAGE =
  "Use an RFC 3339 instant like 2026-11-23T08:00:00Z or 2026-11-23T09:00:00+01:00";
export const Instant = v.pipe(
  v.string(),
  v.check((x) => parseInstant(x) !== null, INSTANT_MESSAGE),
  v.metadata({ format: "date-time" }),
);
export const DateTime = v.pipe(v.string(), v.isoTimestamp());
export const Clock = v.picklist(["12h", "24h"]);
export const HhMm = v.pipe(v.string(), v.regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "Use HH:MM"));

export const Problem = v.pipe(
  v.object({
    type: v.pipe(v.string(), d("Stable URI of the refusal reason (links to this reference).")),
    title: v.string(),
    status: v.pipe(v.number(), v.integer()),
    detail: v.string(),
    reason: v.pipe(v.string(), d("The reason as a short token, e.g. `slot_taken`.")),
    errors: v.optional(v.array(v.object({ field: v.string(), message: v.string() }))),
    failed: v.optional(
      v.pipe(
        v.array(v.object({ bookingId: v.string(), start: v.string(), reason: v.string() })),
        d(
          "`series_partial`: the series' dates this request could not decide yet, and why. The same request again decides them, then the one you asked for.",
        ),
      ),
    ),
    notFree: v.optional(
      v.pipe(
        v.array(v.object({ index: v.number(), start: v.string() })),
        d(
          "`slot_taken` of a series: its dates that are not free — their index in the series and start. Where the event type books the free dates only, send those indices as `skip`.",
        ),
      ),
    ),
  }),
  d("RFC 9457 problem details."),
);

/**
 * A resource's fields that its GET answers and its write (PATCH, PUT) does not set, so that a
 * client can read, change a field and send the whole body back. `fixed`: what names the
 * resource (an id, when it was made, the zone its hours are in), taken only as it is now
 * (`readOnlyRefusal` in routes/context.ts refuses another value, with `hints` saying where it
 * is changed instead); `kept`: what the server records by itself (when it was last changed,
 * deliveries, secrets), which moves between a client's GET and its write, taken as sent and not
 * used. `entries` go into the write's body schema: the resource's own schemas, optional.
 */
export function readOnlyFields<E extends v.ObjectEntries, F extends keyof E & string>(
  resource: { entries: E },
  fixed: readonly F[],
  kept: readonly (keyof E & string)[] = [],
  hints: Partial<Record<F, string>> = {},
): ReadOnlyFields {
  const entries: v.ObjectEntries = {};
  for (const f of fixed) {
    const hint = hints[f] ? ` (${hints[f]})` : "";
    const words = `Read-only: taken when sent as GET answers it, refused when changed${hint}.`;
    entries[f] = v.optional(v.pipe(resource.entries[f], d(words)));
  }
  for (const k of kept) {
    entries[k] = v.optional(
      v.pipe(resource.entries[k], d("Read-only, kept by the server: taken as sent and not used.")),
    );
  }
  return { entries, fixed, hints: hints as Record<string, string> };
}

export type ReadOnlyFields = {
  entries: v.ObjectEntries;
  fixed: readonly string[];
  hints: Record<string, string>;
};
