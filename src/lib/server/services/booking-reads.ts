/**
 * The reads the JSON API and the page helpers make of bookings and hosts. Doors (routes, the
 * API's resource modules, http/ helpers) get their data through services, never from store/
 * (docs/decisions/029-house-order.md); the reads that several doors share live here once — the
 * booking an idempotent create made is found one way for the guest's and the host's door.
 */
import type { App } from "../app.ts";
import type { BookingRecord, EventTypeRecord, UserRecord } from "../domain/model/records.ts";
import { bookingState } from "./booking-resource.ts";
import { getBooking } from "../store/bookings.ts";
import {
  type BookingScan,
  type BookingScanPage,
  listHostBookingsAfter,
  listHostBookingsAt,
  listTeamBookingsAfter,
} from "../store/booking-list.ts";
import { getEventType, getEventTypeBySlugCached } from "../store/event-types.ts";
import { getUser, getUserByUsernameCached } from "../store/users.ts";
import { getTeamBySlugCached } from "../store/teams.ts";

export function bookingById(app: App, id: string): Promise<BookingRecord | null> {
  return getBooking(app.kv, id);
}

/** The booking if `hostId` hosts it (another host's is "not found", never "forbidden"). */
export async function hostsBooking(
  app: App,
  hostId: string,
  id: string,
): Promise<BookingRecord | null> {
  const b = await getBooking(app.kv, id);
  return b && b.hostId === hostId ? b : null;
}

/**
 * The booking a create for `email` at `startMs` made with `hostId`: what an Idempotency-Key's
 * replay answers when the first request's answer was lost (services/idempotency.ts).
 */
export async function bookingMadeFor(
  app: App,
  hostId: string,
  startMs: number,
  email: string,
): Promise<BookingRecord | null> {
  const want = email.toLowerCase();
  return (await listHostBookingsAt(app.kv, hostId, startMs))
    .find((b) => b.guestEmail.toLowerCase() === want) ?? null;
}

/** The event type a booking was made for (its team's for a team booking). */
export function eventTypeOfBooking(app: App, b: BookingRecord): Promise<EventTypeRecord | null> {
  return getEventType(app.kv, b.teamId ?? b.hostId, b.eventTypeId);
}

export function hostByUsername(app: App, username: string): Promise<UserRecord | null> {
  return getUserByUsernameCached(app.kv, username.toLowerCase());
}

export async function hostLocale(app: App, hostId: string): Promise<string | null> {
  return (await getUser(app.kv, hostId))?.locale ?? null;
}

/** The language an event type fixes for its page, or null (the reader's own applies). */
export async function eventTypeLanguage(
  app: App,
  owner: { username: string } | { team: string },
  slug: string,
): Promise<string | null> {
  const found = "team" in owner
    ? await getTeamBySlugCached(app.kv, owner.team.toLowerCase())
    : await getUserByUsernameCached(app.kv, owner.username.toLowerCase());
  if (!found) return null;
  const et = await getEventTypeBySlugCached(app.kv, found.id, slug.toLowerCase());
  return et?.language ?? null;
}

export type BookingListFilter = {
  /** the last (startMs, id) of the previous page */
  after?: [number, string];
  fromMs?: number;
  toMs?: number;
  /** a booking state (`bookingState`), e.g. "confirmed" */
  status?: string;
  /** only bookings of this event type; "-" matches none */
  eventTypeId?: string | null;
  limit: number;
};

/**
 * One page of a host's bookings in start order, filtered. Filters can skip many bookings, so
 * the scan goes in bounded chunks (at most 10 × 100 entries a request): a page may be short, or
 * even empty, and still have a next one. A page that ends the list has none (`next` null) when
 * the scan saw the list's end: a full page is the last one exactly when nothing it read after
 * its last booking would be listed.
 */
export async function listHostBookingsPage(
  app: App,
  hostId: string,
  f: BookingListFilter,
): Promise<{ bookings: BookingRecord[]; next: [number, string] | null }> {
  return await bookingsPage(app, (o) => listHostBookingsAfter(app.kv, hostId, o), f);
}

/**
 * One page of a team's bookings in start order, as `listHostBookingsPage`; `sees` says which
 * of them the reader may see (domain/team-membership.ts `seesTeamBooking`).
 */
export async function listTeamBookingsPage(
  app: App,
  teamId: string,
  sees: (b: BookingRecord) => boolean,
  f: BookingListFilter,
): Promise<{ bookings: BookingRecord[]; next: [number, string] | null }> {
  return await bookingsPage(app, (o) => listTeamBookingsAfter(app.kv, teamId, o), f, sees);
}

async function bookingsPage(
  app: App,
  scan: (o: BookingScan) => Promise<BookingScanPage>,
  f: BookingListFilter,
  sees: (b: BookingRecord) => boolean = () => true,
): Promise<{ bookings: BookingRecord[]; next: [number, string] | null }> {
  const nowMs = app.now();
  const data: BookingRecord[] = [];
  const listed = (b: BookingRecord) =>
    sees(b) && (!f.status || bookingState(b, nowMs) === f.status) &&
    (!f.eventTypeId || b.eventTypeId === f.eventTypeId);
  let cursor = f.after;
  for (let round = 0; round < 10; round++) {
    const page = await scan({
      after: cursor,
      fromMs: f.fromMs,
      toMs: f.toMs,
      scanLimit: 100,
    });
    for (const b of page.bookings) {
      if (!listed(b)) continue;
      // One more after a full page: the page is not the last.
      if (data.length === f.limit) return { bookings: data, next: lastOf(data) };
      data.push(b);
    }
    if (page.exhausted || !page.last) return { bookings: data, next: null };
    cursor = page.last;
    if (data.length === f.limit) break;
  }
  // The scan stopped before the list's end: the next page goes on from where it stopped.
  return {
    bookings: data,
    next: data.length === f.limit ? lastOf(data) : cursor ?? null,
  };
}

const lastOf = (data: BookingRecord[]): [number, string] => {
  const b = data[data.length - 1];
  return [b.startMs, b.id];
};
