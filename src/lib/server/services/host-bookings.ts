/**
 * The host's booking list: open requests first, then upcoming, then past, with the state of
 * each booking's mails and calendar write so a failing integration is visible.
 */
import { searchFold } from "../../shared/search-fold.ts";
import { askNewTimeRefusal } from "../domain/attendees.ts";
import { sourceQuery } from "../../shared/booking-extras.ts";
import type { App } from "../app.ts";
import type { BookingRecord, UserRecord } from "../domain/model/records.ts";
import { getBooking, listHostBookings } from "../store/bookings.ts";
import { getFailedJob, listBookingJobs, requeueFailed } from "../store/outbox.ts";
import { getBookingWritebacks } from "../store/writebacks.ts";
import { isLiveBooking } from "../domain/booking.ts";
import { type BookingView, viewBooking } from "./booking-view.ts";
import { getTeam, getUsers } from "../store/teams.ts";
import { translator } from "../i18n.ts";
import { deliveryErrorIn } from "./delivery-words.ts";
import { formatDate, formatTimeRange, hostClock, namesList } from "../../shared/format.ts";
import { responseOfBooking } from "./routing-forms.ts";

export type StatusFilter = "all" | "pending" | "confirmed" | "rejected" | "cancelled";

export type HostBookingRow = BookingView & {
  startMs: number;
  group: "pending" | "upcoming" | "past";
  delivery: {
    id: string;
    /** What the job does: a mail to the host or the guest, the calendar entry, another mail. */
    kind: "mail_host" | "mail_guest" | "mail_member" | "calendar" | "calendar_member" | "mail";
    state: "queued" | "retrying" | "failed";
    error: string | null;
    attempts: number;
  }[];
  /** The booking's event in the host's calendar, once written. */
  calendarEntry: { calendarName: string; writtenAtMs: number } | null;
  /** The guest's answers to the event type's questions, labelled as asked; unanswered ones left out. */
  answers: { label: string; value: string }[];
  /** Where the meeting happens, as booked ("" when not set). */
  location: string;
  /** The meeting link of a video location, to open from the list. */
  locationUrl: string | null;
  /** Whether the viewer may confirm or reject it (a team's: the assigned member or organiser). */
  canDecide: boolean;
  /** Whether the viewer may cancel it. */
  canCancel: boolean;
  /** Whether the viewer may move it to another time (their own; a team's, as its host). */
  canMove: boolean;
  /** Whether the viewer may ask its guest to pick a new time (domain/attendees.ts). */
  canAskNewTime: boolean;
  /** A team's booking: the team (null once it is gone) and who attends. */
  team: { name: string | null; people: string } | null;
  /** The routing form response the guest came from (issue 30), with its answers as labelled. */
  routing:
    | { formId: string; formTitle: string; answers: { label: string; value: string }[] }
    | null;
  /**
   * One meeting with its history: the times it was moved from, newest first, in the viewer's
   * zone (a moved booking is not listed on its own while the booking it became is).
   */
  previous: { date: string; time: string }[];
  /** A seat of a seated time: its meeting, listed as one row with the time's other seats. */
  seat: { meetingId: string; eventTypeId: string; ownerId: string } | null;
  /** The extra attendees the guest invited (the host's list only; never another guest's view). */
  additionalGuests: string[];
  /** Who of the host's invitees said they cannot come (a meeting poll's; names, in order). */
  declined: string[];
  /** Where the guest came from: UTM parameters and `ref`, as `[field, value]` in a fixed order. */
  source: [string, string][];
};

/** What the viewer of a list may do with one booking in it. */
export type Access = (b: BookingRecord) => { canDecide: boolean; canCancel: boolean };

export async function listBookingsForHost(
  app: App,
  host: UserRecord,
  filter: StatusFilter,
  /** The reader's locale (dates, answers, locations); default the host's profile language. */
  locale: string = host.locale ?? "en",
  /**
   * Only bookings with an attendee whose name or address contains this (any case or accent):
   * the guest, or one of the additional guests (a guest's guests, a poll's other voters); "" for
   * all.
   */
  query = "",
): Promise<HostBookingRow[]> {
  const all = await listHostBookings(app.kv, host.id);
  // A collective booking is listed for each member; its host (the organiser) acts on it here.
  const own = (b: BookingRecord) => ({
    canDecide: b.hostId === host.id,
    canCancel: b.hostId === host.id,
  });
  return (await bookingList(app, all, filter, own, host, locale, query)).rows;
}

/**
 * The dashboard's list of a host's bookings: every waiting and upcoming one, and the `pastShown`
 * most recent past ones (`olderPast` says how many more there are). A host's history grows
 * without end: listed whole, 3,000 bookings made a 6 MB page that took over a second.
 */
