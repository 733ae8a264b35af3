/**
 * Microsoft Graph (Microsoft 365, Outlook.com) as a `CalendarProvider`
 * (docs/decisions/027-google-microsoft-calendars.md).
 *
 * - Calendars: `GET /me/calendars` (paged by `@odata.nextLink`).
 * - Busy time: `GET /me/calendars/{id}/calendarView/delta?startDateTime&endDateTime` — single
 *   events, occurrences and exceptions of series — following `@odata.nextLink` to the
 *   `@odata.deltaLink`, which the next sync calls for the changes (`@removed` = gone). Links are
 *   followed only within the Graph API; `410 Gone` (or an unknown sync state) reads in full again.
 *   Times arrive as wall time plus a zone name that may be a Windows one ("W. Europe Standard
 *   Time"), mapped through CLDR.
 * - Series: a delta answer lists an occurrence with only `id`, `seriesMasterId`, `type`, `start`
 *   and `end`; `showAs`, `isAllDay` and the rest are on the series master, which comes in the
 *   same round or came in an earlier one. The master's properties are kept with the per-event
 *   state (`attrs`) and fill in whatever an occurrence lacks; an occurrence whose master is
 *   unknown blocks its time (fail closed).
 * - Writeback: created with `transactionId` = the meeting's UID (Graph drops a repeated POST
 *   with the same one), updated in place with PATCH, deleted with DELETE.
 */
import type { Interval } from "../domain/interval.ts";
import {
  type BusyQuery,
  type BusyRead,
  calendarColor,
  type CalendarProvider,
  type ConferenceReadBack,
  type EventChange,
  fullReadOf,
  type MeetingEvent,
  providerFail,
  type ProviderResult,
  type RemoteCalendar,
  type SkippedEvent,
} from "./calendar-provider.ts";
import { type ApiClient, isObj, type Obj, str } from "./provider-http.ts";
import { ownDetail } from "./provider-details.ts";
import { allDayWindow, clip, wallTimeMs } from "./event-times.ts";
import { MAX_EVENTS_PER_CALENDAR, MAX_PAGES } from "./google-calendar.ts";

/** Why an event does not block, or null when it does. */
function freeReason(ev: Obj): string | null {
  if (ev.isCancelled === true) return "cancelled";
  if (ev.showAs === "free" || ev.showAs === "workingElsewhere") return "free";
  const response = isObj(ev.responseStatus) ? ev.responseStatus.response : null;
  if (response === "declined") return "declined";
  return null;
}

function eventWindow(ev: Obj, zone: string): Interval | string {
  const start = ev.start;
  const end = ev.end;
  if (!isObj(start) || !isObj(end)) return "it has no start or end";
  const s = str(start.dateTime);
  const e = str(end.dateTime);
  if (!s || !e) return "it has no start or end time";
  if (ev.isAllDay === true) {
    // All-day events are dates, whatever zone Graph writes them in: the host's dates block.
    const w = allDayWindow(s.slice(0, 10), e.slice(0, 10), zone);
    return w ?? "its date is not valid";
  }
  const startMs = wallTimeMs(s, str(start.timeZone));
  const endMs = wallTimeMs(e, str(end.timeZone) ?? str(start.timeZone));
  if (startMs === null || endMs === null) {
    return `its time zone "${String(start.timeZone ?? "").slice(0, 60)}" is not known`;
  }
  if (endMs < startMs) return "it ends before it starts";
  return { startMs, endMs };
}

/** The properties of a series master that its occurrences inherit (and that decide busy time). */
const INHERITED = ["showAs", "isAllDay", "isCancelled", "responseStatus", "transactionId"] as const;

/** A master's inherited properties as stored text (bounded: a few short values). */
export function masterAttrs(master: Obj): string {
  const keep: Obj = {};
  for (const k of INHERITED) {
    const v = master[k];
    if (k === "responseStatus") {
      const r = isObj(v) ? str(v.response) : null;
      if (r) keep[k] = { response: r.slice(0, 40) };
    } else if (typeof v === "boolean") keep[k] = v;
    else if (typeof v === "string") keep[k] = v.slice(0, 200);
  }
  return JSON.stringify(keep);
}

function parseAttrs(text: string | undefined): Obj | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text);
    return isObj(v) ? v : null;
  } catch {
    return null;
  }
}

/** An occurrence with what it lacks taken from its master (its own values win). */
export function joinMaster(ev: Obj, master: Obj | null): Obj {
  if (!master) return ev;
  const out: Obj = { ...ev };
  for (const k of INHERITED) {
    if ((out[k] === undefined || out[k] === null) && master[k] !== undefined) out[k] = master[k];
  }
  return out;
}

