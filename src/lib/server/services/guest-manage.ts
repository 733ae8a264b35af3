/**
 * What a guest sees behind their booking link's cancel and reschedule pages.
 */
import { awaitsNewTime } from "../domain/booking-engine/index.ts";
import type { App } from "../app.ts";
import { bookingForToken, declineToken, inviteeForToken } from "./booking-links.ts";
import { currentOf, viewBooking, when as whenIn } from "./booking-view.ts";
import { getSlotPage, type SlotPage } from "./slot-page.ts";
import { offeredMoveStarts } from "./guest-moves.ts";
import { formatRange, isoDateIn } from "../../shared/format.ts";
import { getUser } from "../store/users.ts";
import { getEventType } from "../store/event-types.ts";
import { eventTypeRules, withinCutoff } from "../domain/event-rules.ts";
import { isLiveBooking } from "../domain/booking.ts";
import {
  hasDeclined,
  inviteesDecline,
  inviteesOf,
  isLastAttendee,
  onlyHostMoves,
} from "../domain/attendees.ts";
import { translator } from "../i18n.ts";
import { getTeam } from "../store/teams.ts";
import { movedToText } from "../../shared/moved.ts";
import type { Clock } from "../../shared/format.ts";

export type ManageState =
  | { ok: false; reason: "not_found" }
  | {
    ok: true;
    view: Awaited<ReturnType<typeof viewBooking>>;
    /** Why the guest cannot change it any more, in the guest's words; null when they can. */
    blocked: string | null;
    /**
     * The same, as the booking's own page says it in place of its Reschedule and Cancel (with
     * how to reach the host); null when they can.
     */
    changesClosed: string | null;
    hostEmail: string;
    username: string;
    /** A team's booking: the team's slug (its slot page offers the new times). */
    team: string | null;
    slug: string | null;
    durationMin: number;
    bookingId: string;
    viaSingleUseLink: boolean;
    /** Made through a one-off link: the times a move may land on (null: the type's times). */
    offeredStarts: readonly number[] | null;
    /** The booking's start while it holds its time (null: the host asked for a new one). */
    ownStartMs: number | null;
    /**
     * The clock every time on the page is written on (the view's too): the one the page's
     * address names, else the booking's own (the guest chose it; its mails are written on it).
     */
    clock: Clock;
    /**
     * The host invited them (a meeting poll's voter): their cancel is "I can't come", which
     * leaves the meeting to the others (ADR 050, amendment "declining").
     */
    declines: boolean;
    /** Others are invited too: only the host moves it (its page offers no move). */
    hostMoves: boolean;
    /**
     * They decline, and nobody else still comes: their decline cancels the meeting, for the host
     * too (the page says so before they press).
     */
    lastComing: boolean;
  };

