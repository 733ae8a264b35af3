/**
 * Mails about one booking. Each reads the booking as it is when the mail is sent, so a retry
 * hours later still tells the truth; times are in the reader's zone with the zone named, words
 * in the reader's language (the guest's as they booked, the host's profile language).
 */
import type { MailKind } from "../../domain/model/records.ts";
import type { OutgoingMail } from "../mail.ts";
import { type BookingMailContext, mailParts } from "./booking-parts.ts";
import { hostMail } from "./booking-host.ts";
import { guestMail } from "./booking-guest.ts";
import { inviteeMail } from "./booking-invitees.ts";

export type { BookingMailContext };

export function renderBookingMail(kind: MailKind, given: BookingMailContext): OutgoingMail | null {
  const p = mailParts(kind, given);
  return hostMail(kind, p) ?? guestMail(kind, p) ?? inviteeMail(kind, p) ?? null;
}
