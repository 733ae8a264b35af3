/**
 * A routing form's responses as the dashboard lists them and as CSV: the filter from the query
 * (route, booked or not, text), and one table whose columns are the form's questions.
 */
import type { App } from "../app.ts";
import type {
  RoutingFormRecord,
  RoutingResponseRecord,
  UserRecord,
} from "../domain/model/records.ts";
import {
  type BookingPlace,
  bookingPlaces,
  currentBookings,
  eachResponse,
  type ResponseBooking,
  type ResponseFilter,
  routeName,
} from "../services/routing-responses.ts";
import { type Clock, fmt } from "../../shared/format.ts";
import { BOM, csvLines } from "./csv.ts";
import type { Table } from "../../shared/insights-types.ts";
import type { Translator } from "../../shared/i18n.ts";
import { hostBookingPath } from "../../shared/host-links.ts";

export function responseFilter(url: URL): ResponseFilter {
  const q = url.searchParams;
  const booked = q.get("booked");
  return {
    routeId: (q.get("route") ?? "").slice(0, 64) || undefined,
    booked: booked === "yes" || booked === "no" ? booked : undefined,
    q: (q.get("q") ?? "").slice(0, 200) || undefined,
  };
}

// Route names are the service's, shared with insights (services/routing-responses.ts).
export { routeName };

/** The answers of a response, one cell per question of the form. */
function answerCells(t: Translator, form: RoutingFormRecord, r: RoutingResponseRecord): string[] {
  return form.definition.questions.map((q) => {
    if (r.erasedAtMs) return t.t("routing.erased");
    const a = r.answers[q.key];
    return a === undefined ? "" : Array.isArray(a) ? a.join(", ") : a;
  });
}

/** A response as the dashboard's table shows it to the host reading it. */
export type ResponseRow = {
  id: string;
  /** the instant, for `<time datetime>` */
  sentIso: string;
  /** when, in the reader's zone, language and clock */
  sent: string;
  route: string;
  booking: {
    /** Where the reader opens it; null when they cannot (`shut` says why). */
    href: string | null;
    when: string;
    state: ResponseBooking["state"];
    label: string;
    shut: string | null;
  } | null;
  answers: string[];
};

/**
 * A booking's link as the reader follows it: their team's list, or the page of their own list
 * that holds it (`?booking=`: an old one is past the first page); null where they cannot see it.
 */
function placeHref(place: BookingPlace, bookingId: string): string | null {
  if (place.kind === "team") {
    return `/dashboard/teams/${place.teamId}/bookings#booking-${bookingId}`;
  }
  if (place.kind === "own") return hostBookingPath(bookingId);
  return null;
}

/**
 * The responses as the host reads them (the CSV keeps instants and ids: `responsesTable`): when
 * each was sent in the reader's zone, language and clock, and its booking as it now is — a link
 * to where the reader can open it (`placeHref`), the meeting it became after a move, with its
 * state, or why they cannot.
 */
export async function responseRows(
  app: App,
  t: Translator,
  form: RoutingFormRecord,
  responses: RoutingResponseRecord[],
  reader: { user: UserRecord; timeZone: string; locale: string; clock: Clock },
): Promise<{ columns: string[]; rows: ResponseRow[] }> {
  const bookings = await currentBookings(app, responses);
  const places = await bookingPlaces(app, reader.user, bookings.values());
  const when = fmt(reader.locale, {
    timeZone: reader.timeZone,
    year: "numeric",
    month: "short",
    day: "numeric",
    ...(reader.clock === "12h"
      ? { hour: "numeric", minute: "2-digit", hourCycle: "h12" }
      : { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
  });
  const STATE = {
    booked: "routing.state_booked",
    cancelled: "routing.state_cancelled",
    moved: "routing.state_moved",
  } as const;
  return {
    columns: [
      t.t("routing.col_sent"),
      t.t("routing.col_route"),
      t.t("routing.col_booking"),
      ...form.definition.questions.map((q) => q.label),
    ],
    rows: responses.map((r) => {
      const b = bookings.get(r.id);
      const place = b ? places.get(b.id)! : null;
      return {
        id: r.id,
        sentIso: new Date(r.createdAtMs).toISOString(),
        sent: when.format(r.createdAtMs),
        route: routeName(t, form, r.routeId),
        booking: b
          ? {
            href: placeHref(place!, b.id),
            when: when.format(b.startMs),
            state: b.state,
            label: t.t(STATE[b.state]),
            shut: place!.kind !== "none"
              ? null
              : place!.team
              ? t.t("routing.booking_other_member", { team: place!.team })
              : t.t("routing.booking_not_yours"),
          }
          : null,
        answers: answerCells(t, form, r),
      };
    }),
  };
}

/** The responses as CSV rows: instants (ISO) and the booking id the response was linked to. */
export function responsesTable(
  t: Translator,
  form: RoutingFormRecord,
  responses: RoutingResponseRecord[],
): Table {
  const qs = form.definition.questions;
  return {
    columns: [
      t.t("routing.col_time"),
      t.t("routing.col_route"),
      t.t("routing.col_booking"),
      ...qs.map((q) => q.label),
    ],
    rows: responses.map((r) => [
      new Date(r.createdAtMs).toISOString(),
      routeName(t, form, r.routeId),
      r.bookingId ?? "",
      ...answerCells(t, form, r),
    ]),
  };
}

/** Every response passing the filters as CSV text, a few hundred rows at a time (BOM first). */
export async function* responsesCsvText(
  app: App,
  t: Translator,
  form: RoutingFormRecord,
  filter: ResponseFilter,
): AsyncGenerator<string> {
  yield BOM + csvLines([responsesTable(t, form, []).columns]);
  let batch: RoutingResponseRecord[] = [];
  for await (const r of eachResponse(app, form, filter)) {
    batch.push(r);
    if (batch.length === 500) {
      yield csvLines(responsesTable(t, form, batch).rows);
      batch = [];
    }
  }
  if (batch.length) yield csvLines(responsesTable(t, form, batch).rows);
}
