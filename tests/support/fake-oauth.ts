/**
 * The OAuth 2.0 side of the local Google and Microsoft servers (RFC 6749 + PKCE, RFC 7636), as
 * both providers document it: an authorization page a person (or Chromium) answers with "Allow"
 * or "Cancel", which redirects to the client's redirect URI with `code` and `state` (or
 * `error=access_denied`); a token endpoint for `authorization_code` (client secret, redirect
 * URI and S256 verifier checked; a code works once) and `refresh_token` (optionally rotating:
 * the old refresh token then answers `invalid_grant`, as Microsoft's reuse detection may), and
 * `invalid_grant` for anything revoked. Access tokens are opaque and checked by the API servers.
 */

export type OAuthOptions = {
  clientId: string;
  clientSecret: string;
  /** issue a new refresh token on every refresh and refuse the old one afterwards */
  rotateRefreshTokens: boolean;
  /** seconds an access token lives */
  accessTtlS?: number;
  /** the token response's `scope` (space-separated) */
  grantedScope: (requested: string) => string;
  /** error bodies in the provider's shape */
  errorBody: (error: string, description: string) => Record<string, unknown>;
  providerName: string;
};

/** One person's consent: `id` tells whose tokens an API call carries (1, 2, … in order of "Allow"). */
type Grant = { scope: string; revoked: boolean; id: number };
type Code = {
  grant: Grant;
  clientId: string;
  redirectUri: string;
  challenge: string;
  used: boolean;
  expiresMs: number;
};

export class FakeOAuth {
  readonly codes = new Map<string, Code>();
  readonly refreshTokens = new Map<string, { grant: Grant; valid: boolean }>();
  readonly accessTokens = new Map<string, { grant: Grant; expiresMs: number }>();
  /** token endpoint calls by grant type */
  readonly calls = { authorization_code: 0, refresh_token: 0 };
  /** replaces the token endpoint's answer (bad-input tests) */
  tokenOverride: ((req: Request) => Response | null) | null = null;
  private n = 0;
  private grants = 0;

  constructor(readonly o: OAuthOptions) {}

  private token(prefix: string): string {
    return `${prefix}-${++this.n}-${crypto.randomUUID().slice(0, 8)}`;
  }

  /** Whether an API call's bearer token is live. */
  accessOk(req: Request): boolean {
    const m = /^Bearer (.+)$/.exec(req.headers.get("authorization") ?? "");
    const t = m ? this.accessTokens.get(m[1]) : undefined;
    return !!t && !t.grant.revoked && t.expiresMs > Date.now();
  }

  /** Whose consent an API call's bearer token comes from (its grant's id), if the token is known. */
  grantOf(req: Request): number | null {
    const m = /^Bearer (.+)$/.exec(req.headers.get("authorization") ?? "");
    return (m ? this.accessTokens.get(m[1])?.grant.id : undefined) ?? null;
  }

  /** Every access token expires now (the next API call gets 401, then a refresh). */
  expireAccessTokens(): void {
    for (const t of this.accessTokens.values()) t.expiresMs = 0;
  }

  /** The person removes the app's access at the provider: every token is dead. */
  revokeAll(): void {
    for (const t of this.accessTokens.values()) t.grant.revoked = true;
    for (const t of this.refreshTokens.values()) t.grant.revoked = true;
  }

