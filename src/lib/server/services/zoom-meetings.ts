/**
 * Zoom meetings per booking (issue 27; docs/decisions/045-zoom-meetings.md).
 *
 * Connecting: the host authorizes Invito's Zoom OAuth app (code + PKCE + state, the same
 * started-authorization record as calendars, taken once); the tokens are sealed and kept as a
 * calendar token record under `ZOOM_ACCOUNT_ID`, so they are refreshed by compare-and-swap and a
 * refused refresh token marks the connection "reconnect needed" with one mail
 * (services/calendar-tokens.ts).
 *
 * Meetings: the booking's host writeback job (services/calendar-writeback.ts, through the outbox,
 * retried with backoff and Retry-After) makes the Zoom meeting when the booking is confirmed,
 * moves it when a reschedule keeps the meeting UID, and deletes it when the meeting ends. One
 * Zoom meeting per meeting UID, recorded with a uniqueness check, so a retry or a race never
 * leaves two.
 */
import type { App } from "../app.ts";
import type { BookingRecord, UserRecord } from "../domain/model/records.ts";
import { sha256Hex } from "../integrations/crypto.ts";
import { exchangeCode, providerConfig, startAuthorization } from "../integrations/oauth.ts";
import { apiClient } from "../integrations/provider-http.ts";
import { detailIn } from "../integrations/provider-details.ts";
import { type ZoomApi, zoomApi } from "../integrations/zoom.ts";
import {
  getProviderHold,
  getTokenEntry,
  holdProvider,
  OAUTH_STATE_TTL_MS,
  putOAuthState,
  releaseProviderHold,
  takeOAuthState,
} from "../store/calendar-tokens.ts";
import {
  getZoomConnection,
  getZoomMeeting,
  insertZoomMeeting,
  putZoomConnection,
  removeZoomConnection,
  removeZoomMeeting,
  ZOOM_ACCOUNT_ID,
} from "../store/zoom.ts";
import { getUser } from "../store/users.ts";
import { getBooking } from "../store/bookings.ts";
import { sealTokens, type TokenAccount, tokenSource } from "./calendar-tokens.ts";
import type { Translator } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";
import { ownWords } from "./delivery-words.ts";

export type ZoomStatus = {
  /** the operator set INVITO_ZOOM_CLIENT_ID / _SECRET */
  configured: boolean;
  connected: boolean;
  /** Zoom refused the stored access: the host must connect again */
  reconnect: boolean;
  /** Zoom's own words when it refused */
  reason: string | null;
};

/** `t`: the reader's language, for why a reconnect is needed (English without one). */
export async function zoomStatus(app: App, hostId: string, t?: Translator): Promise<ZoomStatus> {
  const configured = app.config.zoom !== null;
  const conn = await getZoomConnection(app.kv, hostId);
  if (!conn) return { configured, connected: false, reconnect: false, reason: null };
  const token = (await getTokenEntry(app.kv, hostId, ZOOM_ACCOUNT_ID)).value;
  const revoked = !token || token.revokedAtMs !== null;
  return {
    configured,
    connected: true,
    reconnect: revoked || !configured,
    reason: revoked && token?.revokedReason
      ? detailIn(token.revokedReason, t ?? translator(null))
      : null,
  };
}

/** Whether the host's bookings can get Zoom meetings now. */
export async function zoomUsable(app: App, hostId: string): Promise<boolean> {
  const s = await zoomStatus(app, hostId);
  return s.connected && !s.reconnect;
}

function account(hostId: string, username: string): TokenAccount {
  return { id: ZOOM_ACCOUNT_ID, hostId, username, provider: "zoom" };
}

/** The host's Zoom API, or null when the host has not connected Zoom (or the server lost it). */
async function openZoom(app: App, hostId: string): Promise<ZoomApi | null> {
  const cfg = app.config.zoom;
  const conn = await getZoomConnection(app.kv, hostId);
  if (!cfg || !conn) return null;
  const api = apiClient({
    apiUrl: cfg.apiUrl,
    name: "Zoom",
    tokens: tokenSource(app, account(hostId, conn.username)),
    hold: {
      until: () => getProviderHold(app.kv, hostId, ZOOM_ACCOUNT_ID),
      hold: (untilMs) => holdProvider(app.kv, hostId, ZOOM_ACCOUNT_ID, untilMs, app.now()),
      release: (untilMs) => releaseProviderHold(app.kv, hostId, ZOOM_ACCOUNT_ID, untilMs),
      now: () => app.now(),
    },
  });
  return zoomApi(api, cfg.apiUrl);
}

