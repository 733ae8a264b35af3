/**
 * A local Microsoft 365 for tests (no internet here), following the published Microsoft Graph
 * v1.0 reference and the Microsoft identity platform's OAuth 2.0 endpoints:
 *
 * - OAuth: `GET/POST /common/oauth2/v2.0/authorize`, `POST /common/oauth2/v2.0/token`
 *   (tests/support/fake-oauth.ts; refresh tokens rotate and a used one answers `invalid_grant`).
 * - `GET /v1.0/me/calendars` → `{ value: [calendar] }`.
 * - `GET /v1.0/me/calendars/{id}/calendarView/delta?startDateTime&endDateTime`: pages of
 *   `Prefer: odata.maxpagesize` events linked by `@odata.nextLink` (`$skiptoken`), the last with
 *   `@odata.deltaLink` (`$deltatoken`); a delta link returns what changed in the window since,
 *   deleted events as `{ id, "@removed": { reason: "deleted" } }`; an unknown token → `410`.
 *   As Graph's `event: delta` reference describes for a calendar view: the series master comes
 *   in the round (with every property) when one of its instances is in the window, and an
 *   occurrence carries only `id`, `seriesMasterId`, `type`, `start` and `end` — `showAs`,
 *   `isAllDay` and the rest are on the master. Exceptions carry their own properties. A changed
 *   master lists its occurrences again in the next delta round.
 * - `POST /v1.0/me/calendars/{id}/events` (a repeated `transactionId` returns the event created
 *   with it), `PATCH`/`DELETE /v1.0/me/calendars/{id}/events/{eventId}` (`404
 *   ErrorItemNotFound`).
 * - Teams meetings (Graph `event` resource): `isOnlineMeeting: true` with `onlineMeetingProvider:
 *   "teamsForBusiness"` makes one; the event then carries `onlineMeeting.joinUrl` (and
 *   `onlineMeetingUrl` null, as Graph documents it for Teams). A later PATCH keeps the meeting;
 *   `isOnlineMeeting: false` removes it. `liveTeams(calendarId)` lists the meetings of live events.
 * - `throttle(n, seconds)`: the next n API calls answer `429` with `Retry-After`.
 */
import { serveLocal } from "./local-server.ts";
import { FakeOAuth } from "./fake-oauth.ts";

export type GraphEvent = Record<string, unknown> & { id: string };
type Stored = { ev: GraphEvent; seq: number; deleted: boolean };
export type GraphCalendar = {
  id: string;
  name: string;
  canEdit: boolean;
  isDefaultCalendar: boolean;
  isRemovable: boolean;
  hexColor?: string;
  owner?: { name: string; address: string };
};

export const MICROSOFT_CLIENT = { id: "00000000-0000-0000-0000-00000000abcd", secret: "ms~secret" };

const graphError = (status: number, code: string, message: string) =>
  Response.json({ error: { code, message } }, { status });

export class FakeMicrosoft {
  readonly oauth = new FakeOAuth({
    clientId: MICROSOFT_CLIENT.id,
    clientSecret: MICROSOFT_CLIENT.secret,
    rotateRefreshTokens: true,
    providerName: "Microsoft",
    // Graph answers with the resource scopes it granted; offline_access is not echoed.
    grantedScope: (s) => s.split(" ").filter((x) => x !== "offline_access").join(" "),
    errorBody: (error, error_description) => ({
      error,
      error_description: `AADSTS70000: ${error_description}`,
      error_codes: [70000],
      timestamp: new Date().toISOString().replace("T", " ").slice(0, 19) + "Z",
      trace_id: crypto.randomUUID(),
      correlation_id: crypto.randomUUID(),
    }),
  });
  calendars: GraphCalendar[] = [];
  readonly events = new Map<string, Map<string, Stored>>();
  readonly requests: { method: string; path: string; query: string }[] = [];
  pageSize = 50;
  override: ((req: Request, url: URL) => Response | Promise<Response> | null) | null = null;
  private throttled = 0;
  private throttleSeconds = 1;
  private counter = 0;
  private tokens = new Map<
    string,
    { cal: string; from: number; to: number; since: number; offset: number; snapshot: number }
  >();

