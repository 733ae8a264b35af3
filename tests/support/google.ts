/**
 * A local Google Calendar for tests (no internet here), following the published reference of
 * Calendar API v3 and Google's OAuth 2.0 endpoints:
 *
 * - OAuth: `GET/POST /o/oauth2/v2/auth` (consent page), `POST /token` (tests/support/fake-oauth.ts;
 *   Google does not rotate refresh tokens).
 * - `GET /calendar/v3/users/me/calendarList` → `calendar#calendarList`; calendars the user hid
 *   from the list (`hidden: true`) only with `showHidden=true` (CalendarList: list reference).
 * - `GET /calendar/v3/calendars/{id}/events` with `singleEvents`, `timeMin`/`timeMax` (full) or
 *   `syncToken` (changes since, deleted events as `status: "cancelled"`), `maxResults` and
 *   `pageToken`; `nextSyncToken` only on the last page; an expired sync token → `410` with
 *   reason `fullSyncRequired`; `syncToken` with `timeMin` → `400`.
 * - `POST …/events` (insert; a client-chosen `id` must be base32hex, a taken one → `409
 *   duplicate`; a client-chosen `iCalUID` (RFC 5545 UID) is kept as the event's, and one that an
 *   event of the calendar already has — deleted ones included — → `409 duplicate`; without one
 *   Google makes `{id}@google.com`), `PATCH …/events/{id}`, `DELETE …/events/{id}` (`204`; again
 *   → `410 deleted`).
 * - `GET …/events?iCalUID=…`: the events with that iCalendar UID (cancelled ones only with
 *   `showDeleted=true`).
 * - Google Meet with an event (Events reference, "Create Meet conferences"): `conferenceData`
 *   is read only with `conferenceDataVersion=1`; a `createRequest` with a new `requestId` makes a
 *   Meet (a repeated `requestId` is ignored); its `status.statusCode` is `pending` for the first
 *   `meetPendingAnswers` answers, then `success` with `hangoutLink` and a video entry point;
 *   `meetFails` answers `failure`. `liveMeets(calendarId)` lists the Meets of live events.
 * - Bearer tokens checked on every call (`401 authError`).
 *
 * Events are stored as the API returns them with `singleEvents=true` (series as instances), so
 * fixtures are real `events.list` payloads.
 */
import { serveLocal } from "./local-server.ts";
import { FakeOAuth } from "./fake-oauth.ts";

export type GoogleEvent = Record<string, unknown> & { id: string; status?: string };
type Stored = { ev: GoogleEvent; seq: number };

export type GoogleCalendarEntry = {
  id: string;
  summary: string;
  accessRole: "owner" | "writer" | "reader" | "freeBusyReader";
  primary?: boolean;
  backgroundColor?: string;
  /** "Hide from list" in Google Calendar: left out of calendarList unless `showHidden=true` */
  hidden?: boolean;
};

export const GOOGLE_CLIENT = { id: "invito-test.apps.googleusercontent.com", secret: "g-secret" };

const gError = (code: number, reason: string, message: string) => ({
  error: { errors: [{ domain: "global", reason, message }], code, message },
});

export class FakeGoogle {
  readonly oauth = new FakeOAuth({
    clientId: GOOGLE_CLIENT.id,
    clientSecret: GOOGLE_CLIENT.secret,
    rotateRefreshTokens: false,
    providerName: "Google",
    grantedScope: (s) => s,
    errorBody: (error, error_description) => ({ error, error_description }),
  });
  calendars: GoogleCalendarEntry[] = [];
  readonly events = new Map<string, Map<string, Stored>>();
  /** sync tokens issued before this counter answer 410 */
  expiredBefore = 0;
  /** events per page (Google's default is 250, at most 2500) */
  pageSize: number | null = null;
  /** requests by kind, to see whether a sync was incremental */
  readonly requests: { method: string; path: string; query: string }[] = [];
  /** replaces any API answer (bad-input tests); return null to answer normally */
  override: ((req: Request, url: URL) => Response | Promise<Response> | null) | null = null;
  private counter = 0;
  /** How many answers carrying a new Meet say `pending` before it is ready. */
  meetPendingAnswers = 0;
  /** New Meets fail (`createRequest.status.statusCode: failure`). */
  meetFails = false;
  private meets = 0;

  constructor(readonly base: string) {}

  get env(): Record<string, string> {
    return {
      INVITO_GOOGLE_CLIENT_ID: GOOGLE_CLIENT.id,
      INVITO_GOOGLE_CLIENT_SECRET: GOOGLE_CLIENT.secret,
      INVITO_GOOGLE_AUTH_URL: `${this.base}/o/oauth2/v2/auth`,
      INVITO_GOOGLE_TOKEN_URL: `${this.base}/token`,
      INVITO_GOOGLE_API_URL: `${this.base}/calendar/v3`,
    };
  }

