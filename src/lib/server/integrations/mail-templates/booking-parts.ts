/**
 * What every booking mail is built from: the context a job reads, the calendar invitation, and
 * the reader-facing pieces (times in each reader's zone, the guest's lines, links) one mail uses.
 */
import type { BookingRecord, MailKind } from "../../domain/model/records.ts";
import type { OutgoingMail } from "../mail.ts";
import { buildIcs, type IcsEvent } from "../ics.ts";
import {
  datesOfMail,
  seriesAttachment,
  seriesCalendar,
  seriesLines,
  seriesOfMail,
} from "./booking-series.ts";
import { formatRange } from "../../../shared/format.ts";
import { htmlMail, type Paragraph, textOf } from "./layout.ts";
import { translator } from "../../i18n.ts";
import type { Translator } from "../../../shared/i18n.ts";
import {
  conferenceOf,
  locationText,
  locationUrl,
  shownLocation,
} from "../../../shared/location-text.ts";
import {
  hostBookingUrl,
  icsDescriptionForGuest,
  icsDescriptionForGuests,
  icsDescriptionForHost,
  icsDescriptionForSeatedMeeting,
  icsSummaryForGuest,
  icsSummaryForHost,
  seatedMeetingUrl,
} from "./ics-text.ts";
import { labelledParts, type Line } from "./quote.ts";
import { oneLineText } from "../../../shared/text.ts";
import { storedReasonText } from "../../../shared/system-reasons.ts";
import {
  type CalendarDoc,
  calendarDoc,
  isHostSideMail,
  meetingUid,
  seatedMeetingDoc,
  seatedMeetingUid,
} from "../../domain/calendar-identity.ts";
import { movedFromToText } from "../../../shared/moved.ts";
import { mailMessageId } from "../../domain/mail-identity.ts";
import { calendarLinks } from "../../../shared/calendar-links.ts";
import { guestAttends, onlyHostMoves } from "../../domain/attendees.ts";

import type { BookingMailContext } from "./booking-context.ts";
export type { BookingMailContext } from "./booking-context.ts";

/**
 * Whose calendar a mail's invitation is for, which decides its words and links: the guest's
 * (their manage link), their additional guests' (no link, note or answers: those are the
 * guest's), or the host's and each team member's (their words, their dashboard's row).
 */
export type InvitationReader = "guest" | "guests" | "host";

export function readerOfMail(kind: MailKind): InvitationReader {
  if (isHostSideMail(kind)) return "host";
  return kind === "guests_invited" || kind === "guests_cancelled" || kind === "attendee_declined"
    ? "guests"
    : "guest";
}

/** The calendar invitation for the booking in `state`, or nothing when no calendar needs one. */
function invitation(
  ctx: BookingMailContext,
  state: "pending" | "confirmed" | "ended",
  t: Translator,
  reader: InvitationReader,
): OutgoingMail["icalEvent"] {
  // A seat's host holds its meeting, not the seat (docs/decisions/040-seats.md); a seat still
  // waiting for its host is not in the meeting yet.
  if (reader === "host" && ctx.booking.seat) {
    const m = state === "pending" ? null : seatedMeetingDoc(ctx.booking, ctx.seatsAtTime ?? []);
    return m
      ? { method: m.doc.method, content: buildIcs(seatedMeetingEvent(ctx, m, t), m.doc.method) }
      : undefined;
  }
  const doc = calendarDoc(ctx.booking, state);
  return doc
    ? { method: doc.method, content: buildIcs(icsEvent(ctx, doc, t, reader), doc.method) }
    : undefined;
}

/**
 * The guest's invitation to a confirmed booking as a file to download (their booking page's
 * .ics): the event their mail carries — UID, SEQUENCE, organiser and every attendee — published
 * rather than sent; null when the booking is not confirmed.
 */
export function invitationFile(given: BookingMailContext): string | null {
  const ctx = readable(given);
  if (ctx.booking.status !== "CONFIRMED") return null;
  const doc = calendarDoc(ctx.booking, "confirmed")!;
  return buildIcs(icsEvent(ctx, doc, translator(ctx.booking.guestLocale), "guest"), "PUBLISH");
}

/** Names and titles stand inside our sentences: whatever was stored, each stays on one line. */
function readable(given: BookingMailContext): BookingMailContext {
  return {
    ...given,
    booking: {
      ...given.booking,
      guestName: oneLineText(given.booking.guestName),
      eventTitle: oneLineText(given.booking.eventTitle),
    },
    host: { ...given.host, name: oneLineText(given.host.name) },
  };
}

