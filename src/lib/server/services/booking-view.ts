/**
 * What a link page shows about a booking. Token pages never reveal more than the token holder
 * already knows, and an unknown token looks exactly like an expired request (no oracle).
 */
import type { App } from "../app.ts";
import type { BookingRecord, TokenPurpose } from "../store/records.ts";
import { getUser } from "../store/users.ts";
import { getEventType } from "../store/event-types.ts";
import { type Clock, formatDate, formatTime, prettyZone, zoneOffset } from "../../shared/format.ts";
import { bookingForToken } from "./decide-booking.ts";
import { isLiveBooking } from "../domain/booking.ts";
import { buildIcs } from "../integrations/ics.ts";
import { calendarDoc, meetingUid } from "../domain/calendar-identity.ts";
import { bookingLinks } from "./booking-links.ts";
import { describeLocation } from "../domain/event-rules.ts";
import { labelled } from "../integrations/mail-templates/quote.ts";
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
  location: string;
  answers: { label: string; value: string }[];
  /** A team's booking: the team (`hostName` then names every member the guest meets). */
  teamName: string | null;
};

function when(b: BookingRecord, tz: string, clock: Clock = "24h") {
  return {
    timeZone: tz,
    date: formatDate(b.startMs, tz),
    time: `${formatTime(b.startMs, tz, clock)}–${formatTime(b.endMs, tz, clock)}`,
    offset: zoneOffset(b.startMs, tz),
    zone: prettyZone(tz),
  };
}

export async function viewBooking(
  app: App,
  b: BookingRecord,
  /** Whose zone the host-side times are in (a team booking's: its member's, not the team's). */
  reader?: { timeZone: string; clock?: Clock },
): Promise<BookingView> {
  const nowMs = app.now();
  const host = await getUser(app.kv, b.hostId);
  const et = await getEventType(app.kv, b.teamId ?? b.hostId, b.eventTypeId);
  const team = b.teamId ? await teamPeople(app, b) : null;
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
    hostName: team?.people || (host?.name ?? "The host"),
    teamName: team?.name ?? null,
    guestName: b.guestName,
    guestEmail: b.guestEmail,
    guestNote: b.guestNote,
    when: when(b, b.guestTimeZone, b.guestClock),
    hostWhen: when(
      b,
      reader?.timeZone ?? (b.teamId && host ? host.timeZone : b.hostTimeZone),
      reader ? reader.clock : host?.clock,
    ),
    reservedUntil: b.reservedUntilMs
      ? `${formatDate(b.reservedUntilMs, b.guestTimeZone)}, ${
        formatTime(b.reservedUntilMs, b.guestTimeZone, b.guestClock)
      }`
      : null,
    message: state === "confirmed"
      ? et?.confirmedMessage ?? ""
      : state === "rejected"
      ? et?.rejectedMessage ?? ""
      : "",
    cancelReason: b.cancelReason ?? null,
    location: describeLocation(b.location),
    answers: (b.answers ?? []).filter((a) => a.value).map((a) => ({
      label: a.label,
      value: a.value,
    })),
  };
}

/** Who a team booking's guest meets, and the team's name. */
async function teamPeople(app: App, b: BookingRecord) {
  const ids = b.personIds ?? [b.hostId];
  const byId = new Map((await getUsers(app.kv, ids)).map((u) => [u.id, u.name]));
  return {
    name: (b.teamId ? (await getTeam(app.kv, b.teamId))?.name : null) ?? "A team",
    people: namesList(ids.flatMap((id) => byId.get(id) ?? [])),
  };
}

export async function viewByToken(
  app: App,
  token: string,
  purpose: TokenPurpose,
): Promise<BookingView | null> {
  const b = await bookingForToken(app, token, purpose);
  return b ? await viewBooking(app, b) : null;
}

/** The .ics a guest downloads from the result page once the booking is confirmed. */
export async function icsForGuestToken(
  app: App,
  token: string,
): Promise<{ filename: string; body: string } | null> {
  const b = await bookingForToken(app, token, "guest");
  if (!b || b.status !== "CONFIRMED") return null;
  const host = await getUser(app.kv, b.hostId);
  const links = await bookingLinks(app, b);
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
      summary: `${b.eventTitle}: ${b.guestName} and ${host?.name ?? "host"}`,
      description: b.guestNote ? labelled("Note", b.guestNote) : "",
      status: "CONFIRMED",
      organizer: { name: host?.name ?? "Host", email: host?.email ?? "invito@localhost" },
      attendee: { name: b.guestName, email: b.guestEmail },
      url: links.guest,
      location: describeLocation(b.location) || undefined,
    }, "PUBLISH"),
  };
}