  private cal(id: string): Map<string, Stored> {
    let m = this.events.get(id);
    if (!m) this.events.set(id, m = new Map());
    return m;
  }

  /** Adds or replaces events (as `events.list` returns them); counts as a change. */
  put(calendarId: string, ...events: GoogleEvent[]): void {
    for (const ev of events) {
      this.cal(calendarId).set(ev.id, {
        ev: { kind: "calendar#event", etag: `"${++this.counter}"`, ...ev },
        seq: this.counter,
      });
    }
  }

  /** Deletes an event as a person would in Google Calendar (it stays as "cancelled"). */
  remove(calendarId: string, id: string): void {
    const s = this.cal(calendarId).get(id);
    if (!s) throw new Error(`no event ${id}`);
    s.ev = { ...s.ev, status: "cancelled" };
    s.seq = ++this.counter;
  }

  /** Deletes a whole series: every instance is reported cancelled. */
  removeSeries(calendarId: string, seriesId: string): void {
    for (const s of this.cal(calendarId).values()) {
      if (s.ev.recurringEventId === seriesId && s.ev.status !== "cancelled") {
        this.remove(calendarId, s.ev.id);
      }
    }
  }

  /** Every sync token issued so far expires (Google does this after a while). */
  expireSyncTokens(): void {
    this.expiredBefore = this.counter + 1;
  }

  live(calendarId: string): GoogleEvent[] {
    return [...this.cal(calendarId).values()].map((s) => s.ev).filter((e) =>
      e.status !== "cancelled"
    );
  }