export async function listBookingPageForHost(
  app: App,
  host: UserRecord,
  filter: StatusFilter,
  locale: string,
  query: string,
  pastShown: number,
  /** A booking the list must hold (a link to it): past ones shown by pages until it is. */
  reveal?: string,
): Promise<{ rows: HostBookingRow[]; olderPast: number; pastShown: number }> {
  const all = await listHostBookings(app.kv, host.id);
  const own = (b: BookingRecord) => ({
    canDecide: b.hostId === host.id,
    canCancel: b.hostId === host.id,
  });
  return await bookingList(app, all, filter, own, host, locale, query, pastShown, reveal);
}

/** How many past bookings a list shows at first, and how many more each "older" adds. */
export const PAST_PAGE = 100;

/** Where a booking is listed: waiting for the host, coming up, or past (ended or ended early). */
function listGroup(b: BookingRecord, nowMs: number): HostBookingRow["group"] {
  if (b.status === "PENDING" && isLiveBooking(b, nowMs)) return "pending";
  return b.status === "CONFIRMED" && b.endMs > nowMs ? "upcoming" : "past";
}

/**
 * Rows of a booking list, grouped and ordered as the dashboard shows them, with the most recent
 * `pastShown` past bookings only (`olderPast`: how many more there are).
 */
export async function bookingList(
  app: App,
  all: BookingRecord[],
  filter: StatusFilter,
  access: Access,
  /** Whose zone and clock the times are shown in. */
  viewer: Pick<UserRecord, "id" | "timeZone" | "clock" | "locale">,
  /** The reader's locale (dates, answers, locations, names lists). */
  locale: string,
  /**
   * Only bookings with an attendee whose name or address contains this (any case or accent):
   * the guest, or one of the additional guests (a guest's guests, a poll's other voters); "" for
   * all.
   */
  query = "",
  pastShown = Infinity,
  /** A past booking beyond `pastShown` to show anyway: the pages of the list up to it. */
  reveal?: string,
): Promise<{ rows: HostBookingRow[]; olderPast: number; pastShown: number }> {
  const nowMs = app.now();
  const teamInfo = await teamInfoOf(app, all, locale);
  const byId = new Map(all.map((b) => [b.id, b]));
  const moved = (b: BookingRecord) => b.status === "CANCELLED" && b.endReason === "rescheduled";
  // Case and accents ignored: "jose" finds José (shared/search-fold.ts).
  const needle = searchFold(query.trim());
  const has = (text: string) => searchFold(text).includes(needle);
  // The guest first; the other attendees only when the guest does not match (a few at most, a
  // poll's voters ≤ STORED_GUESTS_MAX), so a long list's search costs what it did.
  const matches = (b: BookingRecord) =>
    !needle || has(b.guestName) || has(b.guestEmail) ||
    (b.additionalGuests ?? []).some(has) ||
    Object.values(b.additionalGuestNames ?? {}).some(has) ||
    // Who declined is still found (the row says they can't come).
    (b.declined ?? []).some((d) => has(d.name) || has(d.email));
  const keep = (b: BookingRecord) => {
    if (!matches(b)) return false;
    // A moved booking is history of the booking it became, listed with it, never a cancellation.
    if (moved(b) && (filter !== "all" || (b.rescheduledToId && byId.has(b.rescheduledToId)))) {
      return false;
    }
    if (filter === "all") return true;
    if (filter === "pending") return b.status === "PENDING" && isLiveBooking(b, nowMs);
    if (filter === "cancelled") {
      return b.status === "CANCELLED" || (b.status === "PENDING" && !isLiveBooking(b, nowMs));
    }
    return b.status === filter.toUpperCase();
  };
  /** The times a booking was moved from, newest first (bounded: a chain of moves is short). */
  const clock = hostClock(viewer, locale);
  const history = async (b: BookingRecord) => {
    const out: { date: string; time: string }[] = [];
    let prevId = b.rescheduledFromId;
    for (let i = 0; i < 20 && prevId; i++) {
      const p = byId.get(prevId) ?? await getBooking(app.kv, prevId);
      if (!p) break;
      out.push({
        date: formatDate(p.startMs, viewer.timeZone, locale),
        time: formatTimeRange(p.startMs, p.endMs, viewer.timeZone, clock, locale),
      });
      prevId = p.rescheduledFromId;
    }
    return out;
  };
  const rows: HostBookingRow[] = [];
  const t = translator(locale);
  const matching = all.filter(keep);
  // Only the past ones shown are made into rows (each reads its deliveries and response).
  const past = matching.filter((b) => listGroup(b, nowMs) === "past")
    .sort((a, b) => b.startMs - a.startMs);
  const at = reveal ? past.findIndex((b) => b.id === reveal) : -1;
  const shown = at >= pastShown ? Math.ceil((at + 1) / PAST_PAGE) * PAST_PAGE : pastShown;
  const hidden = new Set(past.slice(shown).map((b) => b.id));
  const kept = hidden.size ? matching.filter((b) => !hidden.has(b.id)) : matching;
  const confirmed = kept.filter((b) => b.status === "CONFIRMED").map((b) => b.id);
  const written = await getBookingWritebacks(app.kv, confirmed);
  // A series' dates, from the list read once (each row of a series would read them again).
  const bySeries = Map.groupBy(
    all.filter((b) => b.series && !b.rescheduledToId),
    (b) => b.series!.id,
  );
  // In time, not by number: a date moved past another keeps its number.
  for (const list of bySeries.values()) list.sort((x, y) => x.startMs - y.startMs);
  for (const b of kept) {
    const view = await viewBooking(
      app,
      b,
      locale,
      {
        timeZone: viewer.timeZone,
        clock,
      },
      "host_list",
      (id) => bySeries.get(id),
    );
    const jobs = await listBookingJobs(app.kv, b.id);
    const group = listGroup(b, nowMs);
    rows.push({
      ...view,
      startMs: b.startMs,
      group,
      answers: view.answers,
      location: view.location,
      locationUrl: view.locationUrl,
      calendarEntry: written.has(b.id)
        ? {
          calendarName: written.get(b.id)!.calendarName,
          writtenAtMs: written.get(b.id)!.writtenAtMs,
        }
        : null,
      ...access(b),
      canMove: b.hostId === viewer.id,
      canAskNewTime: b.hostId === viewer.id && askNewTimeRefusal(b) === null,
      team: teamInfo.get(b.id) ?? null,
      routing: await routingOf(app, b),
      previous: await history(b),
      seat: b.seat
        ? { meetingId: b.seat.meetingId, eventTypeId: b.eventTypeId, ownerId: b.teamId ?? b.hostId }
        : null,
      additionalGuests: b.additionalGuests ?? [],
      declined: (b.declined ?? []).map((d) => d.name),
      source: sourceQuery(b.source),
      delivery: jobs.map(({ job, failed }) => ({
        id: job.id,
        kind: job.payload.kind === "booking_mail"
          ? mailKind(job.payload.mail, job.payload.personId, viewer.id)
          : job.payload.kind === "writeback"
          ? (job.payload.personId && job.payload.personId !== viewer.id
            ? "calendar_member"
            : "calendar")
          : "mail",
        state: failed ? "failed" : job.lastError === null ? "queued" : "retrying",
        // Kept in English in the job's log: a calendar write's error reads in the host's words.
        error: job.lastError === null ? null : deliveryErrorIn(job.lastError, t),
        attempts: job.attempts,
      })),
    });
  }
  const order = { pending: 0, upcoming: 1, past: 2 } as const;
  rows.sort((a, b) =>
    order[a.group] - order[b.group] ||
    (a.group === "past" ? b.startMs - a.startMs : a.startMs - b.startMs)
  );
  return { rows, olderPast: hidden.size, pastShown: shown };
}

