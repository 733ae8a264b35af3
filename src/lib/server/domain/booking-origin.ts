/**
 * How a booking came, pure: the origin it recorded or what its other fields tell, and whether
 * a guest asked for it on a booking page (the insights' origins chart and funnel).
 */
import type { BookingOrigin, BookingRecord } from "./model/records.ts";

/**
 * How a booking came: what it recorded (a poll's pick, a new time after the host asked), else
 * what its other fields tell — a successor was moved by whoever made it; a booking through a
 * single-use link came by that link; one the host made was booked for the guest.
 */
export function originOf(
  b: Pick<BookingRecord, "origin" | "rescheduledFromId" | "singleUseLinkId"> & {
    history: readonly { by: string }[];
  },
): BookingOrigin {
  if (b.origin) return b.origin;
  const byHost = b.history[0]?.by === "host";
  if (b.rescheduledFromId) return byHost ? "host_move" : "guest_move";
  if (byHost) return "for_guest";
  return b.singleUseLinkId ? "link" : "guest";
}

/** The origins of a meeting a guest asked for on a booking page (a link's page included). */
const PAGE_ORIGINS: ReadonlySet<BookingOrigin> = new Set(["guest", "link"]);

/**
 * Whether a booking was asked for on a booking page, the funnel's last steps: a guest's own
 * request there, or through a single-use or one-off link. Not the API's, the host's, a poll's
 * pick or a move. Without its history (who made it) it cannot tell, and says no.
 */
export function askedOnPage(
  b: Partial<Pick<BookingRecord, "origin" | "rescheduledFromId" | "singleUseLinkId">> & {
    history?: readonly { by: string }[];
  },
): boolean {
  if (!b.history) return false;
  return PAGE_ORIGINS.has(originOf({ ...b, history: b.history }));
}
