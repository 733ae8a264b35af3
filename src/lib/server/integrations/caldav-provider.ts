/**
 * CalDAV as a `CalendarProvider`: calendars from the home's PROPFIND (with ctag and
 * sync-token), busy time from a time-range calendar-query expanded by ical.js (a calendar whose
 * ctag, sync-token or etag set is unchanged is not read again), events PUT at a stable address
 * derived from the meeting's UID. See docs/decisions/005-caldav-busy-cache.md.
 */
import ICAL from "ical.js";
import type { Interval } from "../domain/interval.ts";
import { type DavConnection, deleteEvent, listCalendars, putEvent, queryEvents } from "./caldav.ts";
import type { RemoteObject } from "./caldav.ts";
import { busyFromIcs } from "./ical-busy.ts";
import { buildIcs } from "./ics.ts";
import type {
  BusyQuery,
  BusyRead,
  CalendarProvider,
  MeetingEvent,
  ProviderResult,
  SkippedEvent,
} from "./calendar-provider.ts";
import { sha256Hex } from "./crypto.ts";
import { ownDetail } from "./provider-details.ts";

/** Expansion time for one calendar; past it the read counts as failed and the old cache stays. */
export const CALENDAR_PARSE_BUDGET_MS = 5_000;

async function etagDigest(objects: RemoteObject[]): Promise<string> {
  const lines = objects.map((o) => `${o.href}\n${o.etag ?? ""}`).sort();
  return (await sha256Hex(lines.join("\n"))).slice(0, 20);
}

/** The VEVENT for the host's calendar: UTC times, host as organizer, guest as attendee. */
export function meetingIcs(ev: MeetingEvent): string {
  const ics = buildIcs({
    uid: ev.uid,
    sequence: ev.sequence,
    startMs: ev.startMs,
    endMs: ev.endMs,
    stampMs: ev.stampMs,
    summary: ev.summary,
    description: ev.description,
    location: ev.location,
    status: ev.status ?? "CONFIRMED",
    organizer: ev.organizer,
    attendee: ev.attendee,
    others: ev.others,
    guests: ev.guests,
    guestNames: ev.guestNames,
  });
  // Invito mails the guest itself; SCHEDULE-AGENT=CLIENT keeps a scheduling server
  // (Nextcloud, iCloud) from sending a second invitation (RFC 6638).
  const cal = new ICAL.Component(ICAL.parse(ics));
  const vevent = cal.getFirstSubcomponent("vevent")!;
  for (const p of [...vevent.getAllProperties("attendee"), vevent.getFirstProperty("organizer")]) {
    p?.setParameter("schedule-agent", "CLIENT");
  }
  return cal.toString() + "\r\n";
}

/**
 * The event's address for a UID: `{calendar}{bookingId}.ics` for Invito's own
 * `${bookingId}@host` UIDs (as every earlier version wrote them), a digest of the UID otherwise.
 */
export async function caldavEventHref(calendarUrl: string, uid: string): Promise<string> {
  const base = calendarUrl.endsWith("/") ? calendarUrl : calendarUrl + "/";
  const local = uid.slice(0, uid.lastIndexOf("@"));
  const name = /^[0-9A-HJKMNP-TV-Z]{26}$/i.test(local)
    ? local
    : (await sha256Hex(uid)).slice(0, 32);
  return `${base}${encodeURIComponent(name)}.ics`;
}

export function caldavProvider(conn: DavConnection, homeUrl: string): CalendarProvider {
  return {
    kind: "caldav",
    async listCalendars() {
      return await listCalendars(conn, homeUrl);
    },

    async readBusy(q: BusyQuery): Promise<ProviderResult<{ read: BusyRead }>> {
      const prev = q.previous;
      const remote = q.remote;
      if (prev && remote) {
        const m = prev.markers;
        const unchanged = { ok: true as const, read: { kind: "unchanged" as const, markers: m } };
        if (remote.ctag !== null && remote.ctag === m.ctag) return unchanged;
        if (remote.syncToken !== null && remote.syncToken === m.syncToken) return unchanged;
        if (remote.ctag === null && remote.syncToken === null && m.etagDigest !== null) {
          const etags = await queryEvents(conn, q.calendarUrl, {
            fromMs: prev.fromMs,
            toMs: prev.toMs,
          }, { withData: false });
          if (!etags.ok) return etags;
          if (await etagDigest(etags.objects) === m.etagDigest) return unchanged;
        }
      }
      const read = await queryEvents(conn, q.calendarUrl, { fromMs: q.fromMs, toMs: q.toMs });
      if (!read.ok) return read;
      const deadline = performance.now() + CALENDAR_PARSE_BUDGET_MS;
      const windows: Interval[] = [];
      const skipped: SkippedEvent[] = [];
      for (const obj of read.objects) {
        if (obj.data === null) {
          skipped.push({
            uid: null,
            reason: `the server sent no data for ${new URL(obj.href).pathname}`,
          });
          continue;
        }
        const parsed = busyFromIcs(obj.data, {
          fromMs: q.fromMs,
          toMs: q.toMs,
          hostTimeZone: q.hostTimeZone,
          isOwnUid: q.isOwnUid,
          deadline,
        });
        if (!parsed.complete) {
          return {
            ok: false,
            error: { kind: "parse", detail: ownDetail("cal.detail_too_many_to_expand") },
          };
        }
        for (const w of parsed.windows) windows.push(w);
        for (const s of parsed.skipped) skipped.push(s);
      }
      return {
        ok: true,
        read: {
          kind: "full",
          windows,
          events: null,
          count: read.objects.length,
          skipped,
          markers: {
            ctag: remote?.ctag ?? null,
            syncToken: remote?.syncToken ?? null,
            etagDigest: await etagDigest(read.objects),
          },
        },
      };
    },

    async putEvent(calendarUrl, ev, existing) {
      const href = existing ?? await caldavEventHref(calendarUrl, ev.uid);
      const res = await putEvent(conn, href, meetingIcs(ev));
      return res.ok ? { ok: true, remoteId: href, etag: res.etag } : res;
    },

    async deleteEvent(_calendarUrl, remoteId) {
      return await deleteEvent(conn, remoteId);
    },

    async derivedEventId(calendarUrl, uid) {
      return { ok: true, id: await caldavEventHref(calendarUrl, uid) };
    },
  };
}
