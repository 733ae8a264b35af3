/**
 * What a link page shows about a booking. Token pages never reveal more than the token holder
 * already knows, and an unknown token looks exactly like an expired request (no oracle).
 */
import type { App } from "../app.ts";
import type { BookingRecord, TokenPurpose } from "../domain/model/records.ts";
import { getUser } from "../store/users.ts";
import { getEventType } from "../store/event-types.ts";
import {
  type Clock,
  formatDate,
  formatTime,
  formatTimeRange,
  hostClock,
  namesList,
  prettyZone,
  zoneOffset,
} from "../../shared/format.ts";
import { bookingForToken } from "./booking-links.ts";
import { reopenedLinkUrl } from "./single-use-links.ts";
import { waitingDateOf } from "./series-bookings.ts";
import { isLiveBooking } from "../domain/booking.ts";
import { invitationFile } from "../integrations/mail-templates/booking-parts.ts";
import { teamMailParts } from "./team-mail.ts";
import { bookingLinks, bookingToken, guestLinks } from "./booking-links.ts";
import { translator } from "../i18n.ts";
import { storedReasonText } from "../../shared/system-reasons.ts";
import type { Translator } from "../../shared/i18n.ts";
import { locationText, locationUrl, shownLocation } from "../../shared/location-text.ts";
import {
  icsDescriptionForGuest,
  icsSummaryForGuest,
} from "../integrations/mail-templates/ics-text.ts";
import { getTeam, getUsers } from "../store/teams.ts";
import { getBooking } from "../store/bookings.ts";
import { type CalendarLinks, calendarLinks } from "../../shared/calendar-links.ts";
import { getBookings, listSeriesBookings } from "../store/bookings.ts";
import { getSeatLedger } from "../store/seats.ts";
import { repeatOfSeries } from "../domain/series.ts";
import { liveSeats, seatsOf } from "../domain/seats.ts";
import { hostBookingPath } from "../../shared/host-links.ts";
import { isActive } from "../domain/admin.ts";

export type BookingView = {
  id: string;
  status: BookingRecord["status"];
  /** PENDING past its hold reads as expired even before the expiry job ran. */
  state: "pending" | "confirmed" | "rejected" | "expired" | "cancelled" | "moved";
  eventTitle: string;
  durationMin: number;
  hostName: string;
  guestName: string;
  guestEmail: string;
  guestNote: string;
  when: { timeZone: string; date: string; time: string; offset: string; zone: string };
  hostWhen: { timeZone: string; date: string; time: string; offset: string; zone: string };
  reservedUntil: string | null;
  message: string;
  cancelReason: string | null;
  /** Who ended it: the host rejected or cancelled, the guest cancelled, or it expired. */
  endReason: string | null;
  location: string;
  /** The meeting link, when the location is a video call (shown as a link). */
  locationUrl: string | null;
  answers: { label: string; value: string }[];
  /** The event's booking page (else the host's page), where an ended booking can be made again. */
  bookAgainPath: string | null;
  /** A team's booking: the team (`hostName` then names every member the guest meets). */
  teamName: string | null;
  /**
   * A booking that was moved: the booking it became (the newest of a chain of moves), in the
   * guest's and the host's zone, whether it waits for the host, and where the reader opens it
   * (only a link of the reader's own kind: a guest link for a guest, the host's decision link or
   * list for the host; null when there is none to give).
   */
  movedTo: Moved | null;
  /** A booking made by moving another: the time it was moved from (its previous time). */
  movedFrom: { when: When; hostWhen: When } | null;
  /** A confirmed booking, opened by its guest: "Add to Google Calendar / Outlook" links. */
  calendarLinks: CalendarLinks | null;
  /**
   * A series' date with those links: how many dates Google's adds (every date, on the first
   * date's page of a regular series; else 1 — the page says so).
   */
  calendarSeries: { googleAdds: number } | null;
  /**
   * A seat: the names of the time's other guests, for its guest when the host shows attendees to
   * each other; otherwise empty.
   */
  seatmates: string[];
  /**
   * The extra attendees this booking's guest invited: its own guest and its host see them; a
   * seatmate's view never lists them (only names, `seatmates`).
   */
  additionalGuests: string[];
  /**
   * A date of a recurring series: every date of it, in order, with its state, the reader's time
   * and (for its guest) the link to that date's own page; `current` marks this one.
   */
  series?: SeriesView | null;
};

