/**
 * CalDAV: discovery (well-known → principal → calendar home → calendars), the change markers of
 * calendars (ctag, sync-token), time-range calendar-queries, and PUT/DELETE of one event.
 *
 * tsdav builds the XML and parses the multistatus replies; every request goes through
 * `safeFetch` (SSRF guard, 15 s, 10 MB, same-host redirects only). Nothing here throws on a
 * remote failure: results are `{ ok: true, … } | { ok: false, error: { kind, detail } }` with a
 * detail a host can read. Credentials never appear in a result, an error or a log line.
 */
import type { DAVResponse } from "tsdav";
import { safeFetch, SafeFetchError, type SafeFetchOptions } from "./safe-fetch.ts";
import { type DavTarget, ownDetail } from "./provider-details.ts";
import { calendarColor } from "./calendar-provider.ts";

/**
 * tsdav (with the XML libraries it brings, ~3 MB of a server's memory) loads with the first
 * calendar request: a server whose hosts connect no CalDAV calendar never holds it (issue 26).
 */
const loadTsdav = () => import("tsdav");
let tsdav: ReturnType<typeof loadTsdav> | null = null;
const dav = () => tsdav ??= loadTsdav();

export type CaldavErrorKind = "auth" | "network" | "parse" | "not_caldav" | "forbidden_address";
export type CaldavError = { kind: CaldavErrorKind; detail: string };
export type CaldavFailure = { ok: false; error: CaldavError };
export type CaldavResult<T> = ({ ok: true } & T) | CaldavFailure;

export type DavConnection = {
  fetch: typeof fetch;
  headers: Record<string, string>;
};

export type RemoteCalendar = {
  url: string;
  displayName: string;
  color: string | null;
  ctag: string | null;
  syncToken: string | null;
  writable: boolean;
};

export type RemoteObject = { href: string; etag: string | null; data: string | null };

/** A reply that cannot be trusted as a whole (cut off, not XML where XML was promised). */
class BrokenReply extends Error {}

/**
 * A connection for one account; the password lives only in the Authorization header here.
 * Multistatus replies must be complete documents: the XML parser tsdav uses is lenient and
 * would read a reply cut off mid-way as "fewer events", which must never happen.
 */
export function connect(
  creds: { username: string; password: string },
  opts: SafeFetchOptions,
): DavConnection {
  const bytes = new TextEncoder().encode(`${creds.username}:${creds.password}`);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  const guarded = safeFetch(opts);
  const checked: typeof fetch = async (input, init) => {
    const res = await guarded(input, init);
    const complete = /(<\/([\w.-]+:)?multistatus\s*>|<([\w.-]+:)?multistatus\b[^>]*\/>)\s*$/;
    if (res.status === 207 && !complete.test(await res.clone().text())) {
      throw new BrokenReply(ownDetail("cal.detail_cut_off"));
    }
    return res;
  };
  return { fetch: checked, headers: { authorization: `Basic ${btoa(bin)}` } };
}

const fail = (kind: CaldavErrorKind, detail: string): CaldavFailure => ({
  ok: false,
  error: { kind, detail },
});

/** A thrown error (from the guard, the network or the XML layer) as a result. */
export function failureFrom(err: unknown): CaldavFailure {
  if (err instanceof SafeFetchError) {
    if (err.kind === "too_large") return fail("parse", err.message);
    return fail(err.kind, err.message);
  }
  if (err instanceof BrokenReply) return fail("parse", err.message);
  // tsdav or the XML parser choked on the reply.
  return fail("parse", ownDetail("cal.detail_unreadable"));
}

function statusFailure(status: number, what: DavTarget): CaldavFailure {
  if (status === 401) return fail("auth", ownDetail("cal.detail_credentials"));
  if (status === 403) return fail("auth", ownDetail("cal.detail_refused", { what }));
  if (status === 404 || status === 405 || status === 501) {
    return fail("not_caldav", ownDetail("cal.detail_not_found", { what, status }));
  }
  // A server that asks to slow down or timed out is a CalDAV server all the same: said as it is.
  if (status === 429) {
    return fail("network", ownDetail("cal.detail_rate_limited"));
  }
  if (status === 408) return fail("network", ownDetail("cal.detail_timed_out"));
  if (status >= 500) {
    return fail("network", ownDetail("cal.detail_server_error", { status: status }));
  }
  return fail("not_caldav", ownDetail("cal.detail_answered", { what, status }));
}

