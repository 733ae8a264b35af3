/**
 * Google Calendar API v3 as a `CalendarProvider` (docs/decisions/027-google-microsoft-calendars.md).
 *
 * - Calendars: `GET /users/me/calendarList?showHidden=true` (paged; hidden ones are listed too).
 * - Busy time: `GET /calendars/{id}/events?singleEvents=true` — recurring series arrive as their
 *   instances (exceptions and cancelled instances included) — first in full for the sync window
 *   (timeMin/timeMax), then incrementally with the `nextSyncToken` of the last page; `410 Gone`
 *   means the token expired and the window is read in full again.
 * - Writeback: the event is inserted with the meeting's UID as its `iCalUID`, so the .ics the
 *   host and the guest receive by mail and the written event are one meeting to every calendar
 *   client (Gmail matches an invitation to the event with its UID). Google keeps an iCalUID unique
 *   per calendar: a retried insert gets `409`, and the event is found by `events.list?iCalUID=`
 *   and patched. Reschedules patch in place; `sendUpdates=none` and no attendees, because Invito
 *   mails both parties itself (docs/decisions/031-one-meeting-one-invitation.md). Events written
 *   before this (id derived from the UID, Google's own iCalUID) are still found by that id.
 */
import type { Interval } from "../domain/interval.ts";
import {
  type BusyQuery,
  type BusyRead,
  calendarColor,
  type CalendarProvider,
  type ConferenceReadBack,
  fullReadOf,
  type MeetingEvent,
  providerFail,
  type ProviderResult,
  type RemoteCalendar,
  type SkippedEvent,
} from "./calendar-provider.ts";
import { type ApiClient, isObj, type Obj, str } from "./provider-http.ts";
import { ownDetail } from "./provider-details.ts";
import { allDayWindow, clip, instantMs, wallTimeMs } from "./event-times.ts";

/** Events read per calendar at most: far beyond a person's calendar, and bounds the KV state. */
export const MAX_EVENTS_PER_CALENDAR = 10_000;
export const MAX_PAGES = 50;

const BASE32HEX = "0123456789abcdefghijklmnopqrstuv";

/** Google's event id for a meeting: the UID's bytes in lowercase base32hex (a–v, 0–9). */
export function googleEventId(uid: string): string {
  const bytes = new TextEncoder().encode(uid);
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32HEX[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32HEX[(buffer << (5 - bits)) & 31];
  return out;
}

/** The UID an event id was derived from, or null when it is not one of ours. */
export function uidFromGoogleEventId(id: string): string | null {
  if (!/^[0-9a-v]{5,1024}$/.test(id)) return null;
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const c of id) {
    buffer = (buffer << 5) | BASE32HEX.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bytes.push((buffer >> (bits - 8)) & 255);
      bits -= 8;
      buffer &= (1 << bits) - 1;
    }
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    return null;
  }
}

/** Why an event does not block, or null when it does. */
function freeReason(ev: Obj): string | null {
  if (ev.status === "cancelled") return "cancelled";
  if (ev.transparency === "transparent") return "free";
  if (ev.eventType === "workingLocation") return "working location";
  const self = Array.isArray(ev.attendees)
    ? ev.attendees.find((a) => isObj(a) && a.self === true) as Obj | undefined
    : undefined;
  if (self?.responseStatus === "declined") return "declined";
  return null;
}

/** The window one (instance of an) event covers, or why it cannot be read. */
function eventWindow(ev: Obj, zone: string): Interval | string {
  const start = ev.start;
  const end = ev.end;
  if (!isObj(start) || !isObj(end)) return "it has no start or end";
  const startDate = str(start.date);
  if (startDate) {
    const w = allDayWindow(startDate, str(end.date), zone);
    return w ?? "its date is not valid";
  }
  const s = str(start.dateTime);
  const e = str(end.dateTime);
  if (!s || !e) return "it has no start or end time";
  const startMs = instantMs(s) ?? wallTimeMs(s, str(start.timeZone));
  const endMs = instantMs(e) ?? wallTimeMs(e, str(end.timeZone) ?? str(start.timeZone));
  if (startMs === null || endMs === null) return "its time could not be read";
  if (endMs < startMs) return "it ends before it starts";
  return { startMs, endMs };
}

