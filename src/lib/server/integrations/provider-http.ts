/**
 * JSON over HTTPS to a calendar provider's API (Google Calendar v3, Microsoft Graph) with the
 * account's bearer token: bounded in time and size by `safeFetch`, never sent to another host
 * (a paging link or redirect pointing elsewhere is refused), refreshed once on 401, and
 * 429/503 answered by waiting for a short Retry-After (a long one is handed to the caller, so
 * the outbox or the next sync waits instead of this request). A Retry-After holds the whole
 * account (mailbox), not only the call that got it: every later call of the account waits for
 * it too (Microsoft's and Google's throttling guidance), across jobs and processes (`hold`).
 */
import { safeFetch, SafeFetchError } from "./safe-fetch.ts";
import { providerFail, type ProviderResult } from "./calendar-provider.ts";
import { ownDetail } from "./provider-details.ts";

/** Where access tokens come from (services/calendar-tokens.ts keeps them in KV). */
export type TokenSource = {
  get(): Promise<ProviderResult<{ accessToken: string }>>;
  /** the API refused `rejected`: refresh unless another process already did */
  refresh(rejected: string): Promise<ProviderResult<{ accessToken: string }>>;
  /** even a fresh token was refused: the host must reconnect */
  revoked(reason: string): Promise<void>;
};

export type ApiResponse = { status: number; json: unknown; headers: Headers };

/** A JSON object of an API's answer, read field by field: nothing in it is trusted by type. */
export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);
export const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** Waits at most this long inside one request for a Retry-After; longer ones go to the caller. */
export const MAX_INLINE_WAIT_MS = 10_000;
const MAX_INLINE_RETRIES = 2;

/** Retry-After as milliseconds (seconds or an HTTP date), null when absent or nonsense. */
export function retryAfterMs(header: string | null, nowMs = Date.now()): number | null {
  if (!header) return null;
  const s = header.trim();
  if (/^\d{1,7}$/.test(s)) return Number(s) * 1000;
  const at = Date.parse(s);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : null;
}

/** The account's shared wait (kept in KV by services/calendar-providers.ts). */
export type ProviderHold = {
  /** when calls may go out again (epoch ms), or null */
  until(): Promise<number | null>;
  /** the provider asked for a wait until `untilMs` */
  hold(untilMs: number): Promise<void>;
  /** a call after the wait succeeded: the hold set until `untilMs` is over */
  release(untilMs: number): Promise<void>;
  now(): number;
};

export type ApiClientOptions = {
  apiUrl: string;
  tokens: TokenSource;
  /** provider name for messages */
  name: string;
  timeoutMs?: number;
  maxBytes?: number;
  /** replaceable in tests: how to wait for Retry-After */
  sleep?: (ms: number) => Promise<void>;
  /** the account's shared Retry-After; absent: each call only honours its own */
  hold?: ProviderHold;
};

export type ApiClient = {
  /**
   * One API call. Statuses in `accept` come back as values; other failures become errors
   * (401 after a refresh → reconnect, 403 → auth, 404 → not_found, 429/5xx → network).
   */
  request(
    method: string,
    url: string,
    opts?: { body?: unknown; headers?: Record<string, string>; accept?: number[] },
  ): Promise<ProviderResult<{ res: ApiResponse }>>;
  /** Whether a URL (a paging link) points at this API, so the token may go there. */
  isApiUrl(url: string): boolean;
};

