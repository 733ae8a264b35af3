/**
 * Reading a host's export file (services/host-data.ts writes it) for the import, safely: the file
 * may be anyone's 64 MB (issue 22: 62 MB of nested arrays, or 63 MB of empty objects in a field
 * of its own, stalled the whole server for 11–17 s and took its memory to GBs, because the file
 * went to `JSON.parse` whole, on the request's thread, before any check).
 *
 * 1. `scanExportShape` walks the bytes once, building nothing: the top level must be an object
 *    of the export's own fields (those of the schema below; anything else is refused), nesting
 *    at most `MAX_DEPTH` deep, no array longer than an export's longest, no object with more
 *    than `MAX_KEYS` fields, no more objects and arrays in all than an export of the maximum
 *    size holds. A hostile file is refused here,
 *    after reading at most its first bytes that break a bound.
 * 2. Only then is it parsed and checked against the schema (valibot), first problem only, and
 *    reduced to what the import uses (`ImportData`, services/import-parts.ts): unknown fields
 *    inside a part are dropped, event types and routing forms pass their editors' checks.
 *
 * `readExportFile` does both and is pure (no app, no store): services/import-worker.ts runs it in
 * a Worker, so even a file at every bound is parsed off the thread that answers requests.
 */
import { ORIGINS } from "../domain/insights-origin.ts";
import { decideSource, STORED_GUESTS_MAX } from "../../shared/booking-extras.ts";
import {
  type ImportedEventType,
  importedEventType,
  type ImportedForm,
  importedForm,
} from "./import-parts.ts";
import * as v from "valibot";
import { canonicalLocale, type MessageKey, messageRef } from "../../shared/i18n.ts";
import { MAX_ANSWERS_TOTAL } from "../domain/event-rules.ts";
import {
  BUFFER_MAX_MIN,
  DURATION_MAX,
  LOCATION_KINDS,
  LOCATION_MAX,
  MAX_REMINDERS,
  QUESTION_ID_RE,
  REMINDER_MAX_MIN,
} from "../../shared/forms/event-type-options.ts";
import {
  FOLLOW_UP_MAX_MIN,
  FOLLOW_UP_MESSAGE_MAX,
  MAX_FOLLOW_UPS,
} from "../../shared/forms/event-type-rows.ts";

export const EXPORT_FORMAT = "invito-host-export";
export const EXPORT_VERSION = 1;

/** An export of 100,000 bookings is about 40 MB; more than this is not an export of ours. */
export const IMPORT_MAX_BYTES = 64 * 1024 * 1024;

import {
  IMPORT_MAX_BOOKINGS,
  MAX_ARRAY,
  MAX_DEPTH,
  MAX_KEYS,
  scanShape,
  withoutKept,
} from "./import-scan.ts";
export {
  IMPORT_MAX_BOOKINGS,
  MAX_ARRAY,
  MAX_CONTAINERS,
  MAX_DEPTH,
  MAX_KEY_BYTES,
  MAX_KEYS,
  type ShapeProblem,
} from "./import-scan.ts";

import {
  address,
  byGuest,
  instant,
  MIN,
  multiLine,
  oneLine,
  reader,
  STATUSES,
  text,
  ulid,
  zone,
} from "./import-fields.ts";