  /** GET /authorize: the consent page. */
  authorizePage(url: URL): Response {
    const p = url.searchParams;
    const problems: string[] = [];
    if (p.get("client_id") !== this.o.clientId) problems.push("unknown client_id");
    if (p.get("response_type") !== "code") problems.push("response_type must be code");
    if (p.get("code_challenge_method") !== "S256" || !p.get("code_challenge")) {
      problems.push("PKCE S256 is required");
    }
    if (!p.get("redirect_uri")) problems.push("redirect_uri missing");
    if (problems.length) {
      return new Response(`<h1>Error 400: invalid_request</h1><p>${problems.join(", ")}</p>`, {
        status: 400,
        headers: { "content-type": "text/html; charset=utf-8" },
      });
    }
    const hidden = [...p.entries()].map(([k, v]) =>
      `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`
    ).join("");
    return new Response(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Sign in – ${
        esc(this.o.providerName)
      }</title></head><body><main><h1>${esc(this.o.providerName)}</h1>
<p>Invito wants to: ${esc(p.get("scope") ?? "")}</p>
<form method="post" action="${url.pathname}">${hidden}
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Cancel</button></form></main></body></html>`,
      { headers: { "content-type": "text/html; charset=utf-8" } },
    );
  }

  /** The code a person's "Allow" produces, for tests that skip the page. */
  issueCode(params: URLSearchParams): string {
    const code = this.token("code");
    this.codes.set(code, {
      grant: {
        scope: this.o.grantedScope(params.get("scope") ?? ""),
        revoked: false,
        id: ++this.grants,
      },
      clientId: params.get("client_id") ?? "",
      redirectUri: params.get("redirect_uri") ?? "",
      challenge: params.get("code_challenge") ?? "",
      used: false,
      expiresMs: Date.now() + 10 * 60_000,
    });
    return code;
  }

  /** Where "Allow" (or "Cancel") sends the browser. */
  callbackFor(params: URLSearchParams, allow = true): string {
    const back = new URL(params.get("redirect_uri")!);
    if (allow) back.searchParams.set("code", this.issueCode(params));
    else back.searchParams.set("error", "access_denied");
    if (params.get("state")) back.searchParams.set("state", params.get("state")!);
    return back.href;
  }

  /** POST /authorize: the page's answer. */
  async decide(req: Request): Promise<Response> {
    const form = new URLSearchParams(await req.text());
    return new Response(null, {
      status: 302,
      headers: { location: this.callbackFor(form, form.get("decision") === "allow") },
    });
  }

  private fail(error: string, description: string, status = 400): Response {
    return Response.json(this.o.errorBody(error, description), { status });
  }

  private issue(grant: Grant, refresh: string | null): Response {
    const access = this.token("at");
    this.accessTokens.set(access, {
      grant,
      expiresMs: Date.now() + (this.o.accessTtlS ?? 3600) * 1000,
    });
    const body: Record<string, unknown> = {
      access_token: access,
      expires_in: this.o.accessTtlS ?? 3600,
      scope: grant.scope,
      token_type: "Bearer",
    };
    if (refresh) body.refresh_token = refresh;
    return Response.json(body, { headers: { "cache-control": "no-store" } });
  }

  /** POST /token */
  async tokenEndpoint(req: Request): Promise<Response> {
    const override = this.tokenOverride?.(req);
    if (override) return override;
    const p = new URLSearchParams(await req.text());
    if (p.get("client_id") !== this.o.clientId || p.get("client_secret") !== this.o.clientSecret) {
      return this.fail("invalid_client", "The OAuth client was not found.", 401);
    }
    const type = p.get("grant_type");
    if (type === "authorization_code") {
      this.calls.authorization_code++;
      const c = this.codes.get(p.get("code") ?? "");
      if (!c || c.used || c.expiresMs < Date.now() || c.grant.revoked) {
        if (c) c.grant.revoked = c.used ? true : c.grant.revoked; // a replayed code kills its grant
        return this.fail("invalid_grant", "Malformed auth code.");
      }
      c.used = true;
      if (c.redirectUri !== p.get("redirect_uri")) {
        return this.fail("redirect_uri_mismatch", "Bad Request");
      }
      const verifier = p.get("code_verifier") ?? "";
      if (await s256(verifier) !== c.challenge) {
        return this.fail("invalid_grant", "Invalid code verifier.");
      }
      const refresh = this.token("rt");
      this.refreshTokens.set(refresh, { grant: c.grant, valid: true });
      return this.issue(c.grant, refresh);
    }
    if (type === "refresh_token") {
      this.calls.refresh_token++;
      const r = this.refreshTokens.get(p.get("refresh_token") ?? "");
      if (!r || !r.valid || r.grant.revoked) {
        return this.fail("invalid_grant", "Token has been expired or revoked.");
      }
      if (!this.o.rotateRefreshTokens) return this.issue(r.grant, null);
      r.valid = false;
      const next = this.token("rt");
      this.refreshTokens.set(next, { grant: r.grant, valid: true });
      return this.issue(r.grant, next);
    }
    return this.fail("unsupported_grant_type", "Invalid grant_type.");
  }
}

async function s256(verifier: string): Promise<string> {
  const d = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)),
  );
  let s = "";
  for (const b of d) s += String.fromCharCode(b);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function esc(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}