  constructor(readonly base: string) {}

  get env(): Record<string, string> {
    return {
      INVITO_MICROSOFT_CLIENT_ID: MICROSOFT_CLIENT.id,
      INVITO_MICROSOFT_CLIENT_SECRET: MICROSOFT_CLIENT.secret,
      INVITO_MICROSOFT_AUTH_URL: `${this.base}/common/oauth2/v2.0/authorize`,
      INVITO_MICROSOFT_TOKEN_URL: `${this.base}/common/oauth2/v2.0/token`,
      INVITO_MICROSOFT_API_URL: `${this.base}/v1.0`,
    };
  }

  private cal(id: string): Map<string, Stored> {
    let m = this.events.get(id);
    if (!m) this.events.set(id, m = new Map());
    return m;
  }

  put(calendarId: string, ...events: GraphEvent[]): void {
    for (const ev of events) {
      const seq = ++this.counter;
      this.cal(calendarId).set(ev.id, {
        ev: {
          "@odata.etag": `W/"DwAAABYAAA${seq}"`,
          changeKey: `DwAAABYAAA${seq}`,
          ...ev,
        },
        seq,
        deleted: false,
      });
    }
  }

  remove(calendarId: string, id: string): void {
    const s = this.cal(calendarId).get(id);
    if (!s) throw new Error(`no event ${id}`);
    s.deleted = true;
    s.seq = ++this.counter;
  }

  live(calendarId: string): GraphEvent[] {
    return [...this.cal(calendarId).values()].filter((s) => !s.deleted).map((s) => s.ev);
  }

  throttle(n: number, seconds: number): void {
    this.throttled = n;
    this.throttleSeconds = seconds;
  }

  /** Delta tokens are forgotten (Graph's sync state expired). */
  forgetDeltaTokens(): void {
    this.tokens.clear();
  }