// ── bookings, as exported (a BookingRecord without its salt) ────────────────────────────────

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
    guestEmail: v.union([v.literal(""), address]),
    guestNote: multiLine(2000),
    guestTimeZone: zone,
    guestClock: v.optional(v.picklist(["12h", "24h"])),
    // The guest's language (their mails and pages): a tag that is not one is dropped, not refused.
    guestLocale: v.optional(
      v.pipe(text(35), v.transform((s) => canonicalLocale(s) ?? undefined)),
    ),
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
          // A checkbox's answer: ticked or not (shown as yes or no in the reader's language).
          checked: v.optional(v.boolean()),
        })),
        v.maxLength(50),
        v.check(
          (a) => a.reduce((n, x) => n + x.value.length, 0) <= MAX_ANSWERS_TOTAL,
          messageRef("import.problem_answers", { max: MAX_ANSWERS_TOTAL }),
        ),
      ),
    ),
    location: v.optional(v.object({
      kind: v.picklist(LOCATION_KINDS.map((k) => k.value)),
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
    // A one-off link's offered times: its guest's moves keep to them after a restore too.
    offeredStarts: v.optional(v.pipe(v.array(instant), v.minLength(1), v.maxLength(10))),
    guestErasedAtMs: v.optional(instant),
    icalUid: v.optional(v.pipe(oneLine(300), v.minLength(1))),
    sequence: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000))),
    calendarIssued: v.optional(v.boolean()),
    personIds: v.optional(v.pipe(v.array(text(100)), v.maxLength(100))),
    coordinatorId: v.optional(text(100)),
    seat: v.optional(v.object({ meetingId: text(100) })),
    additionalGuests: v.optional(
      v.pipe(v.array(address), v.maxLength(STORED_GUESTS_MAX)),
    ),
    // Their names where they gave them (a poll's voters), and how each reads their mails (the
    // page they answered on): both by address, as in `additionalGuests`.
    additionalGuestNames: v.optional(byGuest(oneLine(200))),
    additionalGuestReaders: v.optional(byGuest(reader)),
    invitedBy: v.optional(v.literal("host")),
    // A poll meeting's invitees who declined (ADR 050): they stay out of it after a restore.
    declined: v.optional(v.pipe(
      v.array(v.object({ email: address, name: text(200), atMs: instant })),
      v.maxLength(STORED_GUESTS_MAX),
    )),
    // Cleaned as the booking page cleans it: an invalid field is dropped, not refused.
    source: v.optional(
      v.pipe(
        v.record(v.string(), v.unknown()),
        v.transform((r) => decideSource((f) => r[f]) ?? undefined),
      ),
    ),
    // How it came (insights tell bookings apart by it).
    origin: v.optional(v.picklist(ORIGINS)),
    // A date of a recurring series (ADR 048): it stays one, at its place, its gaps named.
    series: v.optional(v.object({
      id: text(100),
      index: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(51)),
      count: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(52)),
      skipped: v.optional(v.pipe(v.array(v.pipe(v.number(), v.integer())), v.maxLength(51))),
    })),
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
  // Names and readings are kept for the booking's own invitees only (a reading whose language is
  // not one is dropped: that invitee reads as the guest, as an older booking's do).
  v.transform(({ additionalGuestNames, additionalGuestReaders, ...b }) => {
    const invited = new Set(b.additionalGuests ?? []);
    const names = ofInvited(additionalGuestNames, invited);
    const readers = ofInvited(additionalGuestReaders, invited);
    return {
      ...b,
      ...(names ? { additionalGuestNames: names } : {}),
      ...(readers ? { additionalGuestReaders: readers } : {}),
    };
  }),
);

/** The entries of `r` for addresses in `invited`, without empty ones; none left: undefined. */
function ofInvited<T>(r: Record<string, T | null> | undefined, invited: ReadonlySet<string>) {
  const kept = Object.entries(r ?? {}).filter((e): e is [string, T] =>
    invited.has(e[0]) && e[1] !== null
  );
  return kept.length ? Object.fromEntries(kept) : undefined;
}

/** Wall-clock ranges of one day ("09:00"–"17:00"); at most one per quarter hour. */
const ranges = v.pipe(
  v.array(v.object({ start: text(5), end: text(5) })),
  v.maxLength(96),
);