function isOwn(ev: Obj, isOwnUid: (uid: string) => boolean): boolean {
  const uid = str(ev.iCalUID);
  if (uid && isOwnUid(uid)) return true;
  const id = str(ev.id);
  const fromId = id ? uidFromGoogleEventId(id) : null;
  if (fromId && isOwnUid(fromId)) return true;
  const ext = isObj(ev.extendedProperties) && isObj(ev.extendedProperties.private)
    ? str(ev.extendedProperties.private.invitoUid)
    : null;
  return !!ext && isOwnUid(ext);
}

type Page = { items: Obj[]; nextPageToken: string | null; nextSyncToken: string | null };

function parsePage(json: unknown): Page | null {
  if (!isObj(json) || !Array.isArray(json.items ?? [])) return null;
  const items = (json.items ?? []) as unknown[];
  return {
    items: items.filter(isObj),
    nextPageToken: str(json.nextPageToken),
    nextSyncToken: str(json.nextSyncToken),
  };
}

export function googleProvider(api: ApiClient, apiUrl: string): CalendarProvider {
  const base = apiUrl.replace(/\/+$/, "");
  const cal = (id: string) => `${base}/calendars/${encodeURIComponent(id)}`;

  /** All pages of one events.list; `gone` when the sync token expired (410). */
  async function listEvents(
    calendarId: string,
    params: Record<string, string>,
  ): Promise<ProviderResult<{ items: Obj[]; syncToken: string | null } | { gone: true }>> {
    const items: Obj[] = [];
    let pageToken: string | null = null;
    for (let page = 0;; page++) {
      if (page >= MAX_PAGES) {
        return providerFail("parse", ownDetail("cal.detail_too_many_pages", { count: MAX_PAGES }));
      }
      const q = new URLSearchParams({
        singleEvents: "true",
        maxResults: "2500",
        ...params,
        ...(pageToken ? { pageToken } : {}),
      });
      const got = await api.request("GET", `${cal(calendarId)}/events?${q}`, { accept: [410] });
      if (!got.ok) return got;
      if (got.res.status === 410) return { ok: true, gone: true };
      const p = parsePage(got.res.json);
      if (!p) return providerFail("parse", ownDetail("cal.detail_events_form"));
      for (const it of p.items) items.push(it);
      if (items.length > MAX_EVENTS_PER_CALENDAR) {
        return providerFail(
          "parse",
          ownDetail("cal.detail_too_many_events", { count: MAX_EVENTS_PER_CALENDAR }),
        );
      }
      if (p.nextPageToken) {
        pageToken = p.nextPageToken.slice(0, 2000);
        continue;
      }
      if (!p.nextSyncToken) return providerFail("parse", ownDetail("cal.detail_no_sync_token"));
      return { ok: true, items, syncToken: p.nextSyncToken.slice(0, 2000) };
    }
  }

  /** Turns listed events into per-event busy state; cancelled ones come back with no window. */
  function toBusy(items: Obj[], q: BusyQuery) {
    const out: { id: string; seriesId: string | null; windows: Interval[] | null }[] = [];
    const skipped: SkippedEvent[] = [];
    for (const ev of items) {
      const id = str(ev.id)?.slice(0, 1024);
      if (!id) {
        skipped.push({ uid: null, reason: "an event without an id" });
        continue;
      }
      const seriesId = str(ev.recurringEventId)?.slice(0, 1024) ?? null;
      if (ev.status === "cancelled") {
        out.push({ id, seriesId, windows: null });
        continue;
      }
      if (isOwn(ev, q.isOwnUid) || freeReason(ev)) {
        out.push({ id, seriesId, windows: [] });
        continue;
      }
      const w = eventWindow(ev, q.hostTimeZone);
      if (typeof w === "string") {
        skipped.push({ uid: str(ev.iCalUID)?.slice(0, 200) ?? id.slice(0, 200), reason: w });
        out.push({ id, seriesId, windows: [] });
        continue;
      }
      const c = clip(w, q.fromMs, q.toMs);
      out.push({ id, seriesId, windows: c ? [c] : [] });
    }
    return { out, skipped };
  }

  async function fullRead(q: BusyQuery): Promise<ProviderResult<{ read: BusyRead }>> {
    const listed = await listEvents(q.calendarUrl, {
      timeMin: new Date(q.fromMs).toISOString(),
      timeMax: new Date(q.toMs).toISOString(),
    });
    if (!listed.ok) return listed;
    if ("gone" in listed) return providerFail("parse", ownDetail("cal.detail_gone_on_full_read"));
    const { out, skipped } = toBusy(listed.items, q);
    return { ok: true, read: fullReadOf(out, skipped, listed.syncToken) };
  }

  function body(ev: MeetingEvent) {
    return {
      summary: ev.summary,
      description: ev.description,
      ...(ev.location ? { location: ev.location } : {}),
      start: { dateTime: new Date(ev.startMs).toISOString(), timeZone: "UTC" },
      end: { dateTime: new Date(ev.endMs).toISOString(), timeZone: "UTC" },
      status: ev.status === "TENTATIVE" ? "tentative" : "confirmed",
      transparency: "opaque",
      sequence: ev.sequence,
      // The guest is not added as an attendee: Google would invite them itself.
      extendedProperties: { private: { invitoUid: ev.uid } },
      // A Meet made with the event. The request id is the meeting's: Google ignores a repeated
      // one, so a retry or a reschedule's patch never makes a second meeting.
      ...(ev.conference === "google_meet"
        ? {
          conferenceData: {
            createRequest: {
              requestId: ev.uid.slice(0, 1024),
              conferenceSolutionKey: { type: "hangoutsMeet" },
            },
          },
        }
        : {}),
    };
  }

  /** The Meet read back from an event (Calendar API: `hangoutLink`, `conferenceData`). */
  function conferenceOf(json: unknown): ConferenceReadBack {
    const data = isObj(json) && isObj(json.conferenceData) ? json.conferenceData : null;
    const status = data && isObj(data.createRequest) && isObj(data.createRequest.status)
      ? str(data.createRequest.status.statusCode)
      : null;
    const video = data && Array.isArray(data.entryPoints)
      ? data.entryPoints.filter(isObj).find((e) => e.entryPointType === "video")
      : undefined;
    const url = (isObj(json) && str(json.hangoutLink)) || (video ? str(video.uri) : null);
    if (url && /^https:\/\/\S+$/.test(url) && status !== "pending") {
      return { state: "ready", joinUrl: url.slice(0, 500) };
    }
    if (status === "failure") {
      return { state: "failed", detail: ownDetail("cal.detail_meet_failed") };
    }
    return { state: "pending" };
  }

  /** The id of the calendar's event with this iCalUID (deleted ones included), or null. */
  async function byUid(
    calendarId: string,
    uid: string,
  ): Promise<ProviderResult<{ id: string | null }>> {
    const params = new URLSearchParams({ iCalUID: uid, showDeleted: "true", maxResults: "10" });
    const got = await api.request("GET", `${cal(calendarId)}/events?${params}`);
    if (!got.ok) return got;
    const json = got.res.json;
    if (!isObj(json) || !Array.isArray(json.items)) {
      return providerFail("parse", ownDetail("cal.detail_events_form"));
    }
    const items = json.items.filter(isObj).filter((e) => str(e.iCalUID) === uid);
    // A live event before a cancelled one (a cancelled one is revived by the patch).
    const pick = items.find((e) => e.status !== "cancelled") ?? items[0];
    return { ok: true, id: pick ? str(pick.id) : null };
  }

  const eventResult = (json: unknown, fallbackId: string, ev?: MeetingEvent) => ({
    ok: true as const,
    remoteId: (isObj(json) && str(json.id)) || fallbackId,
    etag: isObj(json) ? str(json.etag) : null,
    ...(ev?.conference === "google_meet" ? { conference: conferenceOf(json) } : {}),
  });

  return {
    kind: "google",

    async listCalendars() {
      const calendars: RemoteCalendar[] = [];
      let pageToken: string | null = null;
      for (let page = 0; page < MAX_PAGES; page++) {
        // showHidden: a calendar the host hid from Google's list ("Hide from list") is still
        // theirs; left out, it would be dropped here and come back unchecked when shown again.
        const q = new URLSearchParams({
          maxResults: "250",
          showHidden: "true",
          ...(pageToken ? { pageToken } : {}),
        });
        const got = await api.request("GET", `${base}/users/me/calendarList?${q}`);
        if (!got.ok) return got;
        const json = got.res.json;
        if (!isObj(json) || !Array.isArray(json.items ?? [])) {
          return providerFail("parse", ownDetail("cal.detail_list_form"));
        }
        for (const it of (json.items ?? []) as unknown[]) {
          if (!isObj(it) || !str(it.id) || it.deleted === true) continue;
          const role = str(it.accessRole);
          if (role !== "owner" && role !== "writer" && role !== "reader") continue;
          calendars.push({
            url: str(it.id)!.slice(0, 1000),
            displayName: (str(it.summaryOverride) || str(it.summary) || str(it.id)!).slice(0, 200),
            color: calendarColor(it.backgroundColor),
            writable: role === "owner" || role === "writer",
            ctag: null,
            syncToken: null,
            primary: it.primary === true,
            // The primary calendar's id is the account's address.
            ownerAddress: it.primary === true ? str(it.id)!.slice(0, 320) : null,
            // Subscribed calendars (holidays, colleagues) are listed but not checked at first.
            checkByDefault: it.primary === true || role === "owner",
          });
        }
        pageToken = str(json.nextPageToken);
        if (!pageToken) return { ok: true, calendars };
      }
      return providerFail("parse", ownDetail("cal.detail_list_too_long"));
    },

    async readBusy(q) {
      const token = q.previous?.markers.syncToken;
      if (!token) return await fullRead(q);
      const listed = await listEvents(q.calendarUrl, { syncToken: token });
      if (!listed.ok) return listed;
      if ("gone" in listed) return await fullRead(q); // the token expired: read it all again
      if (listed.items.length === 0) {
        return {
          ok: true,
          read: {
            kind: "unchanged",
            markers: { ctag: null, syncToken: listed.syncToken, etagDigest: null },
          },
        };
      }
      const { out, skipped } = toBusy(listed.items, q);
      return {
        ok: true,
        read: {
          kind: "delta",
          changes: out,
          skipped,
          markers: { ctag: null, syncToken: listed.syncToken, etagDigest: null },
        },
      };
    },

    async putEvent(calendarId, ev, existing) {
      const events = `${cal(calendarId)}/events`;
      // Without conferenceDataVersion=1 Google ignores conferenceData (Events reference).
      const q = ev.conference === "google_meet"
        ? "?sendUpdates=none&conferenceDataVersion=1"
        : "?sendUpdates=none";
      const patch = async (id: string) =>
        await api.request("PATCH", `${events}/${encodeURIComponent(id)}${q}`, {
          body: body(ev),
          accept: [404],
        });
      if (existing) {
        const got = await patch(existing);
        if (!got.ok) return got;
        if (got.res.status !== 404) return eventResult(got.res.json, existing, ev);
        // Deleted for good at Google: write it again.
      }
      const inserted = await api.request("POST", `${events}${q}`, {
        body: { iCalUID: ev.uid, ...body(ev) },
        accept: [409],
      });
      if (!inserted.ok) return inserted;
      if (inserted.res.status !== 409) {
        const id = isObj(inserted.res.json) ? str(inserted.res.json.id) : null;
        if (!id) return providerFail("parse", ownDetail("cal.detail_created_without_id"));
        return eventResult(inserted.res.json, id, ev);
      }
      // The calendar has an event with this UID (a retry whose first answer was lost, or a
      // deleted event keeping its UID): update that one.
      const found = await byUid(calendarId, ev.uid);
      if (!found.ok) return found;
      if (!found.id) return providerFail("not_found", ownDetail("cal.detail_event_vanished"));
      const got = await patch(found.id);
      if (!got.ok) return got;
      if (got.res.status === 404) {
        return providerFail("not_found", ownDetail("cal.detail_event_vanished"));
      }
      return eventResult(got.res.json, found.id, ev);
    },

    async deleteEvent(calendarId, remoteId) {
      const got = await api.request(
        "DELETE",
        `${cal(calendarId)}/events/${encodeURIComponent(remoteId)}?sendUpdates=none`,
        { accept: [404, 410] },
      );
      if (!got.ok) return got;
      return { ok: true, existed: got.res.status !== 404 && got.res.status !== 410 };
    },

    async derivedEventId(calendarId, uid) {
      const found = await byUid(calendarId, uid);
      if (!found.ok) return found;
      // Written before events carried the meeting's UID: the id was derived from it.
      return { ok: true, id: found.id ?? googleEventId(uid) };
    },
  };
}
