/**
 * The words inside calendar entries (SUMMARY, DESCRIPTION), in their reader's language: the
 * guest's invitation in theirs, the host's — mailed or written to their calendar — in the
 * host's, linking their dashboard, never the guest's page (docs/decisions/031, amended). The
 * .ics structure itself (METHOD, UID, SEQUENCE, folding) is integrations/ics.ts's. What the guest
 * wrote is quoted when it spans lines (quote.ts), so it cannot forge our own lines.
 */
import type { BookingRecord } from "../../domain/model/records.ts";
import type { Translator } from "../../../shared/i18n.ts";
import { labelledLine } from "./quote.ts";
import { locationText, shownLocation } from "../../../shared/location-text.ts";
import { namesList } from "../../../shared/format.ts";
import { hostBookingPath } from "../../../shared/host-links.ts";
import { guestAttends } from "../../domain/attendees.ts";

type B = Pick<
  BookingRecord,
  | "eventTitle"
  | "guestName"
  | "guestEmail"
  | "guestNote"
  | "answers"
  | "location"
  | "status"
  | "additionalGuests"
  | "additionalGuestNames"
  | "declined"
>;

/** "Where: Jitsi Meet: https://…" — the meeting's place, first in an entry (a link calendars make clickable). */
function whereLine(b: B, t: Translator): string {
  const where = locationText(shownLocation(b), t);
  return where ? t.t("mail.where", { where }) : "";
}

/** "Intro call: Ada and Demo Host"; a meeting of several: "Sync: Ada, Ben, 2 others and Demo Host". */
export function icsSummaryForGuest(b: B, hostName: string, t: Translator): string {
  const people = peopleOf(b, t);
  if (people.length > 1) {
    return t.t("ics.summary_people", {
      title: b.eventTitle,
      people: namesList([...people, hostName], t.locale),
    });
  }
  return t.t("ics.summary_guest", {
    title: b.eventTitle,
    guest: people[0] ?? b.guestName,
    host: hostName,
  });
}

/** Names shown in a SUMMARY before the rest are counted ("Ada, Ben and 2 others"). */
const NAMED_IN_SUMMARY = 3;

/**
 * Who the meeting is with, for its SUMMARY: the guest and the additional guests whose names are
 * known (a poll's voters; a guest's own guests gave only addresses, so theirs stays the guest's
 * name alone). Beyond three, two names and a count, so the title stays a title.
 */
function peopleOf(b: B, t: Translator): string[] {
  const named = b.additionalGuestNames ?? {};
  const names = [
    // A poll's first voter who declined stays the guest but no longer comes (attendees.ts).
    ...(guestAttends(b) ? [b.guestName] : []),
    ...(b.additionalGuests ?? []).flatMap((g) => Object.hasOwn(named, g) ? [named[g]] : []),
  ].filter(Boolean);
  if (names.length <= NAMED_IN_SUMMARY) return names;
  const shown = names.slice(0, NAMED_IN_SUMMARY - 1);
  return [...shown, t.t("ics.others", { count: names.length - shown.length })];
}

export function icsDescriptionForGuest(b: B, guestLink: string, t: Translator): string {
  return [
    whereLine(b, t),
    b.guestNote ? labelledLine((note) => t.t("ics.note", { note }), b.guestNote) : "",
    guestsLine(b, t),
    ...answerLines(b, t),
    t.t("ics.manage", { url: guestLink }),
  ].filter(Boolean).join("\n\n");
}

/**
 * The entry the guest's additional guests get: where, and who else is invited — never the
 * guest's manage link, note or answers (those are the guest's own).
 */
export function icsDescriptionForGuests(b: B, t: Translator): string {
  return [whereLine(b, t), guestsLine(b, t)].filter(Boolean).join("\n\n");
}

/**
 * The host's own page of a booking: its row in their dashboard's list, behind their sign-in.
 * What the host's calendar entry links to — never the guest's page, whose link cancels or moves
 * the booking without signing in and would let anyone who sees the host's calendar do so.
 */
export function hostBookingUrl(baseUrl: string, bookingId: string): string {
  return `${baseUrl.replace(/\/$/, "")}${hostBookingPath(bookingId)}`;
}

/**
 * Where the host's entry of a seated meeting links (ADR 040): a row their list shows. A moved
 * seat's is its guest's current booking (the moved one is not listed); otherwise this seat's
 * while it is live, else a seat still in the meeting, else this (cancelled) seat's own row.
 */
export function seatedMeetingUrl(
  baseUrl: string,
  seat: { id: string; status: string },
  movedToId: string | undefined,
  confirmed: readonly { id: string }[],
): string {
  const live = seat.status === "CONFIRMED" || seat.status === "PENDING";
  const id = movedToId ??
    (live ? seat.id : confirmed.find((x) => x.id !== seat.id)?.id ?? seat.id);
  return hostBookingUrl(baseUrl, id);
}

/** "Intro call with Ada" — the host's own calendar entry ("Sync with Ada, Ben and 2 others"). */
export function icsSummaryForHost(b: B, t: Translator): string {
  return t.t("ics.summary_host", {
    title: b.eventTitle,
    guest: namesList(peopleOf(b, t), t.locale),
  });
}

export function icsDescriptionForHost(
  b: B,
  dashboardLink: string,
  t: Translator,
  /** A team booking's attending members, named in the entry ("With: Ann, Ben"). */
  with_: readonly string[] = [],
): string {
  return [
    whereLine(b, t),
    b.guestNote
      ? labelledLine((note) => t.t("ics.note_from", { guest: b.guestName, note }), b.guestNote)
      : "",
    t.t("ics.guest", { guest: b.guestName, email: b.guestEmail }),
    with_.length ? t.t("ics.with", { names: with_.join(", ") }) : "",
    guestsLine(b, t),
    ...answerLines(b, t),
    t.t("ics.booked_with", { url: dashboardLink }),
  ].filter(Boolean).join("\n\n");
}

/**
 * The host's entry of a seated time: where, each confirmed seat's guest (a line each)
 * (never a guest's note or answers: the meeting is everyone's), who else they invited, and the
 * host's page of the booking the mail is about.
 */
export function icsDescriptionForSeatedMeeting(
  place: B,
  seats: readonly Pick<B, "guestName" | "guestEmail" | "additionalGuests">[],
  dashboardLink: string,
  t: Translator,
): string {
  return [
    whereLine(place, t),
    seats.map((x) => t.t("ics.guest", { guest: x.guestName, email: x.guestEmail })).join("\n"),
    guestsLine({ additionalGuests: seats.flatMap((x) => x.additionalGuests ?? []) }, t),
    t.t("ics.booked_with", { url: dashboardLink }),
  ].filter(Boolean).join("\n\n");
}

/** The guest's additional guests ("Also invited: a@example.com, b@example.com"), or "". */
export function guestsLine(b: Pick<B, "additionalGuests">, t: Translator): string {
  const list = b.additionalGuests ?? [];
  return list.length ? t.t("ics.also_invited", { emails: list.join(", ") }) : "";
}

/** The guest's answers, each under its question ("Company: ACME"), quoted when multi-line. */
export function answerLines(b: Pick<B, "answers">, t: Translator): string[] {
  return (b.answers ?? []).filter((a) => a.value).map((a) =>
    labelledLine(
      (value) => t.t("mail.line_answer", { label: a.label, value }),
      a.checked !== undefined ? t.t(a.checked ? "common.yes" : "common.no") : a.value,
    )
  );
}
