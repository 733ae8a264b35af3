/**
 * Configuration comes from the environment once, at start. Every problem is reported at
 * once so a self-hoster fixes their .env in one pass instead of one restart per typo. The
 * server, `invito`, `backup` and `restore` all read it here, so each refuses the same settings.
 */
import * as v from "valibot";
import { parseRateLimitSetting, type RateLimits } from "./domain/rate-limit.ts";
import { parseSignupPolicy, type SignupPolicy } from "./domain/signup.ts";
import { parseAdminList } from "./domain/admin.ts";
import { listenUrl } from "./ops/startup-line.ts";

export type Config = {
  baseUrl: URL;
  listen: { hostname: string; port: number };
  dbPath: string;
  sessionSecret: string | null;
  oidc: { issuer: string; clientId: string; clientSecret: string; name: string } | null;
  smtp:
    | { host: string; port: number; user: string | null; password: string | null; from: string }
    | null;
  bookingTtlMs: number;
  syncIntervalMs: number;
  /** null = off (load tests, benchmarks). */
  rateLimits: RateLimits | null;
  /** A booking form submitted faster than this after it was shown is refused as a bot. */
  minFillMs: number;
  /** At most this many live pending requests per guest email per host. */
  maxPendingPerGuest: number;
  allowPrivateCaldav: boolean;
  /** Google Calendar over OAuth; null = no "Connect Google Calendar" button. */
  google: OAuthProviderConfig | null;
  /** Microsoft 365 / Outlook.com over OAuth (Microsoft Graph); null = no button. */
  microsoft: (OAuthProviderConfig & { tenant: string }) | null;
  /** Zoom meetings per booking over OAuth (Zoom's API v2); null = no "Connect Zoom" button. */
  zoom: OAuthProviderConfig | null;
  /** Webhook URLs may point at private/loopback addresses (home labs, tests). */
  allowPrivateWebhooks: boolean;
  /** Who may get a new account (existing accounts always sign in). */
  signup: SignupPolicy;
  /** Addresses (lower case) whose verified sign-in reaches /admin (INVITO_ADMINS); empty = nobody. */
  admins: string[];
  /** How long audit log entries are kept (INVITO_AUDIT_RETENTION, default 90 days). */
  auditRetentionMs: number;
  trustedProxies: string[];
  demo: boolean;
  disableCron: boolean;
  /** How long a client may take to send request headers (bodies get three times this). */
  clientTimeoutMs: number;
  // --- operations (issue 15) ---
  /** "readable" (default) or "json": one line per request and per job. */
  logFormat: "readable" | "json";
  /** Bearer token for /metrics; null = metrics off (404). */
  metricsToken: string | null;
  /** How long a SIGTERM waits for in-flight requests and jobs before the process exits. */
  shutdownGraceMs: number;
  /** Scheduled backups: folder (null = off), interval, how many files to keep. */
  backup: { dir: string | null; intervalMs: number; keep: number };
};

/**
 * A calendar provider's OAuth client and endpoints. The endpoint URLs are the providers' own
 * unless the INVITO_*_AUTH_URL / _TOKEN_URL / _API_URL variables (for tests against local
 * servers only) replace them.
 */
export type OAuthProviderConfig = {
  clientId: string;
  clientSecret: string;
  authUrl: string;
  tokenUrl: string;
  apiUrl: string;
};

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "15m", "24h", "2d" → milliseconds; null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text.trim());
  if (!m) return null;
  const ms = Number(m[1]) * UNIT_MS[m[2]];
  return Number.isSafeInteger(ms) && ms > 0 ? ms : null;
}

const duration = (name: string, fallback: string) =>
  v.pipe(
    v.optional(v.string(), fallback),
    v.check(
      (s) => parseDuration(s) !== null,
      `${name} must be a duration like "90s", "15m" or "24h"`,
    ),
    v.transform((s) => parseDuration(s)!),
  );

const bool = (fallback: boolean) =>
  v.pipe(
    v.optional(v.string(), String(fallback)),
    v.check((s) => /^(true|false|1|0|yes|no|on|off)$/i.test(s.trim()), "must be true or false"),
    v.transform((s) => /^(true|1|yes|on)$/i.test(s.trim())),
  );

