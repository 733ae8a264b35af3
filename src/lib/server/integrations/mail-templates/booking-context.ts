/** What a booking mail's job reads before its mail is built (booking-parts.ts builds from it). */
import type { BookingRecord } from "../../domain/model/records.ts";

export type BookingMailContext = {
  booking: BookingRecord;
  /**
   * Host-side mails: their reader (for a team booking, the member it is for, with their zone and
   * language). Guest-side mails: who the guest meets (a team booking: the attending members' names).
   */
  host: { name: string; email: string; clock?: "12h" | "24h"; locale?: string; timeZone?: string };
  /**
   * A team booking: one meeting with one identity (docs/decisions/016-teams.md): its organiser
   * (the booking's host) and the other members, every one of them an attendee of the invitation.
   */
  team?: {
    /** The team's name ("" when the team is gone: the mail then says "your team"). */
    name: string;
    organizer: { name: string; email: string };
    members: { name: string; email: string }[];
    /** Who decides a request (member mails name them). */
    decider: string;
  };
  links: {
    confirm: string;
    reject: string;
    guest: string;
    ics: string;
    cancel: string;
    reschedule: string;
  };
  baseUrl: string;
  /** The event type's own words after a decision, when it still exists. */
  confirmedMessage?: string;
  rejectedMessage?: string;
  /** How long a pending request holds its time. */
  ttlMs: number;
  nowMs: number;
  /** For reminders: how long before the start this one was meant to go out. */
  minutesBefore?: number;
  /** Where a guest whose booking ended can pick another time (the event's page, else the host's). */
  bookAgainUrl?: string;
  /** For a follow-up: the host's words, and where to book again (null: no link). */
  followUp?: { message: string; minutesAfter: number; bookAgainUrl: string | null };
  /**
   * A booking made by a move: the time it was moved from (mails about it name both), and what
   * the host wrote when they moved it (shown to the guest).
   */
  movedFrom?: { startMs: number; endMs: number; reason?: string | null };
  /** A booking retired by a move: the time it was moved to (a seat's mail to its host names both). */
  movedTo?: { id: string; startMs: number; endMs: number };
  /** A recurring series' dates, in order (booking-series.ts: the mails about all of them). */
  series?: BookingRecord[];
  /** Each date's own page (the guest's link), by booking id: series.ics links each event to it. */
  seriesLinks?: Record<string, string>;
  /** A team booking's member a host-side mail is for (each member's mail is a mail of its own). */
  personId?: string;
  /**
   * An additional guests' mail: the way of reading it is for (domain/guest-readers.ts); its
   * addresses, language, zone and clock. Absent: those who read as the guest.
   */
  readers?: string;
  /** `attendee_declined`: the invitee who declined (their address as the booking listed it). */
  attendee?: string;
  /** An invitation to one of the host's invitees: their own link to decline (ADR 050). */
  declineUrl?: string;
  /** A seat's `host_cancelled`: its guest's own cancel took the meeting's last seat out. */
  emptied?: true;
  /**
   * A host's cancel (`host_cancelled`, `host_meeting_cancelled`) pressed by someone other than
   * the organiser (a team's owner).
   */
  cancelledBy?: { id: string; name: string };
  /**
   * A seat's host-side mail: every seat of its event type at its start, in any state, from
   * which the seated meeting's invitation is derived (calendar-identity.ts `seatedMeetingDoc`).
   */
  seatsAtTime?: BookingRecord[];
};
