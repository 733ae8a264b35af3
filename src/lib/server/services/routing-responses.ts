/**
 * A routing form's responses as the dashboard, the CSV and the API read them (ADR 041): filtered
 * by route, booked or not and text in the answers, newest first, page by page — a form may hold
 * any number, and the oldest must be as findable as the newest.
 */
import type { App } from "../app.ts";
import type {
  BookingRecord,
  RoutingFormRecord,
  RoutingResponseRecord,
  UserRecord,
} from "../domain/model/records.ts";
import { routingResponsePages } from "../store/routing-forms.ts";
import { getBookings } from "../store/bookings.ts";
import type { Translator } from "../../shared/i18n.ts";
import { searchFold } from "../../shared/search-fold.ts";
import { teamForMember } from "./teams.ts";
import { seesTeamBooking } from "../domain/team-membership.ts";
import { isLiveBooking } from "../domain/booking.ts";

export type ResponseFilter = { routeId?: string; booked?: "yes" | "no"; q?: string };

/** Whether a response passes the filters: its route, booked or not, text in its answers. */
export function responseMatches(r: RoutingResponseRecord, filter: ResponseFilter): boolean {
  const q = searchFold((filter.q ?? "").trim());
  return (!filter.routeId || r.routeId === filter.routeId) &&
    (!filter.booked || (filter.booked === "yes") === !!r.bookingId) &&
    (!q ||
      Object.values(r.answers).some((a) =>
        searchFold(Array.isArray(a) ? a.join(", ") : a).includes(q)
      ));
}

/**
 * Every response passing the filters, newest first, read a page at a time: a form may hold any
 * number, and search, CSV and API must see the oldest too (a first version read the newest 1,000
 * and filtered those).
 */
export async function* eachResponse(
  app: App,
  form: RoutingFormRecord,
  filter: ResponseFilter,
  beforeId?: string,
): AsyncGenerator<RoutingResponseRecord> {
  for await (const page of routingResponsePages(app.kv, form.id, { beforeId })) {
    for (const r of page) if (responseMatches(r, filter)) yield r;
  }
}

/** A form's responses passing the filters, newest first (all of them: for small forms and tests). */
export async function listResponses(
  app: App,
  form: RoutingFormRecord,
  filter: ResponseFilter,
): Promise<RoutingResponseRecord[]> {
  const out: RoutingResponseRecord[] = [];
  for await (const r of eachResponse(app, form, filter)) out.push(r);
  return out;
}

/** The newest `show` responses passing the filters, and how many pass in all. */
export async function responseSummary(
  app: App,
  form: RoutingFormRecord,
  filter: ResponseFilter,
  show: number,
): Promise<{ newest: RoutingResponseRecord[]; total: number }> {
  const newest: RoutingResponseRecord[] = [];
  let total = 0;
  for await (const r of eachResponse(app, form, filter)) {
    if (total++ < show) newest.push(r);
  }
  return { newest, total };
}

/**
 * One page of the responses passing the filters, older than `beforeId`: at most `limit`, and at
 * most `scanMax` read (a rare filter must not make one request read a whole form). `next`
 * continues after the last response read — a page may then be short, or empty, and still have a
 * `next`; null means the form has no older responses.
 */
export async function responsePage(
  app: App,
  form: RoutingFormRecord,
  filter: ResponseFilter,
  opts: { limit: number; beforeId?: string; scanMax?: number },
): Promise<{ responses: RoutingResponseRecord[]; next: string | null }> {
  const scanMax = opts.scanMax ?? 1000;
  const responses: RoutingResponseRecord[] = [];
  let scanned = 0;
  let last: string | null = null;
  const pageSize = Math.min(500, scanMax);
  for await (
    const page of routingResponsePages(app.kv, form.id, { beforeId: opts.beforeId, pageSize })
  ) {
    for (const r of page) {
      scanned++;
      last = r.id;
      if (responseMatches(r, filter)) responses.push(r);
      if (responses.length === opts.limit || scanned === scanMax) {
        return { responses, next: last };
      }
    }
  }
  return { responses, next: null };
}