const ListenAddr = v.pipe(
  v.optional(v.string(), ":8080"),
  v.regex(
    /^(\[[0-9a-fA-F:]+\]|[^:\s]*):\d{1,5}$/,
    'INVITO_LISTEN_ADDR must look like ":8080" or "127.0.0.1:8080"',
  ),
  v.transform((s) => {
    const i = s.lastIndexOf(":");
    const host = s.slice(0, i).replace(/^\[|\]$/g, "");
    return { hostname: host === "" ? "0.0.0.0" : host, port: Number(s.slice(i + 1)) };
  }),
  v.check((l) => l.port > 0 && l.port < 65536, "INVITO_LISTEN_ADDR port must be 1–65535"),
);

const HttpUrl = (name: string) =>
  v.pipe(
    v.string(),
    v.check((s) => {
      try {
        const u = new URL(s);
        return u.protocol === "http:" || u.protocol === "https:";
      } catch {
        return false;
      }
    }, `${name} must be an http(s) URL`),
  );

const EnvSchema = v.object({
  // Unset: the address the server listens on (listenUrl), so a port of one's own just works.
  INVITO_BASE_URL: v.optional(HttpUrl("INVITO_BASE_URL")),
  INVITO_LISTEN_ADDR: ListenAddr,
  INVITO_DB_PATH: v.optional(v.pipe(v.string(), v.minLength(1)), "./data/invito.kv"),
  INVITO_SESSION_SECRET: v.optional(
    v.pipe(v.string(), v.minLength(32, "INVITO_SESSION_SECRET must be at least 32 characters")),
  ),
  INVITO_OIDC_ISSUER: v.optional(HttpUrl("INVITO_OIDC_ISSUER")),
  INVITO_OIDC_CLIENT_ID: v.optional(v.string()),
  INVITO_OIDC_CLIENT_SECRET: v.optional(v.string()),
  INVITO_OIDC_NAME: v.optional(v.string(), "Single sign-on"),
  INVITO_SMTP_HOST: v.optional(v.string()),
  INVITO_SMTP_PORT: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,5}$/, "INVITO_SMTP_PORT must be a port number"),
      v.transform(Number),
    ),
  ),
  INVITO_SMTP_USER: v.optional(v.string()),
  INVITO_SMTP_PASSWORD: v.optional(v.string()),
  INVITO_SMTP_FROM: v.optional(v.string()),
  INVITO_BOOKING_TTL: duration("INVITO_BOOKING_TTL", "24h"),
  INVITO_SYNC_INTERVAL: duration("INVITO_SYNC_INTERVAL", "15m"),
  INVITO_RATE_LIMIT: v.optional(v.string(), "on"),
  INVITO_MIN_FILL_TIME: v.optional(
    v.pipe(
      v.string(),
      v.check(
        (s) => s.trim() === "0s" || s.trim() === "0" || parseDuration(s) !== null,
        'INVITO_MIN_FILL_TIME must be a duration like "2s" (or "0s" to turn it off)',
      ),
      v.transform((s) => (s.trim() === "0s" || s.trim() === "0" ? 0 : parseDuration(s)!)),
    ),
  ),
  INVITO_MAX_PENDING_PER_GUEST: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,4}$/, "INVITO_MAX_PENDING_PER_GUEST must be a whole number"),
      v.transform(Number),
      v.minValue(1, "INVITO_MAX_PENDING_PER_GUEST must be at least 1"),
    ),
  ),
  INVITO_ALLOW_PRIVATE_CALDAV: bool(false),
  INVITO_GOOGLE_CLIENT_ID: v.optional(v.string()),
  INVITO_GOOGLE_CLIENT_SECRET: v.optional(v.string()),
  INVITO_GOOGLE_AUTH_URL: v.optional(HttpUrl("INVITO_GOOGLE_AUTH_URL")),
  INVITO_GOOGLE_TOKEN_URL: v.optional(HttpUrl("INVITO_GOOGLE_TOKEN_URL")),
  INVITO_GOOGLE_API_URL: v.optional(HttpUrl("INVITO_GOOGLE_API_URL")),
  INVITO_ZOOM_CLIENT_ID: v.optional(v.string()),
  INVITO_ZOOM_CLIENT_SECRET: v.optional(v.string()),
  INVITO_ZOOM_AUTH_URL: v.optional(HttpUrl("INVITO_ZOOM_AUTH_URL")),
  INVITO_ZOOM_TOKEN_URL: v.optional(HttpUrl("INVITO_ZOOM_TOKEN_URL")),
  INVITO_ZOOM_API_URL: v.optional(HttpUrl("INVITO_ZOOM_API_URL")),
  INVITO_MICROSOFT_CLIENT_ID: v.optional(v.string()),
  INVITO_MICROSOFT_CLIENT_SECRET: v.optional(v.string()),
  INVITO_MICROSOFT_TENANT: v.optional(
    v.pipe(
      v.string(),
      v.regex(
        /^[A-Za-z0-9.-]{1,100}$/,
        'INVITO_MICROSOFT_TENANT must be "common", "organizations", "consumers", a tenant id or a domain',
      ),
    ),
    "common",
  ),
  INVITO_MICROSOFT_AUTH_URL: v.optional(HttpUrl("INVITO_MICROSOFT_AUTH_URL")),
  INVITO_MICROSOFT_TOKEN_URL: v.optional(HttpUrl("INVITO_MICROSOFT_TOKEN_URL")),
  INVITO_MICROSOFT_API_URL: v.optional(HttpUrl("INVITO_MICROSOFT_API_URL")),
  INVITO_ALLOW_PRIVATE_WEBHOOKS: bool(false),
  INVITO_TRUSTED_PROXIES: v.optional(v.string(), ""),
  INVITO_SIGNUP: v.optional(v.string(), "open"),
  INVITO_ADMINS: v.optional(v.string(), ""),
  INVITO_AUDIT_RETENTION: duration("INVITO_AUDIT_RETENTION", "90d"),
  INVITO_DEMO: bool(false),
  INVITO_DISABLE_CRON: bool(false),
  INVITO_CLIENT_TIMEOUT: duration("INVITO_CLIENT_TIMEOUT", "10s"),
  // --- operations (issue 15) ---
  INVITO_LOG_FORMAT: v.optional(
    v.picklist(["readable", "json"], 'INVITO_LOG_FORMAT must be "readable" or "json"'),
    "readable",
  ),
  INVITO_METRICS_TOKEN: v.optional(
    v.pipe(
      v.string(),
      v.minLength(16, "INVITO_METRICS_TOKEN must be at least 16 characters"),
      v.regex(/^[\x21-\x7e]+$/, "INVITO_METRICS_TOKEN must be printable ASCII without spaces"),
    ),
  ),
  INVITO_SHUTDOWN_TIMEOUT: duration("INVITO_SHUTDOWN_TIMEOUT", "8s"),
  INVITO_BACKUP_DIR: v.optional(v.string()),
  INVITO_BACKUP_INTERVAL: duration("INVITO_BACKUP_INTERVAL", "24h"),
  INVITO_BACKUP_KEEP: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,4}$/, "INVITO_BACKUP_KEEP must be a whole number"),
      v.transform(Number),
      v.minValue(1, "INVITO_BACKUP_KEEP must be at least 1"),
    ),
  ),
});