/** The one meeting (UID, SEQUENCE, people) in the words and with the link of its `reader`. */
function icsEvent(
  ctx: BookingMailContext,
  doc: CalendarDoc,
  t: Translator,
  reader: InvitationReader,
): IcsEvent {
  const b = ctx.booking;
  return {
    uid: meetingUid(b, new URL(ctx.baseUrl).hostname),
    sequence: doc.sequence,
    startMs: b.startMs,
    endMs: b.endMs,
    stampMs: ctx.nowMs,
    ...wordsFor(ctx, t, reader),
    location: locationText(shownLocation(b), t) || undefined,
    conference: conferenceOf(shownLocation(b)),
    status: doc.status,
    organizer: ctx.team?.organizer ?? ctx.host,
    attendee: {
      name: b.guestName,
      email: b.guestEmail,
      // A poll's first voter who declined stays its guest, no longer coming (attendees.ts).
      ...(guestAttends(b) ? {} : { partstat: "DECLINED" as const }),
    },
    others: ctx.team?.members.filter((m) => m.email !== ctx.team!.organizer.email),
    guests: b.additionalGuests,
    guestNames: b.additionalGuestNames,
  };
}

/**
 * A seated time as its host's calendar holds it: one event under the meeting's UID, its
 * confirmed seats' guests attending (the last one to leave, in its CANCEL), in the host's words
 * as the writeback writes it ("Class with 2 guests"), linking the host's page of the booking the
 * mail is about.
 */
function seatedMeetingEvent(
  ctx: BookingMailContext,
  m: NonNullable<ReturnType<typeof seatedMeetingDoc>>,
  t: Translator,
): IcsEvent {
  const b = ctx.booking;
  const seats = (m.confirmed.length ? m.confirmed : [b]).map((x) => ({
    guestName: oneLineText(x.guestName),
    guestEmail: x.guestEmail,
    additionalGuests: x.additionalGuests,
  }));
  const own = seatedMeetingUrl(ctx.baseUrl, b, ctx.movedTo?.id, m.confirmed);
  const members = (ctx.team?.members ?? []).filter((x) => x.email !== ctx.team!.organizer.email);
  const [first, ...rest] = seats.map((x) => ({ name: x.guestName, email: x.guestEmail }));
  return {
    uid: seatedMeetingUid(b.seat!.meetingId, new URL(ctx.baseUrl).hostname),
    sequence: m.doc.sequence,
    startMs: b.startMs,
    endMs: b.endMs,
    stampMs: ctx.nowMs,
    summary: icsSummaryForHost(
      { ...b, guestName: t.t("ics.seats_guests", { count: seats.length }) },
      t,
    ),
    description: icsDescriptionForSeatedMeeting(b, seats, own, t),
    url: own,
    location: locationText(shownLocation(b), t) || undefined,
    conference: conferenceOf(shownLocation(b)),
    status: m.doc.status,
    organizer: ctx.team?.organizer ?? ctx.host,
    attendee: first,
    others: [...rest, ...members],
    guests: seats.flatMap((x) => x.additionalGuests ?? []),
  };
}

/** SUMMARY, DESCRIPTION and URL of an invitation for `reader`. */
function wordsFor(
  ctx: BookingMailContext,
  t: Translator,
  reader: InvitationReader,
): Pick<IcsEvent, "summary" | "description" | "url"> {
  const b = ctx.booking;
  if (reader === "host") {
    // The host's calendar may be seen by others (an assistant, a shared calendar, every member
    // of a collective event): it links the host's own page, behind their sign-in, as the entry
    // written to their calendar does (services/writeback-events.ts).
    const own = hostBookingUrl(ctx.baseUrl, b.id);
    const members = ctx.team?.members ?? [];
    return {
      summary: icsSummaryForHost(b, t),
      description: icsDescriptionForHost(
        b,
        own,
        t,
        members.length > 1 ? members.map((m) => m.name) : [],
      ),
      url: own,
    };
  }
  const summary = icsSummaryForGuest(b, ctx.team?.name || ctx.host.name, t);
  return reader === "guests"
    ? { summary, description: icsDescriptionForGuests(b, t) }
    : { summary, description: icsDescriptionForGuest(b, ctx.links.guest, t), url: ctx.links.guest };
}

/** The meeting place as a paragraph: a video link is a link. */
export function wherePara(b: BookingRecord, t: Translator): Paragraph | null {
  const url = locationUrl(shownLocation(b));
  if (url) {
    const label = t.t("mail.where", {
      where: t.t(b.location?.kind === "jitsi" ? "mail.where_jitsi" : "mail.where_video"),
    });
    return { parts: t.parts("mail.link_line", { label, url }), href: url };
  }
  const where = locationText(shownLocation(b), t);
  return where ? t.t("mail.where", { where }) : null;
}