export type SeriesView = {
  index: number;
  count: number;
  dates: {
    id: string;
    state: BookingView["state"];
    when: When;
    href: string | null;
    current: boolean;
  }[];
  /** The series' dates not booked because they were not free ("free dates only"), in order. */
  skipped: When[];
};

type When = { timeZone: string; date: string; time: string; offset: string; zone: string };
export type Moved = { when: When; hostWhen: When; pending: boolean; href: string | null };

/** Whose link a page was opened with: what a moved booking's page may link to. */
export type Reader = TokenPurpose | "host_list";

/** Follows a moved booking to the booking it became (bounded: a chain of moves is short). */
export async function currentOf(app: App, b: BookingRecord): Promise<BookingRecord | null> {
  let cur = b;
  for (let i = 0; i < 50 && cur.rescheduledToId; i++) {
    const next = await getBooking(app.kv, cur.rescheduledToId);
    if (!next) return i === 0 ? null : cur;
    cur = next;
  }
  return cur === b ? null : cur;
}

/** Where a reader of a moved booking's page opens the booking it became. */
async function movedHref(app: App, current: BookingRecord, reader: Reader | undefined) {
  const live = isLiveBooking(current, app.now());
  const pending = current.status === "PENDING" && live;
  switch (reader) {
    case "guest":
      return `/booking/${await bookingToken(app, current, "guest")}`;
    case "confirm":
    case "reject":
      return pending
        ? `/booking/${await bookingToken(app, current, reader)}/${reader}`
        : hostBookingPath(current.id);
    case "host_list":
      return `#booking-${current.id}`;
    default:
      return null;
  }
}

/** A booking's time as a page shows it, in `tz` on `clock` (a moved one's "Moved to …" too). */
export function when(
  b: Pick<BookingRecord, "startMs" | "endMs">,
  tz: string,
  clock: Clock,
  locale: string,
) {
  return {
    timeZone: tz,
    date: formatDate(b.startMs, tz, locale),
    time: formatTimeRange(b.startMs, b.endMs, tz, clock, locale),
    offset: zoneOffset(b.startMs, tz),
    zone: prettyZone(tz),
  };
}

/** Answers as the reader reads them: ticked boxes as yes/no in their language. */
export function answerValue(
  a: { value: string; checked?: boolean },
  t: Pick<Translator, "t">,
): string {
  return a.checked !== undefined ? t.t(a.checked ? "common.yes" : "common.no") : a.value;
}