export const ExportFile = v.object({
  format: v.literal(EXPORT_FORMAT),
  version: v.number(),
  exportedAt: v.optional(text(40)),
  profile: v.object({
    username: text(100),
    name: text(200),
    timeZone: text(100),
    clock: v.optional(v.picklist(["12h", "24h"])),
    clockAuto: v.optional(v.boolean()),
    // Checked by the profile form's rules when imported (a value it refuses is reported).
    weekStart: v.optional(v.nullable(v.number())),
    locale: v.optional(v.nullable(text(100))),
    /** null: any site may frame the widget (the host never listed any). */
    embedOrigins: v.optional(v.nullable(v.pipe(v.array(text(300)), v.maxLength(100)))),
    embedShareGuestData: v.optional(v.boolean()),
    embedNavigateParent: v.optional(v.boolean()),
    /** New event types start as requests (the setup's "I confirm each request"). */
    confirmByDefault: v.optional(v.boolean()),
    /** A data: URL of the photo's bytes (≤ 60 KiB, so ~82,000 characters); checked on import. */
    photo: v.optional(v.nullable(text(90_000))),
  }),
  // Read field by field through the editor's checks (services/import-parts.ts).
  eventTypes: v.pipe(v.array(v.record(v.string(), v.unknown())), v.maxLength(500)),
  // Hours as the availability record holds them; the services check the times when saving.
  availability: v.optional(
    v.object({
      weekly: v.object(
        Object.fromEntries(
          ["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, v.optional(ranges, [])]),
        ) as Record<"1" | "2" | "3" | "4" | "5" | "6" | "7", v.OptionalSchema<typeof ranges, []>>,
      ),
      overrides: v.optional(
        v.pipe(v.array(v.object({ date: text(10), ranges })), v.maxLength(2000)),
        [],
      ),
      timeOff: v.optional(
        v.pipe(
          v.array(v.object({ from: text(10), to: text(10), reason: v.optional(text(500)) })),
          v.maxLength(2000),
        ),
        [],
      ),
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
  /** The host's routing forms (imported through the form editor's checks). */
  routingForms: v.optional(
    v.pipe(v.array(v.record(v.string(), v.unknown())), v.maxLength(500)),
    [],
  ),
  /** Meeting polls and one-off links: kept in the file, not imported (their links are signed). */
  polls: v.optional(v.pipe(v.array(v.unknown()), v.maxLength(1000)), []),
  oneOffLinks: v.optional(v.pipe(v.array(v.unknown()), v.maxLength(1000)), []),
  /**
   * The routing forms' responses (visitors' answers): kept in the file, not imported — they are
   * records of visits to the old server. Any number: the import cuts them out unread.
   */
  routingResponses: v.optional(v.array(v.unknown()), []),
  bookings: v.optional(v.array(ExportedBookingSchema), []),
});

export type ExportFileData = v.InferOutput<typeof ExportFile>;

/** The fields an export has at its top level: the schema's, and only those. */
export const EXPORT_FIELDS: ReadonlySet<string> = new Set(Object.keys(ExportFile.entries));

/** The scan with this file's top-level fields (see import-scan.ts). */
export const scanExportShape = (bytes: Uint8Array) => scanShape(bytes, EXPORT_FIELDS);

// ── reading the file ───────────────────────────────────────────────────────────────────────

/** A refusal in words to come: the message key, its values, and a schema problem to translate. */
export type ReadRefusal = {
  key: MessageKey;
  values: Record<string, string | number>;
  /** a `messageRef` of the schema's problem, put into `values.problem` once translated */
  problemRef?: string;
};

/**
 * What the import uses of a checked file, and nothing else (services/import-parts.ts): built in
 * the reading Worker, so only this crosses to the request thread.
 */
export type ImportData =
  & Omit<
    ExportFileData,
    "eventTypes" | "routingForms" | "polls" | "oneOffLinks" | "profile" | "routingResponses"
  >
  & {
    profile: Pick<
      ExportFileData["profile"],
      | "username"
      | "name"
      | "timeZone"
      | "clock"
      | "clockAuto"
      | "photo"
      | "weekStart"
      | "locale"
      | "embedOrigins"
      | "embedShareGuestData"
      | "embedNavigateParent"
      | "confirmByDefault"
    >;
    eventTypes: ImportedEventType[];
    routingForms: ImportedForm[];
    /** How many meeting polls, one-off links and form responses the file holds (not imported). */
    polls: number;
    oneOffLinks: number;
    routingResponses: number;
  };

export type ReadResult = { ok: true; file: ImportData } | { ok: false; refusal: ReadRefusal };

const refuse = (
  key: MessageKey,
  values: Record<string, string | number> = {},
  problemRef?: string,
): ReadResult => ({ ok: false, refusal: { key, values, problemRef } });

/**
 * What the import receives: the export's bytes, or the profile form's whole body (multipart),
 * from which the `file` field is taken here — so that a 64 MB form is parsed off the request
 * thread too.
 */
export type ExportInput = { bytes: Uint8Array; contentType?: string };

export async function readExportInput(input: ExportInput): Promise<ReadResult> {
  if (input.contentType === undefined) return readExportFile(input.bytes);
  let file: FormDataEntryValue | null;
  try {
    const form = await new Request("http://import.invalid/", {
      method: "POST",
      body: input.bytes as Uint8Array<ArrayBuffer>,
      headers: { "content-type": input.contentType },
    }).formData();
    file = form.get("file");
  } catch {
    return refuse("http.form_unreadable");
  }
  if (!(file instanceof File) || file.size === 0) return refuse("data.choose_file");
  if (file.size > IMPORT_MAX_BYTES) {
    return refuse("import.too_large", { mb: IMPORT_MAX_BYTES / 1024 / 1024 });
  }
  return readExportFile(new Uint8Array(await file.arrayBuffer()));
}

/** UTF-8's byte-order mark, which some editors write at the start of a file they save. */
const BOM = [0xef, 0xbb, 0xbf];

/** The export, checked whole; nothing is built from a file that breaks a bound of the scan. */
export function readExportFile(bytes: Uint8Array): ReadResult {
  if (bytes.byteLength > IMPORT_MAX_BYTES) {
    return refuse("import.too_large", { mb: IMPORT_MAX_BYTES / 1024 / 1024 });
  }
  // Not part of the JSON: skipped before the scan, which reads the bytes as JSON from the first.
  if (BOM.every((b, i) => bytes[i] === b)) bytes = bytes.subarray(BOM.length);
  const shape = scanExportShape(bytes);
  if (!shape.ok) {
    switch (shape.problem) {
      case "not_object":
        return refuse("import.not_export", { marker: EXPORT_FORMAT });
      case "unknown_field":
        return shape.formatSeen
          ? refuse("import.unknown_field", { field: shape.field.slice(0, 60) })
          : refuse("import.not_export", { marker: EXPORT_FORMAT });
      case "not_json":
        return refuse("import.not_json");
      case "too_many_bookings":
        return refuse("import.too_many", { n: shape.n, max: IMPORT_MAX_BOOKINGS });
      case "too_many_keys":
        return refuse("import.too_many_fields", { max: MAX_KEYS });
      default:
        return refuse("import.too_complex", { depth: MAX_DEPTH, items: MAX_ARRAY });
    }
  }
  if (shape.kept) bytes = withoutKept(bytes, shape.kept);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return refuse("import.not_json");
  }
  const head = json as { format?: unknown; version?: unknown } | null;
  if (!head || typeof head !== "object" || head.format !== EXPORT_FORMAT) {
    return refuse("import.not_export", { marker: EXPORT_FORMAT });
  }
  if (typeof head.version === "number" && head.version > EXPORT_VERSION) {
    return refuse("import.newer", { version: head.version });
  }
  const bookings = (json as { bookings?: unknown }).bookings;
  if (Array.isArray(bookings) && bookings.length > IMPORT_MAX_BOOKINGS) {
    return refuse("import.too_many", { n: bookings.length, max: IMPORT_MAX_BOOKINGS });
  }
  // The first problem is all that is shown: stop there (a hostile file may have a million).
  const parsed = v.safeParse(ExportFile, json, { abortEarly: true });
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = issue.path?.map((p) => String(p.key)) ?? [];
    if (path[0] === "bookings" && path.length > 1) {
      const where = path.slice(2).join(".");
      return where
        ? refuse("import.damaged_booking_at", { n: Number(path[1]) + 1, where }, issue.message)
        : refuse("import.damaged_booking", { n: Number(path[1]) + 1 }, issue.message);
    }
    return refuse("import.damaged", { where: path.join(".") || "/" }, issue.message);
  }
  return { ok: true, file: importData(parsed.output, shape.keptItems ?? 0) };
}

/** The file reduced to what the import uses (see `ImportData`). */
function importData(file: ExportFileData, routingResponses: number): ImportData {
  const { username, name, timeZone, clock, clockAuto, photo, weekStart, locale } = file.profile;
  const { embedOrigins, embedShareGuestData, embedNavigateParent, confirmByDefault } = file.profile;
  return {
    ...file,
    profile: {
      username,
      name,
      timeZone,
      ...(clock ? { clock } : {}),
      ...(clockAuto ? { clockAuto } : {}),
      ...(photo ? { photo } : {}),
      ...(weekStart != null ? { weekStart } : {}),
      ...(locale ? { locale } : {}),
      // As the file states them, off included; absent in an older file (host-switches.ts).
      embedOrigins,
      embedShareGuestData,
      embedNavigateParent,
      confirmByDefault,
    },
    eventTypes: file.eventTypes.map(importedEventType),
    routingForms: file.routingForms.map(importedForm),
    polls: file.polls.length,
    oneOffLinks: file.oneOffLinks.length,
    routingResponses,
  };
}
