/**
 * Mails about one booking. Each reads the booking as it is when the mail is sent, so a retry
 * hours later still tells the truth; times are in the reader's zone with the zone named, words
 * in the reader's language (the guest's as they booked, the host's profile language).
 */
import type { BookingRecord, MailKind } from "../../store/records.ts";
import type { OutgoingMail } from "../mail.ts";
import { buildIcs } from "../ics.ts";
import { formatDuration, formatMinutes, formatRange } from "../../../shared/format.ts";
import { htmlMail, type Paragraph, textOf } from "./layout.ts";
import { translator } from "../../i18n.ts";
import type { Translator } from "../../../shared/i18n.ts";
import { locationText, locationUrl } from "../../../shared/location-text.ts";
import { icsDescriptionForGuest, icsSummaryForGuest } from "./ics-text.ts";
import { labelledParts, type Line } from "./quote.ts";
import { oneLineText } from "../../../shared/text.ts";
import { storedReasonText } from "../../../shared/system-reasons.ts";
import { type CalendarDoc, calendarDoc, meetingUid } from "../../domain/calendar-identity.ts";

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
};

/** The calendar invitation for the booking in `state`, or nothing when no calendar needs one. */
function invitation(
  ctx: BookingMailContext,
  state: "pending" | "confirmed" | "ended",
  t: Translator,
): OutgoingMail["icalEvent"] {
  const doc = calendarDoc(ctx.booking, state);
  return doc ? { method: doc.method, content: ics(ctx, doc, t) } : undefined;
}

function ics(ctx: BookingMailContext, doc: CalendarDoc, t: Translator) {
  const b = ctx.booking;
  return buildIcs({
    uid: meetingUid(b, new URL(ctx.baseUrl).hostname),
    sequence: doc.sequence,
    startMs: b.startMs,
    endMs: b.endMs,
    stampMs: ctx.nowMs,
    summary: icsSummaryForGuest(b, ctx.team?.name || ctx.host.name, t),
    description: icsDescriptionForGuest(b, ctx.links.guest, t),
    location: locationText(b.location, t) || undefined,
    status: doc.status,
    organizer: ctx.team?.organizer ?? ctx.host,
    attendee: { name: b.guestName, email: b.guestEmail },
    others: ctx.team?.members.filter((m) => m.email !== ctx.team!.organizer.email),
    url: ctx.links.guest,
  }, doc.method);
}

