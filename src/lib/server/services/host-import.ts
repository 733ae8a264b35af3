/**
 * Importing a host's export (services/host-data.ts) into this instance, for a host moving
 * servers: the signed-in host's profile (with their language and week start), embedding (the
 * sites allowed to frame the widget, what it tells them), event types (with their booking page
 * settings) and hours are set from the file through the same services (and the same checks) as
 * the dashboard forms; bookings through the booking engine (services/import-bookings.ts). What cannot or may not be taken over is reported, never
 * overwritten: a username or an event type URL already taken here, a calendar (its password never
 * leaves a server), a booking that overlaps live time here.
 *
 * The whole file is read and checked before the first write — every booking included; a file
 * from another app, a newer Invito, or with oversized or malformed content is refused as a whole.
 * It is read off the request thread, its shape bounded before anything is built from it
 * (services/import-file.ts, import-reader.ts), and each host may import `import` times per window
 * of the rate limits (domain/rate-limit.ts), so no file and no flood of files can stall the server.
 * Each setting and each booking is one checked write, so importing the same file again after an
 * interruption (or after the time one request may take) reports what is already there and adds
 * the rest.
 */
import * as v from "valibot";
import type { App } from "../app.ts";
import type { UserRecord } from "../domain/model/records.ts";
import { ProfileForm } from "../../shared/forms/profile.ts";
import { createEventType } from "./event-types.ts";
import { type ProfileInput, reloadUser, updateProfile } from "./profile.ts";
import { saveBookingPageSettings, saveEmbedEventSettings, saveEmbedOrigins } from "./embed.ts";
import { setHostPhoto } from "./photo.ts";
import { updateUser } from "../store/users.ts";
import { fromBase64 } from "../util/digest.ts";
import { hostToday, saveOverrides, saveTimeOff, saveWeeklyAvailability } from "./availability.ts";
import type { DateOverride, TimeOff, WeeklyRules } from "../domain/availability.ts";
import { type MessageKey, translateRef, type Translator } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";
import {
  type BookingImportConflict,
  type BookingImportResult,
  type ExportedBooking,
  IMPORT_TIME_BUDGET_MS,
  importBookings,
} from "./import-bookings.ts";
import type { ExportInput, ReadRefusal } from "./import-file.ts";
import { hostSwitches, switchesWanted } from "./host-switches.ts";
import { ANY_ORIGIN } from "../domain/embed.ts";
import type { ImportedForm } from "./import-parts.ts";
import { exportReader } from "./import-reader.ts";
import { checkRateLimit } from "./rate-limit.ts";
import { formatRange, formatTime } from "../../shared/format.ts";
import { createForm, deleteForm, saveForm } from "./routing-forms.ts";
import { getEventTypeBySlug } from "../store/event-types.ts";
import type { Destination, RoutingFormDefinition } from "../domain/routing.ts";

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
  /** The file (its text or bytes), or the profile form's whole body (`contentType` multipart). */
  raw: string | Uint8Array | ExportInput,
  /** The host's language for the report (English when none is given). */
  t: Translator = translator(null),
  /** `budgetMs`: how long the booking step may run (tests shorten it). */
  opts: { budgetMs?: number } = {},
): Promise<ImportReport> {
  const limited = await checkRateLimit(app, "import", user.id);
  if (!limited.ok) {
    return {
      ok: false,
      error: t.t("import.too_often", { minutes: Math.ceil(limited.retryAfterS / 60) }),
    };
  }
  const input: ExportInput = typeof raw === "string"
    ? { bytes: new TextEncoder().encode(raw) }
    : raw instanceof Uint8Array
    ? { bytes: raw }
    : raw;
  const read = await exportReader()(input).catch(() => null);
  if (!read) return { ok: false, error: t.t("import.unreadable_file") };
  if (!read.ok) return { ok: false, error: refusalText(t, read.refusal) };
  const file = read.file;

  // Everything is checked before the first write (event types and routing forms already were,
  // by their editors' rules, where the file was read: services/import-parts.ts).
  const eventTypes = file.eventTypes.map((et) => ({
    slug: et.slug,
    input: et.input,
    page: et.page,
    why: et.problem === "unreadable"
      ? t.t("import.unreadable")
      : et.problem === "invalid"
      ? t.t("import.invalid")
      : et.problem && `${et.problem.field}: ${translateRef(t, et.problem.ref)}`,
  }));
  const profile = v.safeParse(ProfileForm, {
    name: file.profile.name,
    username: file.profile.username,
    timeZone: file.profile.timeZone,
    clock: file.profile.clockAuto ? "auto" : file.profile.clock ?? "",
  });
  // Language and week start by the same form's rules; one it refuses is reported, the rest set.
  const preferences = v.safeParse(v.pick(ProfileForm, ["weekStart", "locale"]), {
    weekStart: file.profile.weekStart == null ? "" : String(file.profile.weekStart),
    locale: file.profile.locale ?? "",
  });
  const wantedPreferences: Pick<ProfileInput, "weekStart" | "locale"> = preferences.success
    ? preferences.output
    : {};

  const applied: string[] = [];
  const skipped: string[] = [];
  if (!profile.success) {
    skipped.push(
      t.t("import.profile_skipped", { why: translateRef(t, profile.issues[0].message) }),
    );
  } else {
    const wanted = { ...profile.output, ...wantedPreferences };
    let res = await updateProfile(app, user, wanted, t);
    if (!res.ok && res.field === "username") {
      skipped.push(
        t.t("import.username_skipped", {
          wanted: profile.output.username,
          why: res.message,
          kept: user.username,
        }),
      );
      res = await updateProfile(app, user, { ...wanted, username: user.username }, t);
    }
    if (res.ok) {
      user = res.user;
      applied.push(
        t.t("import.profile_set", {
          username: user.username === profile.output.username ? "yes" : "no",
        }),
      );
      const { locale, weekStart } = wantedPreferences;
      if (locale || weekStart) {
        const what = locale && weekStart ? "both" : locale ? "language" : "week";
        applied.push(t.t("import.preferences_set", { what }));
      }
    } else skipped.push(t.t("import.profile_skipped", { why: res.message }));
  }
  if (!preferences.success) {
    skipped.push(
      t.t("import.preferences_skipped", { why: translateRef(t, preferences.issues[0].message) }),
    );
  }

  // The switches the file states, off included; each written only where it differs from here.
  const here = hostSwitches(user);
  const wanted = switchesWanted(file.profile, here);
  // The setup's "I confirm each request": new event types here start as requests (or not).
  if (wanted.confirmByDefault !== here.confirmByDefault) {
    const res = await updateUser(
      app.kv,
      user.id,
      { confirmByDefault: wanted.confirmByDefault },
      app.now(),
    );
    if (res.ok) user = res.user;
  }

  // The photo goes through the profile page's checks (type by its first bytes, size).
  if (file.profile.photo) {
    const bytes = /^data:image\/[a-z]+;base64,/.test(file.profile.photo)
      ? fromBase64(file.profile.photo.slice(file.profile.photo.indexOf(",") + 1))
      : null;
    const res = bytes
      ? await setHostPhoto(app, user, bytes, t)
      : { ok: false as const, message: t.t("photo.wrong_type") };
    if (res.ok) {
      user = res.user;
      applied.push(t.t("import.photo_set"));
    } else skipped.push(t.t("import.photo_skipped", { why: res.message }));
  }

  // Who may frame the widget, before the event types: a thank-you page on one of those sites may
  // be plain http (domain/embed.ts `parseThankYouUrl`). No list (null) lets any site frame it.
  const originsChange = JSON.stringify(wanted.embedOrigins) !== JSON.stringify(here.embedOrigins);
  const eventsChange = wanted.embedShareGuestData !== here.embedShareGuestData ||
    wanted.embedNavigateParent !== here.embedNavigateParent;
  if (originsChange || eventsChange) {
    const origins = originsChange
      ? await saveEmbedOrigins(app, user, (wanted.embedOrigins ?? [ANY_ORIGIN]).join("\n"))
      : { ok: true as const };
    const events = eventsChange
      ? await saveEmbedEventSettings(app, user, {
        shareGuestData: wanted.embedShareGuestData,
        navigateParent: wanted.embedNavigateParent,
      })
      : { ok: true as const };
    if (!origins.ok) {
      skipped.push(t.t("import.embed_skipped", { why: translateRef(t, origins.errors[0]) }));
    } else if (events.ok) {
      applied.push(t.t("import.embed_set", { origins: originsChange ? "yes" : "no" }));
    }
    user = await reloadUser(app, user);
  }

  let created = 0;
  for (const et of eventTypes) {
    if (!et.input) {
      skipped.push(t.t("import.type_skipped", { slug: et.slug, why: et.why ?? "" }));
      continue;
    }
    const res = await createEventType(app, user, et.input);
    if (!res.ok) {
      skipped.push(t.t("import.type_exists", { slug: et.slug }));
      continue;
    }
    created++;
    // Its booking page settings, through their own page's service (the thank-you page's checks).
    if (!et.page) continue;
    const page = et.page.ok
      ? await saveBookingPageSettings(app, user, res.record.id, et.page.settings)
      : et.page;
    if (page.ok) continue;
    const why = "ref" in page
      ? translateRef(t, page.ref)
      : page.reason === "invalid"
      ? translateRef(t, Object.values(page.errors)[0])
      : t.t("import.invalid");
    skipped.push(t.t("import.page_skipped", { slug: et.slug, why }));
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
  // Routing forms and bookings go after the event types, which they name by slug.
  const slugOf = new Map<string, string>();
  for (const et of file.eventTypes) if (et.id !== null) slugOf.set(et.id, et.slug);
  await importForms(app, user, file.routingForms, slugOf, t, applied, skipped);
  // Polls and one-off links stay in the file: their links were signed by the old server.
  if (file.polls || file.oneOffLinks) {
    skipped.push(
      t.t("import.polls_links_skipped", { polls: file.polls, links: file.oneOffLinks }),
    );
  }
  // Responses record visits to the old server's forms: kept in the file (ADR 022).
  if (file.routingResponses) {
    skipped.push(t.t("import.responses_kept", { n: file.routingResponses }));
  }
  if (!file.bookings.length) return { ok: true, applied, skipped };
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

/**
 * The file's routing forms, each through the form editor's own checks (`saveForm`). A route to
 * one of the host's event types points to the one of the same slug here; a form that sends
 * people anywhere else (a team's event type, one not imported) is reported, not guessed at.
 */
async function importForms(
  app: App,
  user: UserRecord,
  forms: ImportedForm[],
  slugOf: Map<string, string>,
  t: Translator,
  applied: string[],
  skipped: string[],
): Promise<void> {
  let added = 0;
  for (const f of forms) {
    const slug = f.slug;
    if (!f.ok) {
      skipped.push(t.t("import.form_invalid", { slug }));
      continue;
    }
    const definition = f.definition;
    const remap = async (d: Destination): Promise<Destination | null> => {
      if (d.kind !== "event_type") return d;
      if (d.team) return null;
      const etSlug = slugOf.get(d.eventTypeId);
      const et = etSlug ? await getEventTypeBySlug(app.kv, user.id, etSlug) : null;
      return et ? { kind: "event_type", ownerId: user.id, eventTypeId: et.id } : null;
    };
    const routes = await Promise.all(
      definition.routes.map(async (r) => ({ ...r, destination: await remap(r.destination) })),
    );
    const fallback = await remap(definition.fallback);
    if (!fallback || !routes.every((r) => r.destination)) {
      skipped.push(t.t("import.form_elsewhere", { slug }));
      continue;
    }
    const mapped: RoutingFormDefinition = {
      ...definition,
      routes: routes as RoutingFormDefinition["routes"],
      fallback,
    };
    const made = await createForm(app, user.id, { title: f.title, slug });
    if (!made.ok) {
      const taken = made.problems.includes("slug_taken");
      skipped.push(t.t(taken ? "import.form_exists" : "import.form_invalid", { slug }));
      continue;
    }
    const saved = await saveForm(app, user.id, made.form.id, {
      title: f.title,
      slug,
      description: f.description,
      active: f.active,
    }, mapped).catch(() => ({ ok: false as const }));
    if (saved.ok) added++;
    else {
      await deleteForm(app, user.id, made.form.id);
      skipped.push(t.t("import.form_invalid", { slug }));
    }
  }
  if (added) applied.push(t.t("import.forms_set", { n: added }));
}

/** A refusal of the file, in the host's words. */
function refusalText(t: Translator, r: ReadRefusal): string {
  const values = r.problemRef !== undefined
    ? { ...r.values, problem: translateRef(t, r.problemRef) }
    : r.values;
  return t.t(r.key, values);
}

/** The exporting server's host name, which calendar UIDs without a stored one were made from. */
function hostnameOf(source: string | undefined): string {
  try {
    return new URL(source ?? "").hostname || "invalid";
  } catch {
    return "invalid";
  }
}