export type ConnectStart = { ok: true; url: string } | { ok: false; message: string };

export async function startZoomConnect(
  app: App,
  host: UserRecord,
  t: Translator = translator(null),
): Promise<ConnectStart> {
  const started = await startAuthorization(app.config, "zoom");
  if (!started) return { ok: false, message: t.t("oauth.not_configured", { name: "Zoom" }) };
  await putOAuthState(app.kv, await sha256Hex(started.state), {
    v: 1,
    hostId: host.id,
    provider: "zoom",
    codeVerifier: started.codeVerifier,
    expiresMs: app.now() + OAUTH_STATE_TTL_MS,
    accountId: null,
  });
  return { ok: true, url: started.url };
}

export type ConnectFinish = { ok: true } | { ok: false; message: string };

/** The callback: takes the started authorization once, exchanges the code, stores the tokens. */
export async function finishZoomConnect(
  app: App,
  host: UserRecord,
  callback: URL,
  t: Translator = translator(null),
): Promise<ConnectFinish> {
  if (!providerConfig(app.config, "zoom")) {
    return { ok: false, message: t.t("oauth.not_configured", { name: "Zoom" }) };
  }
  const state = callback.searchParams.get("state");
  if (!state || state.length > 200) return { ok: false, message: t.t("oauth.expired") };
  const rec = await takeOAuthState(app.kv, await sha256Hex(state), app.now());
  if (!rec || rec.hostId !== host.id || rec.provider !== "zoom") {
    return { ok: false, message: t.t("oauth.expired") };
  }
  const exchanged = await exchangeCode(app.config, "zoom", callback, state, rec.codeVerifier);
  if (!exchanged.ok) {
    const reason = detailIn(exchanged.error.detail, t);
    return { ok: false, message: t.t("zoom.connect_failed", { reason }) };
  }
  if (!exchanged.tokens.refreshToken) {
    return { ok: false, message: t.t("oauth.no_refresh", { name: "Zoom" }) };
  }
  const nowMs = app.now();
  const prev = (await getTokenEntry(app.kv, host.id, ZOOM_ACCOUNT_ID)).value ?? undefined;
  const ok = await putZoomConnection(
    app.kv,
    // Zoom's address is not asked for (no user scope): the host's own names the connection.
    { v: 1, hostId: host.id, username: host.email, connectedAtMs: nowMs },
    await sealTokens(app, exchanged.tokens, nowMs, prev),
  );
  return ok ? { ok: true } : { ok: false, message: t.t("cal.did_not_work") };
}

export async function disconnectZoom(app: App, host: UserRecord): Promise<void> {
  await removeZoomConnection(app.kv, host.id);
}

export type ZoomOutcome =
  | { ok: true; joinUrl?: string; skipped?: boolean }
  | { ok: false; error: string; retryAfterMs?: number };