/**
 * INVITO_DB_PATH names a remote store (Deno Deploy KV, denokv over KV Connect), not a file:
 * it is opened with DENO_KV_ACCESS_TOKEN and holds no file of ours beside it.
 */
export function isRemoteKv(dbPath: string): boolean {
  return /^https?:\/\//.test(dbPath);
}

/**
 * A remote store without its token: Deno's own variable, not ours, but without it the store
 * cannot be opened, and Deno says so only when the first request opens it — as a stack trace
 * from deep inside. Empty counts as unset, as for INVITO_*.
 */
function storeTokenProblem(env: Record<string, string | undefined>): string[] {
  const dbPath = env.INVITO_DB_PATH;
  return dbPath && isRemoteKv(dbPath) && !env.DENO_KV_ACCESS_TOKEN
    ? ["INVITO_DB_PATH names a remote KV: set DENO_KV_ACCESS_TOKEN to its access token"]
    : [];
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  // Empty strings count as unset: `FOO=` in a compose file means "not configured".
  const clean = Object.fromEntries(
    Object.entries(env).filter(([k, val]) =>
      k.startsWith("INVITO_") && val !== undefined && val !== ""
    ),
  );
  // Settings checked together, and the ones with their own parsers, are read from the raw values:
  // a setting in the wrong format must not hide them (every problem is listed at once).
  const errors: string[] = [];
  const oidcSet =
    [clean.INVITO_OIDC_ISSUER, clean.INVITO_OIDC_CLIENT_ID, clean.INVITO_OIDC_CLIENT_SECRET]
      .filter(Boolean).length;
  if (oidcSet > 0 && oidcSet < 3) {
    errors.push(
      "INVITO_OIDC_ISSUER, INVITO_OIDC_CLIENT_ID and INVITO_OIDC_CLIENT_SECRET must be set together",
    );
  }
  for (const name of ["GOOGLE", "MICROSOFT", "ZOOM"]) {
    if (!!clean[`INVITO_${name}_CLIENT_ID`] !== !!clean[`INVITO_${name}_CLIENT_SECRET`]) {
      errors.push(`INVITO_${name}_CLIENT_ID and INVITO_${name}_CLIENT_SECRET must be set together`);
    }
  }
  const rate = parseRateLimitSetting(clean.INVITO_RATE_LIMIT ?? "on");
  if (!rate.ok) errors.push(rate.error);
  const signup = parseSignupPolicy(clean.INVITO_SIGNUP ?? "open");
  if (!signup.ok) errors.push(signup.error);
  const admins = parseAdminList(clean.INVITO_ADMINS ?? "");
  if (!admins.ok) errors.push(admins.error);
  errors.push(...storeTokenProblem(env));
  const parsed = v.safeParse(EnvSchema, clean, { abortEarly: false });
  if (!parsed.success) {
    return {
      ok: false,
      errors: [
        ...parsed.issues.map((i) => {
          const key = i.path?.map((p) => String(p.key)).join(".") ?? "";
          return i.message.startsWith(key) || !key ? i.message : `${key}: ${i.message}`;
        }),
        ...errors,
      ],
    };
  }
  const e = parsed.output;
  const baseUrl = new URL(e.INVITO_BASE_URL ?? listenUrl(e.INVITO_LISTEN_ADDR));
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    config: {
      baseUrl: new URL(baseUrl.origin + baseUrl.pathname.replace(/\/+$/, "")),
      listen: e.INVITO_LISTEN_ADDR,
      dbPath: e.INVITO_DB_PATH,
      sessionSecret: e.INVITO_SESSION_SECRET ?? null,
      oidc: oidcSet === 3
        ? {
          issuer: e.INVITO_OIDC_ISSUER!,
          clientId: e.INVITO_OIDC_CLIENT_ID!,
          clientSecret: e.INVITO_OIDC_CLIENT_SECRET!,
          name: e.INVITO_OIDC_NAME,
        }
        : null,
      smtp: e.INVITO_SMTP_HOST
        ? {
          host: e.INVITO_SMTP_HOST,
          port: e.INVITO_SMTP_PORT ?? 587,
          user: e.INVITO_SMTP_USER ?? null,
          password: e.INVITO_SMTP_PASSWORD ?? null,
          from: e.INVITO_SMTP_FROM ?? `Invito <invito@${baseUrl.hostname}>`,
        }
        : null,
      bookingTtlMs: e.INVITO_BOOKING_TTL,
      syncIntervalMs: e.INVITO_SYNC_INTERVAL,
      rateLimits: rate.ok ? rate.limits : null,
      minFillMs: e.INVITO_MIN_FILL_TIME ?? 2_000,
      maxPendingPerGuest: e.INVITO_MAX_PENDING_PER_GUEST ?? 3,
      allowPrivateCaldav: e.INVITO_ALLOW_PRIVATE_CALDAV,
      google: e.INVITO_GOOGLE_CLIENT_ID && e.INVITO_GOOGLE_CLIENT_SECRET
        ? {
          clientId: e.INVITO_GOOGLE_CLIENT_ID,
          clientSecret: e.INVITO_GOOGLE_CLIENT_SECRET,
          authUrl: e.INVITO_GOOGLE_AUTH_URL ?? "https://accounts.google.com/o/oauth2/v2/auth",
          tokenUrl: e.INVITO_GOOGLE_TOKEN_URL ?? "https://oauth2.googleapis.com/token",
          apiUrl: e.INVITO_GOOGLE_API_URL ?? "https://www.googleapis.com/calendar/v3",
        }
        : null,
      microsoft: e.INVITO_MICROSOFT_CLIENT_ID && e.INVITO_MICROSOFT_CLIENT_SECRET
        ? {
          clientId: e.INVITO_MICROSOFT_CLIENT_ID,
          clientSecret: e.INVITO_MICROSOFT_CLIENT_SECRET,
          tenant: e.INVITO_MICROSOFT_TENANT,
          authUrl: e.INVITO_MICROSOFT_AUTH_URL ??
            `https://login.microsoftonline.com/${e.INVITO_MICROSOFT_TENANT}/oauth2/v2.0/authorize`,
          tokenUrl: e.INVITO_MICROSOFT_TOKEN_URL ??
            `https://login.microsoftonline.com/${e.INVITO_MICROSOFT_TENANT}/oauth2/v2.0/token`,
          apiUrl: e.INVITO_MICROSOFT_API_URL ?? "https://graph.microsoft.com/v1.0",
        }
        : null,
      zoom: e.INVITO_ZOOM_CLIENT_ID && e.INVITO_ZOOM_CLIENT_SECRET
        ? {
          clientId: e.INVITO_ZOOM_CLIENT_ID,
          clientSecret: e.INVITO_ZOOM_CLIENT_SECRET,
          authUrl: e.INVITO_ZOOM_AUTH_URL ?? "https://zoom.us/oauth/authorize",
          tokenUrl: e.INVITO_ZOOM_TOKEN_URL ?? "https://zoom.us/oauth/token",
          apiUrl: e.INVITO_ZOOM_API_URL ?? "https://api.zoom.us/v2",
        }
        : null,
      allowPrivateWebhooks: e.INVITO_ALLOW_PRIVATE_WEBHOOKS,
      signup: signup.ok ? signup.policy : { open: true },
      admins: admins.ok ? admins.admins : [],
      auditRetentionMs: e.INVITO_AUDIT_RETENTION,
      trustedProxies: e.INVITO_TRUSTED_PROXIES.split(",").map((s) => s.trim()).filter(Boolean),
      demo: e.INVITO_DEMO,
      disableCron: e.INVITO_DISABLE_CRON,
      clientTimeoutMs: e.INVITO_CLIENT_TIMEOUT,
      logFormat: e.INVITO_LOG_FORMAT,
      metricsToken: e.INVITO_METRICS_TOKEN ?? null,
      shutdownGraceMs: e.INVITO_SHUTDOWN_TIMEOUT,
      backup: {
        dir: e.INVITO_BACKUP_DIR ?? null,
        intervalMs: e.INVITO_BACKUP_INTERVAL,
        keep: e.INVITO_BACKUP_KEEP ?? 7,
      },
    },
  };
}

