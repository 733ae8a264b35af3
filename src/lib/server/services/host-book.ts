/**
 * A host books a meeting for a guest (issue 28, "schedule a meeting with non-users"): the time
 * agreed on the phone, entered from the dashboard. It goes through the same engine as a guest's
 * booking — no overlap, caps, buffers, the guest's pending requests — by `host`; the guest gets
 * the invitation with their links. The host may mark it confirmed even when the event type asks
 * for confirmation (they are the one who would confirm it). Like a host's move, a time outside
 * their hours needs their explicit "outside my hours"; notice and booking window do not apply.
 * On a seated event type the guest takes a seat of that time (a host adding an attendee to a
 * class); a repeating one is refused: its series is the guest's to book from its page.
 */
import type { App } from "../app.ts";
import type { UserRecord } from "../domain/model/records.ts";
import { newBookingRecord } from "../domain/booking.ts";
import { canonicalTimeZone } from "../domain/time-zone.ts";
import { checkAnswers, eventTypeRules } from "../domain/event-rules.ts";
import { decideLocation, placesToChoose } from "../domain/locations.ts";
import { translator } from "../i18n.ts";
import { getEventTypeBySlug, listEventTypes } from "../store/event-types.ts";
import { randomToken } from "../integrations/crypto.ts";
import { bookRefusal, type BookResult, isOffered, parseStart } from "./book-slot.ts";
import { newBookingBasics } from "./book-basics.ts";
import { bookingToken } from "./booking-links.ts";
import { engineRules, runChange } from "./transaction.ts";
import { getSlotPage, type SlotPage } from "./slot-page.ts";
import { clockForLocale, hostClock } from "../../shared/format.ts";
import { LANGUAGES } from "../../shared/i18n.ts";
import { wallTimeInstant } from "./host-reschedule.ts";
import type { ExtraWrite } from "../domain/booking-engine/index.ts";
import { seriesOf } from "../domain/series.ts";

export type HostBookInput = {
  slug: string;
  /** A free time offered on the page, or a date and wall time in the host's zone. */
  start?: string;
  date?: string;
  time?: string;
  outsideHours?: boolean;
  name: string;
  email: string;
  note: string;
  /** The guest's zone (their mails show times in it); default the host's. */
  timeZone?: string;
  /** The guest's language (their mails and pages speak it); default the host's. */
  locale?: string;
  /** Form fields `q_{questionId}` → the guest's answers. */
  rawAnswers?: Record<string, string | undefined>;
  /** An answer to a question the event type does not ask: refused (the API) or dropped. */
  unknownAnswers?: "drop" | "refuse";
  /** The place the host picked (its index) when the event type offers several. */
  locationChoice?: string;
  /** The guest's number, when the host calls them. */
  phone?: string;
  /** Confirmed at once even when the event type asks for confirmation. */
  confirmed?: boolean;
  /** Writes that ride in the booking's commit (the API's Idempotency-Key record). */
  extra?: ExtraWrite[];
};

export type HostBookResult =
  | Exclude<BookResult, { ok: false; reason: "slot_unavailable" }>
  /** `series_by_guest`: a repeating event type, whose series its guest books (ADR 048). */
  | { ok: false; reason: "slot_unavailable" | "outside_hours" | "series_by_guest" };

