/**
 * The mails to a guest's additional guests (docs/decisions/047-additional-guests-and-source.md):
 * one mail To: all of them, in the guest's language, with the meeting's .ics — never the guest's
 * own links (to cancel or move it), note or answers; replies go to the guest. Where they told us
 * how they read (a meeting poll's voters, ADR 050), one mail per way of reading: each in its
 * readers' language, with the times in their zone and clock (domain/guest-readers.ts). The host's
 * invitees (a poll's voters) each get their own, with their own link to decline, and a decline's
 * CANCEL of their own copy (ADR 050, amendment "declining"); they read what the host wrote with a
 * move or a cancel as the booking's guest does (booking-parts.ts `hostMoveNote`, `reasonNote`).
 */
import type { MailKind } from "../../domain/model/records.ts";
import type { OutgoingMail } from "../mail.ts";
import { type MailParts, wherePara } from "./booking-parts.ts";
import { readerGroup } from "../../domain/guest-readers.ts";
import { translator } from "../../i18n.ts";
import { formatRange } from "../../../shared/format.ts";
import { oneLineText } from "../../../shared/text.ts";
import { lastToDecline } from "../../domain/attendees.ts";

/** Not one of its kinds: undefined. */
export function inviteeMail(kind: MailKind, p: MailParts): OutgoingMail | null | undefined {
  if (kind === "attendee_declined") return declinedMail(p);
  if (kind !== "guests_invited" && kind !== "guests_cancelled") return undefined;
  const {
    ctx,
    b,
    guestT,
    moved,
    title,
    guest,
    host,
    movedLine,
    hostMoveNote,
    reasonNote,
    invite,
    mail,
  } = p;
  // The addresses this mail is for and how they read it: the job's group. None left (erased
  // since it was queued): no address, nothing is sent.
  const group = readerGroup(b, ctx.readers);
  const to = (group?.emails ?? []).join(", ");
  const reader = group?.reader;
  const t = reader ? translator(reader.locale) : guestT;
  const zone = reader?.timeZone ?? b.guestTimeZone;
  const clock = reader?.clock ?? b.guestClock;
  const guestWhen = formatRange(b.startMs, b.endMs, zone, clock, t.locale);
  const guestMoved = (t: Parameters<typeof movedLine>[0]) => movedLine(t, zone, clock);
  // Who invited them: the guest, or the host (a poll's other invitees) — whom replies reach.
  const byHost = b.invitedBy === "host";
  const replyTo = byHost ? ctx.host.email : b.guestEmail;
  switch (kind) {
    case "guests_invited": {
      const where = wherePara(b, t);
      // A host books with additional guests only when picking a meeting poll's time: the other
      // voters hear that the host booked the poll's time (a later move: the usual update).
      const poll = b.history[0]?.by === "host" && moved !== "yes";
      const when = guestWhen;
      return mail(t, {
        to,
        replyTo,
        subject: poll
          ? t.t("mail.poll_booked.subject", { title, when })
          : t.t("mail.guests_invited.subject", { moved, title, host }),
        heading: poll
          ? t.t("mail.poll_booked.heading", { title })
          : t.t("mail.guests_invited.heading"),
        paragraphs: [
          poll
            ? t.t("mail.poll_booked.intro", { host, title, when })
            : byHost
            ? t.t("mail.guests_invited.intro_host", { title, host, when })
            : t.t("mail.guests_invited.intro", { guest, title, host, when }),
          ...guestMoved(t),
          // The host's invitees each read what the host wrote with a move, as the booking's guest
          // does (it was written "for the guest", and each of them is one). A guest's own guests
          // are theirs: the host's words to that guest stay in the guest's mail.
          ...(byHost ? hostMoveNote(t) : []),
          ...(where ? [where] : []),
          // One of the host's invitees: their own link to say they cannot come (ADR 050).
          ...(ctx.declineUrl
            ? [{
              parts: t.parts("mail.link_line", {
                label: t.t("mail.decline_label", { host }),
                url: ctx.declineUrl,
              }),
              href: ctx.declineUrl,
            }]
            : []),
        ],
        footer: t.t("mail.guest_confirmed.attached"),
        icalEvent: invite("confirmed", t),
        // A series' dates, listed in the zone the other times of this mail are in.
        readsIn: { timeZone: zone, clock },
      });
    }
    case "guests_cancelled":
      return mail(t, {
        to,
        replyTo,
        subject: t.t("mail.guests_cancelled.subject", { title, host }),
        heading: t.t("mail.guest_cancelled.heading"),
        paragraphs: [
          byHost
            ? t.t("mail.guests_cancelled.intro_host", { title, host, when: guestWhen })
            : t.t("mail.guests_cancelled.intro", { guest, title, host, when: guestWhen }),
          // Why the host ended it, as the guest reads it (a guest's own reason is for the host).
          ...(byHost ? reasonNote(t) : []),
        ],
        icalEvent: invite("ended", t),
      });
    default:
      return undefined;
  }
}

/**
 * An invitee declined (domain/attendees.ts): their own copy of the meeting is cancelled (its
 * CANCEL names them alone), in the language, zone and clock they read in; the others keep it —
 * unless theirs was the last decline, which cancelled the meeting, and the mail says so.
 */
function declinedMail(p: MailParts): OutgoingMail | null {
  const { ctx, b, guestT, title, host, mail } = p;
  const who = b.declined?.find((d) => d.email === ctx.attendee);
  if (!who) return null;
  const t = who.reader ? translator(who.reader.locale) : guestT;
  const zone = who.reader?.timeZone ?? b.guestTimeZone;
  const clock = who.reader?.clock ?? b.guestClock;
  const when = formatRange(b.startMs, b.endMs, zone, clock, t.locale);
  // Their copy: the meeting with them as its one invitee (declined), ended — named as the first
  // voter's own copy is ("Offsite: Bob and Demo Host"), never after whoever is its guest.
  const own = {
    ...b,
    guestName: oneLineText(who.name),
    guestEmail: who.email,
    additionalGuests: [],
    additionalGuestNames: {},
    additionalGuestReaders: {},
  };
  const ics = p.inviteOf(own, "ended", t);
  const ended = lastToDecline(b) === who.email;
  return mail(t, {
    to: who.email,
    replyTo: ctx.host.email,
    subject: t.t("mail.attendee_declined.subject", { title, host }),
    heading: t.t("mail.attendee_declined.heading"),
    paragraphs: [
      ended
        ? t.t("mail.attendee_declined.intro_last", { title, host, when })
        : t.t("mail.attendee_declined.intro", { title, host, when }),
    ],
    ...(ics ? { icalEvent: ics } : {}),
  });
}