  async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === "/common/oauth2/v2.0/authorize") {
      return req.method === "POST" ? await this.oauth.decide(req) : this.oauth.authorizePage(url);
    }
    if (url.pathname === "/common/oauth2/v2.0/token" && req.method === "POST") {
      return await this.oauth.tokenEndpoint(req);
    }
    if (!url.pathname.startsWith("/v1.0/")) return new Response("Not Found", { status: 404 });
    this.requests.push({ method: req.method, path: url.pathname, query: url.search });
    const o = await this.override?.(req, url);
    if (o) return o;
    if (!this.oauth.accessOk(req)) {
      return graphError(
        401,
        "InvalidAuthenticationToken",
        "Access token has expired or is not yet valid.",
      );
    }
    if (this.throttled > 0) {
      this.throttled--;
      return new Response(
        JSON.stringify({
          error: {
            code: "ApplicationThrottled",
            message: "Application is over its MailboxConcurrency limit.",
          },
        }),
        {
          status: 429,
          headers: {
            "content-type": "application/json",
            "retry-after": String(this.throttleSeconds),
          },
        },
      );
    }
    const path = url.pathname.slice("/v1.0".length);
    if (path === "/me/calendars" && req.method === "GET") {
      return Response.json({
        "@odata.context": `${this.base}/v1.0/$metadata#users('ann')/calendars`,
        value: this.calendars.map((c) => ({
          color: "auto",
          changeKey: "nfZyf7VcrEKLNoU37KWlkQAAA0x0+w==",
          canShare: c.canEdit,
          canViewPrivateItems: true,
          isHidden: false,
          isTallyingResponses: true,
          allowedOnlineMeetingProviders: ["teamsForBusiness"],
          defaultOnlineMeetingProvider: "teamsForBusiness",
          owner: { name: "Ann Example", address: "ann@contoso.example" },
          hexColor: "",
          ...c,
        })),
      });
    }
    const m = /^\/me\/calendars\/([^/]+)\/(calendarView\/delta|events)(?:\/([^/]+))?$/.exec(path);
    if (!m) return graphError(404, "ResourceNotFound", "Resource not found for the segment.");
    const calendarId = decodeURIComponent(m[1]);
    if (!this.calendars.some((c) => c.id === calendarId)) {
      return graphError(
        404,
        "ErrorItemNotFound",
        "The specified object was not found in the store.",
      );
    }
    if (m[2] === "calendarView/delta" && req.method === "GET") {
      return this.delta(calendarId, url, req.headers.get("prefer"));
    }
    const eventId = m[3] ? decodeURIComponent(m[3]) : null;
    if (!eventId && req.method === "POST") return this.create(calendarId, await req.json());
    const s = eventId ? this.cal(calendarId).get(eventId) : undefined;
    if (!s || s.deleted) {
      return graphError(
        404,
        "ErrorItemNotFound",
        "The specified object was not found in the store.",
      );
    }
    if (req.method === "PATCH") {
      this.put(calendarId, this.teams({ ...s.ev, ...(await req.json()), id: s.ev.id }));
      return Response.json(this.cal(calendarId).get(s.ev.id)!.ev);
    }
    if (req.method === "DELETE") {
      this.remove(calendarId, s.ev.id);
      return new Response(null, { status: 204 });
    }
    return graphError(405, "ErrorInvalidRequest", "Method not allowed.");
  }

  private span(e: GraphEvent): [number, number] {
    const t = (x: unknown) => {
      const o = x as { dateTime: string; timeZone: string };
      // Enough for filtering the view: wall times read as UTC (±14 h does not matter here).
      return Date.parse(o.dateTime.slice(0, 19) + "Z");
    };
    return [t(e.start), t(e.end)];
  }

  private delta(calendarId: string, url: URL, prefer: string | null): Response {
    const q = url.searchParams;
    const size = Number(/odata\.maxpagesize=(\d+)/.exec(prefer ?? "")?.[1] ?? this.pageSize);
    const pageSize = Math.min(size, this.pageSize);
    let state;
    const skip = q.get("$skiptoken");
    const deltaToken = q.get("$deltatoken");
    if (skip || deltaToken) {
      state = this.tokens.get((skip ?? deltaToken)!);
      if (!state) return graphError(410, "SyncStateNotFound", "The sync state was not found.");
      if (deltaToken) {
        state = { ...state, since: state.snapshot, snapshot: this.counter, offset: 0 };
      }
    } else {
      const from = Date.parse(q.get("startDateTime") ?? "");
      const to = Date.parse(q.get("endDateTime") ?? "");
      if (!Number.isFinite(from) || !Number.isFinite(to)) {
        return graphError(
          400,
          "ErrorInvalidParameter",
          "startDateTime and endDateTime are required.",
        );
      }
      state = { cal: calendarId, from, to, since: -1, offset: 0, snapshot: this.counter };
    }
    const stored = [...this.cal(state.cal).values()];
    const instanceInView = (s: Stored) => {
      if (s.ev.type === "seriesMaster") return false;
      const [a, b] = this.span(s.ev);
      return b > state.from && a < state.to;
    };
    const mastersInView = new Set(
      stored.filter((s) => instanceInView(s) && typeof s.ev.seriesMasterId === "string")
        .map((s) => s.ev.seriesMasterId as string),
    );
    const inView = (s: Stored) =>
      s.ev.type === "seriesMaster" ? mastersInView.has(s.ev.id) : instanceInView(s);
    const all = stored.filter((s) => s.seq <= state.snapshot && inView(s));
    const masterSeq = (s: Stored) => {
      const id = s.ev.type === "occurrence" ? s.ev.seriesMasterId : null;
      const m = typeof id === "string" ? this.cal(state.cal).get(id) : undefined;
      return m && m.seq <= state.snapshot ? m.seq : -1;
    };
    // An occurrence in a delta answer: only what identifies it and its time.
    const shape = (ev: GraphEvent) =>
      ev.type === "occurrence"
        ? {
          "@odata.type": "#microsoft.graph.event",
          "@odata.etag": ev["@odata.etag"],
          id: ev.id,
          seriesMasterId: ev.seriesMasterId,
          type: ev.type,
          start: ev.start,
          end: ev.end,
        }
        : { "@odata.type": "#microsoft.graph.event", ...ev };
    const items = state.since < 0
      ? all.filter((s) => !s.deleted).map((s) => shape(s.ev))
      : all.filter((s) => s.seq > state.since || masterSeq(s) > state.since).map((s) =>
        s.deleted
          ? {
            "@odata.type": "#microsoft.graph.event",
            id: s.ev.id,
            "@removed": { reason: "deleted" },
          }
          : shape(s.ev)
      );
    const page = items.slice(state.offset, state.offset + pageSize);
    const more = state.offset + pageSize < items.length;
    const token = crypto.randomUUID().replaceAll("-", "");
    const self = `${this.base}/v1.0/me/calendars/${
      encodeURIComponent(state.cal)
    }/calendarView/delta`;
    this.tokens.set(
      token,
      more ? { ...state, offset: state.offset + pageSize } : { ...state, offset: 0 },
    );
    return Response.json({
      "@odata.context": `${this.base}/v1.0/$metadata#Collection(event)`,
      ...(more
        ? { "@odata.nextLink": `${self}?$skiptoken=${token}` }
        : { "@odata.deltaLink": `${self}?$deltatoken=${token}` }),
      value: page,
    });
  }

  private create(calendarId: string, body: Record<string, unknown>): Response {
    const tx = typeof body.transactionId === "string" ? body.transactionId : null;
    if (tx) {
      const same = [...this.cal(calendarId).values()].find((s) =>
        s.ev.transactionId === tx && !s.deleted
      );
      if (same) return Response.json(same.ev, { status: 201 });
    }
    const id = `AAMkAGI2TG93AAA${++this.counter}=`;
    this.put(
      calendarId,
      this.teams({
        ...body,
        id,
        type: "singleInstance",
        isAllDay: false,
        isCancelled: false,
        iCalUId: `040000008200E00074C5B7101A82E008000000${this.counter}`,
        transactionId: tx,
        createdDateTime: new Date().toISOString(),
        lastModifiedDateTime: new Date().toISOString(),
      }),
    );
    return Response.json(this.cal(calendarId).get(id)!.ev, { status: 201 });
  }

  private meetings = 0;

  /** A Teams meeting for an online event (kept across PATCHes), none for another. */
  private teams(ev: GraphEvent): GraphEvent {
    if (ev.isOnlineMeeting !== true) {
      return {
        ...ev,
        isOnlineMeeting: false,
        onlineMeeting: null,
        onlineMeetingProvider: "unknown",
      };
    }
    if (ev.onlineMeetingProvider !== "teamsForBusiness") {
      throw new Error(`unexpected onlineMeetingProvider ${String(ev.onlineMeetingProvider)}`);
    }
    const had = (ev.onlineMeeting as { joinUrl?: string } | null | undefined)?.joinUrl;
    const joinUrl = had ??
      `https://teams.microsoft.com/l/meetup-join/19%3ameeting_inv${++this.meetings}%40thread.v2/0`;
    return { ...ev, onlineMeetingUrl: null, onlineMeeting: { joinUrl } };
  }

  /** The Teams meetings of the calendar's live events (their join URLs). */
  liveTeams(calendarId: string): string[] {
    return this.live(calendarId).map((e) =>
      (e.onlineMeeting as { joinUrl?: string } | null)?.joinUrl
    ).filter((u): u is string => typeof u === "string");
  }
}

export function startMicrosoft(): Promise<
  FakeMicrosoft & { [Symbol.asyncDispose](): Promise<void> }
> {
  let fake: FakeMicrosoft | null = null;
  const server = serveLocal((req) => fake!.handle(req));
  fake = new FakeMicrosoft(server.base);
  return Promise.resolve(
    Object.assign(fake, { [Symbol.asyncDispose]: () => server[Symbol.asyncDispose]() }),
  );
}

/** Events of a fixture shaped like a calendarView (delta) answer. */
export function graphFixture(name: string): GraphEvent[] {
  const url = new URL(`../fixtures/microsoft/${name}`, import.meta.url);
  return (JSON.parse(Deno.readTextFileSync(url)) as { value: GraphEvent[] }).value;
}