/** A booking as its viewer (guest or host) reads it, in the viewer's locale. */
export async function viewBooking(
  app: App,
  b: BookingRecord,
  locale: string = b.guestLocale ?? "en",
  /** Whose zone the host-side times are in (a team booking's: its member's, not the team's). */
  reader?: { timeZone: string; clock?: Clock },
  /**
   * Which link opened it: what a moved booking may link to (nothing when not given), and whose
   * clock every time in the view is written on (issue 35): the guest's for the guest's link, the
   * host's for the host's links and list.
   */
  linkFor?: Reader,
  /** A list of many bookings: a series' dates from what it read (else read here). */
  seriesDates?: (seriesId: string) => BookingRecord[] | undefined,
): Promise<BookingView> {
  const t = translator(locale);
  const nowMs = app.now();
  const host = await getUser(app.kv, b.hostId);
  const perspective = linkFor === "guest" ? "guest" : linkFor || reader ? "host" : "guest";
  const clock: Clock =
    (perspective === "guest"
      ? b.guestClock
      : (reader?.clock ?? (host ? hostClock(host, t.locale) : undefined))) ??
      "24h";
  const et = await getEventType(app.kv, b.teamId ?? b.hostId, b.eventTypeId);
  const team = b.teamId ? await teamPeople(app, b, t.locale) : null;
  // Read per guest page only: a host's list of a 500-seat time would read every seat per row.
  const seatmates = b.seat && perspective === "guest" && et && seatsOf(et)?.showAttendees
    ? await seatmatesOf(app, b, nowMs)
    : [];
  const state = stateOf(b, nowMs);
  // Read for a guest's own page of a request made through a link and ended unmet only.
  const reopened = host && !b.teamId && perspective === "guest"
    ? await reopenedLinkUrl(app, host, b)
    : null;
  const hostZone = reader?.timeZone ?? (b.teamId && host ? host.timeZone : b.hostTimeZone);
  const bothWhen = (x: Pick<BookingRecord, "startMs" | "endMs">) => ({
    when: when(x, b.guestTimeZone, clock, t.locale),
    hostWhen: when(x, hostZone, clock, t.locale),
  });
  const seriesAll = b.series
    ? seriesDates?.(b.series.id) ?? await listSeriesBookings(app.kv, b.hostId, b.series.id)
    : null;
  const withLinks = state === "confirmed" && linkFor === "guest";
  // The first date's page of a regular series: Google's link adds every date.
  const confirmed = seriesAll?.filter((x) => stateOf(x, nowMs) === "confirmed") ?? [];
  const repeat = withLinks && confirmed[0]?.id === b.id ? repeatOfSeries(confirmed) : null;
  const current = state === "moved" ? await currentOf(app, b) : null;
  const previous = b.rescheduledFromId ? await getBooking(app.kv, b.rescheduledFromId) : null;
  return {
    id: b.id,
    status: b.status,
    state,
    eventTitle: b.eventTitle,
    durationMin: b.durationMin,
    hostName: team?.people || (host?.name ?? t.t("common.the_host")),
    teamName: team ? team.name ?? t.t("team.former_team") : null,
    guestName: b.guestName,
    guestEmail: b.guestEmail,
    guestNote: b.guestNote,
    ...bothWhen(b),
    movedTo: current
      ? {
        ...bothWhen(current),
        pending: current.status === "PENDING" && isLiveBooking(current, nowMs),
        href: await movedHref(app, current, linkFor),
      }
      : null,
    movedFrom: previous ? bothWhen(previous) : null,
    calendarLinks: withLinks
      ? calendarLinks({
        title: icsSummaryForGuest(b, team?.name ?? host?.name ?? t.t("common.the_host"), t),
        startMs: b.startMs,
        endMs: b.endMs,
        details: icsDescriptionForGuest(b, (await guestLinks(app, b)).guest, t),
        location: locationText(shownLocation(b), t) || undefined,
        ...(repeat ? { repeat } : {}),
      })
      : null,
    calendarSeries: withLinks && b.series ? { googleAdds: repeat?.count ?? 1 } : null,
    reservedUntil: b.reservedUntilMs
      ? `${formatDate(b.reservedUntilMs, b.guestTimeZone, t.locale)}, ${
        formatTime(b.reservedUntilMs, b.guestTimeZone, b.guestClock, t.locale)
      }`
      : null,
    message: state === "confirmed"
      ? et?.confirmedMessage ?? ""
      : state === "rejected"
      ? et?.rejectedMessage ?? ""
      : "",
    cancelReason: storedReasonText(b.cancelReason ?? null, t),
    additionalGuests: b.additionalGuests ?? [],
    endReason: b.endReason,
    location: locationText(shownLocation(b), t),
    locationUrl: locationUrl(shownLocation(b)),
    answers: (b.answers ?? []).filter((a) => a.value).map((a) => ({
      label: a.label,
      value: answerValue(a, t),
    })),
    // Never the (possibly secret) event type behind a single-use link: the host's page then —
    // unless that link is a one-off link open again (its guest's request turned down or lapsed):
    // the link, whose other times are still offered to this guest. A team booking's: the team's.
    // None when the host no longer has a page (suspended, closed).
    bookAgainPath: team
      ? (team.slug ? (et?.active ? `/team/${team.slug}/${et.slug}` : `/team/${team.slug}/`) : null)
      : host && isActive(host)
      ? (et?.active && perspective === "guest" && reopened
        ? new URL(reopened).pathname
        : et?.active && !b.singleUseLinkId
        ? `/calendar/${host.username}/${et.slug}`
        : `/calendar/${host.username}/`)
      : null,
    seatmates,
    series: b.series
      ? await seriesOf(
        app,
        b,
        seriesAll ?? undefined,
        nowMs,
        (x) => bothWhen(x)[perspective === "guest" ? "when" : "hostWhen"],
        perspective === "guest",
      )
      : null,
  };
}