/** The meeting place as a paragraph: a video link is a link. */
function wherePara(b: BookingRecord, t: Translator): Paragraph | null {
  const url = locationUrl(b.location);
  if (url) {
    const label = t.t("mail.where", { where: t.t("mail.where_video") });
    return { parts: t.parts("mail.link_line", { label, url }), href: url };
  }
  const where = locationText(b.location, t);
  return where ? t.t("mail.where", { where }) : null;
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
  const guestT = translator(b.guestLocale);
  const hostT = translator(ctx.host.locale);
  // A team member reads times in their own zone.
  const hostZone = ctx.host.timeZone ?? b.hostTimeZone;
  const hostWhen = formatRange(b.startMs, b.endMs, hostZone, ctx.host.clock, hostT.locale);
  const guestWhen = formatRange(b.startMs, b.endMs, b.guestTimeZone, b.guestClock, guestT.locale);
  const messageId = `<${b.id}.${kind}@${new URL(ctx.baseUrl).hostname}>`;
  const moved = b.rescheduledFromId ? "yes" : "no";
  const title = b.eventTitle;
  const guest = b.guestName;
  const host = ctx.host.name;
  const hostManage = `${ctx.baseUrl.replace(/\/$/, "")}/dashboard/bookings`;

  /**
   * What the host reads about the guest: their one-line values as one block of lines, anything
   * they wrote over several lines quoted under its label (quote.ts), then where.
   */
  const guestLines = (t: Translator): Paragraph[] => {
    const where = wherePara(b, t);
    const items: [Line, string][] = [
      [(value) => t.t("mail.line_name", { value }), guest],
      [(value) => t.t("mail.line_email", { value }), b.guestEmail],
      [(value) => t.t("mail.line_note", { value }), b.guestNote || t.t("mail.none")],
      ...(b.answers ?? []).map((a): [Line, string] => [
        (value) => t.t("mail.line_answer", { label: oneLineText(a.label), value }),
        a.checked !== undefined
          ? t.t(a.checked ? "common.yes" : "common.no")
          : a.value || t.t("mail.no_answer"),
      ]),
    ];
    return [...labelledParts(items), ...(where ? [where] : [])];
  };
  /** Someone's words under a translated label ("Reason:", "Ann says:"), quoted when multi-line. */
  const said = (line: Line, text: string | undefined | null): Paragraph[] =>
    text ? labelledParts([[line, text]]) : [];
  const manage = (t: Translator) => [
    t.t("mail.reschedule_line", { url: ctx.links.reschedule }),
    t.t("mail.cancel_line", { url: ctx.links.cancel }),
  ];
  /** A guest whose booking ended is pointed back to the event's page. */
  const bookAgain = (t: Translator): Paragraph[] =>
    ctx.bookAgainUrl
      ? [{
        parts: t.parts("mail.link_line", {
          label: t.t("mail.pick_another"),
          url: ctx.bookAgainUrl,
        }),
        href: ctx.bookAgainUrl,
      }]
      : [];
  const bookAgainButton = (t: Translator) =>
    ctx.bookAgainUrl ? [{ label: t.t("mail.pick_another_button"), href: ctx.bookAgainUrl }] : [];

  const mail = (
    t: Translator,
    opts: {
      to: string;
      replyTo?: string;
      subject: string;
      heading: string;
      paragraphs: Paragraph[];
      textExtra?: string[];
      buttons?: { label: string; href: string; tone?: "primary" | "danger" | "plain" }[];
      footer?: string;
      icalEvent?: OutgoingMail["icalEvent"];
      messageId?: string;
    },
  ): OutgoingMail => ({
    to: opts.to,
    replyTo: opts.replyTo,
    subject: opts.subject,
    messageId: opts.messageId ?? messageId,
    text: [
      ...opts.paragraphs.map(textOf),
      ...(opts.textExtra ?? []),
      ...(opts.footer ? [opts.footer] : []),
    ].join("\n\n"),
    html: htmlMail({
      lang: t.locale === "en-XA" ? "en" : t.locale,
      title: opts.heading,
      paragraphs: opts.paragraphs,
      buttons: opts.buttons,
      footer: opts.footer,
    }),
    icalEvent: opts.icalEvent,
  });

  switch (kind) {
    case "host_request": {
      const t = hostT;
      const ttl = formatDuration(ctx.ttlMs, t.locale);
      return mail(t, {
        to: ctx.host.email,
        replyTo: b.guestEmail,
        subject: t.t("mail.host_request.subject", { moved, title, guest }),
        heading: t.t("mail.host_request.heading"),
        paragraphs: [
          t.t("mail.host_request.intro", { guest, title, when: hostWhen }),
          ...guestLines(t),
        ],
        textExtra: [
          t.t("mail.confirm_line", { url: ctx.links.confirm }),
          t.t("mail.reject_line", { url: ctx.links.reject }),
        ],
        buttons: [
          { label: t.t("mail.confirm_button"), href: ctx.links.confirm },
          { label: t.t("mail.reject_button"), href: ctx.links.reject, tone: "danger" },
        ],
        footer: t.t("mail.host_request.expires", { ttl }),
        icalEvent: invitation(ctx, "pending", t),
      });
    }
    case "host_booked":
    case "host_confirmed_copy": {
      const t = hostT;
      return mail(t, {
        to: ctx.host.email,
        replyTo: b.guestEmail,
        subject: t.t("mail.host_confirmed.subject", { moved, title, guest }),
        heading: t.t("mail.host_confirmed.heading"),
        paragraphs: [
          t.t("mail.host_confirmed.intro", { guest, title, when: hostWhen }),
          ...guestLines(t),
        ],
        icalEvent: invitation(ctx, "confirmed", t),
      });
    }
    case "member_request": {
      const t = hostT;
      return mail(t, {
        to: ctx.host.email,
        replyTo: b.guestEmail,
        subject: t.t("mail.host_request.subject", { moved, title, guest }),
        heading: t.t("mail.host_request.heading"),
        paragraphs: [
          t.t("mail.member_request.intro", {
            guest,
            title,
            team: ctx.team?.name || t.t("mail.your_team"),
            when: hostWhen,
          }),
          ...guestLines(t),
          t.t("mail.member_request.who", { decider: ctx.team?.decider ?? host }),
        ],
        icalEvent: invitation(ctx, "pending", t),
      });
    }
    case "host_cancelled": {
      // Any end of a meeting the host's calendar may hold comes with its CANCEL.
      const t = hostT;
      const intro = b.endReason === "rescheduled"
        ? t.t("mail.host_cancelled.intro_moved_to_member", {
          guest,
          title,
          when: hostWhen,
          team: ctx.team?.name || t.t("mail.your_team"),
        })
        : b.endReason === "cancelled_by_host"
        ? t.t("mail.host_cancelled.intro_by_you", { guest, title, when: hostWhen })
        : b.endReason === "rejected"
        ? t.t("mail.host_cancelled.intro_declined_move", { guest, title, when: hostWhen })
        : b.endReason === "expired"
        ? t.t("mail.host_cancelled.intro_move_expired", { guest, title, when: hostWhen })
        : t.t("mail.host_cancelled.intro", { guest, title, when: hostWhen });
      return mail(t, {
        to: ctx.host.email,
        replyTo: b.guestEmail,
        subject: t.t("mail.host_cancelled.subject", { title, guest }),
        heading: t.t("mail.host_cancelled.heading"),
        paragraphs: [
          intro,
          ...said((reason) => t.t("mail.reason", { reason }), storedReasonText(b.cancelReason, t)),
        ],
        icalEvent: invitation(ctx, "ended", t),
      });
    }
    case "host_expired": {
      const t = hostT;
      return mail(t, {
        to: ctx.host.email,
        replyTo: b.guestEmail,
        subject: t.t("mail.host_expired.subject", { title, guest }),
        heading: t.t("mail.host_expired.heading"),
        paragraphs: [
          t.t("mail.host_expired.intro", { guest, title, when: hostWhen }),
          t.t("mail.host_expired.more", { guest }),
        ],
        textExtra: [t.t("mail.your_bookings_line", { url: hostManage })],
        buttons: [{ label: t.t("mail.your_bookings_button"), href: hostManage, tone: "plain" }],
      });
    }
    case "guest_pending": {
      const t = guestT;
      const ttl = formatDuration(ctx.ttlMs, t.locale);
      return mail(t, {
        to: b.guestEmail,
        replyTo: ctx.host.email,
        subject: t.t("mail.guest_pending.subject", { title, host }),
        heading: t.t("mail.guest_pending.heading"),
        paragraphs: [
          t.t("mail.guest_pending.intro", { title, host, when: guestWhen }),
          t.t("mail.guest_pending.more", { host, ttl }),
        ],
        textExtra: [
          [t.t("mail.your_booking_line", { url: ctx.links.guest }), ...manage(t)].join("\n"),
        ],
        buttons: [{ label: t.t("mail.view_booking"), href: ctx.links.guest, tone: "plain" }],
        icalEvent: invitation(ctx, "pending", t),
      });
    }
    case "guest_confirmed": {
      const t = guestT;
      const where = wherePara(b, t);
      return mail(t, {
        to: b.guestEmail,
        replyTo: ctx.host.email,
        subject: t.t("mail.guest_confirmed.subject", { moved, title, host }),
        heading: t.t("mail.guest_confirmed.heading"),
        paragraphs: [
          t.t("mail.guest_confirmed.intro", { title, host, when: guestWhen }),
          ...(where ? [where] : []),
          ...said((message) => t.t("mail.host_says", { host, message }), ctx.confirmedMessage),
        ],
        textExtra: [t.t("mail.your_booking_line", { url: ctx.links.guest }), manage(t).join("\n")],
        buttons: [
          { label: t.t("mail.view_booking"), href: ctx.links.guest, tone: "plain" },
          { label: t.t("mail.reschedule_button"), href: ctx.links.reschedule, tone: "plain" },
          { label: t.t("mail.cancel_button"), href: ctx.links.cancel, tone: "plain" },
        ],
        footer: t.t("mail.guest_confirmed.attached"),
        icalEvent: invitation(ctx, "confirmed", t),
      });
    }
    case "guest_rejected": {
      const t = guestT;
      return mail(t, {
        to: b.guestEmail,
        replyTo: ctx.host.email,
        subject: t.t("mail.guest_rejected.subject", { title, host }),
        heading: t.t("mail.guest_rejected.heading"),
        paragraphs: [
          t.t("mail.guest_rejected.intro", { title, host, when: guestWhen }),
          ...said(
            (message) => t.t("mail.host_wrote", { host, message }),
            storedReasonText(b.cancelReason, t),
          ),
          ...said((message) => t.t("mail.host_says", { host, message }), ctx.rejectedMessage),
          t.t("mail.welcome_another"),
          ...bookAgain(t),
        ],
        buttons: bookAgainButton(t),
        icalEvent: invitation(ctx, "ended", t),
      });
    }
    case "guest_expired": {
      const t = guestT;
      return mail(t, {
        to: b.guestEmail,
        replyTo: ctx.host.email,
        subject: t.t("mail.guest_expired.subject", { title, host }),
        heading: t.t("mail.guest_expired.heading"),
        paragraphs: [
          t.t("mail.guest_expired.intro", { title, host, when: guestWhen }),
          t.t("mail.welcome_another"),
          ...bookAgain(t),
        ],
        buttons: bookAgainButton(t),
        icalEvent: invitation(ctx, "ended", t),
      });
    }
    case "guest_cancelled": {
      const t = guestT;
      const byHost = b.endReason === "cancelled_by_host";
      return mail(t, {
        to: b.guestEmail,
        replyTo: ctx.host.email,
        subject: t.t("mail.guest_cancelled.subject", { title, host }),
        heading: t.t("mail.guest_cancelled.heading"),
        paragraphs: [
          byHost
            ? t.t("mail.guest_cancelled.by_host", { host, title, when: guestWhen })
            : t.t("mail.guest_cancelled.by_you", { title, when: guestWhen }),
          ...said((reason) => t.t("mail.reason", { reason }), storedReasonText(b.cancelReason, t)),
          ...bookAgain(t),
        ],
        buttons: bookAgainButton(t),
        // Only a calendar that may hold the meeting needs a CANCEL to remove it.
        icalEvent: invitation(ctx, "ended", t),
      });
    }
    case "reminder_guest":
    case "reminder_host": {
      const toHost = kind === "reminder_host";
      const t = toHost ? hostT : guestT;
      const minutes = ctx.minutesBefore ?? Math.round((b.startMs - ctx.nowMs) / 60_000);
      const soon = formatMinutes(minutes, t.locale);
      const where = wherePara(b, t);
      return mail(t, {
        to: toHost ? ctx.host.email : b.guestEmail,
        replyTo: toHost ? b.guestEmail : ctx.host.email,
        subject: t.t("mail.reminder.subject", { title, name: toHost ? guest : host, soon }),
        heading: t.t("mail.reminder.heading"),
        messageId: `<${b.id}.${kind}.${ctx.minutesBefore ?? 0}@${new URL(ctx.baseUrl).hostname}>`,
        paragraphs: [
          t.t("mail.reminder.intro", {
            title,
            name: toHost ? guest : host,
            soon,
            when: toHost ? hostWhen : guestWhen,
          }),
          ...(where ? [where] : []),
        ],
        textExtra: toHost
          ? []
          : [t.t("mail.your_booking_line", { url: ctx.links.guest }), ...manage(t)],
        buttons: toHost
          ? []
          : [{ label: t.t("mail.view_booking"), href: ctx.links.guest, tone: "plain" }],
      });
    }
    case "follow_up": {
      const f = ctx.followUp;
      if (!f) return null;
      const t = guestT;
      const again = f.bookAgainUrl;
      return mail(t, {
        to: b.guestEmail,
        replyTo: ctx.host.email,
        subject: t.t("mail.follow_up.subject", { title, host }),
        heading: t.t("mail.follow_up.heading", { host }),
        messageId: `<${b.id}.${kind}.${f.minutesAfter}@${new URL(ctx.baseUrl).hostname}>`,
        // The host's own words, as they wrote them (in their language, not the guest's).
        paragraphs: [
          f.message,
          ...(again
            ? [{
              parts: t.parts("mail.link_line", {
                label: t.t("mail.follow_up.book_again"),
                url: again,
              }),
              href: again,
            }]
            : []),
        ],
        buttons: again ? [{ label: t.t("mail.follow_up.book_again"), href: again }] : [],
      });
    }
    case "magic_link":
      return null;
  }
}