export function microsoftProvider(api: ApiClient, apiUrl: string): CalendarProvider {
  const base = apiUrl.replace(/\/+$/, "");
  const cal = (id: string) => `${base}/me/calendars/${encodeURIComponent(id)}`;

  /** One delta round: every page up to the deltaLink; `gone` when the state expired. */
  async function deltaRound(
    firstUrl: string,
  ): Promise<ProviderResult<{ items: Obj[]; deltaLink: string } | { gone: true }>> {
    const items: Obj[] = [];
    let url = firstUrl;
    for (let page = 0;; page++) {
      if (page >= MAX_PAGES) {
        return providerFail("parse", ownDetail("cal.detail_too_many_pages", { count: MAX_PAGES }));
      }
      const got = await api.request("GET", url, {
        headers: { prefer: "odata.maxpagesize=500" },
        accept: [410, 400],
      });
      if (!got.ok) return got;
      const json = got.res.json;
      if (got.res.status === 410) return { ok: true, gone: true };
      if (got.res.status === 400) {
        const code = isObj(json) && isObj(json.error) ? str(json.error.code) : null;
        if (code && /syncstate/i.test(code)) return { ok: true, gone: true };
        return providerFail(
          "parse",
          ownDetail("cal.detail_request_refused", { name: "Microsoft 365", status: 400 }),
        );
      }
      if (!isObj(json) || !Array.isArray(json.value)) {
        return providerFail("parse", ownDetail("cal.detail_events_form"));
      }
      for (const it of json.value) if (isObj(it)) items.push(it);
      if (items.length > MAX_EVENTS_PER_CALENDAR) {
        return providerFail(
          "parse",
          ownDetail("cal.detail_too_many_events", { count: MAX_EVENTS_PER_CALENDAR }),
        );
      }
      const next = str(json["@odata.nextLink"]);
      const delta = str(json["@odata.deltaLink"]);
      const link = next ?? delta;
      if (link && !api.isApiUrl(link)) {
        return providerFail(
          "parse",
          ownDetail("cal.detail_outside_api_plain", { name: "Microsoft 365" }),
        );
      }
      if (next) {
        url = next;
        continue;
      }
      if (!delta) return providerFail("parse", ownDetail("cal.detail_no_delta_link"));
      if (delta.length > 4000) {
        return providerFail("parse", ownDetail("cal.detail_delta_link_long"));
      }
      return { ok: true, items, deltaLink: delta };
    }
  }

  async function toBusy(items: Obj[], q: BusyQuery) {
    const out: EventChange[] = [];
    const skipped: SkippedEvent[] = [];
    // Masters of this round first (Graph may list them after their occurrences), then those
    // kept from earlier rounds, read only when an occurrence needs one.
    const masters = new Map<string, Obj>();
    for (const ev of items) {
      const id = str(ev.id);
      if (id && ev.type === "seriesMaster" && !isObj(ev["@removed"])) {
        masters.set(id.slice(0, 1024), JSON.parse(masterAttrs(ev)));
      }
    }
    let stored: Map<string, string> | null | undefined;
    const masterOf = async (seriesId: string | null): Promise<Obj | null> => {
      if (!seriesId) return null;
      const here = masters.get(seriesId);
      if (here) return here;
      if (stored === undefined) stored = (await q.storedAttrs?.()) ?? null;
      return parseAttrs(stored?.get(seriesId));
    };
    for (const ev of items) {
      const id = str(ev.id)?.slice(0, 1024);
      if (!id) {
        skipped.push({ uid: null, reason: "an event without an id" });
        continue;
      }
      const seriesId = str(ev.seriesMasterId)?.slice(0, 1024) ?? null;
      if (isObj(ev["@removed"])) {
        out.push({ id, seriesId, windows: null });
        continue;
      }
      // A series master blocks nothing itself (the view lists its occurrences one by one); what
      // its occurrences inherit is kept for this and later rounds.
      if (ev.type === "seriesMaster") {
        out.push({ id, seriesId: null, windows: [], attrs: masterAttrs(ev) });
        continue;
      }
      const joined = joinMaster(ev, await masterOf(seriesId));
      const tx = str(joined.transactionId);
      if ((tx && q.isOwnUid(tx)) || freeReason(joined)) {
        out.push({ id, seriesId, windows: [] });
        continue;
      }
      const w = eventWindow(joined, q.hostTimeZone);
      if (typeof w === "string") {
        skipped.push({ uid: str(ev.iCalUId)?.slice(0, 200) ?? null, reason: w });
        out.push({ id, seriesId, windows: [] });
        continue;
      }
      const c = clip(w, q.fromMs, q.toMs);
      out.push({ id, seriesId, windows: c ? [c] : [] });
    }
    return { out, skipped };
  }

  async function fullRead(q: BusyQuery): Promise<ProviderResult<{ read: BusyRead }>> {
    const params = new URLSearchParams({
      startDateTime: new Date(q.fromMs).toISOString(),
      endDateTime: new Date(q.toMs).toISOString(),
    });
    const round = await deltaRound(`${cal(q.calendarUrl)}/calendarView/delta?${params}`);
    if (!round.ok) return round;
    if ("gone" in round) return providerFail("parse", ownDetail("cal.detail_gone_on_full_read"));
    const { out, skipped } = await toBusy(round.items, { ...q, storedAttrs: undefined });
    return { ok: true, read: fullReadOf(out, skipped, round.deltaLink) };
  }

  function body(ev: MeetingEvent) {
    const wall = (ms: number) => new Date(ms).toISOString().slice(0, 19);
    return {
      subject: ev.summary,
      body: { contentType: "text", content: ev.description },
      start: { dateTime: wall(ev.startMs), timeZone: "UTC" },
      end: { dateTime: wall(ev.endMs), timeZone: "UTC" },
      ...(ev.location ? { location: { displayName: ev.location } } : {}),
      showAs: ev.status === "TENTATIVE" ? "tentative" : "busy",
      // No attendees: Graph would send the guest an invitation of its own.
      responseRequested: false,
      // A Teams meeting made with the event; Graph keeps it across PATCHes of the same event.
      ...(ev.conference === "teams"
        ? { isOnlineMeeting: true, onlineMeetingProvider: "teamsForBusiness" }
        : {}),
    };
  }

  const eventResult = (json: unknown, fallbackId: string | null, ev?: MeetingEvent) => {
    const id = (isObj(json) && str(json.id)) || fallbackId;
    if (!id) return providerFail("parse", ownDetail("cal.detail_created_without_id"));
    // Graph: `onlineMeeting.joinUrl` (null until the meeting exists; then read again).
    const join = isObj(json) && isObj(json.onlineMeeting) ? str(json.onlineMeeting.joinUrl) : null;
    const conference: ConferenceReadBack = join && /^https:\/\/\S+$/.test(join)
      ? { state: "ready", joinUrl: join.slice(0, 1000) }
      : { state: "pending" };
    return {
      ok: true as const,
      remoteId: id,
      etag: isObj(json) ? str(json["@odata.etag"]) ?? str(json.changeKey) : null,
      ...(ev?.conference === "teams" ? { conference } : {}),
    };
  };

  return {
    kind: "microsoft",

    async listCalendars() {
      const calendars: RemoteCalendar[] = [];
      let url = `${base}/me/calendars?$top=100`;
      for (let page = 0; page < MAX_PAGES; page++) {
        const got = await api.request("GET", url);
        if (!got.ok) return got;
        const json = got.res.json;
        if (!isObj(json) || !Array.isArray(json.value)) {
          return providerFail("parse", ownDetail("cal.detail_list_form"));
        }
        for (const it of json.value) {
          if (!isObj(it) || !str(it.id)) continue;
          const primary = it.isDefaultCalendar === true;
          calendars.push({
            url: str(it.id)!.slice(0, 1000),
            // Nameless: its owner's address, as Google's falls back to its id (an address), never
            // a word every host would read in English.
            displayName: (str(it.name) || (isObj(it.owner) ? str(it.owner.address) : null) ||
              str(it.id)!).slice(0, 200),
            color: calendarColor(it.hexColor),
            writable: it.canEdit === true,
            ctag: null,
            syncToken: null,
            primary,
            ownerAddress: primary && isObj(it.owner) ? str(it.owner.address)?.slice(0, 320) : null,
            // Birthdays, holidays and shared calendars are listed but not checked at first.
            checkByDefault: primary || (it.canEdit === true && it.isRemovable === true),
          });
        }
        const next = str(json["@odata.nextLink"]);
        if (!next) return { ok: true, calendars };
        if (!api.isApiUrl(next)) {
          return providerFail(
            "parse",
            ownDetail("cal.detail_outside_api_plain", { name: "Microsoft 365" }),
          );
        }
        url = next;
      }
      return providerFail("parse", ownDetail("cal.detail_list_too_long"));
    },

    async readBusy(q) {
      const link = q.previous?.markers.syncToken;
      if (!link) return await fullRead(q);
      const round = await deltaRound(link);
      if (!round.ok) return round;
      if ("gone" in round) return await fullRead(q);
      const markers = { ctag: null, syncToken: round.deltaLink, etagDigest: null };
      if (round.items.length === 0) return { ok: true, read: { kind: "unchanged", markers } };
      const { out, skipped } = await toBusy(round.items, q);
      return { ok: true, read: { kind: "delta", changes: out, skipped, markers } };
    },

    async putEvent(calendarId, ev, existing) {
      if (existing) {
        const got = await api.request(
          "PATCH",
          `${cal(calendarId)}/events/${encodeURIComponent(existing)}`,
          {
            body: body(ev),
            accept: [404],
          },
        );
        if (!got.ok) return got;
        if (got.res.status !== 404) return eventResult(got.res.json, existing, ev);
      }
      const created = await api.request("POST", `${cal(calendarId)}/events`, {
        body: { ...body(ev), transactionId: ev.uid },
      });
      if (!created.ok) return created;
      return eventResult(created.res.json, null, ev);
    },

    async deleteEvent(calendarId, remoteId) {
      const got = await api.request(
        "DELETE",
        `${cal(calendarId)}/events/${encodeURIComponent(remoteId)}`,
        { accept: [404, 410] },
      );
      if (!got.ok) return got;
      return { ok: true, existed: got.res.status !== 404 && got.res.status !== 410 };
    },

    derivedEventId() {
      // Graph chooses event ids itself; without a recorded write there is nothing to address.
      return Promise.resolve({ ok: true as const, id: null });
    },
  };
}
