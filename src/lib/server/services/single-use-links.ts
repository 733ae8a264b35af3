/**
 * Single-use links: a host mints a link for one event type (optionally expiring, optionally for
 * one guest email); the first booking made through it spends it. Spending is decided in the
 * booking's own atomic commit (a "used" marker checked absent), so of any number of guests
 * racing on one link exactly one books, and the others are told the link has been used.
 */
import type { App } from "../app.ts";
import type {
  BookingRecord,
  EventTypeRecord,
  SingleUseLinkRecord,
  SingleUseLinkUseRecord,
  UserRecord,
} from "../domain/model/records.ts";
import { keys } from "../store/keys.ts";
import { endsUnmet } from "../domain/booking-engine/index.ts";
import { getActiveUser, newId } from "../store/users.ts";
import { getEventType } from "../store/event-types.ts";
import {
  completeSingleUseLinkUse,
  countSingleUseLinks,
  findSingleUseLinkByToken,
  getSingleUseLink,
  getSingleUseLinkAndUse,
  getSingleUseLinkUse,
  insertSingleUseLink,
  listSingleUseLinks,
  markSingleUseLinkRevoked,
  removeSingleUseLink,
} from "../store/single-use-links.ts";
import { hmacToken, randomToken, sha256Hex } from "../integrations/crypto.ts";
import { type BookInput, type BookResult, bookSlot, parseStart } from "./book-slot.ts";
import { repeatedBooking } from "./repeat-posts.ts";
import { isEventTypeIdShape } from "./event-types.ts";
import { Temporal } from "../domain/temporal.ts";
import { isIsoDate } from "../domain/availability.ts";
import type { Translator } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";
import { isOneLine } from "../../shared/text.ts";
import { isMailAddress } from "../../shared/forms/common.ts";

/** Links kept per host (spent ones included, until removed). */
export const MAX_LINKS_PER_HOST = 500;
const LABEL_MAX = 100;
const TOKEN_RE = /^[A-Za-z0-9_-]{20,100}$/;

export async function linkToken(
  app: Pick<App, "linkKey">,
  l: Pick<SingleUseLinkRecord, "id" | "salt">,
) {
  return await hmacToken(app.linkKey, l.salt, l.id, "single-use link");
}

function base(app: App): string {
  return app.config.baseUrl.href.replace(/\/$/, "");
}

export async function singleUseUrl(
  app: App,
  host: Pick<UserRecord, "username">,
  l: SingleUseLinkRecord,
) {
  return `${base(app)}/calendar/${host.username}/once/${await linkToken(app, l)}`;
}

export type LinkState =
  | { kind: "unused" }
  | { kind: "used"; guestName: string; guestEmail: string; bookingId: string; atMs: number }
  | { kind: "expired"; atMs: number }
  | { kind: "revoked"; atMs: number };

/** What a link is now: a spent marker wins; an unspent link past its expiry is expired. */
export function linkState(
  link: SingleUseLinkRecord,
  use: SingleUseLinkUseRecord | null,
  nowMs: number,
): LinkState {
  if (use?.kind === "used") {
    return {
      kind: "used",
      guestName: use.guestName,
      guestEmail: use.guestEmail,
      bookingId: use.bookingId,
      atMs: use.atMs,
    };
  }
  if (use?.kind === "revoked") return { kind: "revoked", atMs: use.atMs };
  if (link.expiresAtMs !== null && nowMs >= link.expiresAtMs) {
    return { kind: "expired", atMs: link.expiresAtMs };
  }
  return { kind: "unused" };
}

/**
 * The single-use link a booking was made through, when that link is open now: a one-off link
 * given back because this request was turned down or lapsed (booking-engine/link-release.ts).
 * Its guest picks another time there — the host's other offered times — not on the host's page.
 * Null for every other booking (a link spent, revoked, expired or removed; no link).
 */
export async function reopenedLinkUrl(
  app: App,
  host: Pick<UserRecord, "username">,
  b: Pick<BookingRecord, "hostId" | "singleUseLinkId" | "status" | "endReason">,
): Promise<string | null> {
  if (!b.singleUseLinkId || !endsUnmet(b)) return null;
  const { link, use } = await getSingleUseLinkAndUse(app.kv, b.hostId, b.singleUseLinkId);
  if (!link?.offeredStarts || linkState(link, use, app.now()).kind !== "unused") return null;
  return await singleUseUrl(app, host, link);
}

export type MintInput = { expiresOn: string; guestEmail: string; label: string };
export type MintResult =
  | { ok: true; url: string; link: SingleUseLinkRecord }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "invalid"; errors: Partial<Record<keyof MintInput, string>> }
  | { ok: false; reason: "too_many" };

/**
 * A new link for one of the host's event types. `expiresOn` (YYYY-MM-DD, optional) is the last
 * day it works, to the end of that day in the host's zone; `guestEmail` (optional) is the only
 * address that may book with it.
 */