export async function bookForGuest(
  app: App,
  host: UserRecord,
  input: HostBookInput,
): Promise<HostBookResult> {
  const guestLocale = input.locale && (LANGUAGES as readonly string[]).includes(input.locale)
    ? input.locale
    : undefined;
  const et = await getEventTypeBySlug(app.kv, host.id, input.slug);
  if (!et || !et.active || et.teamMode) return { ok: false, reason: "not_found" };
  // A series is taken whole with every date free (book-series.ts), from the guest's page.
  if (seriesOf(et)) return { ok: false, reason: "series_by_guest" };
  const checked = checkAnswers(eventTypeRules(et).questions, input.rawAnswers ?? {}, {
    unknown: input.unknownAnswers,
  });
  // The place by the booking form's own rule: the host chooses where the guest would, and a
  // Jitsi place gets a room of its own (docs/decisions/042-meeting-locations.md).
  const place = decideLocation(eventTypeRules(et).locations, {
    choice: input.locationChoice,
    phone: input.phone,
    random: randomToken(15),
  });
  if (!checked.ok || !place.ok) {
    return {
      ok: false,
      reason: "invalid_answers",
      errors: { ...(checked.ok ? {} : checked.errors), ...(place.ok ? {} : place.errors) },
    };
  }
  const startText = input.start ||
    (input.date && input.time ? wallTimeInstant(input.date, input.time, host.timeZone) : null);
  const start = startText ? parseStart(startText) : null;
  if (!start || start.epochMilliseconds <= app.now()) {
    return { ok: false, reason: "slot_unavailable" };
  }
  const durationMin = et.durationMin;
  if (!(await isOffered(app, host, et, start, durationMin, { byHost: true }))) {
    if (!input.outsideHours) return { ok: false, reason: "outside_hours" };
  }
  const eventType = input.confirmed ? { ...et, requiresConfirmation: false } : et;
  const status = eventType.requiresConfirmation ? "PENDING" : "CONFIRMED";
  // A seated event type: the host's guest takes a seat of the time like any guest (ADR 040).
  const { identity, kind } = newBookingBasics(app, et);
  const res = await runChange(app, {
    lane: host.id,
    rules: engineRules(app, et),
    change: (nowMs) => ({
      ...kind,
      booking: newBookingRecord(
        {
          ...identity,
          host,
          eventType,
          startMs: start.epochMilliseconds,
          durationMin,
          name: input.name,
          email: input.email,
          note: input.note,
          guestTimeZone: (input.timeZone && canonicalTimeZone(input.timeZone)) || host.timeZone,
          // The guest's language writes its own clock; without one, the host's words and clock.
          clock: guestLocale ? clockForLocale(guestLocale) : hostClock(host, host.locale ?? "en"),
          locale: guestLocale ?? host.locale,
          answers: checked.answers,
          location: place.location,
          by: "host",
        },
        nowMs,
        app.config.bookingTtlMs,
      ),
      extra: input.extra,
    }),
  });
  if (!res.ok) return { ok: false, reason: bookRefusal(res.reason) } as HostBookResult;
  return {
    ok: true,
    bookingId: identity.id,
    guestToken: await bookingToken(app, identity, "guest"),
    status,
    thankYou: null,
  };
}

/** What the "Book for a guest" page shows: the host's event types and one's free times. */
export async function hostBookView(
  app: App,
  host: UserRecord,
  q: { slug: string | null; date: string | null; month: string | null; locale: string },
) {
  // A repeating event type is booked by its guest (`bookForGuest` refuses it).
  const types = (await listEventTypes(app.kv, host.id)).filter((t) =>
    t.active && !t.teamMode && !seriesOf(t)
  );
  const et = types.find((t) => t.slug === q.slug) ?? types[0] ?? null;
  const page: SlotPage | null = et
    ? await getSlotPage(app, {
      username: host.username,
      slug: et.slug,
      timeZone: host.timeZone,
      date: q.date,
      month: q.month,
      clock: hostClock(host, q.locale),
      locale: q.locale,
      forHost: true,
    })
    : null;
  return {
    types: types.map((t) => ({
      slug: t.slug,
      title: t.title,
      needsConfirmation: t.requiresConfirmation,
    })),
    chosen: et
      ? {
        slug: et.slug,
        title: et.title,
        needsConfirmation: et.requiresConfirmation,
        questions: eventTypeRules(et).questions,
        places: placesToChoose(eventTypeRules(et).locations, translator(q.locale)),
      }
      : null,
    page: page && page.ok ? page : null,
    timeZone: host.timeZone,
  };
}