/** The response a booking followed, as the list shows it (its answers, or none once erased). */
async function routingOf(app: App, b: BookingRecord): Promise<HostBookingRow["routing"]> {
  const r = await responseOfBooking(app, b);
  if (!r) return null;
  return {
    formId: r.formId,
    formTitle: r.formTitle,
    answers: r.answers.map((a) => ({ label: a.label, value: a.value })),
  };
}

/** Team bookings' team names and attending people, read once per list. */
async function teamInfoOf(app: App, all: BookingRecord[], locale: string) {
  const out = new Map<string, { name: string | null; people: string }>();
  const team = all.filter((b) => b.teamId);
  if (team.length === 0) return out;
  // A team or member that is gone has no name: the page says "a former team/member".
  const teams = new Map<string, string | null>();
  for (const id of new Set(team.map((b) => b.teamId!))) {
    teams.set(id, (await getTeam(app.kv, id))?.name ?? null);
  }
  const people = new Map(
    (await getUsers(app.kv, [...new Set(team.flatMap((b) => b.personIds ?? [b.hostId]))]))
      .map((u) => [u.id, u.name]),
  );
  const t = translator(locale);
  for (const b of team) {
    out.set(b.id, {
      name: teams.get(b.teamId!) ?? null,
      people: namesList(
        (b.personIds ?? [b.hostId]).map((p) => people.get(p) ?? t.t("team.former_member")),
        locale,
      ),
    });
  }
  return out;
}

function mailKind(
  kind: string,
  personId: string | undefined,
  viewerId: string,
): HostBookingRow["delivery"][number]["kind"] {
  if (!kind.startsWith("host_") && kind !== "member_request") return "mail_guest";
  // A team booking's mail to one of its members.
  return personId && personId !== viewerId ? "mail_member" : "mail_host";
}

/** "Retry" on a failed mail or calendar write of one of the host's bookings: back into the queue. */
export async function retryDelivery(app: App, hostId: string, jobId: string): Promise<boolean> {
  const job = await getFailedJob(app.kv, jobId);
  const kind = job?.payload.kind;
  if (!job || (kind !== "booking_mail" && kind !== "writeback")) return false;
  const booking = await getBooking(app.kv, job.payload.bookingId);
  if (!booking || booking.hostId !== hostId) return false;
  const requeued = await requeueFailed(app.kv, jobId, app.now());
  if (requeued) app.kickOutbox();
  return requeued !== null;
}
