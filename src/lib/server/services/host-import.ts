/**
 * Importing a host's export (services/host-data.ts) into this instance, for a host moving
 * servers: the signed-in host's profile, event types and hours are set from the file through the
 * same services (and the same checks) as the dashboard forms. What cannot or may not be taken
 * over is reported, never overwritten: a username or an event type URL already taken here, a
 * calendar (its password never leaves a server), and bookings (they move only through a booking
 * engine step that does not exist yet; the file keeps them).
 *
 * The whole file is read and checked before the first write; a file from another app, a newer
 * Invito, or with oversized content is refused as a whole. Each setting is one checked write, so
 * importing the same file again after an interruption reports what is already there and adds
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
import { translateRef, type Translator } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";

/** An export of 100,000 bookings is about 40 MB; more than this is not an export of ours. */
export const IMPORT_MAX_BYTES = 64 * 1024 * 1024;

const text = (max: number) => v.pipe(v.string(), v.maxLength(max));

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
  bookings: v.optional(v.array(v.unknown()), []),
});

export type ImportReport = {
  ok: true;
  /** what was set, in words for the host */
  applied: string[];
  /** what was left as it is here, and why */
  skipped: string[];
} | { ok: false; error: string };

export async function importHostData(
  app: App,
  user: UserRecord,
  raw: string,
  /** The host's language for the report (English when none is given). */
  t: Translator = translator(null),
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
  const parsed = v.safeParse(ExportFile, json);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const where = issue.path?.map((p) => String(p.key)).join(".") ?? "";
    return {
      ok: false,
      error: t.t("import.damaged", {
        where: where || "/",
        problem: translateRef(t, issue.message),
      }),
    };
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
  if (file.bookings.length) {
    skipped.push(t.t("import.bookings_skipped", { n: file.bookings.length }));
  }
  return { ok: true, applied, skipped };
}