export async function mintSingleUseLink(
  app: App,
  host: UserRecord,
  eventTypeId: string,
  input: MintInput,
  /** The host's language for the field messages (English when none is given). */
  t: Translator = translator(null),
): Promise<MintResult> {
  if (!isEventTypeIdShape(eventTypeId)) return { ok: false, reason: "not_found" };
  const et = await getEventType(app.kv, host.id, eventTypeId);
  if (!et) return { ok: false, reason: "not_found" };
  const nowMs = app.now();
  const today = Temporal.Instant.fromEpochMilliseconds(nowMs).toZonedDateTimeISO(host.timeZone)
    .toPlainDate();
  const errors: Partial<Record<keyof MintInput, string>> = {};
  const expiresOn = input.expiresOn.trim();
  let expiresAtMs: number | null = null;
  if (expiresOn !== "") {
    if (!isIsoDate(expiresOn)) errors.expiresOn = t.t("avail.date_as_iso");
    else {
      const last = Temporal.PlainDate.from(expiresOn);
      if (Temporal.PlainDate.compare(last, today) < 0) {
        errors.expiresOn = t.t("links.date_past");
      } else if (Temporal.PlainDate.compare(last, today.add({ years: 2 })) > 0) {
        errors.expiresOn = t.t("links.date_far", { years: 2 });
      } else {
        expiresAtMs = last.add({ days: 1 }).toZonedDateTime({ timeZone: host.timeZone })
          .epochMilliseconds;
      }
    }
  }
  const guestEmail = input.guestEmail.trim().toLowerCase();
  if (guestEmail !== "" && (guestEmail.length > 254 || !isMailAddress(guestEmail))) {
    errors.guestEmail = t.t("forms.email_invalid");
  }
  const label = input.label.trim();
  if (label.length > LABEL_MAX) errors.label = t.t("forms.max_chars", { max: LABEL_MAX });
  else if (!isOneLine(label)) errors.label = t.t("forms.one_line");
  if (Object.keys(errors).length > 0) return { ok: false, reason: "invalid", errors };
  if (await countSingleUseLinks(app.kv, host.id) >= MAX_LINKS_PER_HOST) {
    return { ok: false, reason: "too_many" };
  }
  const link: SingleUseLinkRecord = {
    v: 1,
    id: newId(nowMs),
    hostId: host.id,
    eventTypeId: et.id,
    salt: randomToken(16),
    createdAtMs: nowMs,
    expiresAtMs,
    guestEmail: guestEmail || null,
    label,
  };
  const token = await linkToken(app, link);
  if (!(await insertSingleUseLink(app.kv, link, await sha256Hex(token)))) {
    throw new Error("single-use link id collision");
  }
  return { ok: true, url: await singleUseUrl(app, host, link), link };
}

export type LinkView = {
  id: string;
  eventTypeId: string;
  url: string;
  label: string;
  guestEmail: string | null;
  createdAtMs: number;
  expiresAtMs: number | null;
  state: LinkState;
};

/** The host's links (newest first), each with its state; only those of one event type if given. */
export async function listLinks(
  app: App,
  host: UserRecord,
  eventTypeId?: string,
): Promise<LinkView[]> {
  const nowMs = app.now();
  const all = await listSingleUseLinks(app.kv, host.id, MAX_LINKS_PER_HOST);
  const mine = eventTypeId ? all.filter((x) => x.link.eventTypeId === eventTypeId) : all;
  return await Promise.all(mine.map(async ({ link, use }) => ({
    id: link.id,
    eventTypeId: link.eventTypeId,
    url: await singleUseUrl(app, host, link),
    label: link.label,
    guestEmail: link.guestEmail,
    createdAtMs: link.createdAtMs,
    expiresAtMs: link.expiresAtMs,
    state: linkState(link, use, nowMs),
  })));
}

/** Revokes an unspent link; a used one stays used (its booking is the guest's). */
export async function revokeLink(
  app: App,
  host: UserRecord,
  id: string,
): Promise<{ ok: true } | { ok: false; reason: "not_found" | "already_used" }> {
  if (!isEventTypeIdShape(id)) return { ok: false, reason: "not_found" };
  const link = await getSingleUseLink(app.kv, host.id, id);
  if (!link) return { ok: false, reason: "not_found" };
  if (await markSingleUseLinkRevoked(app.kv, id, app.now())) return { ok: true };
  const use = await getSingleUseLinkUse(app.kv, id);
  return use?.kind === "revoked" ? { ok: true } : { ok: false, reason: "already_used" };
}

/** Takes a link off the host's list (spending it first if nobody has). */
export async function removeLink(app: App, host: UserRecord, id: string): Promise<boolean> {
  if (!isEventTypeIdShape(id)) return false;
  const link = await getSingleUseLink(app.kv, host.id, id);
  if (!link) return false;
  await removeSingleUseLink(app.kv, link, await sha256Hex(await linkToken(app, link)), app.now());
  return true;
}