  async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === "/o/oauth2/v2/auth") {
      return req.method === "POST" ? await this.oauth.decide(req) : this.oauth.authorizePage(url);
    }
    if (url.pathname === "/token" && req.method === "POST") {
      return await this.oauth.tokenEndpoint(req);
    }
    if (!url.pathname.startsWith("/calendar/v3/")) {
      return new Response("Not Found", { status: 404 });
    }
    this.requests.push({ method: req.method, path: url.pathname, query: url.search });
    const o = await this.override?.(req, url);
    if (o) return o;
    if (!this.oauth.accessOk(req)) {
      return Response.json({
        error: {
          code: 401,
          message: "Request had invalid authentication credentials.",
          errors: [{
            message: "Invalid Credentials",
            domain: "global",
            reason: "authError",
            location: "Authorization",
            locationType: "header",
          }],
          status: "UNAUTHENTICATED",
        },
      }, {
        status: 401,
        headers: { "www-authenticate": 'Bearer realm="https://accounts.google.com/"' },
      });
    }
    const path = url.pathname.slice("/calendar/v3".length);
    if (path === "/users/me/calendarList" && req.method === "GET") {
      return Response.json({
        kind: "calendar#calendarList",
        etag: `"${this.counter}"`,
        nextSyncToken: `cl-${this.counter}`,
        items: this.calendars.filter((c) =>
          !c.hidden || url.searchParams.get("showHidden") === "true"
        ).map((c) => ({
          kind: "calendar#calendarListEntry",
          etag: `"${c.id.length}"`,
          timeZone: "Europe/Berlin",
          colorId: "14",
          foregroundColor: "#000000",
          selected: true,
          defaultReminders: [],
          conferenceProperties: { allowedConferenceSolutionTypes: ["hangoutsMeet"] },
          ...c,
        })),
      });
    }
    const m = /^\/calendars\/([^/]+)\/events(?:\/([^/]+))?$/.exec(path);
    if (!m) return Response.json(gError(404, "notFound", "Not Found"), { status: 404 });
    const calendarId = decodeURIComponent(m[1]);
    if (!this.calendars.some((c) => c.id === calendarId)) {
      return Response.json(gError(404, "notFound", "Not Found"), { status: 404 });
    }
    const eventId = m[2] ? decodeURIComponent(m[2]) : null;
    if (!eventId && req.method === "GET") return this.list(calendarId, url.searchParams);
    if (!eventId && req.method === "POST") {
      return this.insert(calendarId, await req.json(), url.searchParams);
    }
    if (eventId && req.method === "PATCH") {
      return this.patch(calendarId, eventId, await req.json(), url.searchParams);
    }
    if (eventId && req.method === "DELETE") return this.delete(calendarId, eventId);
    if (eventId && req.method === "GET") {
      const s = this.cal(calendarId).get(eventId);
      if (s) s.ev = this.answered(s.ev);
      return s
        ? Response.json(s.ev)
        : Response.json(gError(404, "notFound", "Not Found"), { status: 404 });
    }
    return Response.json(gError(405, "methodNotAllowed", "Method Not Allowed"), { status: 405 });
  }

  private list(calendarId: string, q: URLSearchParams): Response {
    const syncToken = q.get("syncToken");
    if (syncToken && (q.get("timeMin") || q.get("timeMax"))) {
      return Response.json(
        gError(400, "invalid", "Sync token cannot be combined with timeMin or timeMax."),
        { status: 400 },
      );
    }
    const page = q.get("pageToken");
    // A page token carries the query's snapshot: [offset, counter at the first page, since].
    let [offset, snapshot, since] = page ? page.split(".").map(Number) : [0, this.counter, -1];
    if (!page && syncToken) {
      const n = Number(/^s-(\d+)$/.exec(syncToken)?.[1] ?? NaN);
      if (!Number.isFinite(n) || n < this.expiredBefore) {
        return Response.json(
          gError(
            410,
            "fullSyncRequired",
            "Sync token is no longer valid, a full sync is required.",
          ),
          { status: 410 },
        );
      }
      since = n;
    }
    const all = [...this.cal(calendarId).values()].filter((s) => s.seq <= snapshot);
    let items: GoogleEvent[];
    const byUid = q.get("iCalUID");
    if (byUid !== null) {
      items = all.map((s) => s.ev).filter((e) =>
        e.iCalUID === byUid && (e.status !== "cancelled" || q.get("showDeleted") === "true")
      );
    } else if (since >= 0) {
      items = all.filter((s) => s.seq > since).map((s) =>
        s.ev.status === "cancelled"
          ? {
            kind: "calendar#event",
            etag: s.ev.etag,
            id: s.ev.id,
            status: "cancelled",
            ...(s.ev.recurringEventId
              ? {
                recurringEventId: s.ev.recurringEventId,
                originalStartTime: s.ev.originalStartTime,
              }
              : {}),
          }
          : s.ev
      );
    } else {
      const min = q.get("timeMin") ? Date.parse(q.get("timeMin")!) : -Infinity;
      const max = q.get("timeMax") ? Date.parse(q.get("timeMax")!) : Infinity;
      items = all.map((s) => s.ev).filter((e) => e.status !== "cancelled").filter((e) => {
        const [s, en] = span(e);
        return en > min && s < max;
      });
    }
    const size = Math.min(Number(q.get("maxResults") ?? 250), this.pageSize ?? 2500);
    const slice = items.slice(offset, offset + size);
    const more = offset + size < items.length;
    return Response.json({
      kind: "calendar#events",
      etag: `"${snapshot}"`,
      summary: this.calendars.find((c) => c.id === calendarId)?.summary,
      updated: new Date().toISOString(),
      timeZone: "Europe/Berlin",
      accessRole: "owner",
      defaultReminders: [],
      ...(more
        ? { nextPageToken: `${offset + size}.${snapshot}.${since}` }
        : { nextSyncToken: `s-${snapshot}` }),
      items: slice,
    });
  }

  /** The Meets of the calendar's live events (conference ids), for counting meetings. */
  liveMeets(calendarId: string): string[] {
    return this.live(calendarId).map((e) =>
      (e.conferenceData as { conferenceId?: string })?.conferenceId
    )
      .filter((id): id is string => typeof id === "string");
  }

  /** The body as stored: conferenceData only with conferenceDataVersion=1, per the reference. */
  private conference(
    prev: GoogleEvent | undefined,
    body: Record<string, unknown>,
    q: URLSearchParams,
  ): Record<string, unknown> {
    const { conferenceData, hangoutLink: _h, ...rest } = body;
    const kept = prev?.conferenceData
      ? { conferenceData: prev.conferenceData, hangoutLink: prev.hangoutLink }
      : {};
    if (q.get("conferenceDataVersion") !== "1") return { ...rest, ...kept };
    const req = (conferenceData as { createRequest?: Record<string, unknown> } | undefined)
      ?.createRequest;
    const prevReq = (prev?.conferenceData as { createRequest?: { requestId?: string } })
      ?.createRequest;
    if (!req || (prevReq && prevReq.requestId === req.requestId)) return { ...rest, ...kept };
    const key = req.conferenceSolutionKey as { type?: string } | undefined;
    if (key?.type !== "hangoutsMeet") {
      throw new Error(`unexpected conference solution ${JSON.stringify(key)}`);
    }
    const n = ++this.meets;
    const code = `inv-${String(n).padStart(4, "0")}-mtg`;
    const status = this.meetFails ? "failure" : this.meetPendingAnswers > 0 ? "pending" : "success";
    if (status === "pending") this.meetPendingAnswers--;
    return {
      ...rest,
      conferenceData: {
        createRequest: {
          requestId: req.requestId,
          conferenceSolutionKey: key,
          status: { statusCode: status },
        },
        conferenceId: code,
        ...(status === "success" ? this.meetParts(code) : {}),
      },
      ...(status === "success" ? { hangoutLink: `https://meet.google.com/${code}` } : {}),
    };
  }

  private meetParts(code: string) {
    return {
      entryPoints: [{
        entryPointType: "video",
        uri: `https://meet.google.com/${code}`,
        label: `meet.google.com/${code}`,
      }],
      conferenceSolution: { key: { type: "hangoutsMeet" }, name: "Google Meet" },
    };
  }

  /** A pending Meet is ready by the next answer (Google makes it in the background). */
  private answered(ev: GoogleEvent): GoogleEvent {
    const data = ev.conferenceData as
      | { createRequest: { status: { statusCode: string } }; conferenceId: string }
      | undefined;
    if (!data || data.createRequest.status.statusCode !== "pending") return ev;
    if (this.meetPendingAnswers > 0) {
      this.meetPendingAnswers--;
      return ev;
    }
    return {
      ...ev,
      conferenceData: {
        ...data,
        createRequest: { ...data.createRequest, status: { statusCode: "success" } },
        ...this.meetParts(data.conferenceId),
      },
      hangoutLink: `https://meet.google.com/${data.conferenceId}`,
    };
  }

  private insert(
    calendarId: string,
    raw: Record<string, unknown>,
    q = new URLSearchParams(),
  ): Response {
    const body = this.conference(undefined, raw, q);
    // Google's own ids are base32hex as well (26 characters).
    const id = typeof body.id === "string" ? body.id : Array.from(
      crypto.getRandomValues(new Uint8Array(26)),
      (b) => "0123456789abcdefghijklmnopqrstuv"[b & 31],
    ).join("");
    if (!/^[0-9a-v]{5,1024}$/.test(id)) {
      return Response.json(gError(400, "invalid", "Invalid resource id value."), { status: 400 });
    }
    const uid = typeof body.iCalUID === "string" ? body.iCalUID : null;
    if (
      this.cal(calendarId).has(id) ||
      (uid !== null && [...this.cal(calendarId).values()].some((s) => s.ev.iCalUID === uid))
    ) {
      return Response.json(gError(409, "duplicate", "The requested identifier already exists."), {
        status: 409,
      });
    }
    const now = new Date().toISOString();
    this.put(calendarId, {
      ...body,
      id,
      status: typeof body.status === "string" ? body.status : "confirmed",
      iCalUID: uid ?? `${id}@google.com`,
      created: now,
      updated: now,
      htmlLink: `https://www.google.com/calendar/event?eid=${id}`,
    });
    return Response.json(this.cal(calendarId).get(id)!.ev);
  }

  private patch(
    calendarId: string,
    id: string,
    raw: Record<string, unknown>,
    q = new URLSearchParams(),
  ): Response {
    const s = this.cal(calendarId).get(id);
    if (!s) return Response.json(gError(404, "notFound", "Not Found"), { status: 404 });
    const prev = this.answered(s.ev);
    const body = this.conference(prev, raw, q);
    this.put(calendarId, { ...prev, ...body, id, updated: new Date().toISOString() });
    return Response.json(this.cal(calendarId).get(id)!.ev);
  }

  private delete(calendarId: string, id: string): Response {
    const s = this.cal(calendarId).get(id);
    if (!s) return Response.json(gError(404, "notFound", "Not Found"), { status: 404 });
    if (s.ev.status === "cancelled") {
      return Response.json(gError(410, "deleted", "Resource has been deleted"), { status: 410 });
    }
    this.remove(calendarId, id);
    return new Response(null, { status: 204 });
  }
}

/** [start, end) of an event in epoch ms (all-day dates read as UTC, enough for filtering). */
function span(e: GoogleEvent): [number, number] {
  const t = (x: unknown) => {
    const o = x as { date?: string; dateTime?: string } | undefined;
    return Date.parse(o?.dateTime ?? `${o?.date}T00:00:00Z`);
  };
  return [t(e.start), t(e.end)];
}

export function startGoogle(): Promise<
  FakeGoogle & { [Symbol.asyncDispose](): Promise<void> }
> {
  let fake: FakeGoogle | null = null;
  const server = serveLocal((req) => fake!.handle(req));
  fake = new FakeGoogle(server.base);
  return Promise.resolve(
    Object.assign(fake, { [Symbol.asyncDispose]: () => server[Symbol.asyncDispose]() }),
  );
}

/** Items of a fixture shaped like an `events.list` answer. */
export function googleFixture(name: string): GoogleEvent[] {
  const url = new URL(`../fixtures/google/${name}`, import.meta.url);
  return (JSON.parse(Deno.readTextFileSync(url)) as { items: GoogleEvent[] }).items;
}