/** Text of a property as tsdav/xml-js hands it over (string, number, CDATA or text node). */
function text(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o._cdata === "string") return o._cdata;
    if (typeof o._text === "string" || typeof o._text === "number") return String(o._text);
  }
  return null;
}

function hrefOf(v: unknown): string | null {
  if (Array.isArray(v)) {
    for (const x of v) {
      const h = hrefOf(x);
      if (h) return h;
    }
    return null;
  }
  if (v && typeof v === "object" && "href" in (v as object)) {
    return hrefOf((v as { href: unknown }).href);
  }
  const t = text(v);
  return t && t.trim() ? t.trim() : null;
}

/**
 * Checks a multistatus reply: the responses when it is one, otherwise why not. An empty
 * multistatus is fine (a calendar with no events in range).
 */
function multistatus(
  res: DAVResponse[],
  what: DavTarget,
): CaldavResult<{ responses: DAVResponse[] }> {
  const first = res[0];
  if (!first) return fail("parse", ownDetail("cal.detail_empty_reply", { what }));
  if (res.length === 1 && !first.props) {
    if (!first.ok) return statusFailure(first.status, what);
    if (first.raw && typeof first.raw === "object" && "multistatus" in first.raw) {
      return { ok: true, responses: [] };
    }
    if (typeof first.raw === "string" && /^\s*(<\?xml|<([\w-]+:)?multistatus)/i.test(first.raw)) {
      return fail("parse", ownDetail("cal.detail_reply_not_xml", { what }));
    }
    return fail("not_caldav", ownDetail("cal.detail_not_like_caldav", { what }));
  }
  return { ok: true, responses: res };
}

async function propfindSafe(
  conn: DavConnection,
  url: string,
  props: Record<string, object>,
  depth: "0" | "1",
  what: DavTarget,
): Promise<CaldavResult<{ responses: DAVResponse[]; url: string }>> {
  // The address that answered, after any redirect: the reply's links are relative to it (a
  // redirect to another port of the same host is followed, and `/alice/` means that port's).
  let answered = url;
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const res = await conn.fetch(input, init);
    if (res.url) answered = res.url;
    return res;
  };
  try {
    const { propfind } = await dav();
    const res = await propfind({ url, props, depth, headers: conn.headers, fetch });
    const read = multistatus(res, what);
    return read.ok ? { ...read, url: answered } : read;
  } catch (err) {
    return failureFrom(err);
  }
}

const sameUrl = (a: string, b: string) => a.replace(/\/+$/, "") === b.replace(/\/+$/, "");

/**
 * Whether the account's password may go to `url`: the same host, or a sibling under the same
 * parent domain (iCloud's caldav.icloud.com hands out p45-caldav.icloud.com). A server listing
 * calendars on unrelated hosts would otherwise make us send the password there.
 */
export function sameSite(url: string, base: string): boolean {
  const a = new URL(url).hostname.toLowerCase();
  const b = new URL(base).hostname.toLowerCase();
  if (a === b) return true;
  const parent = (h: string) => h.split(".").slice(-2).join(".");
  const isName = (h: string) => /[a-z]/.test(h.split(".").pop() ?? "") && h.split(".").length >= 3;
  return isName(a) && isName(b) && parent(a) === parent(b);
}

/**
 * Finds the principal and calendar home of an account, then its calendars. Tries the address as
 * given (when it has a path), `/.well-known/caldav`, then the server root.
 */
