/**
 * A host's secret calendar subscription: every live booking (confirmed as CONFIRMED, pending as
 * TENTATIVE) with the guest, location, answers and a link to manage it. The URL's token is an
 * HMAC of a stored salt (so the profile can show it again); the store keeps only its hash, and
 * a new salt retires the old URL in the same write.
 */
import type { App } from "../app.ts";
import type { BookingRecord, IcsFeedRecord, UserRecord } from "../domain/model/records.ts";
import { getIcsFeed, hostForFeedHash, removeIcsFeed, replaceIcsFeed } from "../store/ics-feed.ts";
import { listHostBookings } from "../store/bookings.ts";
import { getSeatLedger } from "../store/seats.ts";
import { getActiveUser } from "../store/users.ts";
import { hmacToken, randomToken, sha256Hex } from "../integrations/crypto.ts";
import { LOST, untilLanded } from "../store/kv.ts";
import { buildIcsFeed, type IcsEvent } from "../integrations/ics.ts";
import { meetingUid, seatedMeetingUid } from "../domain/calendar-identity.ts";
import { isLiveBooking } from "../domain/booking.ts";
import { translator } from "../i18n.ts";
import type { Translator } from "../../shared/i18n.ts";
import { conferenceOf, locationText, shownLocation } from "../../shared/location-text.ts";
import { answerLines } from "../integrations/mail-templates/ics-text.ts";
import { labelledLine } from "../integrations/mail-templates/quote.ts";
import { hostBookingPath } from "../../shared/host-links.ts";

/** Past bookings stay in the feed this long, so last week's meetings do not vanish. */
const PAST_MS = 30 * 86_400_000;
const MAX_EVENTS = 2_000;
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

async function tokenOf(app: App, hostId: string, feed: IcsFeedRecord): Promise<string> {
  return await hmacToken(app.linkKey, "ics-feed", hostId, feed.salt);
}

export type FeedUrls = { https: string; webcal: string };

function urlsFor(app: App, token: string): FeedUrls {
  const https = `${app.config.baseUrl.href.replace(/\/$/, "")}/feed/${token}.ics`;
  return { https, webcal: https.replace(/^https?:/, "webcal:") };
}

/** The host's feed URLs, or null before they made one (a page view never writes). */
export async function currentFeedUrls(
  app: App,
  host: Pick<UserRecord, "id">,
): Promise<FeedUrls | null> {
  const cur = await getIcsFeed(app.kv, host.id);
  return cur.value ? urlsFor(app, await tokenOf(app, host.id, cur.value)) : null;
}

/*
 * The feed record of a host is written only by these three (a press of "calendar feed", of "new
 * feed URL", a closing account): a commit lost is another press's landing (`untilLanded`).
 */

/** The host's feed URLs, made on first use. */
export async function feedUrls(app: App, host: Pick<UserRecord, "id">): Promise<FeedUrls> {
  return await untilLanded("feedUrls", async () => {
    const cur = await getIcsFeed(app.kv, host.id);
    if (cur.value) return urlsFor(app, await tokenOf(app, host.id, cur.value));
    const next: IcsFeedRecord = { v: 1, salt: randomToken(16), createdAtMs: app.now() };
    const token = await tokenOf(app, host.id, next);
    if (await replaceIcsFeed(app.kv, host.id, cur, null, next, await sha256Hex(token))) {
      return urlsFor(app, token);
    }
    return LOST;
  });
}

/** A new URL; the old one stops working in the same write. */
export async function regenerateFeed(app: App, host: Pick<UserRecord, "id">): Promise<FeedUrls> {
  return await untilLanded("regenerateFeed", async () => {
    const cur = await getIcsFeed(app.kv, host.id);
    const oldHash = cur.value ? await sha256Hex(await tokenOf(app, host.id, cur.value)) : null;
    const next: IcsFeedRecord = { v: 1, salt: randomToken(16), createdAtMs: app.now() };
    const token = await tokenOf(app, host.id, next);
    if (await replaceIcsFeed(app.kv, host.id, cur, oldHash, next, await sha256Hex(token))) {
      return urlsFor(app, token);
    }
    return LOST;
  });
}

/** The feed goes (a closed account): its URL answers 404 like any unknown one. */
export async function removeFeed(app: App, host: Pick<UserRecord, "id">): Promise<void> {
  await untilLanded("removeFeed", async () => {
    const cur = await getIcsFeed(app.kv, host.id);
    if (!cur.value) return;
    const hash = await sha256Hex(await tokenOf(app, host.id, cur.value));
    if (await removeIcsFeed(app.kv, host.id, cur as Deno.KvEntry<IcsFeedRecord>, hash)) return;
    return LOST;
  });
}

