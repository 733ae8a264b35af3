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
): Promise<ImportReport> {
  if (raw.length > IMPORT_MAX_BYTES) {
    return { ok: false, error: "The file is larger than an Invito export can be (64 MB)." };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return {
      ok: false,
      error: "The file is not valid JSON: choose the .json file Invito exported.",
    };
  }
  const head = json as { format?: unknown; version?: unknown } | null;
  if (!head || typeof head !== "object" || head.format !== EXPORT_FORMAT) {
    return {
      ok: false,
      error: 'This is not an Invito export (it lacks the "invito-host-export" marker).',
    };
  }
  if (typeof head.version === "number" && head.version > EXPORT_VERSION) {
    return {
      ok: false,
      error:
        `This export was made by a newer Invito (version ${head.version}); update this server first.`,
    };
  }
  const parsed = v.safeParse(ExportFile, json);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const where = issue.path?.map((p) => String(p.key)).join(".") ?? "the file";
    return { ok: false, error: `The export is damaged at ${where}: ${issue.message}.` };
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
      return { slug, input: null, why: first ? `${first[0]}: ${first[1]}` : "invalid" };
    } catch {
      return { slug, input: null, why: "unreadable" };
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
    skipped.push(`Profile: ${profile.issues[0].message}`);
  } else {
    let res = await updateProfile(app, user, profile.output);
    if (!res.ok && res.field === "username") {
      skipped.push(
        `Username "${profile.output.username}": ${res.message} here; you keep "${user.username}".`,
      );
      res = await updateProfile(app, user, { ...profile.output, username: user.username });
    }
    if (res.ok) {
      user = res.user;
      applied.push(
        "Profile (name, time zone, clock" +
          (user.username === profile.output.username ? ", username)" : ")"),
      );
    } else skipped.push(`Profile: ${res.message}`);
  }

  let created = 0;
  for (const et of eventTypes) {
    if (!et.input) {
      skipped.push(`Event type "${et.slug}": ${et.why}`);
      continue;
    }
    const res = await createEventType(app, user, et.input);
    if (res.ok) created++;
    else skipped.push(`Event type "${et.slug}": a page with this URL already exists here.`);
  }
  if (created) applied.push(`${created} event type${created === 1 ? "" : "s"}`);

  if (file.availability) {
    const a = file.availability;
    const weekly = await saveWeeklyAvailability(app, user, a.weekly as unknown as WeeklyRules)
      .catch(() => ({ ok: false as const }));
    if (weekly.ok) applied.push("Weekly hours");
    else skipped.push("Weekly hours: not valid here; set them on the Availability page.");
    // Past dates cannot be added (they are history); the ones ahead are.
    const today = hostToday(app, user);
    const overrides = (a.overrides as DateOverride[]).filter((o) =>
      typeof o?.date === "string" && o.date >= today
    );
    if (overrides.length) {
      const r = await saveOverrides(app, user, overrides).catch(() => ({ ok: false as const }));
      if (r.ok) {
        applied.push(`${overrides.length} date override${overrides.length === 1 ? "" : "s"}`);
      } else skipped.push("Date overrides: not valid here.");
    }
    const timeOff = (a.timeOff as TimeOff[]).filter((t) =>
      typeof t?.to === "string" && t.to >= today
    );
    if (timeOff.length) {
      const r = await saveTimeOff(app, user, timeOff).catch(() => ({ ok: false as const }));
      if (r.ok) {
        applied.push(`${timeOff.length} time off entr${timeOff.length === 1 ? "y" : "ies"}`);
      } else skipped.push("Time off: not valid here.");
    }
  }
  for (const c of file.calendars) {
    skipped.push(
      `Calendar ${c.serverUrl} (${c.username}): connect it again on the Calendars page; passwords are never exported.`,
    );
  }
  if (file.bookings.length) {
    skipped.push(
      `${file.bookings.length} booking${
        file.bookings.length === 1 ? "" : "s"
      }: not moved (bookings are kept in the file; moving them needs a booking import step that this version does not have).`,
    );
  }
  return { ok: true, applied, skipped };
}
