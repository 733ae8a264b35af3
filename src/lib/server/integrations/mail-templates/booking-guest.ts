/** The guest's mails about one booking: requests, decisions, endings, reminders, follow-ups. */
import type { MailKind } from "../../domain/model/records.ts";
import { endedByHost } from "../../domain/booking.ts";
import type { OutgoingMail } from "../mail.ts";
import { formatDuration, formatIn, formatTimeLeft } from "../../../shared/format.ts";
import { reminderLead } from "../../domain/reminders.ts";
import { storedReasonText } from "../../../shared/system-reasons.ts";
import { type MailParts, wherePara } from "./booking-parts.ts";

/** The guest's mails about one booking: requests, decisions, endings, reminders, follow-ups. Not one of its kinds: undefined. */
export function guestMail(kind: MailKind, p: MailParts): OutgoingMail | null | undefined {
  const {
    ctx,
    b,
    guestT,
    hostT,
    hostWhen,
    guestWhen,
    moved,
    title,
    guest,
    host,
    addToCalendar,
    guestMoved,
    said,
    hostMoveNote,
    reasonNote,
    manage,
    manageButtons,
    bookAgain,
    bookAgainButton,
    invite,
    mail,
  } = p;
  switch (kind) {
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
          ...guestMoved(t),
          ...hostMoveNote(t),
          // A team's request waits for one decision, the organiser's or an owner's: the team
          // confirms, as the page it was made on says, not every member of a collective meeting.
          t.t("mail.guest_pending.more", {
            host: ctx.team ? ctx.team.name || ctx.team.decider : host,
            ttl,
          }),
        ],
        textExtra: [
          [t.t("mail.your_booking_line", { url: ctx.links.guest }), ...manage(t)].join("\n"),
        ],
        // The HTML part offers what the text part does: the booking, moving it, cancelling it.
        buttons: [
          { label: t.t("mail.view_booking"), href: ctx.links.guest, tone: "plain" },
          ...manageButtons(t),
        ],
        icalEvent: invite("pending", t),
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
          ...guestMoved(t),
          ...hostMoveNote(t),
          ...(where ? [where] : []),
          ...said((message) => t.t("mail.host_says", { host, message }), ctx.confirmedMessage),
        ],
        // A series' "what these links add" reads after its dates (it stood above them).
        htmlAfter: addToCalendar(t).note,
        textExtra: [
          t.t("mail.your_booking_line", { url: ctx.links.guest }),
          manage(t).join("\n"),
          addToCalendar(t).text,
        ],
        buttons: [
          { label: t.t("mail.view_booking"), href: ctx.links.guest, tone: "plain" },
          ...manageButtons(t),
          ...addToCalendar(t).buttons,
        ],
        footer: t.t("mail.guest_confirmed.attached"),
        icalEvent: invite("confirmed", t),
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
        icalEvent: invite("ended", t),
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
        icalEvent: invite("ended", t),
      });
    }
    case "guest_cancelled": {
      const t = guestT;
      const byHost = endedByHost(b.endReason);
      // The host asked the guest to pick another time: their own link books it, answers kept.
      const askedToMove = b.endReason === "reschedule_requested";
      return mail(t, {
        to: b.guestEmail,
        replyTo: ctx.host.email,
        subject: askedToMove
          ? t.t("mail.guest_move_asked.subject", { title, host })
          : t.t("mail.guest_cancelled.subject", { title, host }),
        heading: askedToMove
          ? t.t("mail.guest_move_asked.heading")
          : t.t("mail.guest_cancelled.heading"),
        paragraphs: [
          askedToMove
            ? t.t("mail.guest_move_asked.intro", { host, title, when: guestWhen })
            : byHost
            ? t.t("mail.guest_cancelled.by_host", { host, title, when: guestWhen })
            : t.t("mail.guest_cancelled.by_you", { title, when: guestWhen }),
          ...reasonNote(t),
          ...(askedToMove
            ? [t.t("mail.guest_move_asked.pick_line", { url: ctx.links.reschedule })]
            : bookAgain(t)),
        ],
        buttons: askedToMove
          ? [{ label: t.t("mail.guest_move_asked.button"), href: ctx.links.reschedule }]
          : bookAgainButton(t),
        // Only a calendar that may hold the meeting needs a CANCEL to remove it.
        icalEvent: invite("ended", t),
      });
    }
    case "reminder_guest":
    case "reminder_host": {
      const toHost = kind === "reminder_host";
      const t = toHost ? hostT : guestT;
      // On time its lead as the host set it ("in 1 day"); late (a server down, SMTP retries) the
      // time really left when it goes out ("in 2 hours, 5 minutes"), never the stale lead.
      const lead = reminderLead(b.startMs, ctx.minutesBefore, ctx.nowMs);
      const soon = lead.kind === "planned"
        ? formatIn(lead.minutes, t.locale)
        : t.t("mail.reminder.in_span", { span: formatTimeLeft(lead.minutes, t.locale) });
      const where = wherePara(b, t);
      return mail(t, {
        to: toHost ? ctx.host.email : b.guestEmail,
        replyTo: toHost ? b.guestEmail : ctx.host.email,
        subject: t.t("mail.reminder.subject", { title, name: toHost ? guest : host, soon }),
        heading: t.t("mail.reminder.heading"),
        occasion: ctx.minutesBefore ?? 0,
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
        occasion: f.minutesAfter,
        // The host's own words, as they wrote them (in their language, not the guest's).
        paragraphs: [
          f.message,
          // The meeting's place (its room, for a call that runs on or a next step there).
          ...(wherePara(b, t) ? [wherePara(b, t)!] : []),
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
    default:
      return undefined;
  }
}