export async function discoverAccount(
  conn: DavConnection,
  serverUrl: string,
): Promise<CaldavResult<{ principalUrl: string; homeUrl: string; calendars: RemoteCalendar[] }>> {
  let base: URL;
  try {
    base = new URL(serverUrl);
  } catch {
    return fail("not_caldav", ownDetail("cal.detail_not_url"));
  }
  const candidates = [
    ...(base.pathname !== "/" ? [base.href] : []),
    new URL("/.well-known/caldav", base).href,
    new URL("/", base).href,
  ];
  let principalUrl: string | null = null;
  let last: CaldavFailure = fail("not_caldav", ownDetail("cal.detail_no_service"));
  for (const candidate of candidates) {
    const res = await propfindSafe(
      conn,
      candidate,
      { "d:current-user-principal": {} },
      "0",
      "service",
    );
    if (!res.ok) {
      // Wrong credentials, a refused address or a server that does not answer end the search;
      // a 404, an HTML page or a redirect elsewhere means "try the next place".
      if (res.error.kind === "auth" || res.error.kind === "forbidden_address") return res;
      if (res.error.kind === "network" && !/redirected/.test(res.error.detail)) return res;
      last = res;
      continue;
    }
    const href = res.responses.map((r) => hrefOf(r.props?.currentUserPrincipal)).find(Boolean);
    if (href) {
      principalUrl = new URL(href, res.url).href;
      if (!sameSite(principalUrl, serverUrl)) {
        return fail("not_caldav", ownDetail("cal.detail_principal_elsewhere"));
      }
      break;
    }
  }
  if (!principalUrl) {
    return last.error.kind === "not_caldav" || last.error.kind === "parse"
      ? fail("not_caldav", ownDetail("cal.detail_not_caldav"))
      : last;
  }
  const home = await propfindSafe(
    conn,
    principalUrl,
    { "c:calendar-home-set": {} },
    "0",
    "account",
  );
  if (!home.ok) return home;
  const homeHref = home.responses.map((r) => hrefOf(r.props?.calendarHomeSet)).find(Boolean);
  if (!homeHref) {
    return fail("not_caldav", ownDetail("cal.detail_no_home"));
  }
  const homeUrl = new URL(homeHref, home.url).href;
  if (!sameSite(homeUrl, serverUrl)) {
    return fail("not_caldav", ownDetail("cal.detail_home_elsewhere"));
  }
  const list = await listCalendars(conn, homeUrl);
  if (!list.ok) return list;
  return { ok: true, principalUrl, homeUrl, calendars: list.calendars };
}

function componentNames(set: unknown): string[] {
  const comps = (set as { comp?: unknown } | undefined)?.comp;
  const arr = Array.isArray(comps) ? comps : comps ? [comps] : [];
  return arr.map((c) => (c as { _attributes?: { name?: string } })?._attributes?.name).filter((
    n,
  ): n is string => typeof n === "string");
}

function canWrite(privileges: unknown): boolean {
  if (!privileges) return true; // not reported: assume so, the PUT will tell
  const list = (privileges as { privilege?: unknown }).privilege;
  const arr = Array.isArray(list) ? list : list ? [list] : [];
  return arr.some((p) =>
    p && typeof p === "object" && ["write", "writeContent", "all", "bind"].some((k) => k in p)
  );
}

/** The event calendars in a calendar home, with their change markers. */
export async function listCalendars(
  conn: DavConnection,
  homeUrl: string,
): Promise<CaldavResult<{ calendars: RemoteCalendar[] }>> {
  const res = await propfindSafe(
    conn,
    homeUrl,
    {
      "d:displayname": {},
      "d:resourcetype": {},
      "cs:getctag": {},
      "d:sync-token": {},
      "ca:calendar-color": {},
      "c:supported-calendar-component-set": {},
      "d:current-user-privilege-set": {},
    },
    "1",
    "list",
  );
  if (!res.ok) return res;
  const calendars: RemoteCalendar[] = [];
  for (const r of res.responses) {
    const p = r.props ?? {};
    const types = Object.keys(p.resourcetype ?? {});
    if (!types.includes("calendar") || !r.href) continue;
    const comps = componentNames(p.supportedCalendarComponentSet);
    if (comps.length > 0 && !comps.includes("VEVENT")) continue;
    const url = new URL(r.href, res.url).href;
    if (!sameSite(url, homeUrl)) continue;
    if (sameUrl(url, res.url)) continue;
    const name = text(p.displayname)?.trim();
    // Without a name or a path to name it by, its server's: no word any host would read in English.
    const last = new URL(url).pathname.split("/").filter(Boolean).pop() ?? new URL(url).host;
    let fallback = last;
    try {
      fallback = decodeURIComponent(last);
    } catch {
      // a malformed escape: show it as it is
    }
    // Everything here comes from the server: bounded before it is stored.
    calendars.push({
      url: url.endsWith("/") ? url : url + "/",
      displayName: (name || fallback).slice(0, 200),
      color: calendarColor(text(p.calendarColor)),
      ctag: text(p.getctag)?.slice(0, 1000) ?? null,
      syncToken: text(p.syncToken)?.slice(0, 1000) ?? null,
      writable: canWrite(p.currentUserPrivilegeSet),
    });
  }
  return { ok: true, calendars };
}