export async function manageState(
  app: App,
  token: string,
  locale?: string,
  opts: {
    /** The cancel page: a booking waiting for the guest's new pick has nothing left to cancel. */
    forCancel?: boolean;
    /** The clock the page's address names. */
    clock?: Clock | null;
    /** The reschedule page: the host's meeting with several invitees is the host's to move. */
    forMove?: boolean;
    /**
     * The zone the page shows its times in (the reschedule page's picker: the guest's browser's,
     * or one they chose), when not the booking's own: the booking is told in it too.
     */
    timeZone?: string | null;
  } = {},
): Promise<ManageState> {
  const b = await bookingForToken(app, token, "guest");
  if (!b) return { ok: false, reason: "not_found" };
  const nowMs = app.now();
  const host = await getUser(app.kv, b.hostId);
  const et = await getEventType(app.kv, b.teamId ?? b.hostId, b.eventTypeId);
  // A booking stores "12h" only: its mails read a missing one as 24 hours, and so does this.
  const clock = opts.clock ?? b.guestClock ?? "24h";
  // The guest's view is written on the guest's clock and in their zone: this page's ones.
  const view = await viewBooking(
    app,
    { ...b, guestClock: clock, guestTimeZone: opts.timeZone ?? b.guestTimeZone },
    locale,
    undefined,
    "guest",
  );
  const t = translator(locale ?? b.guestLocale);
  let blocked: string | null = null;
  let changesClosed: string | null = null;
  if (inviteesDecline(b) && hasDeclined(b, b.guestEmail)) {
    // They declined: the meeting goes on without them; nothing is theirs to change.
    blocked = t.t("manage.declined_body", { host: view.teamName ?? view.hostName });
  } else if (onlyHostMoves(b) && opts.forMove) {
    // Invited by the host with others (a poll): they may decline, the host moves it.
    blocked = t.t("manage.host_moves", {
      host: view.teamName ?? view.hostName,
      email: host?.email ?? "",
    });
  } else if (awaitsNewTime(b)) {
    // The host asked them to pick a new time: their link books it (answers kept).
    blocked = opts.forCancel
      ? t.t("manage.move_asked_no_cancel", { host: view.teamName ?? view.hostName })
      : null;
  } else if (!isLiveBooking(b, nowMs)) {
    blocked = view.movedTo
      ? movedToText(t, view.movedTo.when, view.movedTo.pending, view.teamName ?? view.hostName)
      : view.state === "moved"
      ? t.t("refusal.moved")
      : t.t("manage.blocked_state", { state: view.state });
  } else if (b.startMs <= nowMs) {
    blocked = t.t("manage.blocked_started");
  } else if (et && withinCutoff(b.startMs, eventTypeRules(et).cancelCutoffHours, nowMs)) {
    const words = {
      host: host?.name ?? t.t("common.the_host"),
      hours: eventTypeRules(et).cancelCutoffHours!,
      email: host?.email ?? "",
    };
    blocked = t.t("manage.blocked_cutoff", words);
    changesClosed = t.t("result.changes_closed", words);
  }
  return {
    ok: true,
    view,
    blocked,
    changesClosed: changesClosed ?? blocked,
    hostEmail: host?.email ?? "",
    username: host?.username ?? "",
    team: b.teamId ? (await getTeam(app.kv, b.teamId))?.slug ?? null : null,
    slug: et && et.active && (!b.teamId || et.teamId === b.teamId) ? et.slug : null,
    durationMin: b.durationMin,
    bookingId: b.id,
    viaSingleUseLink: !!b.singleUseLinkId,
    offeredStarts: await offeredMoveStarts(app, b),
    ownStartMs: awaitsNewTime(b) ? null : b.startMs,
    clock,
    declines: inviteesDecline(b),
    hostMoves: onlyHostMoves(b),
    lastComing: inviteesDecline(b) && isLastAttendee(b, b.guestEmail),
  };
}

/**
 * The guest's reschedule page: the event type's times with the booking's own marked, opening
 * on its day (an asked date or month wins). A booking made through a one-off link is offered
 * only its host's other offered times still free, and `offeredLeft` counts them; with none
 * left, `none_left` (the page says so and leads to cancelling or to the host).
 */
export async function rescheduleSlots(
  app: App,
  state: Extract<ManageState, { ok: true }>,
  q: {
    timeZone: string | null;
    month: string | null;
    date: string | null;
    clock?: "12h" | "24h";
    locale?: string;
  },
): Promise<
  | null
  | Extract<SlotPage, { ok: false }>
  | { ok: false; reason: "none_left" }
  | (Extract<SlotPage, { ok: true }> & { offeredLeft: number | null })
