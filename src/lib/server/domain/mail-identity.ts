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
  },
  hostname: string,
): string {
  const parts = [
    m.bookingId,
    m.kind,
    ...(m.occasion !== undefined ? [String(m.occasion)] : []),
    ...(m.personId ? [m.personId] : []),
    ...(m.revision ? [`r${m.revision}`] : []),
  ];
  return `<${parts.join(".")}@${hostname}>`;
}