/** A response as the API and the `form.submitted` webhook show it. */
export function responseResource(form: RoutingFormRecord, r: RoutingResponseRecord) {
  return {
    id: r.id,
    formId: form.id,
    formSlug: form.slug,
    createdAt: new Date(r.createdAtMs).toISOString(),
    routeId: r.routeId,
    destination: r.destination.kind === "message" ? { kind: "message" } : r.destination,
    answers: r.answers,
    bookingId: r.bookingId ?? null,
    erased: !!r.erasedAtMs,
  };
}

/** The name of a route as the host reads it: "Route 2", or "Everyone else (fallback)". */
export function routeName(t: Translator, form: RoutingFormRecord, routeId: string): string {
  if (routeId === "fallback") return t.t("routing.fallback");
  const i = form.definition.routes.findIndex((r) => r.id === routeId);
  return i >= 0 ? t.t("routing.route_n", { n: i + 1 }) : t.t("routing.route_removed");
}

/** A response's booking as it now is: the meeting it became after any moves, and its state. */
export type ResponseBooking = {
  id: string;
  startMs: number;
  state: "booked" | "pending" | "cancelled" | "moved";
  /** Where the reader can open it (`bookingPlaces`). */
  people: Pick<BookingRecord, "hostId" | "personIds" | "teamId">;
};

/**
 * Where a reader can open a booking: in their team's list (a team's booking they see there,
 * `seesTeamBooking`: owners all, members the ones they attend), in their own list (one they
 * attend), or nowhere — another member's, or a team they are no longer in (`team`: its name).
 */
export type BookingPlace =
  | { kind: "team"; teamId: string }
  | { kind: "own" }
  | { kind: "none"; team: string | null };

export async function bookingPlaces(
  app: App,
  reader: UserRecord,
  bookings: Iterable<ResponseBooking>,
): Promise<Map<string, BookingPlace>> {
  const teams = new Map<string, Awaited<ReturnType<typeof teamForMember>>>();
  const out = new Map<string, BookingPlace>();
  for (const b of bookings) {
    const { teamId, hostId, personIds } = b.people;
    if (teamId && !teams.has(teamId)) teams.set(teamId, await teamForMember(app, reader, teamId));
    const view = teamId ? teams.get(teamId) : null;
    out.set(
      b.id,
      view && seesTeamBooking(view, b.people, reader.id)
        ? { kind: "team", teamId: view.team.id }
        : (personIds ?? [hostId]).includes(reader.id)
        ? { kind: "own" }
        : { kind: "none", team: view?.team.name ?? null },
    );
  }
  return out;
}

/**
 * The booking each response led to, followed through its moves (`rescheduledToId`, at most 20)
 * to the meeting as it now is: "moved" when it was moved and stands, "cancelled" when it ended
 * (cancelled, rejected, expired), "pending" while it waits for the host's yes (it read "booked",
 * and a host took a request for a settled meeting), else "booked". A response whose booking is
 * gone has none.
 */
export async function currentBookings(
  app: App,
  responses: RoutingResponseRecord[],
): Promise<Map<string, ResponseBooking>> {
  const out = new Map<string, ResponseBooking>();
  const nowMs = app.now();
  let at = new Map(responses.flatMap((r) => r.bookingId ? [[r.id, r.bookingId]] : []));
  const moved = new Set<string>();
  for (let hop = 0; hop <= 20 && at.size; hop++) {
    const found = new Map(
      (await getBookings(app.kv, [...new Set(at.values())])).map((b) => [b.id, b]),
    );
    const next = new Map<string, string>();
    for (const [responseId, bookingId] of at) {
      const b = found.get(bookingId);
      if (!b) continue;
      if (b.rescheduledToId && hop < 20) {
        moved.add(responseId);
        next.set(responseId, b.rescheduledToId);
        continue;
      }
      // A request past its hold has expired, even before the expiry job has run.
      const ended = !isLiveBooking(b, nowMs);
      out.set(responseId, {
        id: b.id,
        startMs: b.startMs,
        people: { hostId: b.hostId, personIds: b.personIds, teamId: b.teamId },
        state: ended
          ? "cancelled"
          : b.status === "PENDING"
          ? "pending"
          : moved.has(responseId)
          ? "moved"
          : "booked",
      });
    }
    at = next;
  }
  return out;
}
