/** Where a meeting happens, in the reader's words ("In person: Main St 1", "Videoanruf: https://…"). */
import type { Location, LocationKind } from "./public-types.ts";
import type { Translator } from "./i18n.ts";

/** The public Jitsi Meet server, used when a host names none of their own. */
export const DEFAULT_JITSI_SERVER = "https://meet.jit.si";

/** A phone number as a person types it: digits with +, spaces, brackets, dots, dashes. */
export function isPhoneNumber(s: string): boolean {
  return /^\+?[0-9 ()./-]{5,30}$/.test(s) && (s.match(/\d/g)?.length ?? 0) >= 5;
}

/**
 * The place of a booking as people may read it now: a request's room is not handed out before
 * the host confirms (the guest and host read "link once confirmed"); everything else as booked.
 * Every page, mail, calendar entry and API answer reads a booking's place through this.
 */
export function shownLocation(
  b: { status: string; location?: Location },
): Location | undefined {
  if (b.status === "PENDING" && b.location && ROOM_KINDS.includes(b.location.kind)) {
    return { kind: b.location.kind, value: "", pending: true };
  }
  return b.location;
}

/** Where a booked meeting happens (a booking's resolved location). */
export function locationText(loc: Location | undefined, t: Pick<Translator, "t">): string {
  if (loc && ROOM_KINDS.includes(loc.kind) && !loc.value) {
    return t.t(loc.pending ? "location.link_once_confirmed" : "location.link_follows");
  }
  if (!loc || loc.kind === "none" || !loc.value) return "";
  switch (loc.kind) {
    case "in_person":
      return t.t("location.in_person", { value: loc.value });
    case "phone":
      return t.t("location.phone", { value: loc.value });
    case "guest_phone":
      return t.t("location.guest_phone", { value: loc.value });
    case "video":
      return t.t("location.video", { value: loc.value });
    case "jitsi":
      return t.t("location.jitsi", { value: loc.value });
    case "google_meet":
      return t.t("location.google_meet", { value: loc.value });
    case "teams":
      return t.t("location.teams", { value: loc.value });
    case "zoom":
      return t.t("location.zoom", { value: loc.value });
    case "custom":
      return loc.value;
  }
}

/** The kinds that get a meeting room of their own per booking (made when it is confirmed). */
export const ROOM_KINDS: readonly LocationKind[] = ["jitsi", "google_meet", "teams", "zoom"];

/** The kinds whose room a provider makes: with the host's calendar event, or Zoom (calendar-writeback.ts). */
export const PROVIDER_ROOM_KINDS: readonly LocationKind[] = ["google_meet", "teams", "zoom"];

/** The kinds whose booked value is a meeting link. */
export const VIDEO_KINDS: readonly LocationKind[] = [
  "video",
  "jitsi",
  "google_meet",
  "teams",
  "zoom",
];

/** The link of a video location, when it is one (mails and pages make it clickable). */
export function locationUrl(loc: Location | undefined): string | null {
  return loc && VIDEO_KINDS.includes(loc.kind) && /^https:\/\/\S+$/i.test(loc.value)
    ? loc.value
    : null;
}

/**
 * What a guest reads about an offered location before booking: a meeting link is only for people
 * who booked (a Jitsi room is made per booking), and a call to the guest names no number yet.
 */
export function offeredLocationText(loc: Location, t: Pick<Translator, "t">): string {
  switch (loc.kind) {
    case "video":
      return t.t("location.video_after_booking");
    case "jitsi":
      return t.t("location.jitsi_after_booking");
    case "google_meet":
      return t.t("location.google_meet_after_booking");
    case "teams":
      return t.t("location.teams_after_booking");
    case "zoom":
      return t.t("location.zoom_after_booking");
    case "guest_phone":
      return t.t("location.guest_phone_offer");
    default:
      return locationText(loc, t);
  }
}

/** A booked video meeting as calendars name it (RFC 7986 CONFERENCE): its link and provider. */
export function conferenceOf(
  loc: Location | undefined,
): { url: string; label: string; kind: LocationKind } | undefined {
  const url = locationUrl(loc);
  if (!url) return undefined;
  const label = loc?.kind === "jitsi"
    ? "Jitsi Meet"
    : loc?.kind === "google_meet"
    ? "Google Meet"
    : loc?.kind === "teams"
    ? "Microsoft Teams"
    : loc?.kind === "zoom"
    ? "Zoom"
    : new URL(url).hostname;
  return { url, label, kind: loc!.kind };
}