/** Human form of a duration for messages such as "The host will confirm within 24 hours." */
export function describeDuration(ms: number): string {
  const units: [number, string][] = [[86_400_000, "day"], [3_600_000, "hour"], [60_000, "minute"], [
    1_000,
    "second",
  ]];
  // "48 hours" reads better than "2 days" for a confirmation promise; days start at 3.
  for (const [size, name] of units) {
    if (size === 86_400_000 && ms < 3 * size) continue;
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return `${n} ${name}${n === 1 ? "" : "s"}`;
    }
  }
  const minutes = Math.round(ms / 60_000);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

const SECRET_NAME = /secret|password|token$/i;

/** How the command line writes a setting that is not set. */
export const NOT_SET = "(not set)";

/** How the command line writes a setting set to nothing (an empty list). */
export const NONE = "(none)";

/** How the command line writes a setting switched off (`INVITO_RATE_LIMIT=off`). */
export const OFF = "off";

/** Settings whose null is a choice, not an absence: `INVITO_RATE_LIMIT=off` reads as switched off. */
const NULL_MEANS_OFF = new Set(["rateLimits"]);

/**
 * The configuration as parsed, flattened to `name = value` lines for the admin page and
 * `invito check-config`: secrets show only whether they are set, never a character of them.
 * A setting that is not set is null, one set to nothing (an empty list) is "", one switched off
 * is false: each reader says so in its own words (the page in the admin's language, the command
 * line as `NOT_SET`, `NONE`, `OFF`).
 */
export function describeConfig(config: Config): [string, string | null | false][] {
  const out: [string, string | null | false][] = [];
  const walk = (prefix: string, value: unknown) => {
    if (value === null && NULL_MEANS_OFF.has(prefix)) out.push([prefix, false]);
    else if (value instanceof URL) out.push([prefix, value.href]);
    else if (value instanceof Set) out.push([prefix, [...value].join(", ")]);
    else if (Array.isArray(value)) out.push([prefix, value.join(", ")]);
    else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}.${k}` : k, v);
    } else if (SECRET_NAME.test(prefix.split(".").at(-1) ?? "")) {
      out.push([prefix, value === null || value === undefined ? null : "••••••••"]);
    } else out.push([prefix, value === null || value === undefined ? null : String(value)]);
  };
  walk("", config);
  return out;
}
