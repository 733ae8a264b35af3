/**
 * The side effects of a booking entering a state: which mails, calendar writes, reminders,
 * follow-ups and webhook events are queued, in the same atomic write as the change, so each
 * happens once per transition.
 */
import type { BookingRecord, MailKind, OutboxPayload, WebhookEvent } from "../model/records.ts";
import { followUpDueTimes, reminderDueTimes } from "../event-rules.ts";
import { calendarMayHold } from "../calendar-identity.ts";
import { readerGroups } from "../guest-readers.ts";
import { guestAttends } from "../attendees.ts";

/** `lane`: see `OutboxRecord.lane` (a series' dates run in one). */
export type PlannedJob = { payload: OutboxPayload; dueMs: number; lane?: string };

/** The outbox lane of a booking's jobs: its series' (one for all its dates), else its own. */
export function laneOf(b: BookingRecord): string | undefined {
  return b.series ? `series:${b.series.id}` : undefined;
}

/**
 * The people host-side effects go to: a multi-person booking's every member (each gets their own
 * mail, calendar write and reminders, carrying `personId`), otherwise the host (no `personId`).
 */
export function hostsOf(b: BookingRecord): (string | undefined)[] {
  const persons = b.personIds ?? [b.hostId];
  return persons.length === 1 && persons[0] === b.hostId ? [undefined] : persons;
}

const forPerson = (personId: string | undefined) => (personId ? { personId } : {});

export function sideEffects(
  before: BookingRecord | null,
  after: BookingRecord,
  nowMs: number,
): PlannedJob[] {
  const out = peopleEffects(before, after, nowMs);
  // Last in the booking's lane: people's mails go out before the hosts' systems hear of it.
  const event = webhookEvent(before, after);
  if (event) {
    out.push({
      payload: { kind: "webhook_event", bookingId: after.id, event, seq: after.history.length },
      dueMs: nowMs,
    });
  }
  // A series' dates change one write after another in date order (services/series-bookings.ts);
  // in one lane their jobs go out in that order too, never side by side.
  const lane = laneOf(after);
  return lane ? out.map((j) => ({ ...j, lane })) : out;
}

/** Mails, calendar writes, reminders and follow-ups of a change. */
function peopleEffects(
  before: BookingRecord | null,
  after: BookingRecord,
  nowMs: number,
): PlannedJob[] {
  const out: PlannedJob[] = [];
  const now = (payload: OutboxPayload) => out.push({ payload, dueMs: nowMs });
  const mail = (kind: MailKind, personId?: string) =>
    now({ kind: "booking_mail", mail: kind, bookingId: after.id, ...forPerson(personId) });
  /** The additional guests' mail: one per way of reading (guest-readers.ts). */
  const guestsMail = (kind: MailKind) => {
    for (const g of readerGroups(after)) {
      now({
        kind: "booking_mail",
        mail: kind,
        bookingId: after.id,
        ...(g.key ? { readers: g.key } : {}),
      });
    }
  };
  const hosts = hostsOf(after);
  const hostMail = (kind: MailKind) => {
    for (const p of hosts) mail(kind, p);
  };
  const writeback = (op: "put" | "delete") => {
    for (const p of hosts) now({ kind: "writeback", op, bookingId: after.id, ...forPerson(p) });
  };
  const wasConfirmed = before?.status === "CONFIRMED";
  if (after.status === "PENDING" && before === null) {
    // The host decides; the other members of a collective booking hear of the request.
    for (const p of hosts) {
      mail(p === undefined || p === after.hostId ? "host_request" : "member_request", p);
    }
    mail("guest_pending");
    // A moved meeting: the host's calendar shows the new time as tentative, in place.
    if (after.calendarIssued) writeback("put");
  } else if (after.status === "CONFIRMED" && !wasConfirmed) {
    // A guest who declined a meeting the host invited them to hears no more of it (attendees.ts).
    const guestComes = guestAttends(after);
    if (guestComes) mail("guest_confirmed");
    // The guest's additional guests: one invitation To: all who read alike (a moved meeting's is
    // its update, same UID, higher SEQUENCE). A request pending its host's answer invites nobody.
    guestsMail("guests_invited");
    hostMail(before === null ? "host_booked" : "host_confirmed_copy");
    writeback("put");
    for (const { dueMs, r } of reminderDueTimes(after.startMs, after.reminders ?? [], nowMs)) {
      // One job per recipient, so a failure to reach one never resends to the other.
      const recipients: [boolean, string | undefined][] = guestComes ? [[false, undefined]] : [];
      if (r.toHost) { for (const p of hosts) recipients.push([true, p]); }
      for (const [toHost, p] of recipients) {
        out.push({
          payload: {
            kind: "reminder",
            bookingId: after.id,
            startMs: after.startMs,
            minutesBefore: r.minutesBefore,
            toHost,
            ...forPerson(p),
          },
          dueMs,
        });
      }
    }
    // Beside the reminders: sent only if the meeting still took place at this time.
    for (const { dueMs, f } of followUpDueTimes(after.endMs, after.followUps ?? [], nowMs)) {
      out.push({
        payload: {
          kind: "follow_up",
          bookingId: after.id,
          startMs: after.startMs,
          minutesAfter: f.minutesAfter,
        },
        dueMs,
      });
    }
  } else if (after.status === "REJECTED" || after.status === "CANCELLED") {
    // Moved: the successor's own mails and calendar write move the meeting.
    if (after.endReason === "rescheduled") return out;
    const inCalendars = calendarMayHold(after);
    if (after.status === "REJECTED") mail("guest_rejected");
    else if (after.endReason === "expired") mail("guest_expired");
    else if (guestAttends(after)) mail("guest_cancelled");
    // Additional guests were invited only once the meeting was confirmed: only then its CANCEL.
    if (inCalendars) guestsMail("guests_cancelled");
    // The host hears of a guest's cancellation, and of any end of a meeting their calendar holds
    // (with its CANCEL); a request that expired unanswered tells whoever could have answered it
    // (a team booking's deciding member, not every attendee).
    if (after.endReason === "cancelled_by_guest" || inCalendars) hostMail("host_cancelled");
    else if (after.endReason === "expired") {
      mail("host_expired", hosts.includes(undefined) ? undefined : after.hostId);
    }
    if (inCalendars) writeback("delete");
  }
  return out;
}