function failed(detail: string, retryAfterMs?: number): ZoomOutcome {
  return {
    ok: false,
    error: ownWords("outbox.zoom", { detail }),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}

/**
 * Makes or moves the Zoom meeting of a confirmed booking (`uid`: its meeting UID). Returns the
 * join link for the caller to store on the booking (calendar-writeback.ts, which also sends the
 * updated invitation when the confirmation went out without it).
 */
export async function putZoomMeeting(
  app: App,
  booking: BookingRecord,
  uid: string,
  topic: string,
  nowMs: number,
): Promise<ZoomOutcome> {
  if (booking.location?.kind !== "zoom" || booking.status !== "CONFIRMED") return { ok: true };
  const zoom = await openZoom(app, booking.hostId);
  // No Zoom connected (the host disconnected it, or the operator removed Zoom's settings): the
  // pages say "link follows", and the host must see why it does not come — a failure in the
  // booking list and the health panel, retried with backoff so reconnecting brings the link.
  if (!zoom) return failed(ownWords("outbox.zoom_not_connected"));
  const host = await getUser(app.kv, booking.hostId);
  const input = {
    topic,
    startMs: booking.startMs,
    endMs: booking.endMs,
    timeZone: host?.timeZone ?? "UTC",
  };
  let rec = await getZoomMeeting(app.kv, uid);
  const othersMeeting = () => (rec.value?.hostId ?? booking.hostId) !== booking.hostId;
  if (othersMeeting()) {
    // Handed to another member (round robin, a departing host's hand-over): the meeting is the
    // first member's, in their Zoom account. It ends there, and the new host's account makes one.
    // Only a meeting this booking's own earlier versions made: a UID is not proof (an import
    // before ADR 017's amendment could give a booking another host's), and ending a stranger's
    // meeting is the one thing this step must never do.
    if (!(await madeByPredecessor(app, booking, rec.value!.bookingId))) {
      return failed(ownWords("outbox.zoom_record_changed"));
    }
    const ended = await endZoomMeeting(app, rec.value!.hostId, uid, rec.value!.hostId);
    if (!ended.ok) return ended;
    rec = await getZoomMeeting(app.kv, uid);
    if (othersMeeting()) return failed(ownWords("outbox.zoom_record_changed"));
  }
  if (rec.value) {
    const moved = await zoom.update(rec.value.meetingId, input);
    if (!moved.ok) return failed(moved.error.detail, moved.error.retryAfterMs);
    if (moved.found) return { ok: true, joinUrl: rec.value.joinUrl };
    // Deleted at Zoom meanwhile (by the host): make a new one.
    await removeZoomMeeting(app.kv, uid, rec);
  }
  const made = await zoom.create(input);
  if (!made.ok) return failed(made.error.detail, made.error.retryAfterMs);
  const stored = await insertZoomMeeting(app.kv, uid, {
    v: 1,
    hostId: booking.hostId,
    meetingId: made.meetingId,
    joinUrl: made.joinUrl,
    bookingId: booking.id,
    createdAtMs: nowMs,
  });
  if (!stored) {
    // Another write made one first: ours is spare.
    await zoom.remove(made.meetingId);
    const winner = (await getZoomMeeting(app.kv, uid)).value;
    return winner
      ? { ok: true, joinUrl: winner.joinUrl }
      : failed(ownWords("outbox.zoom_record_changed"));
  }
  return { ok: true, joinUrl: made.joinUrl };
}

/** How many moves back a meeting's Zoom record is looked for: more than any real chain. */
const MAX_PREDECESSORS = 100;

/** Whether `madeBy` is `booking` or one of the bookings it was moved from. */
async function madeByPredecessor(
  app: App,
  booking: BookingRecord,
  madeBy: string,
): Promise<boolean> {
  let current: BookingRecord | null = booking;
  for (let hop = 0; current && hop <= MAX_PREDECESSORS; hop++) {
    if (current.id === madeBy) return true;
    if (!current.rescheduledFromId) return false;
    current = await getBooking(app.kv, current.rescheduledFromId);
  }
  return false;
}

/**
 * Deletes the Zoom meeting of a meeting that ended; one already gone counts as deleted. `owner`:
 * only a meeting made with this host's account (a booking handed to another member ends the
 * first member's meeting, never the one the new member's account made meanwhile).
 */
export async function endZoomMeeting(
  app: App,
  hostId: string,
  uid: string,
  owner?: string,
): Promise<ZoomOutcome> {
  const rec = await getZoomMeeting(app.kv, uid);
  if (!rec.value) return { ok: true, skipped: true };
  const madeBy = rec.value.hostId ?? hostId;
  if (owner !== undefined && madeBy !== owner) return { ok: true, skipped: true };
  const zoom = await openZoom(app, madeBy);
  if (zoom) {
    const res = await zoom.remove(rec.value.meetingId);
    if (!res.ok) return failed(res.error.detail, res.error.retryAfterMs);
  }
  await removeZoomMeeting(app.kv, uid, rec);
  return { ok: true };
}
