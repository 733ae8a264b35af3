/**
 * A host's own data: the export (JSON of everything that is theirs, without secrets, and an ICS
 * file of their bookings), and erasing one guest's personal data on that guest's request.
 */
import { BOM, csvLines } from "../http/csv.ts";
import { SOURCE_FIELDS } from "../../shared/booking-extras.ts";
import { FIELD_MAX } from "../../shared/field-bounds.ts";
import type { App } from "../app.ts";
import { eraseGuestResponses, listForms } from "./routing-forms.ts";
import { ownedTeams } from "./routing-access.ts";
import { eraseVotesOf, listPolls, listVotes } from "../store/polls.ts";
import { eraseGuestsFromLinks, listSingleUseLinks } from "../store/single-use-links.ts";
import { linkState, MAX_LINKS_PER_HOST } from "./single-use-links.ts";
import type {
  BookingRecord,
  RoutingFormRecord,
  UserPhotoRecord,
  UserRecord,
} from "../domain/model/records.ts";
import { listEventTypes } from "../store/event-types.ts";
import { getAvailability } from "../store/availability.ts";
import { getWriteback, listAccounts, listHostCalendars } from "../store/calendars.ts";
import { eraseGuestFromBookings, hostBookingPages, namesAddress } from "../store/host-data.ts";
import { eraseMessagesNaming } from "../store/webhooks.ts";
import { dropHostEventsNaming } from "../store/outbox.ts";
import { eraseIdempotentAnswers } from "../store/idempotency.ts";
import { icsCalendarChunks, type IcsEvent } from "../integrations/ics.ts";
import { meetingUid } from "../domain/calendar-identity.ts";
import { translator } from "../i18n.ts";
import { conferenceOf, locationText, shownLocation } from "../../shared/location-text.ts";
import { labelledLine } from "../integrations/mail-templates/quote.ts";
import { getUserPhoto } from "../store/photos.ts";
import { routingResponsePages } from "../store/routing-forms.ts";
import { responseResource } from "./routing-responses.ts";
import { base64 } from "../util/digest.ts";

import { EXPORT_FORMAT, EXPORT_VERSION } from "./import-file.ts";
import { hostSwitches } from "./host-switches.ts";
export { EXPORT_FORMAT, EXPORT_VERSION };

/**
 * A booking as exported: everything but the salt its link tokens are derived from and the tag
 * of the browser it was booked from (meaningless anywhere else: domain/repeat-post.ts).
 */
function exportedBooking(b: BookingRecord) {
  const { tokenSalt: _secret, bookerTag: _browser, ...rest } = b;
  return rest;
}

const isoOf = (ms: number) => new Date(ms).toISOString();

/** The host's photo as the file holds it: a data: URL (at most PHOTO_MAX_BYTES of bytes). */
const photoUrl = (p: UserPhotoRecord | null) =>
  p ? `data:${p.type};base64,${base64(p.bytes)}` : null;

/**
 * The host's own routing forms, meeting polls (with their answers) and one-off links, as the
 * export holds them: no salts or tokens (their links are signed by this server's key). The
 * forms' responses are streamed after the bookings (`formResponsePages`).
 */
async function schedulingParts(app: App, user: UserRecord, forms: RoutingFormRecord[]) {
  const nowMs = app.now();
  const [polls, links] = await Promise.all([
    listPolls(app.kv, user.id),
    listSingleUseLinks(app.kv, user.id, MAX_LINKS_PER_HOST),
  ]);
  return {
    routingForms: forms.map((f) => ({
      slug: f.slug,
      title: f.title,
      description: f.description,
      active: f.active,
      definition: f.definition,
      createdAt: isoOf(f.createdAtMs),
    })),
    polls: await Promise.all(polls.map(async (p) => ({
      id: p.id,
      title: p.title,
      eventTypeId: p.eventTypeId,
      times: p.starts.map(isoOf),
      expiresAt: isoOf(p.expiresAtMs),
      reserved: !!p.holds,
      bookingId: p.bookingId,
      closedAt: p.closedAtMs ? isoOf(p.closedAtMs) : null,
      createdAt: isoOf(p.createdAtMs),
      votes: (await listVotes(app.kv, p.id)).map((v) => ({
        name: v.name,
        email: v.email,
        answers: v.answers,
        answeredAt: isoOf(v.atMs),
        // How the voter read the poll's page (language, zone it named, clock), which their mails
        // about the meeting use; null for votes from before pages told us.
        reader: v.reader ?? null,
      })),
    }))),
    oneOffLinks: links.filter((x) => x.link.offeredStarts).map(({ link, use }) => {
      const state = linkState(link, use, nowMs);
      return {
        id: link.id,
        eventTypeId: link.eventTypeId,
        times: (link.offeredStarts ?? []).map(isoOf),
        note: link.note ?? "",
        state: state.kind,
        bookingId: state.kind === "used" ? state.bookingId : null,
        createdAt: isoOf(link.createdAtMs),
        expiresAt: link.expiresAtMs === null ? null : isoOf(link.expiresAtMs),
      };
    }),
  };
}

