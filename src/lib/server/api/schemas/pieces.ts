/** Pieces every resource's shapes use: ids, names, zones, dates, instants, problems. */
import * as v from "valibot";
import { SLUG_RE } from "../../../shared/forms/common.ts";
import { isValidTimeZone } from "../../domain/time-zone.ts";

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
export const IsoDate = v.pipe(v.string(), v.isoDate("Write dates as YYYY-MM-DD"));
export const Instant = v.pipe(
  v.string(),
  v.isoTimestamp("Use an ISO-8601 instant like 2026-11-23T08:00:00Z"),
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
  }),
  d("RFC 9457 problem details."),
);