const icalUtc = (ms: number) =>
  new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");

/**
 * The calendar objects with a VEVENT in [fromMs, toMs) (the server applies recurrence rules);
 * with `withData: false` only hrefs and etags, to see whether anything changed.
 */
export async function queryEvents(
  conn: DavConnection,
  calendarUrl: string,
  range: { fromMs: number; toMs: number },
  opts: { withData: boolean } = { withData: true },
): Promise<CaldavResult<{ objects: RemoteObject[] }>> {
  let res: DAVResponse[];
  try {
    // davRequest rather than tsdav's calendarQuery: that one throws away the status of a failed
    // REPORT, and we need it to tell a wrong password from a server error.
    const { davRequest, DAVNamespace, getDAVAttribute } = await dav();
    res = await davRequest({
      url: calendarUrl,
      init: {
        method: "REPORT",
        headers: { ...conn.headers, depth: "1" },
        namespace: "c",
        body: {
          "calendar-query": {
            _attributes: getDAVAttribute([DAVNamespace.CALDAV, DAVNamespace.DAV]),
            "d:prop": opts.withData
              ? { "d:getetag": {}, "c:calendar-data": {} }
              : { "d:getetag": {} },
            filter: {
              "comp-filter": {
                _attributes: { name: "VCALENDAR" },
                "comp-filter": {
                  _attributes: { name: "VEVENT" },
                  "time-range": {
                    _attributes: { start: icalUtc(range.fromMs), end: icalUtc(range.toMs) },
                  },
                },
              },
            },
          },
        },
      },
      fetch: conn.fetch,
    });
  } catch (err) {
    return failureFrom(err);
  }
  const ms = multistatus(res, "calendar");
  if (!ms.ok) return ms;
  const objects: RemoteObject[] = [];
  for (const r of ms.responses) {
    if (r.status === 404 || r.status === 410) continue; // gone since it was listed
    if (!r.ok) return fail("parse", ownDetail("cal.detail_events_missing", { status: r.status }));
    if (!r.href) continue;
    const href = new URL(r.href, calendarUrl).href;
    if (sameUrl(href, calendarUrl)) continue;
    const data = opts.withData ? text(r.props?.calendarData) : null;
    // An event listed without its data would silently free its time: the whole read fails instead.
    if (opts.withData && !data) return fail("parse", ownDetail("cal.detail_event_without_data"));
    objects.push({ href, etag: text(r.props?.getetag), data });
  }
  return { ok: true, objects };
}

/** Creates or replaces the event at `url` (a stable address makes retries idempotent). */
export async function putEvent(
  conn: DavConnection,
  url: string,
  ics: string,
): Promise<CaldavResult<{ etag: string | null }>> {
  try {
    const res = await conn.fetch(url, {
      method: "PUT",
      headers: { ...conn.headers, "content-type": "text/calendar; charset=utf-8" },
      body: ics,
    });
    if (res.ok) return { ok: true, etag: res.headers.get("etag") };
    if (res.status === 409 || res.status === 404) {
      return fail("not_caldav", ownDetail("cal.detail_calendar_gone", { status: res.status }));
    }
    if (res.status === 412 || res.status === 415 || res.status === 400) {
      return fail("parse", ownDetail("cal.detail_event_refused", { status: res.status }));
    }
    return statusFailure(res.status, "calendar");
  } catch (err) {
    return failureFrom(err);
  }
}

/** Deletes the event at `url`; one that is already gone counts as deleted. */
export async function deleteEvent(
  conn: DavConnection,
  url: string,
): Promise<CaldavResult<{ existed: boolean }>> {
  try {
    const res = await conn.fetch(url, { method: "DELETE", headers: conn.headers });
    if (res.ok) return { ok: true, existed: true };
    if (res.status === 404 || res.status === 410) return { ok: true, existed: false };
    return statusFailure(res.status, "event");
  } catch (err) {
    return failureFrom(err);
  }
}
