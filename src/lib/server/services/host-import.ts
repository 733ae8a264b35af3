/**
 * Importing a host's export (services/host-data.ts) into this instance, for a host moving
 * servers: the signed-in host's profile, event types and hours are set from the file through the
 * same services (and the same checks) as the dashboard forms; bookings through the booking
 * engine (services/import-bookings.ts). What cannot or may not be taken over is reported, never
 * overwritten: a username or an event type URL already taken here, a calendar (its password never
 * leaves a server), a booking that overlaps live time here.
 *
 * The whole file is read and checked before the first write — every booking included; a file
 * from another app, a newer Invito, or with oversized or malformed content is refused as a whole.
 * Each setting and each booking is one checked write, so importing the same file again after an
 * interruption (or after the time one request may take) reports what is already there and adds
 * the rest.
 */
import * as v from "valibot";
import type { App } from "../app.ts";
import type { UserRecord } from "../store/records.ts";
import { EXPORT_FORMAT, EXPORT_VERSION } from "./host-data.ts";
import { eventTypeValuesOf, parseEventTypeValues, ProfileForm } from "../../shared/forms.ts";
import { createEventType } from "./event-types.ts";
import { updateProfile } from "./profile.ts";
import { hostToday, saveOverrides, saveTimeOff, saveWeeklyAvailability } from "./availability.ts";
import type { DateOverride, TimeOff, WeeklyRules } from "../domain/availability.ts";
import { type MessageKey, messageRef, translateRef, type Translator } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";
import {
  type BookingImportConflict,
  type BookingImportResult,
  type ExportedBooking,
  IMPORT_TIME_BUDGET_MS,
  importBookings,
} from "./import-bookings.ts";
import { isValidTimeZone } from "../domain/time-zone.ts";
import { MAX_ANSWERS_TOTAL } from "../domain/event-rules.ts";
import { NOT_MULTI_LINE, oneLineText } from "../../shared/text.ts";
import {
  BUFFER_MAX_MIN,
  DURATION_MAX,
  FOLLOW_UP_MAX_MIN,
  FOLLOW_UP_MESSAGE_MAX,
  LOCATION_MAX,
  MAX_FOLLOW_UPS,
  MAX_REMINDERS,
  QUESTION_ID_RE,
  REMINDER_MAX_MIN,
} from "../../shared/forms.ts";
import { formatRange, formatTime } from "../../shared/format.ts";

/** An export of 100,000 bookings is about 40 MB; more than this is not an export of ours. */
export const IMPORT_MAX_BYTES = 64 * 1024 * 1024;

/** More bookings than this in one file: not an export of ours (ADR 022 sizes exports for 100,000). */
export const IMPORT_MAX_BOOKINGS = 100_000;

const text = (max: number) => v.pipe(v.string(), v.maxLength(max));

// ── bookings, as exported (a BookingRecord without its salt) ────────────────────────────────

/** Text stored before today's rules may hold characters forms now refuse: they become spaces. */
const oneLine = (max: number) => v.pipe(text(max), v.transform(oneLineText));
const multiLine = (max: number) =>
  v.pipe(text(max), v.transform((s) => s.replace(new RegExp(NOT_MULTI_LINE.source, "g"), " ")));
/** Instants from 1970 to 2200: anything else is not a booking's. */
const instant = v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(7_258_118_400_000));
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const ulid = v.pipe(v.string(), v.regex(ULID, messageRef("import.problem_booking_id")));
const zone = v.pipe(text(100), v.check(isValidTimeZone, messageRef("import.problem_zone")));
const STATUSES = ["PENDING", "CONFIRMED", "REJECTED", "CANCELLED"] as const;
const MIN = 60_000;

