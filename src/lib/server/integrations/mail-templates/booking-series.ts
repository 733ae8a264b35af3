/**
 * A recurring series in its mails (docs/decisions/048-recurring-series.md): a mail about the whole
 * series (made, confirmed, rejected or expired at once) lists every date in the reader's zone, and
 * one that carries an invitation also carries `series.ics` — one event per date still on, under
 * each date's own UID — so a calendar gets every date from one mail.
 */
import type { BookingRecord, MailKind } from "../../domain/model/records.ts";
import { isLiveBooking } from "../../domain/booking.ts";
import type { OutgoingMail } from "../mail.ts";
import type { IcsEvent } from "../ics.ts";
import { icsCalendarChunks } from "../ics.ts";
import { formatRange } from "../../../shared/format.ts";
import type { Translator } from "../../../shared/i18n.ts";
import { calendarDoc } from "../../domain/calendar-identity.ts";
import { repeatOfSeries } from "../../domain/series.ts";

/** The kinds about a whole series; the others (a cancel, a move, a reminder) concern one date. */
const SERIES_MAILS = new Set<MailKind>([
  "host_request",
  "host_booked",
  "host_confirmed_copy",
  "guest_pending",
  "guest_confirmed",
  "guest_rejected",
  "guest_expired",
  "host_expired",
  // The guest's additional guests are invited to every date, as the guest is.
  "guests_invited",
]);

/**
 * The series' dates when this mail about `b` is about the whole series (more than one date), else
 * null. A date made by a move sends the kinds a booking's making sends, about that date alone: its
 * mails once said their invitation and links were the first date's, and the links added the first
 * date again. Once it changes again (the host confirms the series) its mails are the series' again.
 */
export function seriesOfMail(
  kind: MailKind,
  series: BookingRecord[] | undefined,
  b: Pick<BookingRecord, "rescheduledFromId" | "history">,
) {
  if (!series || series.length < 2 || !SERIES_MAILS.has(kind)) return null;
  return b.rescheduledFromId && b.history.length === 1 ? null : series;
}

/**
 * The dates a mail about `b`'s series speaks for: those in `b`'s state (confirmed, rejected,
 * expired, pending). A date that ended otherwise before (the guest cancelled it, it was moved)
 * is not among those confirmed, rejected or expired with the rest.
 */
export function datesOfMail(
  series: BookingRecord[],
  b: BookingRecord,
  nowMs: number,
): BookingRecord[] {
  const live = isLiveBooking(b, nowMs);
  return series.filter((x) =>
    x.status === b.status && (x.endReason ?? null) === (b.endReason ?? null) &&
    isLiveBooking(x, nowMs) === live
  );
}

/**
 * "This series has N dates:" and a line per date, in `zone`. A series booked "free dates only"
 * says "N of M dates of the series booked:" and then names the dates left out, as not free.
 */
export function seriesLines(
  series: BookingRecord[],
  t: Translator,
  zone: string,
  clock: "12h" | "24h" | undefined,
): string {
  const line = (startMs: number, endMs: number) =>
    `• ${formatRange(startMs, endMs, zone, clock, t.locale)}`;
  const skipped = series[0]?.series?.skipped ?? [];
  if (!skipped.length) {
    return [
      t.t("mail.series_dates", { count: series.length }),
      ...series.map((x) => line(x.startMs, x.endMs)),
    ].join("\n");
  }
  const lengthMs = series[0].durationMin * 60_000;
  return [
    t.t("mail.series_booked_of", {
      booked: series.length,
      count: series.length + skipped.length,
    }),
    ...series.map((x) => line(x.startMs, x.endMs)),
    "",
    t.t("mail.series_skipped", { count: skipped.length }),
    ...skipped.map((ms) => line(ms, ms + lengthMs)),
  ].join("\n");
}

/** `series.ics`: every date still on as its own event, for a calendar to import at once. */
export function seriesAttachment(
  series: BookingRecord[],
  nowMs: number,
  eventOf: (
    b: BookingRecord,
    doc: NonNullable<ReturnType<typeof calendarDoc>>,
  ) => IcsEvent,
): NonNullable<OutgoingMail["attachments"]>[number] {
  // An ended date's CANCEL went out with its own mail.
  const events = series.filter((x) => isLiveBooking(x, nowMs)).flatMap((x) => {
    const doc = calendarDoc(x, x.status === "PENDING" ? "pending" : "confirmed");
    return doc ? [eventOf(x, doc)] : [];
  });
  return {
    filename: "series.ics",
    contentType: "text/calendar; charset=utf-8; method=PUBLISH",
    content: [...icsCalendarChunks(events)].join(""),
  };
}

/**
 * A mail's "Add to calendar" links for a whole series: the first date's, Google's repeating it
 * into every date when the series is regular (domain/series.ts `repeatOfSeries`), and a line
 * saying what they add. Any other mail: `b`'s own links, no line.
 */
export function seriesCalendar(
  kind: MailKind,
  series: BookingRecord[] | undefined,
  b: BookingRecord,
  nowMs: number,
  t: Translator,
) {
  const all = seriesOfMail(kind, series, b);
  const dates = all ? datesOfMail(all, b, nowMs) : [];
  if (dates.length < 2) return { first: b, repeat: null, note: [] };
  const repeat = repeatOfSeries(dates);
  return {
    first: dates[0],
    repeat,
    note: [
      repeat ? t.t("mail.series_links_all", { count: repeat.count }) : t.t("mail.series_links_one"),
    ],
  };
}
