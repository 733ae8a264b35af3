/**
 * A booking mail's Message-ID (RFC 5322): one per distinct mail, the same for every send of that
 * mail (docs/decisions/004-outbox.md, amended).
 *
 * Receivers use it to drop duplicates, so it must not change when the outbox sends a mail again
 * (a crash after the SMTP hand-off, a lost answer) — it is derived, never random per attempt —
 * and it must change when a mail is a new one. Gmail drops a message whose Message-ID it has
 * already seen, so an updated invitation under the first one's ID (the video link that came
 * after an outage: same booking, same kind) was hidden — the very mail that carried the link.
 * A mail is therefore named by everything that makes it another mail: its booking and kind; the
 * team member it is for (each gets their own mail); which of its kind (a reminder's minutes
 * before, a follow-up's minutes after); and the booking's revision (`sequence`, which every
 * update re-sent to its readers raises, and which a retry of the same mail reads unchanged).
 * Revision 0 and no member give the form mails had before, so a mail queued before this
 * change and sent after it keeps its ID.
 */
import type { MailKind } from "./model/records.ts";

export function mailMessageId(
  m: {
    bookingId: string;
    kind: MailKind;
    /** A team booking's member the host-side mail is for. */
    personId?: string;
    /** Which one of its kind: a reminder's minutes before, a follow-up's minutes after. */
    occasion?: number;
    /** The booking's `sequence` (absent: 0). */
    revision?: number;
    /**
     * Additional guests' mails: the way of reading the mail is for (guest-readers.ts), one mail
     * per language, zone and clock. Absent: the form mails had before.
     */
    readers?: string;
    /** A decline's mails: the invitee who declined (each decline is a mail of its own). */
    attendee?: string;
  },
  hostname: string,
): string {
  const parts = [
    m.bookingId,
    m.kind,
    ...(m.occasion !== undefined ? [String(m.occasion)] : []),
    ...(m.personId ? [m.personId] : []),
    ...(m.revision ? [`r${m.revision}`] : []),
    ...(m.readers ? [`g${atext(m.readers)}`] : []),
    ...(m.attendee ? [`a${atext(m.attendee)}`] : []),
  ];
  return `<${parts.join(".")}@${hostname}>`;
}

/**
 * `text` as Message-ID characters (RFC 5322 dot-atom without dots), one to one: letters, digits,
 * "_" and "-" stay, any other character is its code in hex between "=" ("Etc/GMT+5", "Etc/GMT-5"
 * stay two names).
 */
function atext(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, (c) => `=${c.codePointAt(0)!.toString(16)}=`);
}

/**
 * The Message-ID of a mail that is no booking's (a sign-in link, a team invitation, a health
 * mail): its outbox job's, which every attempt of that job shares and no other mail has. Before,
 * the mailer made a random one per attempt, so a resend after a lost SMTP answer arrived as a
 * second mail (docs/decisions/004-outbox.md, amended).
 */
export function jobMessageId(jobId: string, hostname: string): string {
  return `<${jobId}.mail@${hostname}>`;
}
