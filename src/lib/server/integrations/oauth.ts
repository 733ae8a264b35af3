/**
 * OAuth 2.0 for calendar accounts (Google, Microsoft): authorization code with PKCE (S256) and
 * state, token exchange and refresh, through `oauth4webapi` (the library Auth.js builds on). All
 * requests go through `safeFetch` (time and size bounds, no redirect to another host). Results,
 * not throws: a refused refresh token (`invalid_grant`) is `reconnect`, the only failure that
 * needs the host.
 */
import * as oauth from "oauth4webapi";
import type { Config, OAuthProviderConfig } from "../config.ts";
import { safeFetch, SafeFetchError } from "./safe-fetch.ts";
import { providerFail, type ProviderResult } from "./calendar-provider.ts";
import { ownDetail } from "./provider-details.ts";

export type OAuthProviderKind = "google" | "microsoft";
/** Every OAuth client Invito has: the calendar providers and Zoom (meetings per booking). */
export type OAuthClientKind = OAuthProviderKind | "zoom";

/**
 * The least each feature needs: list calendars, read and write events, stay signed in; for Zoom,
 * make, move and delete the host's meetings (Zoom grants a refresh token without asking).
 */
export const SCOPES: Record<OAuthClientKind, string[]> = {
  google: [
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
    "https://www.googleapis.com/auth/calendar.events",
  ],
  microsoft: ["offline_access", "https://graph.microsoft.com/Calendars.ReadWrite"],
  zoom: ["meeting:write:meeting", "meeting:update:meeting", "meeting:delete:meeting"],
};

const NAMES: Record<OAuthClientKind, string> = {
  google: "Google",
  microsoft: "Microsoft",
  zoom: "Zoom",
};

const ISSUERS: Record<OAuthClientKind, string> = {
  google: "https://accounts.google.com",
  microsoft: "https://login.microsoftonline.com/common/v2.0",
  zoom: "https://zoom.us",
};

export type Tokens = { accessToken: string; refreshToken: string | null; expiresInS: number };

export function providerConfig(
  config: Config,
  provider: OAuthClientKind,
): OAuthProviderConfig | null {
  return provider === "google"
    ? config.google
    : provider === "microsoft"
    ? config.microsoft
    : config.zoom;
}

function setup(cfg: OAuthProviderConfig, provider: OAuthClientKind, tenant?: string) {
  const as: oauth.AuthorizationServer = {
    issuer: provider === "microsoft"
      ? `https://login.microsoftonline.com/${tenant ?? "common"}/v2.0`
      : ISSUERS[provider],
    authorization_endpoint: cfg.authUrl,
    token_endpoint: cfg.tokenUrl,
  };
  const client: oauth.Client = { client_id: cfg.clientId };
  const guarded = safeFetch({
    allowPrivate: true,
    timeoutMs: 20_000,
    maxBytes: 1_000_000,
    maxRedirects: 0, // a token endpoint answers in place; the client secret goes nowhere else
  });
  const options = {
    [oauth.customFetch]: (url: string, init: RequestInit) => guarded(url, init),
    // Only the test-only endpoint overrides can be http.
    [oauth.allowInsecureRequests]: new URL(cfg.tokenUrl).protocol === "http:",
  };
  // Zoom takes the client's credentials as HTTP Basic auth only.
  const auth = provider === "zoom"
    ? oauth.ClientSecretBasic(cfg.clientSecret)
    : oauth.ClientSecretPost(cfg.clientSecret);
  return { as, client, auth, options };
}

export function redirectUri(baseUrl: URL, provider: OAuthClientKind): string {
  return `${baseUrl.href.replace(/\/$/, "")}/dashboard/calendars/oauth/${provider}`;
}

export type StartedAuthorization = { url: string; state: string; codeVerifier: string };

export async function startAuthorization(
  config: Config,
  provider: OAuthClientKind,
  loginHint?: string,
): Promise<StartedAuthorization | null> {
  const cfg = providerConfig(config, provider);
  if (!cfg) return null;
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(cfg.authUrl);
  const p = url.searchParams;
  p.set("client_id", cfg.clientId);
  p.set("redirect_uri", redirectUri(config.baseUrl, provider));
  p.set("response_type", "code");
  p.set("scope", SCOPES[provider].join(" "));
  p.set("state", state);
  p.set("code_challenge", await oauth.calculatePKCECodeChallenge(codeVerifier));
  p.set("code_challenge_method", "S256");
  if (provider === "google") {
    // A refresh token every time, also when reconnecting an account that granted access before.
    p.set("access_type", "offline");
    p.set("prompt", "consent");
  } else if (provider === "microsoft") {
    p.set("response_mode", "query");
    p.set("prompt", "select_account");
  }
  if (loginHint) p.set("login_hint", loginHint);
  return { url: url.href, state, codeVerifier };
}