/**
 * Every response to these forms as the API shows it (`responseResource`: it names its form by
 * slug, as the file's `routingForms` do), one page of the store's reads at a time: a form may
 * hold any number.
 */
async function* formResponsePages(app: App, forms: RoutingFormRecord[]) {
  for (const form of forms) {
    for await (const page of routingResponsePages(app.kv, form.id)) {
      yield page.map((r) => responseResource(form, r));
    }
  }
}

/** `"name": [ … ]` with the items of each page as they come: the array may be long. */
async function* jsonArray(name: string, pages: AsyncIterable<unknown[]>): AsyncGenerator<string> {
  yield `\n  ${JSON.stringify(name)}: [`;
  let first = true;
  for await (const page of pages) {
    if (!page.length) continue;
    yield (first ? "" : ",") + page.map((x) => "\n    " + JSON.stringify(x)).join(",");
    first = false;
  }
  yield "\n  ]";
}

async function* exportedBookingPages(app: App, user: UserRecord) {
  for await (const page of hostBookingPages(app.kv, user.id)) yield page.map(exportedBooking);
}

/**
 * The export as JSON text in pieces: profile (with the photo), event types, availability,
 * calendars (server, user name and calendars; never the password), routing forms, polls and
 * one-off links, then bookings and the routing forms' responses streamed page by page. Only the
 * host's own forms: a team's forms, like its event types, are the team's.
 */
export async function* exportHostJson(app: App, user: UserRecord): AsyncGenerator<string> {
  const forms = await listForms(app, user.id);
  const [eventTypes, availability, accounts, calendars, writeback, scheduling, photo] =
    await Promise.all([
      listEventTypes(app.kv, user.id),
      getAvailability(app.kv, user.id, app.now()),
      listAccounts(app.kv, user.id),
      listHostCalendars(app.kv, user.id),
      getWriteback(app.kv, user.id),
      schedulingParts(app, user, forms),
      getUserPhoto(app.kv, user.id),
    ]);
  const head = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: new Date(app.now()).toISOString(),
    source: app.config.baseUrl.href,
    profile: {
      username: user.username,
      name: user.name,
      email: user.email,
      timeZone: user.timeZone,
      clock: user.clock ?? "24h",
      // Profile's "Automatic": the clock above follows the language (an older importer reads
      // `clock` alone, as the choice it was).
      clockAuto: user.clockAuto ?? false,
      weekStart: user.weekStart ?? null,
      locale: user.locale ?? null,
      ...hostSwitches(user),
      createdAt: new Date(user.createdAtMs).toISOString(),
      photo: photoUrl(photo),
    },
    eventTypes,
    availability,
    calendars: accounts.map(({ value: a }) => ({
      serverUrl: a.serverUrl,
      username: a.username,
      calendars: calendars.filter((c) => c.value.accountId === a.id).map(({ value: c }) => ({
        url: c.url,
        displayName: c.displayName,
        checkConflicts: c.checkConflicts,
        writeback: writeback.value?.calendarId === c.id,
      })),
    })),
    ...scheduling,
  };
  const text = JSON.stringify(head, null, 2);
  // The object stays open for the arrays that may be long.
  yield text.slice(0, -2) + ",";
  yield* jsonArray("bookings", exportedBookingPages(app, user));
  yield ",";
  yield* jsonArray("routingResponses", formResponsePages(app, forms));
  yield "\n}\n";
}

/** The columns of the bookings CSV: machine names, stable across languages (like the JSON). */
export const BOOKINGS_CSV_COLUMNS = [
  "id",
  "status",
  "start",
  "end",
  "event_type",
  "guest_name",
  "guest_email",
  "guest_time_zone",
  "additional_guests",
  ...SOURCE_FIELDS,
  "created",
] as const;

/**
 * Every booking of the host as CSV, page by page (bookings may be many). Text a spreadsheet
 * would run as a formula is neutralised by `csvLines` (http/csv.ts), so a `ref` such as
 * `=HYPERLINK(…)` from a link someone else wrote stays text.
 */
export async function* exportHostCsv(app: App, user: UserRecord): AsyncGenerator<string> {
  yield BOM + csvLines([[...BOOKINGS_CSV_COLUMNS]]);
  const iso = (ms: number) => new Date(ms).toISOString();
  for await (const page of hostBookingPages(app.kv, user.id)) {
    yield csvLines(page.map((b) => [
      b.id,
      b.status,
      iso(b.startMs),
      iso(b.endMs),
      b.eventTitle,
      b.guestName,
      b.guestEmail,
      b.guestTimeZone,
      (b.additionalGuests ?? []).join(" "),
      ...SOURCE_FIELDS.map((f) => b.source?.[f] ?? ""),
      iso(b.createdAtMs),
    ]));
  }
}

