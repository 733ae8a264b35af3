/**
 * A booking as programs see it: the JSON API's representation, which is also the `data.booking`
 * of every webhook. Instants are ISO-8601 UTC; the guest's wall time is given with its offset.
 */
import { isoInstant } from "../../shared/format.ts";
import { shownLocation } from "../../shared/location-text.ts";
import type { App } from "../app.ts";
import { ianaZoneName } from "../../shared/time-zone-names.ts";
import type { BookingRecord, EventTypeRecord } from "../domain/model/records.ts";
import { getEventType } from "../store/event-types.ts";
import { isLiveBooking } from "../domain/booking.ts";
import { guestLinksNow } from "./booking-links.ts";
import { Temporal } from "../domain/temporal.ts";
import { liveSeats, seatsOf } from "../domain/seats.ts";
import { getSeatLedger } from "../store/seats.ts";
import { getUsers } from "../store/teams.ts";
import type { BookingSource } from "../../shared/booking-extras.ts";

type TeamPerson = { id: string; name: string | null; username: string | null };

export type BookingResource = {
  id: string;
  status: BookingRecord["status"];
  /** PENDING past its hold reads "expired" even before the expiry job ran. */
  state: "pending" | "confirmed" | "rejected" | "expired" | "cancelled";
  eventType: { id: string; slug: string | null; title: string };
  start: string;
  end: string;
  durationMin: number;
  /** The start as the guest's wall time, with offset and zone. */
  guestStart: string;
  hostTimeZone: string;
  guest: { name: string; email: string; timeZone: string; note: string };
  answers: { questionId: string; label: string; value: string }[];
  location: { kind: string; value: string } | null;
  createdAt: string;
  decidedAt: string | null;
  /** A pending request holds its time until then. */
  holdUntil: string | null;
  endReason: string | null;
  cancelReason: string | null;
  rescheduledFromId: string | null;
  rescheduledToId: string | null;
  /**
   * A seat of a seated time (else null): the meeting it shares with the time's other guests,
   * how many seats of it are live now and how many it has. `taken` is null in a guest's own
   * answer when the host hides the count.
   */
  seat: { meetingId: string; taken: number | null; capacity: number | null } | null;
  /** Extra attendees the guest invited. */
  additionalGuests: string[];
  /**
   * The host's invitees who said they cannot come (a meeting poll's; ADR 050): no longer among
   * the attendees (a declined guest stays `guest`), in the order they declined.
   */
  declined: { name: string; email: string; declinedAt: string }[];
  /** UTM parameters and `ref` of the page the guest booked from (null: none). */
  source: BookingSource | null;
  /**
   * A date of a recurring series: the series, this date's place (0-based), how many dates were
   * booked, and the starts of the dates left out as not free ("free dates only"), in order.
   */
  series: { id: string; index: number; count: number; skipped: string[] } | null;
  /**
   * A team's booking (else null): the team, the member who hosts it (a round robin's assigned
   * member, a collective meeting's organiser) and everyone attending for the team. Names and
   * usernames only, as the team's page shows them; a member whose account is gone reads null.
   */
  team: { id: string; host: TeamPerson; people: TeamPerson[] } | null;
  /** Only in the answer to the guest who booked: their own links to view, cancel, reschedule. */
  links?: { manage: string; cancel: string; reschedule: string; ics: string };
};

/**
 * A seat's meeting as it stands now: its live seats (the time's ledger, when it is still this
 * meeting's) and the event type's seats per time (null when it no longer offers seats).
 */
async function seatResource(
  app: App,
  b: BookingRecord,
  et: EventTypeRecord | null,
  forGuest: boolean,
): Promise<NonNullable<BookingResource["seat"]>> {
  const meetingId = b.seat!.meetingId;
  const settings = et ? seatsOf(et) : null;
  const ledger = await getSeatLedger(app.kv, b.eventTypeId, b.startMs);
  const taken = ledger && ledger.meetingId === meetingId ? liveSeats(ledger, app.now()).length : 0;
  return {
    meetingId,
    taken: forGuest && settings?.hideCount ? null : taken,
    capacity: settings?.perTime ?? null,
  };
}

const iso = isoInstant;

export function bookingState(b: BookingRecord, nowMs: number): BookingResource["state"] {
  if (b.status === "PENDING") return isLiveBooking(b, nowMs) ? "pending" : "expired";
  if (b.status === "CONFIRMED") return "confirmed";
  if (b.status === "REJECTED") return "rejected";
  return b.endReason === "expired" ? "expired" : "cancelled";
}