function describeOAuthError(err: unknown, provider: OAuthClientKind): ProviderResult<never> {
  const name = NAMES[provider];
  if (err instanceof oauth.ResponseBodyError) {
    if (err.error === "invalid_grant") {
      return providerFail("reconnect", ownDetail("cal.detail_access_ended_grant", { name }));
    }
    if (err.status >= 500) {
      return providerFail(
        "network",
        ownDetail("cal.detail_provider_error", { name, status: err.status }),
      );
    }
    const code = err.error.replace(/[^\w.-]/g, "").slice(0, 60);
    return providerFail("auth", ownDetail("cal.detail_oauth_refused", { name, code }));
  }
  if (err instanceof oauth.AuthorizationResponseError) {
    if (err.error === "access_denied") {
      return providerFail("auth", ownDetail("cal.detail_not_granted", { name }));
    }
    const code = err.error.replace(/[^\w.-]/g, "").slice(0, 60);
    return providerFail("auth", ownDetail("cal.detail_not_authorized", { name, code }));
  }
  if (err instanceof SafeFetchError) {
    return providerFail(err.kind === "too_large" ? "parse" : err.kind, err.message);
  }
  if (err instanceof TypeError && /fetch|network/i.test(err.message)) {
    return providerFail("network", ownDetail("cal.detail_provider_unreachable", { name }));
  }
  return providerFail("parse", ownDetail("cal.detail_provider_unreadable", { name }));
}

function tokensOf(res: oauth.TokenEndpointResponse): Tokens {
  return {
    accessToken: res.access_token,
    refreshToken: typeof res.refresh_token === "string" ? res.refresh_token : null,
    expiresInS: typeof res.expires_in === "number" && res.expires_in > 0 ? res.expires_in : 3600,
  };
}

/**
 * Checks the callback (state, error) and exchanges the code with the PKCE verifier. The state
 * was already matched to its stored record by the caller; `oauth4webapi` checks it again.
 */
export async function exchangeCode(
  config: Config,
  provider: OAuthClientKind,
  callback: URL,
  expectedState: string,
  codeVerifier: string,
): Promise<ProviderResult<{ tokens: Tokens; scopes: string[] | null }>> {
  const cfg = providerConfig(config, provider);
  if (!cfg) return providerFail("auth", ownDetail("cal.detail_not_configured"));
  const { as, client, auth, options } = setup(cfg, provider, config.microsoft?.tenant);
  try {
    const params = oauth.validateAuthResponse(as, client, callback, expectedState);
    const res = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      auth,
      params,
      redirectUri(config.baseUrl, provider),
      codeVerifier,
      options,
    );
    const out = await oauth.processAuthorizationCodeResponse(as, client, res);
    const scopes = typeof out.scope === "string" ? out.scope.split(/\s+/).filter(Boolean) : null;
    return { ok: true, tokens: tokensOf(out), scopes };
  } catch (err) {
    return describeOAuthError(err, provider);
  }
}

/** Trades a refresh token for new tokens; `reconnect` when the provider refuses it. */
export async function refreshTokens(
  config: Config,
  provider: OAuthClientKind,
  refreshToken: string,
): Promise<ProviderResult<{ tokens: Tokens }>> {
  const cfg = providerConfig(config, provider);
  if (!cfg) {
    return providerFail("reconnect", ownDetail("cal.detail_no_longer_configured"));
  }
  const { as, client, auth, options } = setup(cfg, provider, config.microsoft?.tenant);
  try {
    const res = await oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, options);
    return { ok: true, tokens: tokensOf(await oauth.processRefreshTokenResponse(as, client, res)) };
  } catch (err) {
    return describeOAuthError(err, provider);
  }
}

/** Whether the granted scopes (when the provider lists them) include everything asked for. */
export function missingScopes(provider: OAuthClientKind, granted: string[] | null): string[] {
  if (!granted) return [];
  const have = new Set(granted.map((s) => s.toLowerCase()));
  return SCOPES[provider].filter((s) => {
    if (s === "offline_access") return false; // Microsoft does not echo it
    const short = s.replace("https://graph.microsoft.com/", "").toLowerCase();
    return !have.has(s.toLowerCase()) && !have.has(short);
  });
}
