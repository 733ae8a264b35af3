/**
 * Where a meeting happens: the places an event type offers, and the one a booking gets (pure).
 *
 * An event type offers one or more locations (older records hold a single `location`; they read
 * as a list of one). With more than one, the guest picks one on the form. The booking stores the
 * resolved place: a Jitsi Meet room of its own (unguessable, made from random bytes the service
 * passes in), the guest's own number when the host calls them, the host's text otherwise.
 * See docs/decisions/042-meeting-locations.md.
 */
import type { BookingRecord, EventTypeRecord, Location } from "./model/records.ts";
import { messageRef } from "../../shared/i18n.ts";
import {
  DEFAULT_JITSI_SERVER,
  isPhoneNumber,
  offeredLocationText,
} from "../../shared/location-text.ts";
import type { Translator } from "../../shared/i18n.ts";

export { DEFAULT_JITSI_SERVER };

/** The most locations one event type offers. */
export const MAX_LOCATIONS = 3;

/** The places an event type offers, in the host's order ("none" offers nothing). */
export function offeredLocations(et: Pick<EventTypeRecord, "location" | "locations">): Location[] {
  const list = et.locations ?? (et.location ? [et.location] : []);
  return list.filter((l) => l.kind !== "none").slice(0, MAX_LOCATIONS);
}

/** The places offered as a booking form words them, for a host who picks one for their guest. */
export function placesToChoose(
  offered: readonly Location[],
  t: Pick<Translator, "t">,
): { kind: string; label: string }[] {
  return offered.map((l) => ({ kind: l.kind, label: offeredLocationText(l, t) }));
}

/**
 * A Jitsi server's base ("https://meet.example.org/"), without a trailing slash; empty: the public
 * one. A query or fragment (refused by the editor since; an event type saved before may hold
 * one) is left off: a room name after it would name no room.
 */
export function jitsiServer(value: string): string {
  const v = value.trim().replace(/[?#].*$/s, "").replace(/\/+$/, "");
  return v === "" ? DEFAULT_JITSI_SERVER : v;
}

/** A Jitsi room name from random text (base64url: URL-safe as it is; 120 random bits from the service). */
export function jitsiRoom(random: string): string {
  return `Invito${random.replace(/[^A-Za-z0-9_-]/g, "")}`;
}

/**
 * The same place with a new Jitsi room on the same server (`random` drawn by the service): for a
 * booking that becomes another meeting (a seat moved to another time). Other kinds stay as they are.
 */
export function freshRoom(loc: Location, random: string): Location {
  if (loc.kind !== "jitsi") return loc;
  const server = loc.value.slice(0, Math.max(0, loc.value.lastIndexOf("/")));
  return { kind: "jitsi", value: `${jitsiServer(server)}/${jitsiRoom(random)}` };
}

/**
 * The place of a booking that is a new meeting at the provider — a new time after the host
 * asked for one (the old meeting was deleted with the cancellation), a move to another host
 * (whose account or calendar makes its own): a provider room's old link is dead or someone
 * else's, so it is cleared and the writeback makes (and the mails wait for) a fresh one.
 */
export function newProviderMeeting(loc: Location | undefined): Location | undefined {
  if (loc?.kind !== "google_meet" && loc?.kind !== "teams" && loc?.kind !== "zoom") return loc;
  return { kind: loc.kind, value: "" };
}

export type LocationChoice = {
  /** The index of the offered location the guest picked (form field `location`); "" when one is offered. */
  choice?: string;
  /** The guest's phone number (form field `phone`), needed when the host calls them. */
  phone?: string;
  /** Random text for a new room (the service draws it; the domain reads no randomness). */
  random: string;
};

export type DecidedLocation =
  | { ok: true; location: Location }
  /** Message references keyed by the form field (`location`, `phone`). */
  | { ok: false; errors: Record<string, string> };

/** The place a new booking gets from what the event type offers and what the guest chose. */
export function decideLocation(
  offered: readonly Location[],
  input: LocationChoice,
): DecidedLocation {
  if (offered.length === 0) return { ok: true, location: { kind: "none", value: "" } };
  let picked: Location | undefined;
  if (offered.length === 1) picked = offered[0];
  else {
    const text = (input.choice ?? "").trim();
    picked = /^\d$/.test(text) ? offered[Number(text)] : undefined;
    if (!picked) return { ok: false, errors: { location: messageRef("answers.choose_location") } };
  }
  switch (picked.kind) {
    case "jitsi":
      return {
        ok: true,
        location: {
          kind: "jitsi",
          value: `${jitsiServer(picked.value)}/${jitsiRoom(input.random)}`,
        },
      };
    case "guest_phone": {
      const phone = (input.phone ?? "").trim();
      if (!phone) return { ok: false, errors: { phone: messageRef("answers.phone_required") } };
      if (!isPhoneNumber(phone)) {
        return { ok: false, errors: { phone: messageRef("answers.phone") } };
      }
      return { ok: true, location: { kind: "guest_phone", value: phone } };
    }
    case "google_meet":
    case "teams":
    case "zoom":
      // The link comes with the host's calendar event, or from Zoom (services/calendar-writeback.ts).
      return { ok: true, location: { kind: picked.kind, value: "" } };
    default:
      return { ok: true, location: { kind: picked.kind, value: picked.value } };
  }
}

/** How long a confirmation waits for a provider's video link before it goes out without it. */
export const LINK_WAIT_MS = 10 * 60_000;

/**
 * The mails that invite someone to a confirmed meeting (the guest, their additional guests or a
 * poll's voters, the host and each team member): each carries the meeting's place, so each waits
 * for its video link.
 */
const INVITATIONS: ReadonlySet<string> = new Set([
  "guest_confirmed",
  "guests_invited",
  "host_booked",
  "host_confirmed_copy",
]);

/** The calendar provider that makes each provider room kind with the host's event. */
const ROOM_PROVIDER = { google_meet: "google", teams: "microsoft", zoom: "zoom" } as const;

/**
 * Whether an invitation mail of `booking` (to anyone who attends) waits for its video link
 * (issue 27: no confirmation without the link): a Google Meet or Teams meeting not read back yet, while the host writes
 * bookings to that provider's calendar (which makes it) — or, for Zoom, while the host's Zoom
 * connection works (`writebackProvider` "zoom") — and the wait has not run out — then the
 * mail goes out saying the link follows, and the link's arrival sends the updated invitation.
 */
export function awaitsMeetingLink(
  booking: Pick<BookingRecord, "status" | "location" | "seat">,
  mail: string,
  writebackProvider: string | null,
  queuedForMs: number,
): boolean {
  const kind = booking.location?.kind;
  if (kind !== "google_meet" && kind !== "teams" && kind !== "zoom") return false;
  if (booking.location!.value || booking.status !== "CONFIRMED") return false;
  // A seated time never gets a provider's room (the editor refuses them; older types may offer one).
  if (booking.seat) return false;
  if (!INVITATIONS.has(mail)) return false;
  return writebackProvider === ROOM_PROVIDER[kind] && queuedForMs < LINK_WAIT_MS;
}