export async function bookingResource(
  app: App,
  b: BookingRecord,
  opts: {
    guestLinks?: boolean;
    eventType?: EventTypeRecord | null;
    /** The guest's link token, when the caller made it already (a booking just made). */
    guestToken?: string;
  } = {},
): Promise<BookingResource> {
  const et = opts.eventType !== undefined
    ? opts.eventType
    : await getEventType(app.kv, b.teamId ?? b.hostId, b.eventTypeId);
  const out = resourceOf(app, b, et, app.now(), opts.guestLinks === true, opts.guestToken);
  if (b.seat) out.seat = await seatResource(app, b, et, opts.guestLinks === true);
  if (b.teamId) out.team = await teamResource(app, b);
  return out;
}

async function teamResource(
  app: App,
  b: BookingRecord,
): Promise<NonNullable<BookingResource["team"]>> {
  const ids = [...new Set([b.hostId, ...(b.personIds ?? [])])];
  const found = new Map((await getUsers(app.kv, ids)).map((u) => [u.id, u]));
  const person = (id: string): TeamPerson => {
    const u = found.get(id);
    return { id, name: u?.name ?? null, username: u?.username ?? null };
  };
  return {
    id: b.teamId!,
    host: person(b.hostId),
    people: (b.personIds?.length ? b.personIds : [b.hostId]).map(person),
  };
}

/**
 * A booking as the API answers its guest, from the booking and its event type alone: what a
 * change's plan can write into its own commit (an API booking's answer, kept for a retry of its
 * Idempotency-Key: services/idempotency.ts). Null for a seat, whose answer counts the meeting's
 * seats as they stand after the commit.
 */
export function guestResourceNow(
  app: Pick<App, "linkKey" | "config">,
  b: BookingRecord,
  et: EventTypeRecord | null,
  nowMs: number,
  guestToken?: string,
): BookingResource | null {
  return b.seat ? null : resourceOf(app, b, et, nowMs, true, guestToken);
}

function resourceOf(
  app: Pick<App, "linkKey" | "config">,
  b: BookingRecord,
  et: EventTypeRecord | null,
  nowMs: number,
  withGuestLinks: boolean,
  guestToken?: string,
): BookingResource {
  const shown = shownLocation(b);
  const out: BookingResource = {
    id: b.id,
    status: b.status,
    state: bookingState(b, nowMs),
    eventType: { id: b.eventTypeId, slug: et?.slug ?? null, title: b.eventTitle },
    start: iso(b.startMs),
    end: iso(b.endMs),
    durationMin: b.durationMin,
    // Zones under their current IANA names, also for bookings stored before they were kept so.
    guestStart: Temporal.Instant.fromEpochMilliseconds(b.startMs)
      .toZonedDateTimeISO(ianaZoneName(b.guestTimeZone)).toString({ smallestUnit: "second" }),
    hostTimeZone: ianaZoneName(b.hostTimeZone),
    guest: {
      name: b.guestName,
      email: b.guestEmail,
      timeZone: ianaZoneName(b.guestTimeZone),
      note: b.guestNote,
    },
    answers: (b.answers ?? []).map((a) => ({
      questionId: a.questionId,
      label: a.label,
      value: a.value,
    })),
    location: shown && shown.kind !== "none" ? { kind: shown.kind, value: shown.value } : null,
    createdAt: iso(b.createdAtMs),
    decidedAt: b.decidedAtMs === null ? null : iso(b.decidedAtMs),
    holdUntil: b.status === "PENDING" && b.reservedUntilMs !== null ? iso(b.reservedUntilMs) : null,
    endReason: b.endReason,
    cancelReason: b.cancelReason ?? null,
    rescheduledFromId: b.rescheduledFromId ?? null,
    rescheduledToId: b.rescheduledToId ?? null,
    seat: null,
    // A team's: read by `bookingResource` (a plan's answer is never a team's booking).
    team: null,
    additionalGuests: b.additionalGuests ?? [],
    declined: (b.declined ?? []).map((d) => ({
      name: d.name,
      email: d.email,
      declinedAt: new Date(d.atMs).toISOString(),
    })),
    source: b.source ? { ...b.source } : null,
    series: b.series
      ? {
        id: b.series.id,
        index: b.series.index,
        count: b.series.count,
        skipped: (b.series.skipped ?? []).map(iso),
      }
      : null,
  };
  if (withGuestLinks) {
    const links = guestLinksNow(app, b, guestToken);
    out.links = {
      manage: links.guest,
      cancel: links.cancel,
      reschedule: links.reschedule,
      ics: links.ics,
    };
  }
  return out;
}