export function apiClient(o: ApiClientOptions): ApiClient {
  const base = new URL(o.apiUrl);
  const fetcher = safeFetch({
    // The API address is the operator's configuration (the provider's own by default), not a
    // host's input: it may be local in tests. Time, size and cross-host redirects stay guarded.
    allowPrivate: true,
    timeoutMs: o.timeoutMs ?? 20_000,
    maxBytes: o.maxBytes ?? 10 * 1024 * 1024,
    // The APIs answer where they are asked; a redirect (even to another port) could carry the
    // bearer token somewhere else.
    maxRedirects: 0,
  });
  const sleep = o.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const isApiUrl = (url: string) => {
    try {
      const u = new URL(url);
      return u.origin === base.origin && u.pathname.startsWith(base.pathname.replace(/\/$/, ""));
    } catch {
      return false;
    }
  };

  async function send(method: string, url: string, token: string, body: unknown, headers = {}) {
    return await fetcher(url, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  return {
    isApiUrl,
    async request(method, url, opts = {}) {
      if (!isApiUrl(url)) {
        return providerFail(
          "parse",
          ownDetail("cal.detail_outside_api", { name: o.name, host: safeHost(url) }),
        );
      }
      // Another call of this account was asked to wait: so is this one.
      let heldUntil: number | null = null;
      let inlineWaits = 0;
      if (o.hold) {
        const until = await o.hold.until();
        const wait = until === null ? 0 : until - o.hold.now();
        if (wait > 0) {
          if (wait > MAX_INLINE_WAIT_MS) {
            const detail = ownDetail("cal.detail_slow_down_waiting", { name: o.name });
            return providerFail("network", detail, wait);
          }
          await sleep(wait);
          inlineWaits++;
          heldUntil = until;
        }
      }
      const got = await o.tokens.get();
      if (!got.ok) return got;
      let token = got.accessToken;
      let refreshed = false;
      for (let attempt = inlineWaits;; attempt++) {
        let res: Response;
        try {
          res = await send(method, url, token, opts.body, opts.headers);
        } catch (err) {
          if (err instanceof SafeFetchError) {
            return providerFail(err.kind === "too_large" ? "parse" : err.kind, err.message);
          }
          return providerFail("network", ownDetail("cal.detail_request_failed"));
        }
        const text = await res.text();
        if (res.status === 401 && !refreshed) {
          refreshed = true;
          const again = await o.tokens.refresh(token);
          if (!again.ok) return again;
          token = again.accessToken;
          continue;
        }
        if (res.status === 401) {
          const detail = ownDetail("cal.detail_access_ended", { name: o.name });
          await o.tokens.revoked(detail);
          return providerFail("reconnect", detail);
        }
        const throttled = res.status === 429 || res.status === 503 ||
          (res.status === 403 && /rateLimitExceeded|userRateLimitExceeded/.test(text));
        if (throttled) {
          const wait = retryAfterMs(res.headers.get("retry-after"));
          if (wait !== null && o.hold) {
            heldUntil = o.hold.now() + wait;
            await o.hold.hold(heldUntil);
          }
          if (wait !== null && wait <= MAX_INLINE_WAIT_MS && attempt < MAX_INLINE_RETRIES) {
            await sleep(wait);
            continue;
          }
          return providerFail(
            "network",
            ownDetail("cal.detail_slow_down", { name: o.name, status: res.status }),
            wait ?? 60_000,
          );
        }
        // Answered after a wait: the account's hold is over (unless a later one replaced it).
        if (heldUntil !== null && o.hold) await o.hold.release(heldUntil);
        heldUntil = null;
        let json: unknown = null;
        if (text.trim() !== "") {
          try {
            json = JSON.parse(text);
          } catch {
            if (res.ok || opts.accept?.includes(res.status)) {
              return providerFail(
                "parse",
                ownDetail("cal.detail_not_json", { status: res.status }),
              );
            }
          }
        }
        if (res.ok || opts.accept?.includes(res.status)) {
          return { ok: true, res: { status: res.status, json, headers: res.headers } };
        }
        const message = errorMessage(json);
        if (res.status === 403) {
          return providerFail(
            "auth",
            message
              ? ownDetail("cal.detail_access_refused_said", { message })
              : ownDetail("cal.detail_access_refused"),
          );
        }
        if (res.status === 404 || res.status === 410) {
          return providerFail(
            "not_found",
            ownDetail("cal.detail_api_not_found", { status: res.status }),
          );
        }
        if (res.status >= 500) {
          return providerFail(
            "network",
            ownDetail("cal.detail_provider_error", { name: o.name, status: res.status }),
          );
        }
        const said = { name: o.name, status: res.status, message };
        return providerFail(
          "parse",
          message
            ? ownDetail("cal.detail_request_refused_said", said)
            : ownDetail("cal.detail_request_refused", said),
        );
      }
    },
  };
}

/** The message of a Google (`error.message`) or Graph (`error.message`) error body, bounded. */
function errorMessage(json: unknown): string {
  const e = (json as { error?: { message?: unknown } } | null)?.error;
  return typeof e?.message === "string" ? e.message.replace(/\s+/g, " ").slice(0, 200) : "";
}

function safeHost(url: string): string {
  try {
    return new URL(url).host.slice(0, 100);
  } catch {
    return "an invalid address";
  }
}
