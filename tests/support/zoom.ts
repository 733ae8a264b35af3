/**
 * A local Zoom for tests (no internet here), following Zoom's published references:
 *
 * - OAuth ("Using OAuth 2.0", Zoom developer docs): `GET/POST /oauth/authorize` (consent page),
 *   `POST /oauth/token` with the client id and secret in HTTP Basic auth, grants
 *   `authorization_code` (PKCE) and `refresh_token` (Zoom rotates refresh tokens: the old one
 *   then answers `invalid_grant`). Built on tests/support/fake-oauth.ts.
 * - Meetings API v2: `POST /v2/users/me/meetings` → `201 {id, join_url, start_time, duration,
 *   timezone, topic}`; `GET /v2/meetings/{id}` → `200`; `PATCH /v2/meetings/{id}` → `204`;
 *   `DELETE /v2/meetings/{id}` → `204`; an unknown meeting → `404 {code: 3001}`.
 * - A missing or dead bearer token → `401 {code: 124, message: "Invalid access token."}`.
 * - A meeting belongs to the user who made it (`/users/me`): another user's token gets
 *   `404 {code: 3001}` for it, as Zoom answers for a meeting outside the caller's account.
 * - `rateLimitNext(n, retryAfterS)`: the next n API calls answer `429` with `Retry-After`;
 *   `down`: every API call answers `503` (an outage).
 */
import { serveLocal } from "./local-server.ts";
import { FakeOAuth } from "./fake-oauth.ts";

export const ZOOM_CLIENT = { id: "zoom-client-id", secret: "zoom-client-secret" } as const;

export type ZoomMeeting = {
  id: number;
  topic: string;
  start_time: string;
  duration: number;
  timezone: string;
  join_url: string;
  /** whose it is: the OAuth grant (one per connected person) that made it */
  owner: number | null;
};

export class FakeZoom {
  readonly oauth = new FakeOAuth({
    clientId: ZOOM_CLIENT.id,
    clientSecret: ZOOM_CLIENT.secret,
    rotateRefreshTokens: true,
    providerName: "Zoom",
    grantedScope: (s) => s,
    errorBody: (error, reason) => ({ reason, error }),
  });
  /** live meetings by id */
  readonly meetings = new Map<number, ZoomMeeting>();
  /** API calls as "METHOD /path" */
  readonly log: string[] = [];
  down = false;
  private limited = 0;
  private retryAfterS = 1;
  private nextId = 81234567890;

  constructor(readonly base: string) {}

  rateLimitNext(n: number, retryAfterS = 1): void {
    this.limited = n;
    this.retryAfterS = retryAfterS;
  }

  async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === "/oauth/authorize") {
      return req.method === "POST" ? await this.oauth.decide(req) : this.oauth.authorizePage(url);
    }
    if (url.pathname === "/oauth/token" && req.method === "POST") return await this.token(req);
    if (!url.pathname.startsWith("/v2/")) return new Response("not found", { status: 404 });
    this.log.push(`${req.method} ${url.pathname}`);
    if (this.down) return zErr(503, 500, "Service unavailable");
    if (!this.oauth.accessOk(req)) return zErr(401, 124, "Invalid access token.");
    if (this.limited > 0) {
      this.limited--;
      return new Response(
        JSON.stringify({ code: 429, message: "You have reached the maximum per-second limit." }),
        {
          status: 429,
          headers: { "content-type": "application/json", "retry-after": `${this.retryAfterS}` },
        },
      );
    }
    if (url.pathname === "/v2/users/me/meetings" && req.method === "POST") {
      const body = await req.json().catch(() => null) as Record<string, unknown> | null;
      if (!body || typeof body.start_time !== "string" || typeof body.duration !== "number") {
        return zErr(400, 300, "Invalid request body.");
      }
      const id = this.nextId++;
      const m: ZoomMeeting = {
        id,
        topic: String(body.topic ?? "Zoom meeting"),
        start_time: body.start_time,
        duration: body.duration,
        timezone: String(body.timezone ?? "UTC"),
        join_url: `https://us05web.zoom.us/j/${id}?pwd=${crypto.randomUUID().slice(0, 12)}`,
        owner: this.oauth.grantOf(req),
      };
      this.meetings.set(id, m);
      return Response.json(m, { status: 201 });
    }
    const m = /^\/v2\/meetings\/(\d+)$/.exec(url.pathname);
    if (m) {
      const meeting = this.meetings.get(Number(m[1]));
      if (!meeting || meeting.owner !== this.oauth.grantOf(req)) {
        return zErr(404, 3001, "Meeting does not exist.");
      }
      if (req.method === "GET") return Response.json(meeting);
      if (req.method === "PATCH") {
        const body = await req.json().catch(() => null) as Record<string, unknown> | null;
        if (!body) return zErr(400, 300, "Invalid request body.");
        for (const k of ["topic", "start_time", "duration", "timezone"] as const) {
          if (body[k] !== undefined) Object.assign(meeting, { [k]: body[k] });
        }
        return new Response(null, { status: 204 });
      }
      if (req.method === "DELETE") {
        this.meetings.delete(meeting.id);
        return new Response(null, { status: 204 });
      }
    }
    return zErr(404, 404, "Not found");
  }

  /** Zoom takes the client's credentials as HTTP Basic auth. */
  private async token(req: Request): Promise<Response> {
    const basic = /^Basic (.+)$/.exec(req.headers.get("authorization") ?? "");
    const p = new URLSearchParams(await req.text());
    if (basic) {
      const [id, secret] = atob(basic[1]).split(":").map(decodeURIComponent);
      p.set("client_id", id);
      p.set("client_secret", secret);
    }
    return await this.oauth.tokenEndpoint(
      new Request(req.url, { method: "POST", body: p.toString() }),
    );
  }
}

function zErr(status: number, code: number, message: string): Response {
  return Response.json({ code, message }, { status });
}

export function startZoom(): Promise<FakeZoom & { [Symbol.asyncDispose](): Promise<void> }> {
  let fake: FakeZoom | null = null;
  const server = serveLocal((req) => fake!.handle(req));
  fake = new FakeZoom(server.base);
  return Promise.resolve(
    Object.assign(fake, { [Symbol.asyncDispose]: () => server[Symbol.asyncDispose]() }),
  );
}

/** The environment that points Invito at this stand-in. */
export function zoomEnv(z: FakeZoom): Record<string, string> {
  return {
    INVITO_ZOOM_CLIENT_ID: ZOOM_CLIENT.id,
    INVITO_ZOOM_CLIENT_SECRET: ZOOM_CLIENT.secret,
    INVITO_ZOOM_AUTH_URL: `${z.base}/oauth/authorize`,
    INVITO_ZOOM_TOKEN_URL: `${z.base}/oauth/token`,
    INVITO_ZOOM_API_URL: `${z.base}/v2`,
  };
}
