/**
 * Mails about one booking. Each reads the booking as it is when the mail is sent, so a retry
 * hours later still tells the truth; times are in the reader's zone with the zone named.
 */
import type { BookingRecord, MailKind } from "../../store/records.ts";
import type { OutgoingMail } from "../mail.ts";
import { buildIcs } from "../ics.ts";
import { formatRange } from "../../../shared/format.ts";
import { htmlMail } from "./layout.ts";
import { labelled, labelledParts } from "./quote.ts";
import { oneLineText } from "../../../shared/text.ts";
import { describeLocation } from "../../domain/event-rules.ts";
import { type CalendarDoc, calendarDoc, meetingUid } from "../../domain/calendar-identity.ts";

function inHowLong(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440} day${minutes === 1440 ? "" : "s"}`;
  if (minutes % 60 === 0) return `${minutes / 60} hour${minutes === 60 ? "" : "s"}`;
  return `${minutes} minutes`;
}

export type BookingMailContext = {
  booking: BookingRecord;
  /**
   * Host-side mails: their reader (for a team booking, the member it is for, with their zone).
   * Guest-side mails: who the guest meets (a team booking: the attending members' names).
   */
  host: { name: string; email: string; clock?: "12h" | "24h"; timeZone?: string };
  /**
   * A team booking: one meeting with one identity (docs/decisions/009-teams.md): its organiser
   * (the booking's host) and the other members, every one of them an attendee of the invitation.
   */
  team?: {
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
  ttlText: string;
  nowMs: number;
  /** For reminders: how long before the start this one was meant to go out. */
  minutesBefore?: number;
  /** For a follow-up: the host's words, and where to book again (null: no link). */
  followUp?: { message: string; minutesAfter: number; bookAgainUrl: string | null };
};

/** The calendar invitation for the booking in `state`, or nothing when no calendar needs one. */
function invitation(
  ctx: BookingMailContext,
  state: "pending" | "confirmed" | "ended",
): OutgoingMail["icalEvent"] {
  const doc = calendarDoc(ctx.booking, state);
  return doc ? { method: doc.method, content: ics(ctx, doc) } : undefined;
}

function ics(ctx: BookingMailContext, doc: CalendarDoc) {
  const b = ctx.booking;
  return buildIcs({
    uid: meetingUid(b, new URL(ctx.baseUrl).hostname),
    sequence: doc.sequence,
    startMs: b.startMs,
    endMs: b.endMs,
    stampMs: ctx.nowMs,
    summary: `${b.eventTitle}: ${b.guestName} and ${ctx.team?.name ?? ctx.host.name}`,
    description: [
      b.guestNote ? labelled("Note", b.guestNote) : "",
      ...(b.answers ?? []).filter((a) => a.value).map((a) => labelled(a.label, a.value)),
      `Reschedule or cancel: ${ctx.links.guest}`,
    ].filter(Boolean).join("\n\n"),
    location: describeLocation(b.location) || undefined,
    status: doc.status,
    organizer: ctx.team?.organizer ?? ctx.host,
    attendee: { name: b.guestName, email: b.guestEmail },
    others: ctx.team?.members.filter((m) => m.email !== ctx.team!.organizer.email),
    url: ctx.links.guest,
  }, doc.method);
}

export function renderBookingMail(kind: MailKind, given: BookingMailContext): OutgoingMail | null {
  // Names and titles stand inside our sentences: whatever was stored, each stays on one line.
  const ctx: BookingMailContext = {
    ...given,
    booking: {
      ...given.booking,
      guestName: oneLineText(given.booking.guestName),
      eventTitle: oneLineText(given.booking.eventTitle),
    },
    host: { ...given.host, name: oneLineText(given.host.name) },
  };
  const b = ctx.booking;
  const hostWhen = formatRange(
    b.startMs,
    b.endMs,
    ctx.host.timeZone ?? b.hostTimeZone,
    ctx.host.clock,
  );
  const guestWhen = formatRange(b.startMs, b.endMs, b.guestTimeZone, b.guestClock);
  const messageId = `<${b.id}.${kind}@${new URL(ctx.baseUrl).hostname}>`;
  const where = describeLocation(b.location);
  // What the guest typed is labelled and, when it spans lines, quoted (quote.ts).
  const guestItems: [string, string][] = [
    ["Name", b.guestName],
    ["Email", b.guestEmail],
    ["Note", b.guestNote || "(none)"],
    ...(b.answers ?? []).map((a): [string, string] => [a.label, a.value || "(no answer)"]),
    ...(where ? [["Where", where] as [string, string]] : []),
  ];
  const guestLines = guestItems.map(([label, value]) => labelled(label, value));
  const guestHtml = labelledParts(guestItems);
  const manage = [`Reschedule: ${ctx.links.reschedule}`, `Cancel: ${ctx.links.cancel}`];
  const moved = b.rescheduledFromId ? "Rescheduled — " : "";
  switch (kind) {
    case "host_request": {
      const subject = `${moved}Booking request: ${b.eventTitle} with ${b.guestName}`;
      const intro = `${b.guestName} asks to book "${b.eventTitle}" on ${hostWhen}.`;
      const text = [
        intro,
        "",
        ...guestLines,
        "",
        `Confirm: ${ctx.links.confirm}`,
        `Reject:  ${ctx.links.reject}`,
        "",
        `If you do neither, the request expires in ${ctx.ttlText} and the time is offered again.`,
      ].join("\n");
      return {
        to: ctx.host.email,
        replyTo: b.guestEmail,
        subject,
        text,
        messageId,
        html: htmlMail({
          title: "New booking request",
          paragraphs: [intro, ...guestHtml],
          buttons: [{ label: "Confirm", href: ctx.links.confirm }, {
            label: "Reject",
            href: ctx.links.reject,
            tone: "danger",
          }],
          footer: `If you do neither, the request expires in ${ctx.ttlText}.`,
        }),
        icalEvent: invitation(ctx, "pending"),
      };
    }
    case "host_booked":
    case "host_confirmed_copy": {
      const subject = `${moved}Confirmed: ${b.eventTitle} with ${b.guestName}`;
      const intro = `"${b.eventTitle}" with ${b.guestName} is confirmed for ${hostWhen}.`;
      return {
        to: ctx.host.email,
        replyTo: b.guestEmail,
        subject,
        messageId,
        text: [intro, "", ...guestLines].join("\n"),
        html: htmlMail({ title: "Booking confirmed", paragraphs: [intro, ...guestHtml] }),
        icalEvent: invitation(ctx, "confirmed"),
      };
    }
    case "member_request": {
      const intro = `${b.guestName} asks to book "${b.eventTitle}" with ${
        ctx.team?.name ?? "your team"
      } on ${hostWhen}; you are one of the people attending.`;
      const who = `${ctx.team?.decider ?? "The organiser"} or a team owner confirms it; ` +
        `you will get another email either way.`;
      return {
        to: ctx.host.email,
        replyTo: b.guestEmail,
        subject: `${moved}Booking request: ${b.eventTitle} with ${b.guestName}`,
        messageId,
        text: [intro, "", ...guestLines, "", who].join("\n"),
        html: htmlMail({
          title: "New booking request",
          paragraphs: [intro, guestLines.join("\n"), who],
        }),
        icalEvent: invitation(ctx, "pending"),
      };
    }
    case "host_cancelled": {
      // Any end of a meeting the host's calendar may hold comes with its CANCEL.
      const intro = b.endReason === "rescheduled"
        ? `"${b.eventTitle}" with ${b.guestName} on ${hostWhen} moved to a time another member of ${
          ctx.team?.name ?? "the team"
        } takes: you no longer attend it.`
        : b.endReason === "cancelled_by_host"
        ? `You cancelled "${b.eventTitle}" with ${b.guestName} on ${hostWhen}.`
        : b.endReason === "rejected"
        ? `You declined the new time ${b.guestName} asked for: "${b.eventTitle}" on ${hostWhen}.`
        : b.endReason === "expired"
        ? `The new time ${b.guestName} asked for, "${b.eventTitle}" on ${hostWhen}, expired without an answer.`
        : `${b.guestName} cancelled "${b.eventTitle}" on ${hostWhen}.`;
      const reason = b.cancelReason ? labelled("Reason", b.cancelReason) : "";
      return {
        to: ctx.host.email,
        subject: `Cancelled: ${b.eventTitle} with ${b.guestName}`,
        messageId,
        text: [intro, reason].filter(Boolean).join("\n\n"),
        html: htmlMail({
          title: "Booking cancelled",
          paragraphs: [
            intro,
            ...(b.cancelReason ? labelledParts([["Reason", b.cancelReason]]) : []),
          ],
        }),
        icalEvent: invitation(ctx, "ended"),
      };
    }
    case "guest_pending": {
      const intro =
        `Your request for "${b.eventTitle}" with ${ctx.host.name} on ${guestWhen} has been sent.`;
      const more =
        `${ctx.host.name} will confirm within ${ctx.ttlText}. You will get another email either way.`;
      return {
        to: b.guestEmail,
        replyTo: ctx.host.email,
        subject: `Request sent: ${b.eventTitle} with ${ctx.host.name}`,
        messageId,
        text: [intro, more, "", `Your booking: ${ctx.links.guest}`, ...manage].join("\n"),
        html: htmlMail({
          title: "Request sent",
          paragraphs: [intro, more],
          buttons: [{ label: "View your booking", href: ctx.links.guest, tone: "plain" }],
        }),
        icalEvent: invitation(ctx, "pending"),
      };
    }
    case "guest_confirmed": {
      const intro = `"${b.eventTitle}" with ${ctx.host.name} is confirmed for ${guestWhen}.`;
      const says: [string, string][] = ctx.confirmedMessage
        ? [[`${ctx.host.name} says`, ctx.confirmedMessage]]
        : [];
      const extra = says.length ? labelled(...says[0]) : "";
      return {
        to: b.guestEmail,
        replyTo: ctx.host.email,
        cc: undefined,
        subject: `${moved}Confirmed: ${b.eventTitle} with ${ctx.host.name}`,
        messageId,
        text: [
          intro,
          where ? `Where: ${where}` : "",
          extra,
          `Your booking: ${ctx.links.guest}`,
          manage.join("\n"),
        ].filter(Boolean)
          .join("\n\n"),
        html: htmlMail({
          title: "Your booking is confirmed",
          paragraphs: [intro, where ? `Where: ${where}` : "", ...labelledParts(says)].filter(
            Boolean,
          ),
          buttons: [
            { label: "View your booking", href: ctx.links.guest, tone: "plain" },
            { label: "Reschedule", href: ctx.links.reschedule, tone: "plain" },
            { label: "Cancel", href: ctx.links.cancel, tone: "plain" },
          ],
          footer: "The attached invitation adds the meeting to your calendar.",
        }),
        icalEvent: invitation(ctx, "confirmed"),
      };
    }
    case "guest_rejected": {
      const intro =
        `${ctx.host.name} could not accept your request for "${b.eventTitle}" on ${guestWhen}.`;
      const extra = ctx.rejectedMessage
        ? labelled(`${ctx.host.name} says`, ctx.rejectedMessage)
        : "You are welcome to pick another time.";
      return {
        to: b.guestEmail,
        replyTo: ctx.host.email,
        subject: `Not accepted: ${b.eventTitle} with ${ctx.host.name}`,
        messageId,
        text: [intro, extra].join("\n\n"),
        html: htmlMail({
          title: "Request not accepted",
          paragraphs: [
            intro,
            ...(ctx.rejectedMessage
              ? labelledParts([[`${ctx.host.name} says`, ctx.rejectedMessage]])
              : [extra]),
          ],
        }),
        icalEvent: invitation(ctx, "ended"),
      };
    }
    case "guest_expired": {
      const intro =
        `Your request for "${b.eventTitle}" with ${ctx.host.name} on ${guestWhen} expired before it was confirmed.`;
      return {
        to: b.guestEmail,
        replyTo: ctx.host.email,
        subject: `Request expired: ${b.eventTitle} with ${ctx.host.name}`,
        messageId,
        text: [intro, "You are welcome to pick another time."].join("\n\n"),
        html: htmlMail({
          title: "Request expired",
          paragraphs: [intro, "You are welcome to pick another time."],
        }),
        icalEvent: invitation(ctx, "ended"),
      };
    }
    case "guest_cancelled": {
      const by = b.endReason === "cancelled_by_host"
        ? `${ctx.host.name} cancelled`
        : "You cancelled";
      const intro = `${by} "${b.eventTitle}" on ${guestWhen}.`;
      const reason = b.cancelReason ? labelled("Reason", b.cancelReason) : "";
      return {
        to: b.guestEmail,
        replyTo: ctx.host.email,
        subject: `Cancelled: ${b.eventTitle} with ${ctx.host.name}`,
        messageId,
        text: [intro, reason].filter(Boolean).join("\n\n"),
        html: htmlMail({
          title: "Booking cancelled",
          paragraphs: [
            intro,
            ...(b.cancelReason ? labelledParts([["Reason", b.cancelReason]]) : []),
          ],
        }),
        // Only a calendar that may hold the meeting needs a CANCEL to remove it.
        icalEvent: invitation(ctx, "ended"),
      };
    }
    case "reminder_guest":
    case "reminder_host": {
      const toHost = kind === "reminder_host";
      const soon = inHowLong(ctx.minutesBefore ?? Math.round((b.startMs - ctx.nowMs) / 60_000));
      const intro = toHost
        ? `Reminder: "${b.eventTitle}" with ${b.guestName} starts in ${soon}, on ${hostWhen}.`
        : `Reminder: "${b.eventTitle}" with ${ctx.host.name} starts in ${soon}, on ${guestWhen}.`;
      const lines = [
        intro,
        where ? `Where: ${where}` : "",
        ...(toHost ? [] : [`Your booking: ${ctx.links.guest}`, ...manage]),
      ].filter(Boolean);
      return {
        to: toHost ? ctx.host.email : b.guestEmail,
        replyTo: toHost ? b.guestEmail : ctx.host.email,
        subject: `Reminder: ${b.eventTitle} with ${
          toHost ? b.guestName : ctx.host.name
        } in ${soon}`,
        messageId: `<${b.id}.${kind}.${ctx.minutesBefore ?? 0}@${new URL(ctx.baseUrl).hostname}>`,
        text: lines.join("\n\n"),
        html: htmlMail({ title: "Reminder", paragraphs: lines.slice(0, 2) }),
      };
    }
    case "follow_up": {
      const f = ctx.followUp;
      if (!f) return null;
      const paragraphs = [f.message, ...(f.bookAgainUrl ? [`Book again: ${f.bookAgainUrl}`] : [])];
      return {
        to: b.guestEmail,
        replyTo: ctx.host.email,
        subject: `After your ${b.eventTitle} with ${ctx.host.name}`,
        messageId: `<${b.id}.${kind}.${f.minutesAfter}@${new URL(ctx.baseUrl).hostname}>`,
        text: paragraphs.join("\n\n"),
        html: htmlMail({
          title: `A note from ${ctx.host.name}`,
          paragraphs: [f.message],
          buttons: f.bookAgainUrl ? [{ label: "Book again", href: f.bookAgainUrl }] : [],
        }),
      };
    }
    case "magic_link":
      return null;
  }
}