/** The calendar text behind a feed token, or null for an unknown or retired token. */
export async function feedForToken(app: App, token: string): Promise<string | null> {
  if (!TOKEN_RE.test(token)) return null;
  const hostId = await hostForFeedHash(app.kv, await sha256Hex(token));
  if (!hostId) return null;
  const host = await getActiveUser(app.kv, hostId);
  if (!host) return null;
  const nowMs = app.now();
  const listed = await listHostBookings(app.kv, host.id, {
    fromMs: nowMs - PAST_MS,
    limit: MAX_EVENTS * 2,
  });
  const bookings = listed.filter((b) => isLiveBooking(b, nowMs)).slice(0, MAX_EVENTS);
  // A seated time changes when any seat does, a cancelled one too (it is no longer listed).
  const changedAt = new Map<string, number>();
  for (const b of listed) {
    if (!b.seat) continue;
    const at = Math.max(b.createdAtMs, b.decidedAtMs ?? 0, b.history.at(-1)?.atMs ?? 0);
    changedAt.set(b.seat.meetingId, Math.max(changedAt.get(b.seat.meetingId) ?? 0, at));
  }
  const base = app.config.baseUrl.href.replace(/\/$/, "");
  // The host's calendar app shows these words: the host's language.
  const t = translator(host.locale);
  // A seated time is one meeting in the host's calendar (docs/decisions/040-seats.md): its live
  // seats are one event under the meeting's UID, every seat's guest an attendee.
  const meetings = new Map<string, BookingRecord[]>();
  // In start order: a booking, or a seated meeting (by id) where its first seat starts.
  const order: (BookingRecord | string)[] = [];
  for (const b of bookings) {
    if (!b.seat) order.push(b);
    else if (meetings.has(b.seat.meetingId)) meetings.get(b.seat.meetingId)!.push(b);
    else {
      meetings.set(b.seat.meetingId, [b]);
      order.push(b.seat.meetingId);
    }
  }
  const hostname = new URL(base).hostname;
  // Each seated time's change count (ADR 040's `seq`, which only grows): its SEQUENCE.
  const ledgers = new Map(
    await Promise.all(
      [...meetings].map(async ([id, [first]]) =>
        [id, await getSeatLedger(app.kv, first.eventTypeId, first.startMs)] as const
      ),
    ),
  );
  return buildIcsFeed(
    t.t("ics.feed_name", { host: host.name }),
    order.map((x) =>
      typeof x === "string"
        ? seatedFeedEvent(meetings.get(x)!, host, base, hostname, t, {
          seq: ledgers.get(x)?.meetingId === x ? ledgers.get(x)!.seq : undefined,
          changedAtMs: changedAt.get(x)!,
        })
        : feedEvent(x, host, base, t)
    ),
  );
}

/** One seated time's live seats as one event: the meeting's UID, each seat's guest attending. */
function seatedFeedEvent(
  seats: BookingRecord[],
  host: UserRecord,
  base: string,
  hostname: string,
  t: Translator,
  /** The time's change count, and when any of its seats (a cancelled one too) last changed. */
  changes: { seq: number | undefined; changedAtMs: number },
): IcsEvent {
  const first = seats[0];
  const ev = feedEvent(first, host, base, t);
  const confirmed = seats.some((b) => b.status === "CONFIRMED");
  const guests = t.t("ics.seats_guests", { count: seats.length });
  return {
    ...ev,
    uid: seatedMeetingUid(first.seat!.meetingId, hostname),
    // Both only grow: a calendar keeps the copy with the higher SEQUENCE (then DTSTAMP), so one
    // that went down when a guest left kept the copy that still listed them.
    sequence: changes.seq ?? seats.reduce((n, b) => n + b.history.length, 0),
    stampMs: changes.changedAtMs,
    status: confirmed ? "CONFIRMED" : "TENTATIVE",
    summary: t.t("ics.feed_summary", {
      pending: confirmed ? "no" : "yes",
      title: first.eventTitle,
      guest: guests,
    }),
    description: [
      ...seats.map((b) => t.t("ics.guest", { guest: b.guestName, email: b.guestEmail })),
      t.t("ics.manage_feed", { url: `${base}${hostBookingPath(first.id)}` }),
    ].join("\n"),
    url: `${base}${hostBookingPath(first.id)}`,
    attendee: {
      name: first.guestName,
      email: first.guestEmail,
      partstat: first.status === "PENDING" ? "NEEDS-ACTION" : "ACCEPTED",
    },
    others: seats.slice(1).map((b) => ({ name: b.guestName, email: b.guestEmail })),
  };
}

function feedEvent(b: BookingRecord, host: UserRecord, base: string, t: Translator): IcsEvent {
  const pending = b.status === "PENDING";
  const manage = `${base}${hostBookingPath(b.id, pending ? "pending" : undefined)}`;
  // What the guest wrote over several lines is quoted, so it cannot forge the "Manage:" line.
  const lines = [
    pending ? t.t("ics.request_waiting") : null,
    t.t("ics.guest", { guest: b.guestName, email: b.guestEmail }),
    b.guestNote ? labelledLine((note) => t.t("ics.note", { note }), b.guestNote) : null,
    ...answerLines(b, t),
    t.t("ics.manage_feed", { url: manage }),
  ].filter((l): l is string => l !== null);
  return {
    // The meeting's own UID: a moved booking is the same event at its new time.
    uid: meetingUid(b, new URL(base).hostname),
    sequence: (b.sequence ?? 0) + b.history.length,
    startMs: b.startMs,
    endMs: b.endMs,
    stampMs: b.decidedAtMs ?? b.createdAtMs,
    summary: t.t("ics.feed_summary", {
      pending: pending ? "yes" : "no",
      title: b.eventTitle,
      guest: b.guestName,
    }),
    description: lines.join("\n"),
    status: pending ? "TENTATIVE" : "CONFIRMED",
    organizer: { name: host.name, email: host.email },
    attendee: {
      name: b.guestName,
      email: b.guestEmail,
      partstat: pending ? "NEEDS-ACTION" : "ACCEPTED",
    },
    url: manage,
    location: locationText(shownLocation(b), t) || undefined,
    conference: conferenceOf(shownLocation(b)),
  };
}