/**
 * Every mail that carries a confirmed meeting to someone who attends it (the guest, the guest's
 * additional guests or poll voters, the host or each member of a team booking), as the updated
 * invitation when its video link came after it went out (docs/decisions/042-meeting-locations.md).
 * `family`: the mail kinds that invite that same reader, so a queued one is known to carry the
 * link itself.
 */
export function meetingInvitations(
  b: BookingRecord,
): { mail: MailKind; personId?: string; readers?: string; family: readonly MailKind[] }[] {
  const out: {
    mail: MailKind;
    personId?: string;
    readers?: string;
    family: readonly MailKind[];
  }[] = guestAttends(b) ? [{ mail: "guest_confirmed", family: ["guest_confirmed"] }] : [];
  // The additional guests, one mail per way of reading (guest-readers.ts).
  for (const g of readerGroups(b)) {
    out.push({
      mail: "guests_invited",
      ...(g.key ? { readers: g.key } : {}),
      family: ["guests_invited"],
    });
  }
  for (const p of hostsOf(b)) {
    out.push({
      mail: "host_booked",
      ...forPerson(p),
      family: ["host_booked", "host_confirmed_copy"],
    });
  }
  return out;
}

/**
 * The webhook event of a change. A reschedule is one event, on the new booking (which names the
 * one it replaced); the retired booking sends none.
 */
export function webhookEvent(
  before: BookingRecord | null,
  after: BookingRecord,
): WebhookEvent | null {
  if (before === null) {
    if (after.rescheduledFromId) return "booking.rescheduled";
    return after.status === "PENDING" ? "booking.requested" : "booking.confirmed";
  }
  if (before.status === after.status) return null;
  if (after.status === "CONFIRMED") return "booking.confirmed";
  if (after.status === "REJECTED") return "booking.rejected";
  if (after.status === "CANCELLED") {
    if (after.endReason === "rescheduled") return null;
    return after.endReason === "expired" ? "booking.expired" : "booking.cancelled";
  }
  return null;
}

/**
 * A booking moved to a time some of its people no longer attend (a round-robin reschedule given
 * to another member, a collective one after the members changed, an admin's hand-over to
 * another host): each of them hears that it left their calendar, their calendar entry is
 * removed, and their webhooks hear `booking.cancelled` of the retired booking (its fan-out
 * sends it to those people only, `eventAudience`). The successor's own effects reach the people
 * who attend it.
 */
export function handoverEffects(
  old: BookingRecord,
  successor: BookingRecord,
  nowMs: number,
): PlannedJob[] {
  const staying = new Set(successor.personIds ?? [successor.hostId]);
  const leaving = (old.personIds ?? [old.hostId]).filter((p) => !staying.has(p));
  const out: PlannedJob[] = [];
  const held = calendarMayHold(old);
  for (const p of leaving) {
    out.push({
      payload: { kind: "booking_mail", mail: "host_cancelled", bookingId: old.id, personId: p },
      dueMs: nowMs,
    });
    if (held) {
      out.push({
        payload: { kind: "writeback", op: "delete", bookingId: old.id, personId: p },
        dueMs: nowMs,
      });
    }
  }
  if (leaving.length > 0) {
    // Last in the booking's lane, as every webhook event; the retiring step is one more entry
    // of the old booking's history.
    out.push({
      payload: {
        kind: "webhook_event",
        bookingId: old.id,
        event: "booking.cancelled",
        seq: old.history.length + 1,
      },
      dueMs: nowMs,
    });
  }
  return out;
}