> {
  if (!state.slug) return null;
  const nowMs = app.now();
  const ask = (more: { month?: string | null; date?: string | null; onlyStarts?: number[] }) =>
    getSlotPage(app, {
      username: state.username,
      ...(state.team ? { team: state.team } : {}),
      slug: state.slug!,
      ...q,
      excludeBookingId: state.bookingId,
      showOwnTime: true,
      fixedDurationMin: state.durationMin,
      openOnMs: state.ownStartMs,
      ...more,
    });
  if (!state.offeredStarts) {
    const page = await ask({});
    return page.ok ? { ...page, offeredLeft: null } : page;
  }
  // The offered times a move may still take: to come, and not where the booking is.
  const left = state.offeredStarts.filter((ms) => ms > nowMs && ms !== state.ownStartMs);
  const page = await ask({ onlyStarts: left });
  if (!page.ok) return page;
  // How many of them are free, month by month of the page's zone (most are in one or two).
  const counted = new Map([[page.month, page.days]]);
  for (const month of new Set(left.map((ms) => isoDateIn(ms, page.timeZone).slice(0, 7)))) {
    if (counted.has(month)) continue;
    const other = await ask({ month, date: null, onlyStarts: left });
    // A month beyond the window opens another one: counted once, under its own name.
    if (other.ok && !counted.has(other.month)) counted.set(other.month, other.days);
  }
  let offeredLeft = 0;
  for (const days of counted.values()) for (const d of days) offeredLeft += d.slots;
  // A calendar that cannot be read shows no times, which is not "none left": the page says why.
  if (offeredLeft === 0 && !page.unavailable) return { ok: false, reason: "none_left" };
  return { ...page, offeredLeft };
}

/**
 * What one of the host's invitees sees behind their own decline link (booking-links.ts
 * `declineToken`; ADR 050, amendment "declining"): the meeting, in their zone and clock, and
 * whether they may still say they cannot come. A link of a meeting the host moved since says so,
 * as the guest's link does (`manageState`), and leads to their own decline link of the meeting
 * where it is now (`movedTo`: each move makes a booking with a salt of its own, so the old link's
 * token opens only the old booking).
 */
export async function declineState(app: App, token: string, locale?: string) {
  const found = await inviteeForToken(app, token);
  if (!found) return null;
  const { booking: b, email } = found;
  const nowMs = app.now();
  const host = await getUser(app.kv, b.hostId);
  const et = await getEventType(app.kv, b.teamId ?? b.hostId, b.eventTypeId);
  const reader = (b.additionalGuestReaders ?? {})[email] ??
    b.declined?.find((d) => d.email === email)?.reader;
  const t = translator(locale ?? reader?.locale ?? b.guestLocale);
  const hostName = host?.name ?? t.t("common.the_host");
  const zone = reader?.timeZone ?? b.guestTimeZone;
  const clock = reader?.clock ?? b.guestClock;
  const declined = hasDeclined(b, email);
  const moved = !declined && !isLiveBooking(b, nowMs) && !!b.rescheduledToId;
  const current = moved ? await currentOf(app, b) : null;
  // Their own link of the meeting as it is now, while they are still one of its invitees.
  const same = (a: string) => a.toLowerCase() === email.toLowerCase();
  const movedTo = current && inviteesOf(current).some(same)
    ? { href: `/booking/${await declineToken(app, current, email)}/decline` }
    : null;
  const blocked = declined
    ? t.t("manage.declined_body", { host: hostName })
    : current
    ? movedToText(
      t,
      whenIn(current, zone, clock ?? "24h", t.locale),
      current.status === "PENDING" && isLiveBooking(current, nowMs),
      hostName,
    )
    : moved
    ? t.t("refusal.moved")
    : !isLiveBooking(b, nowMs)
    ? t.t("manage.blocked_state", { state: b.status.toLowerCase() })
    : b.startMs <= nowMs
    ? t.t("manage.blocked_started")
    : et && withinCutoff(b.startMs, eventTypeRules(et).cancelCutoffHours, nowMs)
    ? t.t("manage.blocked_cutoff", {
      host: hostName,
      hours: eventTypeRules(et).cancelCutoffHours!,
      email: host?.email ?? "",
    })
    : null;
  return {
    title: b.eventTitle,
    hostName,
    when: formatRange(b.startMs, b.endMs, zone, clock, t.locale),
    timeZone: zone,
    declined,
    blocked,
    moved,
    movedTo,
    // Nobody else still comes: their decline cancels the meeting, for the host too.
    last: isLastAttendee(b, email),
  };
}