/** The host's confirmed and pending bookings as one calendar, page by page. */
export async function* exportHostIcs(app: App, user: UserRecord): AsyncGenerator<string> {
  const [head, tail] = [...icsCalendarChunks([])];
  yield head;
  for await (const page of hostBookingPages(app.kv, user.id)) {
    const events = page.filter((b) => b.status === "CONFIRMED" || b.status === "PENDING")
      .map((b) => icsEventOf(app, user, b));
    yield* [...icsCalendarChunks(events)].slice(1, -1);
  }
  yield tail;
}

function icsEventOf(app: App, user: UserRecord, b: BookingRecord): IcsEvent {
  // The host's own file: their language; a multi-line note is quoted like everywhere else.
  const t = translator(user.locale);
  return {
    uid: meetingUid(b, app.config.baseUrl.hostname),
    sequence: (b.sequence ?? 0) + b.history.length - 1,
    startMs: b.startMs,
    endMs: b.endMs,
    stampMs: b.decidedAtMs ?? b.createdAtMs,
    summary: `${b.eventTitle}: ${b.guestName}`,
    description: b.guestNote ? labelledLine((note) => t.t("ics.note", { note }), b.guestNote) : "",
    location: locationText(shownLocation(b), t) || undefined,
    conference: conferenceOf(shownLocation(b)),
    status: b.status === "CONFIRMED" ? "CONFIRMED" : "TENTATIVE",
    organizer: { name: user.name, email: user.email },
    attendee: {
      name: b.guestName,
      email: b.guestEmail || "erased@invalid",
      partstat: b.status === "CONFIRMED" ? "ACCEPTED" : "NEEDS-ACTION",
    },
  };
}

/**
 * What erasing looks a guest up by. Deliberately not the forms' rule (`isMailAddress`, ADR 022
 * amendment of 2026-11-27): erasing finds what is stored, and routing answers and single-use
 * links stored before that rule held for them may name `x@y.z` or `a..b@example.com`, under which
 * the guest must still be erasable. So: one `@` between text without blanks, as long as an
 * address field keeps. It capped the local part at 64 characters, and so refused addresses the
 * booking form takes.
 */
const STORED_ADDRESS = /^[^\s@]+@[^\s@]+$/;

export type EraseGuestResult =
  | { ok: true; bookings: number }
  | { ok: false; reason: "invalid_email" };

/**
 * Removes a guest's name, address, note and answers from all of this host's bookings (and the
 * address from the bookings of others that invited them), their answers to the host's forms and
 * polls, the links meant for them, and what was sent or kept about them: webhook bodies that name
 * them (never sent again) and API answers kept for a retry.
 */
export async function eraseGuest(
  app: App,
  host: UserRecord,
  email: string,
): Promise<EraseGuestResult> {
  const e = email.trim();
  if (e.length > FIELD_MAX.email || !STORED_ADDRESS.test(e)) {
    return { ok: false, reason: "invalid_email" };
  }
  const r = await eraseGuestFromBookings(app.kv, host.id, e, app.now());
  // Webhook bodies that name them: by address, and the responses to the host's forms their
  // bookings followed (which may hold no address; erased below).
  const responses = r.booked.flatMap((b) => b.routing ? [b.routing.responseId] : []);
  const names = (text: string) =>
    namesAddress(text, e) || responses.some((id) => text.includes(`"${id}"`));
  // First the bodies still waiting in the outbox (a poll answer, a form submission): a fan-out
  // writes its messages only while its job is there, so once the job is gone every message it
  // wrote is in the index read next.
  await dropHostEventsNaming(app.kv, host.id, names);
  // The host's own messages, and the copies of these bookings that a team booking's other
  // members heard.
  await eraseMessagesNaming(app.kv, host.id, names, app.now(), r.touched);
  // API answers kept for a retry of the request that made or changed a booking naming them.
  const touched = new Set(r.touched.map((b) => b.id));
  await eraseIdempotentAnswers(app.kv, (t) => {
    if (t.kind === "booking") return touched.has(t.bookingId) ? t.bookingId : null;
    if (t.hostId !== host.id) return null;
    const email = t.email.toLowerCase();
    return r.touched.find((b) => b.startMs === t.startMs && b.guestEmail.toLowerCase() === email)
      ?.id ?? null;
  }, app.now());
  // Their answers to the host's routing forms go too (issue 30), and to the forms of the teams
  // the host owns — by address, and those their bookings followed — and to their meeting polls.
  await eraseGuestResponses(
    app,
    [host.id, ...(await ownedTeams(app, host.id)).map((t) => t.id)],
    e,
    r.booked,
  );
  await eraseVotesOf(app.kv, host.id, e);
  // A single-use link meant for them, or the mark of their booking with one.
  const target = e.toLowerCase();
  await eraseGuestsFromLinks(app.kv, host.id, (x) => x === target, app.now());
  return { ok: true, bookings: r.bookings };
}
