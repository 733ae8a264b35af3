/**
 * A routing form's responses as the dashboard lists them and as CSV: the filter from the query
 * (route, booked or not, text), and one table whose columns are the form's questions (and any
 * it no longer asks that the responses answered).
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

/** An answer column of the table: a question of the form, or a key it no longer asks. */
type AnswerColumn = { key: string; label: string };

/**
 * The answer columns: the form's questions, then each other key the responses answered (a
 * question removed or renamed since), named by its key. With the form's questions only, a host
 * who took a question out lost every earlier answer to it from the list and the CSV, while the
 * search still found them.
 */
function answerColumns(
  t: Translator,
  form: RoutingFormRecord,
  answered: Iterable<string>,
): AnswerColumn[] {
  const columns: AnswerColumn[] = form.definition.questions.map((q) => ({
    key: q.key,
    label: q.label,
  }));
  const asked = new Set(columns.map((c) => c.key));
  for (const key of answered) {
    if (asked.has(key)) continue;
    asked.add(key);
    columns.push({ key, label: t.t("routing.col_former", { key }) });
  }
  return columns;
}

const keysOf = (responses: RoutingResponseRecord[]) =>
  responses.flatMap((r) => Object.keys(r.answers));

/** The answers of a response, one cell per column. */
function answerCells(t: Translator, columns: AnswerColumn[], r: RoutingResponseRecord): string[] {
  return columns.map(({ key }) => {
    if (r.erasedAtMs) return t.t("routing.erased");
    const a = r.answers[key];
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
    // The bookings list's word for a request that waits for the host.
    pending: "bookings.state_pending",
    cancelled: "routing.state_cancelled",
    moved: "routing.state_moved",
  } as const;
  const answers = answerColumns(t, form, keysOf(responses));
  return {
    columns: [
      t.t("routing.col_sent"),
      t.t("routing.col_route"),
      t.t("routing.col_booking"),
      ...answers.map((c) => c.label),
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
        answers: answerCells(t, answers, r),
      };
    }),
  };
}

/** The responses as CSV rows: instants (ISO) and the booking id the response was linked to. */
export function responsesTable(
  t: Translator,
  form: RoutingFormRecord,
  responses: RoutingResponseRecord[],
  answers: AnswerColumn[] = answerColumns(t, form, keysOf(responses)),
): Table {
  return {
    columns: [
      t.t("routing.col_time"),
      t.t("routing.col_route"),
      t.t("routing.col_booking"),
      ...answers.map((c) => c.label),
    ],
    rows: responses.map((r) => [
      new Date(r.createdAtMs).toISOString(),
      routeName(t, form, r.routeId),
      r.bookingId ?? "",
      ...answerCells(t, answers, r),
    ]),
  };
}

/**
 * Every response passing the filters as CSV text, a few hundred rows at a time (BOM first). The
 * header comes first and names every key any of them answered, so the keys are read in a pass
 * of their own before the rows.
 */
export async function* responsesCsvText(
  app: App,
  t: Translator,
  form: RoutingFormRecord,
  filter: ResponseFilter,
): AsyncGenerator<string> {
  const answered = new Set<string>();
  for await (const r of eachResponse(app, form, filter)) {
    for (const key of Object.keys(r.answers)) answered.add(key);
  }
  const answers = answerColumns(t, form, answered);
  yield BOM + csvLines([responsesTable(t, form, [], answers).columns]);
  let batch: RoutingResponseRecord[] = [];
  for await (const r of eachResponse(app, form, filter)) {
    batch.push(r);
    if (batch.length === 500) {
      yield csvLines(responsesTable(t, form, batch, answers).rows);
      batch = [];
    }
  }
  if (batch.length) yield csvLines(responsesTable(t, form, batch, answers).rows);
}