const ExportedBookingSchema = v.pipe(
  v.object({
    v: v.optional(v.literal(1)),
    id: ulid,
    hostId: v.optional(text(100)),
    eventTypeId: text(100),
    eventTitle: oneLine(200),
    durationMin: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(DURATION_MAX)),
    startMs: instant,
    endMs: instant,
    blockStartMs: instant,
    blockEndMs: instant,
    status: v.picklist(STATUSES),
    guestName: oneLine(200),
    guestEmail: v.union([v.literal(""), v.pipe(text(254), v.email())]),
    guestNote: multiLine(2000),
    guestTimeZone: zone,
    guestClock: v.optional(v.picklist(["12h", "24h"])),
    hostTimeZone: zone,
    createdAtMs: instant,
    reservedUntilMs: v.nullable(instant),
    decidedAtMs: v.nullable(instant),
    endReason: v.nullable(text(40)),
    cancelReason: v.optional(v.nullable(multiLine(500))),
    history: v.pipe(
      v.array(v.object({
        status: v.picklist(STATUSES),
        atMs: instant,
        by: v.picklist(["guest", "host", "system"]),
      })),
      v.minLength(1),
      v.maxLength(100),
    ),
    answers: v.optional(
      v.pipe(
        v.array(v.object({
          questionId: v.pipe(v.string(), v.regex(QUESTION_ID_RE)),
          label: oneLine(300),
          value: multiLine(2000),
        })),
        v.maxLength(50),
        v.check(
          (a) => a.reduce((n, x) => n + x.value.length, 0) <= MAX_ANSWERS_TOTAL,
          messageRef("import.problem_answers", { max: MAX_ANSWERS_TOTAL }),
        ),
      ),
    ),
    location: v.optional(v.object({
      kind: v.picklist(["none", "in_person", "phone", "video", "custom"]),
      value: oneLine(LOCATION_MAX),
    })),
    rescheduledFromId: v.optional(v.nullable(ulid)),
    rescheduledToId: v.optional(v.nullable(ulid)),
    reminders: v.optional(v.pipe(
      v.array(v.object({
        minutesBefore: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(REMINDER_MAX_MIN)),
        toHost: v.boolean(),
      })),
      v.maxLength(MAX_REMINDERS),
    )),
    followUps: v.optional(v.pipe(
      v.array(v.object({
        minutesAfter: v.pipe(
          v.number(),
          v.integer(),
          v.minValue(1),
          v.maxValue(FOLLOW_UP_MAX_MIN),
        ),
        message: multiLine(FOLLOW_UP_MESSAGE_MAX),
        bookAgain: v.boolean(),
      })),
      v.maxLength(MAX_FOLLOW_UPS),
    )),
    singleUseLinkId: v.optional(text(40)),
    guestErasedAtMs: v.optional(instant),
    icalUid: v.optional(v.pipe(oneLine(300), v.minLength(1))),
    sequence: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000))),
    calendarIssued: v.optional(v.boolean()),
    personIds: v.optional(v.pipe(v.array(text(100)), v.maxLength(100))),
    coordinatorId: v.optional(text(100)),
  }),
  // The times must agree with each other, as the engine wrote them.
  v.check(
    (b) =>
      b.endMs === b.startMs + b.durationMin * MIN && b.blockStartMs <= b.startMs &&
      b.startMs - b.blockStartMs <= BUFFER_MAX_MIN * MIN && b.blockEndMs >= b.endMs &&
      b.blockEndMs - b.endMs <= BUFFER_MAX_MIN * MIN,
    messageRef("import.problem_times"),
  ),
  v.check(
    (b) => b.status !== "PENDING" || b.reservedUntilMs !== null,
    messageRef("import.problem_pending_hold"),
  ),
);

const ExportFile = v.object({
  format: v.literal(EXPORT_FORMAT),
  version: v.number(),
  profile: v.object({
    username: text(100),
    name: text(200),
    timeZone: text(100),
    clock: v.optional(v.picklist(["12h", "24h"])),
    embedOrigins: v.optional(v.nullable(v.array(text(300)))),
  }),
  eventTypes: v.pipe(v.array(v.record(v.string(), v.unknown())), v.maxLength(500)),
  availability: v.optional(
    v.object({
      weekly: v.record(v.string(), v.unknown()),
      overrides: v.optional(v.pipe(v.array(v.unknown()), v.maxLength(2000)), []),
      timeOff: v.optional(v.pipe(v.array(v.unknown()), v.maxLength(2000)), []),
    }),
  ),
  calendars: v.optional(
    v.pipe(
      v.array(v.object({ serverUrl: text(2000), username: text(500) })),
      v.maxLength(100),
    ),
    [],
  ),
  source: v.optional(text(2000)),
  bookings: v.optional(v.array(ExportedBookingSchema), []),
});

export type ImportReport = {
  ok: true;
  /** what was set, in words for the host */
  applied: string[];
  /** what was left as it is here, and why */
  skipped: string[];
  /** What happened to each booking of the file, counted (absent: the file had none). */
  bookings?: BookingImportResult["counts"];
} | { ok: false; error: string };

/** A summary line per outcome that keeps a booking out, in the host's language. */
const COUNTED = {
  overlaps: "import.bookings_overlaps",
  unknown_event_type: "import.bookings_unknown_event_type",
  cap_reached: "import.bookings_cap_reached",
  too_many_pending: "import.bookings_too_many_pending",
  id_in_use: "import.bookings_id_in_use",
  failed: "import.bookings_failed",
} as const satisfies Record<BookingImportConflict["outcome"], MessageKey>;

