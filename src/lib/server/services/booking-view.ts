/**
 * What a link page shows about a booking. Token pages never reveal more than the token holder
 * already knows, and an unknown token looks exactly like an expired request (no oracle).
 */
import type { App } from "../app.ts";
import type { BookingRecord, TokenPurpose } from "../store/records.ts";
import { getUser } from "../store/users.ts";
import { getEventType } from "../store/event-types.ts";
import {
  type Clock,
  formatDate,
  formatTime,
  formatTimeRange,
  prettyZone,
  zoneOffset,
} from "../../shared/format.ts";
import { bookingForToken } from "./decide-booking.ts";
import { isLiveBooking } from "../domain/booking.ts";
import { buildIcs } from "../integrations/ics.ts";
import { calendarDoc, meetingUid } from "../domain/calendar-identity.ts";
import { bookingLinks } from "./booking-links.ts";
import { translator } from "../i18n.ts";
import { storedReasonText } from "../../shared/system-reasons.ts";
import type { Translator } from "../../shared/i18n.ts";
import { locationText, locationUrl } from "../../shared/location-text.ts";
import {
  icsDescriptionForGuest,
  icsSummaryForGuest,
} from "../integrations/mail-templates/ics-text.ts";
import { getTeam, getUsers } from "../store/teams.ts";
import { namesList } from "../domain/team-membership.ts";

export type BookingView = {
  id: string;
  status: BookingRecord["status"];
  /** PENDING past its hold reads as expired even before the expiry job ran. */
  state: "pending" | "confirmed" | "rejected" | "expired" | "cancelled";
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
};

function when(b: BookingRecord, tz: string, clock: Clock, locale: string) {
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
): Promise<BookingView> {
  const t = translator(locale);
  const nowMs = app.now();
  const host = await getUser(app.kv, b.hostId);
  const et = await getEventType(app.kv, b.teamId ?? b.hostId, b.eventTypeId);
  const team = b.teamId ? await teamPeople(app, b, t.locale) : null;
  const state = b.status === "PENDING"
    ? (isLiveBooking(b, nowMs) ? "pending" : "expired")
    : b.status === "CONFIRMED"
    ? "confirmed"
    : b.status === "REJECTED"
    ? "rejected"
    : b.endReason === "expired"
    ? "expired"
    : "cancelled";
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
    when: when(b, b.guestTimeZone, b.guestClock ?? "24h", t.locale),
    hostWhen: when(
      b,
      reader?.timeZone ?? (b.teamId && host ? host.timeZone : b.hostTimeZone),
      (reader ? reader.clock : host?.clock) ?? "24h",
      t.locale,
    ),
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
    endReason: b.endReason,
    location: locationText(b.location, t),
    locationUrl: locationUrl(b.location),
    answers: (b.answers ?? []).filter((a) => a.value).map((a) => ({
      label: a.label,
      value: answerValue(a, t),
    })),
    // Never the (possibly secret) event type behind a single-use link: the host's page then.
    // A team booking's: the team's page.
    bookAgainPath: team
      ? (team.slug ? (et?.active ? `/team/${team.slug}/${et.slug}` : `/team/${team.slug}/`) : null)
      : host
      ? (et?.active && !b.singleUseLinkId
        ? `/calendar/${host.username}/${et.slug}`
        : `/calendar/${host.username}/`)
      : null,
  };
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
  return b ? await viewBooking(app, b, locale) : null;
}

/** The .ics a guest downloads from the result page once the booking is confirmed. */
export async function icsForGuestToken(
  app: App,
  token: string,
): Promise<{ filename: string; body: string } | null> {
  const b = await bookingForToken(app, token, "guest");
  if (!b || b.status !== "CONFIRMED") return null;
  const host = await getUser(app.kv, b.hostId);
  const team = b.teamId ? await getTeam(app.kv, b.teamId) : null;
  const links = await bookingLinks(app, b);
  const t = translator(b.guestLocale);
  return {
    filename: `${
      b.eventTitle.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase() || "booking"
    }.ics`,
    body: buildIcs({
      uid: meetingUid(b, app.config.baseUrl.hostname),
      sequence: calendarDoc(b, "confirmed")!.sequence,
      startMs: b.startMs,
      endMs: b.endMs,
      stampMs: b.decidedAtMs ?? b.createdAtMs,
      summary: icsSummaryForGuest(b, team?.name ?? host?.name ?? t.t("common.the_host"), t),
      description: icsDescriptionForGuest(b, links.guest, t),
      status: "CONFIRMED",
      organizer: { name: host?.name ?? "Host", email: host?.email ?? "invito@localhost" },
      attendee: { name: b.guestName, email: b.guestEmail },
      url: links.guest,
      location: locationText(b.location, t) || undefined,
    }, "PUBLISH"),
  };
}
