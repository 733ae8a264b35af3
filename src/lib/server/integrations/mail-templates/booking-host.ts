/** The host's (and a team member's) mails about one booking. */
import type { MailKind } from "../../domain/model/records.ts";
import { endedByHost } from "../../domain/booking.ts";
import type { OutgoingMail } from "../mail.ts";
import type { MailParts } from "./booking-parts.ts";
import { seatedMeetingUrl } from "./ics-text.ts";
import { formatDuration, formatRange } from "../../../shared/format.ts";
import { seatedMeetingDoc } from "../../domain/calendar-identity.ts";
import { attendeeName, attendeesOf, lastToDecline } from "../../domain/attendees.ts";

/** The host's (and a team member's) mails about one booking. Not one of its kinds: undefined. */
export function hostMail(kind: MailKind, p: MailParts): OutgoingMail | null | undefined {
  const {
    ctx,
    b,
    hostT,
    hostWhen,
    hostZone,
    moved,
    title,
    guest,
    host,
    hostManage,
    hostMoved,
    guestLines,
    reasonNote,
    invite,
    mail,
  } = p;
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
          ...hostMoved(t),
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
        // What an unanswered request gives back: a seated time stays offered while seats are
        // left, and a series' request holds every one of its dates.
        footer: t.t("mail.host_request.expires", {
          ttl,
          what: b.seat ? "seat" : b.series ? "series" : "time",
          count: b.series?.count ?? 1,
        }),
        icalEvent: invite("pending", t),
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
          ...hostMoved(t),
          ...guestLines(t),
        ],
        icalEvent: invite("confirmed", t),
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
          ...hostMoved(t),
          ...guestLines(t),
          t.t("mail.member_request.who", { decider: ctx.team?.decider ?? host }),
        ],
        icalEvent: invite("pending", t),
      });
    }
    case "host_cancelled": {
      // Any end of a meeting the host's calendar may hold comes with its CANCEL.
      const t = hostT;
      // A seat's guest took its meeting's last seat out (ADR 040): the meeting's view — it is
      // empty, cancelled, its time free — with that guest named; the .ics is the meeting's.
      if (ctx.emptied && b.seat) {
        return mail(t, {
          to: ctx.host.email,
          replyTo: b.guestEmail,
          subject: t.t("mail.host_seat_emptied.subject", { title, when: hostWhen }),
          heading: t.t("mail.host_seat_emptied.heading"),
          paragraphs: [
            t.t("mail.host_seat_emptied.intro", { guest, title, when: hostWhen }),
            ...reasonNote(t),
          ],
          textExtra: [t.t("mail.your_bookings_line", { url: hostManage })],
          buttons: [{ label: t.t("mail.your_bookings_button"), href: hostManage, tone: "plain" }],
          icalEvent: invite("ended", t),
        });
      }
      const by = pressedBy(p);
      const intro = b.endReason === "rescheduled"
        ? t.t("mail.host_cancelled.intro_moved_to_member", {
          guest,
          title,
          when: hostWhen,
          team: ctx.team?.name || t.t("mail.your_team"),
        })
        : endedByHost(b.endReason) && by !== null
        // Someone else ended it: a collective booking's organiser, or a team's owner.
        ? t.t("mail.host_cancelled.intro_by_organizer", {
          organizer: by,
          guest,
          title,
          when: hostWhen,
          team: ctx.team?.name || t.t("mail.your_team"),
        })
        : endedByHost(b.endReason)
        ? t.t("mail.host_cancelled.intro_by_you", { guest, title, when: hostWhen })
        : b.endReason === "rejected"
        ? t.t("mail.host_cancelled.intro_declined_move", { guest, title, when: hostWhen })
        : b.endReason === "expired"
        ? t.t("mail.host_cancelled.intro_move_expired", { guest, title, when: hostWhen })
        : lastToDecline(b) !== null
        // The last of the host's invitees declined (domain/attendees.ts).
        ? t.t("mail.host_cancelled.intro_all_declined", { title, when: hostWhen })
        : t.t("mail.host_cancelled.intro", { guest, title, when: hostWhen });
      return mail(t, {
        to: ctx.host.email,
        replyTo: b.guestEmail,
        subject: t.t("mail.host_cancelled.subject", { title, guest }),
        heading: t.t("mail.host_cancelled.heading"),
        paragraphs: [
          intro,
          ...reasonNote(t),
        ],
        icalEvent: invite("ended", t),
      });
    }
    case "host_seat_moved": {
      // A seat that left its meeting for another time (ADR 040): the old time's meeting as it
      // now stands, without the guest — cancelled when nobody is left. The new time's meeting
      // comes with the successor's own mail.
      const to = ctx.movedTo;
      const meeting = seatedMeetingDoc(b, ctx.seatsAtTime ?? []);
      if (!to || !meeting) return null;
      const t = hostT;
      const from = hostWhen;
      const toWhen = formatRange(to.startMs, to.endMs, hostZone, ctx.host.clock, t.locale);
      return mail(t, {
        to: ctx.host.email,
        replyTo: b.guestEmail,
        subject: t.t("mail.host_seat_moved.subject", { title, guest }),
        heading: t.t("mail.host_seat_moved.heading"),
        paragraphs: [
          t.t(
            b.history.at(-1)?.by === "host"
              ? "mail.host_seat_moved.intro_by_you"
              : "mail.host_seat_moved.intro",
            { guest, title, from, to: toWhen },
          ),
          t.t("mail.host_seat_moved.left", { count: meeting.confirmed.length }),
        ],
        // The guest's current booking's row: the moved one is not listed.
        textExtra: [
          t.t("mail.your_bookings_line", { url: seatedMeetingUrl(ctx.baseUrl, b, to.id, []) }),
        ],
        buttons: [{
          label: t.t("mail.your_bookings_button"),
          href: seatedMeetingUrl(ctx.baseUrl, b, to.id, []),
          tone: "plain",
        }],
        icalEvent: invite("ended", t),
      });
    }
    case "host_declined": {
      // Who declined, as the job names them; who still comes, as the booking is now.
      const t = hostT;
      const who = b.declined?.find((d) => d.email === ctx.attendee);
      if (!who) return null;
      const still = attendeesOf(b).map((e) => attendeeName(b, e));
      return mail(t, {
        to: ctx.host.email,
        replyTo: who.email,
        subject: t.t("mail.host_declined.subject", { name: who.name, title }),
        heading: t.t("mail.host_declined.heading", { name: who.name }),
        paragraphs: [
          t.t("mail.host_declined.intro", { name: who.name, title, when: hostWhen }),
          ...(still.length ? [t.t("mail.host_declined.still", { names: still.join(", ") })] : []),
        ],
        textExtra: [t.t("mail.your_bookings_line", { url: hostManage })],
        buttons: [{ label: t.t("mail.your_bookings_button"), href: hostManage, tone: "plain" }],
      });
    }
    case "host_meeting_cancelled": {
      // The host cancelled a whole seated meeting (services/cancel-meeting.ts): once, on its last
      // seat — the meeting's CANCEL for a host without a calendar; each guest had their own mail.
      const t = hostT;
      const by = pressedBy(p);
      return mail(t, {
        to: ctx.host.email,
        subject: t.t("mail.host_meeting_cancelled.subject", { title, when: hostWhen }),
        heading: t.t("mail.host_meeting_cancelled.heading"),
        paragraphs: [
          by !== null
            ? t.t("mail.host_meeting_cancelled.intro_member", {
              organizer: by,
              title,
              team: ctx.team?.name || t.t("mail.your_team"),
              when: hostWhen,
            })
            : t.t("mail.host_meeting_cancelled.intro", { title, when: hostWhen }),
          ...reasonNote(t),
        ],
        textExtra: [t.t("mail.your_bookings_line", { url: hostManage })],
        buttons: [{ label: t.t("mail.your_bookings_button"), href: hostManage, tone: "plain" }],
        icalEvent: invite("ended", t),
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
    default:
      return undefined;
  }
}

/**
 * Who pressed a host's cancel, as the reader is told (null: the reader did): a team's owner when
 * the job names them (`by`, not the organiser), else the organiser (the booking's host) to the
 * other members of a collective booking.
 */
function pressedBy({ ctx, b, hostT }: MailParts): string | null {
  const reader = ctx.personId ?? b.hostId;
  if (ctx.cancelledBy) {
    return ctx.cancelledBy.id === reader
      ? null
      : ctx.cancelledBy.name || hostT.t("mail.a_team_owner");
  }
  return reader !== b.hostId && ctx.team ? ctx.team.organizer.name : null;
}