/** One conflict, described: "“Intro” with Ann Lee, Monday, … (zone): overlaps …". */
function describeConflict(
  t: Translator,
  c: BookingImportConflict,
  when: (ms: number, endMs: number) => string,
  at: (ms: number) => string,
): string {
  const what = {
    title: c.booking.eventTitle,
    guest: c.booking.guestName,
    when: when(c.booking.startMs, c.booking.endMs),
  };
  switch (c.outcome) {
    case "overlaps":
      return c.other
        ? t.t("import.conflict_overlaps_with", {
          ...what,
          otherTitle: c.other.eventTitle,
          otherGuest: c.other.guestName,
          from: at(c.other.startMs),
          to: at(c.other.endMs),
        })
        : t.t("import.conflict_overlaps", what);
    case "unknown_event_type":
      return c.slug
        ? t.t("import.conflict_no_slug", { ...what, slug: c.slug })
        : t.t("import.conflict_no_type", what);
    case "cap_reached":
      return t.t("import.conflict_cap", what);
    case "too_many_pending":
      return t.t("import.conflict_pending", what);
    case "id_in_use":
      return t.t("import.conflict_id", what);
    case "failed":
      return t.t("import.conflict_failed", what);
  }
}

export async function importHostData(
  app: App,
  user: UserRecord,
  raw: string,
  /** The host's language for the report (English when none is given). */
  t: Translator = translator(null),
  /** `budgetMs`: how long the booking step may run (tests shorten it). */
  opts: { budgetMs?: number } = {},
): Promise<ImportReport> {
  if (raw.length > IMPORT_MAX_BYTES) {
    return { ok: false, error: t.t("import.too_large", { mb: IMPORT_MAX_BYTES / 1024 / 1024 }) };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: t.t("import.not_json") };
  }
  const head = json as { format?: unknown; version?: unknown } | null;
  if (!head || typeof head !== "object" || head.format !== EXPORT_FORMAT) {
    return { ok: false, error: t.t("import.not_export", { marker: EXPORT_FORMAT }) };
  }
  if (typeof head.version === "number" && head.version > EXPORT_VERSION) {
    return { ok: false, error: t.t("import.newer", { version: head.version }) };
  }
  const bookingCount = (json as { bookings?: unknown }).bookings;
  if (Array.isArray(bookingCount) && bookingCount.length > IMPORT_MAX_BOOKINGS) {
    return {
      ok: false,
      error: t.t("import.too_many", { n: bookingCount.length, max: IMPORT_MAX_BOOKINGS }),
    };
  }
  // The first problem is all that is shown: stop there (a hostile file may have a million).
  const parsed = v.safeParse(ExportFile, json, { abortEarly: true });
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = issue.path?.map((p) => String(p.key)) ?? [];
    const problem = translateRef(t, issue.message);
    if (path[0] === "bookings" && path.length > 1) {
      const where = path.slice(2).join(".");
      return {
        ok: false,
        error: where
          ? t.t("import.damaged_booking_at", { n: Number(path[1]) + 1, where, problem })
          : t.t("import.damaged_booking", { n: Number(path[1]) + 1, problem }),
      };
    }
    return { ok: false, error: t.t("import.damaged", { where: path.join(".") || "/", problem }) };
  }
  const file = parsed.output;

  // Everything is checked before the first write.
  const eventTypes: {
    slug: string;
    input: Parameters<typeof createEventType>[2] | null;
    why?: string;
  }[] = file.eventTypes.map((rec, i) => {
    const slug = typeof rec.slug === "string" ? rec.slug.slice(0, 60) : `#${i + 1}`;
    try {
      const checked = parseEventTypeValues(
        eventTypeValuesOf(rec as unknown as Parameters<typeof eventTypeValuesOf>[0]),
      );
      if (checked.ok) return { slug, input: checked.input };
      const first = Object.entries(checked.errors)[0];
      return {
        slug,
        input: null,
        why: first ? `${first[0]}: ${translateRef(t, first[1])}` : t.t("import.invalid"),
      };
    } catch {
      return { slug, input: null, why: t.t("import.unreadable") };
    }
  });
  const profile = v.safeParse(ProfileForm, {
    name: file.profile.name,
    username: file.profile.username,
    timeZone: file.profile.timeZone,
    clock: file.profile.clock ?? "",
  });

  const applied: string[] = [];
  const skipped: string[] = [];
  if (!profile.success) {
    skipped.push(
      t.t("import.profile_skipped", { why: translateRef(t, profile.issues[0].message) }),
    );
  } else {
    let res = await updateProfile(app, user, profile.output, t);
    if (!res.ok && res.field === "username") {
      skipped.push(
        t.t("import.username_skipped", {
          wanted: profile.output.username,
          why: res.message,
          kept: user.username,
        }),
      );
      res = await updateProfile(app, user, { ...profile.output, username: user.username }, t);
    }
    if (res.ok) {
      user = res.user;
      applied.push(
        t.t("import.profile_set", {
          username: user.username === profile.output.username ? "yes" : "no",
        }),
      );
    } else skipped.push(t.t("import.profile_skipped", { why: res.message }));
  }

  let created = 0;
  for (const et of eventTypes) {
    if (!et.input) {
      skipped.push(t.t("import.type_skipped", { slug: et.slug, why: et.why ?? "" }));
      continue;
    }
    const res = await createEventType(app, user, et.input);
    if (res.ok) created++;
    else skipped.push(t.t("import.type_exists", { slug: et.slug }));
  }
  if (created) applied.push(t.t("import.types_set", { n: created }));

  if (file.availability) {
    const a = file.availability;
    const weekly = await saveWeeklyAvailability(app, user, a.weekly as unknown as WeeklyRules)
      .catch(() => ({ ok: false as const }));
    if (weekly.ok) applied.push(t.t("import.weekly_set"));
    else skipped.push(t.t("import.weekly_skipped"));
    // Past dates cannot be added (they are history); the ones ahead are.
    const today = hostToday(app, user);
    const overrides = (a.overrides as DateOverride[]).filter((o) =>
      typeof o?.date === "string" && o.date >= today
    );
    if (overrides.length) {
      const r = await saveOverrides(app, user, overrides, t).catch(() => ({ ok: false as const }));
      if (r.ok) applied.push(t.t("import.overrides_set", { n: overrides.length }));
      else skipped.push(t.t("import.overrides_skipped"));
    }
    const timeOff = (a.timeOff as TimeOff[]).filter((t) =>
      typeof t?.to === "string" && t.to >= today
    );
    if (timeOff.length) {
      const r = await saveTimeOff(app, user, timeOff, t).catch(() => ({ ok: false as const }));
      if (r.ok) applied.push(t.t("import.time_off_set", { n: timeOff.length }));
      else skipped.push(t.t("import.time_off_skipped"));
    }
  }
  for (const c of file.calendars) {
    skipped.push(t.t("import.calendar_skipped", { url: c.serverUrl, username: c.username }));
  }
  if (!file.bookings.length) return { ok: true, applied, skipped };

  // Bookings go after the event types, which they are filed under by slug.
  const slugOf = new Map<string, string>();
  for (const et of file.eventTypes) {
    if (typeof et.id === "string" && typeof et.slug === "string") slugOf.set(et.id, et.slug);
  }
  const result = await importBookings(app, user, {
    bookings: file.bookings as ExportedBooking[],
    slugOf,
    sourceHostname: hostnameOf(file.source),
  }, opts);
  const c = result.counts;
  if (c.imported) applied.push(t.t("import.bookings_imported", { n: c.imported }));
  if (c.already_here) skipped.push(t.t("import.bookings_already_here", { n: c.already_here }));
  for (const [outcome, key] of Object.entries(COUNTED) as [keyof typeof COUNTED, MessageKey][]) {
    if (c[outcome]) skipped.push(t.t(key, { n: c[outcome] }));
  }
  if (c.not_yet) {
    skipped.push(
      t.t("import.bookings_not_yet", {
        n: c.not_yet,
        seconds: Math.round(IMPORT_TIME_BUDGET_MS / 1000),
      }),
    );
  }
  const when = (ms: number, endMs: number) =>
    formatRange(ms, endMs, user.timeZone, user.clock, t.locale);
  const at = (ms: number) => formatTime(ms, user.timeZone, user.clock, t.locale);
  for (const conflict of result.conflicts) skipped.push(describeConflict(t, conflict, when, at));
  if (c.imported) skipped.push(t.t("import.guest_links"));
  return { ok: true, applied, skipped, bookings: c };
}

/** The exporting server's host name, which calendar UIDs without a stored one were made from. */
function hostnameOf(source: string | undefined): string {
  try {
    return new URL(source ?? "").hostname || "invalid";
  } catch {
    return "invalid";
  }
}