/** The pieces of one booking mail, for the host's (booking-host.ts) and the guest's (booking-guest.ts). */
export function mailParts(kind: MailKind, given: BookingMailContext) {
  const ctx = readable(given);
  const b = ctx.booking;
  const guestT = translator(b.guestLocale);
  const hostT = translator(ctx.host.locale);
  // A team member reads times in their own zone.
  const hostZone = ctx.host.timeZone ?? b.hostTimeZone;
  const hostWhen = formatRange(b.startMs, b.endMs, hostZone, ctx.host.clock, hostT.locale);
  const guestWhen = formatRange(b.startMs, b.endMs, b.guestTimeZone, b.guestClock, guestT.locale);
  /** This mail's Message-ID: one per distinct mail, the same for each send of it (mail-identity.ts). */
  const messageIdOf = (occasion?: number) =>
    mailMessageId(
      {
        bookingId: b.id,
        kind,
        personId: ctx.personId,
        occasion,
        revision: b.sequence,
        readers: ctx.readers,
        attendee: ctx.attendee,
      },
      new URL(ctx.baseUrl).hostname,
    );
  const moved = b.rescheduledFromId ? "yes" : "no";
  const title = b.eventTitle;
  const guest = b.guestName;
  const host = ctx.host.name;
  const hostManage = `${ctx.baseUrl.replace(/\/$/, "")}/dashboard/bookings`;
  /** A moved booking's mails name the old and the new time, each in the reader's zone. */
  const movedLine = (
    t: Translator,
    zone: string,
    clock: "12h" | "24h" | undefined,
  ): Paragraph[] => {
    const from = ctx.movedFrom;
    if (!from || !b.rescheduledFromId) return [];
    return [
      movedFromToText(
        t,
        formatRange(from.startMs, from.endMs, zone, clock, t.locale),
        formatRange(b.startMs, b.endMs, zone, clock, t.locale),
      ),
      // A series' date moves alone: said, lest the reader think the whole series moved.
      ...(b.series ? [t.t("mail.moved_series_date")] : []),
    ];
  };
  const hostMoved = (t: Translator) => movedLine(t, hostZone, ctx.host.clock);
  /** "Add to your calendar": Google, Outlook.com, Microsoft 365 and the .ics, as on the page. */
  const addToCalendar = (t: Translator) => {
    const { first, repeat, note } = seriesCalendar(kind, ctx.series, b, ctx.nowMs, t);
    const links = calendarLinks({
      title: icsSummaryForGuest(first, ctx.team?.name || ctx.host.name, t),
      startMs: first.startMs,
      endMs: first.endMs,
      details: icsDescriptionForGuest(first, ctx.seriesLinks?.[first.id] ?? ctx.links.guest, t),
      location: locationText(shownLocation(first), t) || undefined,
      ...(repeat ? { repeat } : {}),
    });
    const all = [
      { label: t.t("result.add_google"), href: links.google },
      { label: t.t("result.add_outlook"), href: links.outlook },
      { label: t.t("result.add_office"), href: links.office },
      { label: t.t("result.add_ics"), href: ctx.links.ics },
    ];
    return {
      text: [
        // What the links add (a series: all its dates, or the first), above the links it means.
        ...note.map((n) => `${n}\n`),
        // The line's own words, punctuated by each language (French: a narrow no-break space).
        t.t("mail.add_to_calendar_line"),
        ...all.map((l) => t.t("mail.calendar_line", { calendar: l.label, url: l.href })),
      ].join("\n"),
      buttons: all.map((l) => ({ ...l, tone: "plain" as const })),
      /** The HTML's: after the series' dates, just above the buttons (`mail`'s `htmlAfter`). */
      note,
    };
  };
  const guestMoved = (t: Translator) => movedLine(t, b.guestTimeZone, b.guestClock);
  /** This mail's invitation: its reader's (readerOfMail) words and links. */
  const reader = readerOfMail(kind);
  const invite = (state: "pending" | "confirmed" | "ended", t: Translator) =>
    invitation(ctx, state, t, reader);
  /** The invitation of the meeting as `booking` has it (a decliner's own copy: them alone). */
  const inviteOf = (booking: BookingRecord, state: "confirmed" | "ended", t: Translator) =>
    invitation({ ...ctx, booking }, state, t, reader);

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
  /**
   * What the host wrote with the move that made this booking ("Demo Host wrote: …"), in `t`'s
   * language: every reader of the moved meeting's mail reads it with these words.
   */
  const hostMoveNote = (t: Translator): Paragraph[] =>
    said((message) => t.t("mail.host_wrote", { host, message }), ctx.movedFrom?.reason);
  /** Why it ended ("Reason: …"): a person's words as written, Invito's in `t`'s language. */
  const reasonNote = (t: Translator): Paragraph[] =>
    said((reason) => t.t("mail.reason", { reason }), storedReasonText(b.cancelReason, t));
  /**
   * What the guest's mail offers to change, as their booking page does: moving and cancelling —
   * but a meeting the host invited several people to (a poll's first voter, ADR 050) only the
   * host moves, and its guest's cancel link declines their own place: "Can't come?" alone.
   */
  const hostMoves = onlyHostMoves(b);
  const cantCome = (t: Translator): Paragraph => ({
    parts: t.parts("mail.link_line", {
      label: t.t("mail.decline_label", { host }),
      url: ctx.links.cancel,
    }),
    href: ctx.links.cancel,
  });
  const manage = (t: Translator) =>
    hostMoves ? [textOf(cantCome(t))] : [
      t.t("mail.reschedule_line", { url: ctx.links.reschedule }),
      t.t("mail.cancel_line", { url: ctx.links.cancel }),
    ];
  const manageButtons = (t: Translator): { label: string; href: string; tone: "plain" }[] =>
    hostMoves
      ? [{ label: t.t("mail.decline_label", { host }), href: ctx.links.cancel, tone: "plain" }]
      : [
        { label: t.t("mail.reschedule_button"), href: ctx.links.reschedule, tone: "plain" },
        { label: t.t("mail.cancel_button"), href: ctx.links.cancel, tone: "plain" },
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
      /**
       * The HTML part's last paragraphs, after a series' dates (the text part has them in its
       * `textExtra`): what the "Add to calendar" buttons below add reads after the dates it means.
       */
      htmlAfter?: Paragraph[];
      buttons?: { label: string; href: string; tone?: "primary" | "danger" | "plain" }[];
      footer?: string;
      icalEvent?: OutgoingMail["icalEvent"];
      /** Which one of its kind this mail is (a reminder's minutes before): in its Message-ID. */
      occasion?: number;
      /** The zone and clock its readers read times in, when neither the guest's nor the host's. */
      readsIn?: { timeZone: string; clock: "12h" | "24h" | undefined };
    },
  ): OutgoingMail => {
    // A mail about a whole series lists its dates (in the reader's zone) and carries them.
    const series = seriesOfMail(kind, ctx.series, b);
    // The dates this mail speaks for: those that share its date's state (a confirmation leaves
    // out a date cancelled before it).
    const dates = series ? datesOfMail(series, b, ctx.nowMs) : [];
    if (dates.length < 2) return plainMail(t, opts);
    const forGuest = t === guestT && opts.to === b.guestEmail;
    const lines = opts.readsIn
      ? seriesLines(dates, t, opts.readsIn.timeZone, opts.readsIn.clock)
      : forGuest
      ? seriesLines(dates, t, b.guestTimeZone, b.guestClock)
      : seriesLines(dates, t, hostZone, ctx.host.clock);
    if (!opts.icalEvent) return plainMail(t, { ...opts, paragraphs: [...opts.paragraphs, lines] });
    // The invitation (a mail client adds it by itself) is the first date's; series.ics has all.
    // It stands in for "the attached invitation adds the meeting", which a series made untrue.
    const more = t.t("mail.series_ics", { count: dates.length });
    const footer = !opts.footer || opts.footer === t.t("mail.guest_confirmed.attached")
      ? more
      : `${opts.footer} ${more}`;
    const out = plainMail(t, { ...opts, paragraphs: [...opts.paragraphs, lines], footer });
    const ics = seriesAttachment(
      dates,
      ctx.nowMs,
      (x, doc) =>
        icsEvent(
          {
            ...ctx,
            booking: x,
            links: { ...ctx.links, guest: ctx.seriesLinks?.[x.id] ?? ctx.links.guest },
          },
          doc,
          t,
          reader,
        ),
    );
    return { ...out, attachments: [...(out.attachments ?? []), ics] };
  };
  const plainMail = (t: Translator, opts: Parameters<typeof mail>[1]): OutgoingMail => ({
    to: opts.to,
    replyTo: opts.replyTo,
    subject: opts.subject,
    messageId: messageIdOf(opts.occasion),
    text: [
      ...opts.paragraphs.map(textOf),
      ...(opts.textExtra ?? []),
      ...(opts.footer ? [opts.footer] : []),
    ].join("\n\n"),
    html: htmlMail({
      lang: t.locale === "en-XA" ? "en" : t.locale,
      title: opts.heading,
      paragraphs: [...opts.paragraphs, ...(opts.htmlAfter ?? [])],
      buttons: opts.buttons,
      footer: opts.footer,
    }),
    icalEvent: opts.icalEvent,
  });

  return {
    ctx,
    b,
    guestT,
    hostT,
    hostZone,
    hostWhen,
    guestWhen,
    moved,
    title,
    guest,
    host,
    hostManage,
    movedLine,
    hostMoved,
    addToCalendar,
    guestMoved,
    invite,
    inviteOf,
    guestLines,
    said,
    hostMoveNote,
    reasonNote,
    manage,
    manageButtons,
    bookAgain,
    bookAgainButton,
    mail,
  };
}

export type MailParts = ReturnType<typeof mailParts>;