/** Every date of `b`'s series, for its page (the guest's links to each date's own page). */
async function seriesOf(
  app: App,
  b: BookingRecord,
  known: BookingRecord[] | undefined,
  nowMs: number,
  whenOf: (x: Pick<BookingRecord, "startMs" | "endMs">) => When,
  guestLinks: boolean,
): Promise<SeriesView> {
  const all = known ?? await listSeriesBookings(app.kv, b.hostId, b.series!.id);
  return {
    index: b.series!.index,
    count: b.series!.count,
    dates: await Promise.all(all.map(async (x) => ({
      id: x.id,
      state: stateOf(x, nowMs),
      when: whenOf(x),
      href: guestLinks ? `/booking/${await bookingToken(app, x, "guest")}` : null,
      current: x.id === b.id,
    }))),
    skipped: (b.series!.skipped ?? []).map((startMs) =>
      whenOf({ startMs, endMs: startMs + b.durationMin * 60_000 })
    ),
  };
}

/** The other live guests of a seat's time (names only), in the order they took their seats. */
async function seatmatesOf(app: App, b: BookingRecord, nowMs: number): Promise<string[]> {
  const ledger = await getSeatLedger(app.kv, b.eventTypeId, b.startMs);
  if (ledger?.meetingId !== b.seat?.meetingId) return [];
  const ids = liveSeats(ledger, nowMs).map((x) => x.id).filter((id) => id !== b.id);
  return (await getBookings(app.kv, ids)).filter((x) => isLiveBooking(x, nowMs)).map((x) =>
    x.guestName
  );
}

/** Who a team booking's guest meets, and the team's name and page (null: the team is gone). */
async function teamPeople(app: App, b: BookingRecord, locale: string) {
  const ids = b.personIds ?? [b.hostId];
  const byId = new Map((await getUsers(app.kv, ids)).map((u) => [u.id, u.name]));
  const team = b.teamId ? await getTeam(app.kv, b.teamId) : null;
  return {
    name: team?.name ?? null,
    slug: team?.slug ?? null,
    people: namesList(ids.flatMap((id) => byId.get(id) ?? []), locale),
  };
}

export async function viewByToken(
  app: App,
  token: string,
  purpose: TokenPurpose,
  locale?: string,
): Promise<BookingView | null> {
  const b = await bookingForToken(app, token, purpose);
  return b ? await viewOfLinked(app, b, purpose, locale) : null;
}

/** What a link shows of the booking its token proved (`bookingForToken`). */
export async function viewOfLinked(
  app: App,
  b: BookingRecord,
  purpose: TokenPurpose,
  locale?: string,
): Promise<BookingView> {
  // A host's decision link of a series' date the guest cancelled: the dates that still wait.
  const shown = purpose === "guest" ? b : await waitingDateOf(app, b);
  return await viewBooking(app, shown, locale, undefined, purpose);
}

/**
 * The .ics a guest downloads from the result page once the booking is confirmed: the invitation
 * their mail carries (mail-templates/booking-parts.ts `invitationFile`, with the same people as
 * the mail: services/team-mail.ts). An old link — the first mail's, after a move — answers the
 * booking it became, as its page leads there.
 */
export async function icsForGuestToken(
  app: App,
  token: string,
): Promise<{ filename: string; body: string } | null> {
  const linked = await bookingForToken(app, token, "guest");
  if (!linked) return null;
  const b = (linked.rescheduledToId ? await currentOf(app, linked) : null) ?? linked;
  if (b.status !== "CONFIRMED") return null;
  const host = await getUser(app.kv, b.hostId);
  if (!host) return null;
  const people = b.teamId
    ? await teamMailParts(app, b, host, "guest_confirmed", undefined)
    : { host: { name: host.name, email: host.email, clock: host.clock, locale: host.locale } };
  if (people === "gone") return null;
  const body = invitationFile({
    booking: b,
    ...people,
    links: await bookingLinks(app, b),
    baseUrl: app.config.baseUrl.href,
    ttlMs: app.config.bookingTtlMs,
    nowMs: app.now(),
  });
  if (!body) return null;
  return {
    filename: `${
      b.eventTitle.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase() || "booking"
    }.ics`,
    body,
  };
}

/** A booking's state as its reader sees it (a pending one past its hold reads as expired). */
function stateOf(b: BookingRecord, nowMs: number): BookingView["state"] {
  return b.status === "PENDING"
    ? (isLiveBooking(b, nowMs) ? "pending" : "expired")
    : b.status === "CONFIRMED"
    ? "confirmed"
    : b.status === "REJECTED"
    ? "rejected"
    : b.endReason === "expired"
    ? "expired"
    // Moved by the guest or the host, or by the guest's pick after the host asked for one.
    : b.endReason === "rescheduled" || b.rescheduledToId
    ? "moved"
    : "cancelled";
}