export type OpenLink =
  | { ok: true; link: SingleUseLinkRecord; host: UserRecord; eventType: EventTypeRecord }
  | { ok: false; reason: "not_found" | "expired" | "revoked" }
  /** Spent: whose link it is, for its own guest's post sent again (`bookWithSingleUseLink`). */
  | { ok: false; reason: "used"; host: UserRecord; eventType: EventTypeRecord };

/**
 * What a guest's single-use link opens now, under the username its URL names. Unknown, removed
 * and malformed tokens look alike, and so does a token under another person's name: a link
 * cannot be dressed up as someone else's.
 */
export async function openSingleUseLink(
  app: App,
  username: string,
  token: string,
): Promise<OpenLink> {
  if (!TOKEN_RE.test(token)) return { ok: false, reason: "not_found" };
  const found = await findSingleUseLinkByToken(app.kv, await sha256Hex(token));
  if (!found) return { ok: false, reason: "not_found" };
  const [{ link, use }, host, et] = await Promise.all([
    // The link with its marker as one read: a given-back link's times and marker change together.
    getSingleUseLinkAndUse(app.kv, found.hostId, found.id),
    // A closed or suspended account's links open nothing (ADR 030, 043).
    getActiveUser(app.kv, found.hostId),
    getEventType(app.kv, found.hostId, found.eventTypeId),
  ]);
  if (!link || !host || !et || !et.active) return { ok: false, reason: "not_found" };
  if (host.username.toLowerCase() !== username.toLowerCase()) {
    return { ok: false, reason: "not_found" };
  }
  const state = linkState(link, use, app.now());
  if (state.kind === "used") return { ok: false, reason: "used", host, eventType: et };
  if (state.kind !== "unused") return { ok: false, reason: state.kind };
  return { ok: true, link, host, eventType: et };
}

export type LinkBookResult =
  | BookResult
  | { ok: false; reason: "link_used" | "link_expired" | "link_not_found" | "wrong_email" };

/**
 * Books through a single-use link. The link's "used" marker rides in the booking's own commit,
 * checked absent: two guests on one link give one booking. Any refusal of a guest whose link
 * was spent meanwhile is reported as "link_used" (picking another time would not help them) —
 * unless the booking that spent it is this browser's identical earlier post's: that post's
 * answer, as on a booking page (services/repeat-posts.ts, ADR 060).
 */
export async function bookWithSingleUseLink(
  app: App,
  username: string,
  token: string,
  input: Omit<BookInput, "username" | "slug" | "extra" | "singleUseLinkId">,
): Promise<LinkBookResult> {
  const open = await openSingleUseLink(app, username, token);
  // Spent: by this browser's identical post before this one, answered as that post was.
  const usedUnlessRepeated = async (host: UserRecord, eventType: EventTypeRecord) => {
    const start = parseStart(input.start);
    const repeated = start && await repeatedBooking(app, {
      list: { hostId: host.id },
      eventType,
      startMs: start.epochMilliseconds,
      email: input.email,
      bookerTag: input.bookerTag,
    }, "link_used");
    return repeated || { ok: false as const, reason: "link_used" as const };
  };
  if (!open.ok && open.reason === "used") {
    return await usedUnlessRepeated(open.host, open.eventType);
  }
  if (!open.ok) {
    return {
      ok: false,
      reason: open.reason === "expired"
        ? "link_expired"
        : open.reason === "not_found"
        ? "link_not_found"
        : "link_used",
    };
  }
  const { link, host, eventType } = open;
  if (link.guestEmail !== null && input.email.trim().toLowerCase() !== link.guestEmail) {
    return { ok: false, reason: "wrong_email" };
  }
  // A one-off link books only the times its host picked.
  if (link.offeredStarts && !link.offeredStarts.includes(Date.parse(input.start))) {
    return { ok: false, reason: "slot_unavailable" };
  }
  // The marker names the booking it is written with (a one-off link is given back only by the
  // booking that spent it: booking-engine/link-release.ts). A seat's or a series' booking is
  // completed by its plan, unknown here: its marker is completed with the id afterwards.
  const atMs = app.now();
  const used = (bookingId: string): Extract<SingleUseLinkUseRecord, { kind: "used" }> => ({
    v: 1,
    kind: "used",
    bookingId,
    guestName: input.name,
    guestEmail: input.email,
    atMs,
  });
  const res = await bookSlot(app, {
    ...input,
    username: host.username,
    slug: eventType.slug,
    singleUseLinkId: link.id,
    // Where its guest may later move it: the host's offer stands for the booking's life.
    offeredStarts: link.offeredStarts,
    extra: (made) => [{
      key: keys.singleUseLinkUsed(link.id),
      value: used(made?.booking.id ?? ""),
      expectAbsent: true,
    }],
  });
  if (res.ok) {
    // A repeated post's booking completed the marker already (its own post did).
    if (!res.repeated) await completeSingleUseLinkUse(app.kv, link.id, used(res.bookingId));
    return res;
  }
  if (res.reason === "conflict" || (await getSingleUseLinkUse(app.kv, link.id)) !== null) {
    return await usedUnlessRepeated(host, eventType);
  }
  return res;
}
