/**
 * Rate limits as data: which group a request belongs to, the default limits, and parsing the
 * INVITO_RATE_LIMIT setting ("on", "off", or overrides like "booking=20/10m,page=300/1m").
 */
export type RateGroup =
  | "booking"
  | "page"
  | "token"
  | "signin"
  | "signin_email"
  | "api"
  | "api_public";
export type Limit = { limit: number; windowMs: number };
export type RateLimits = Record<RateGroup, Limit>;

export const DEFAULT_LIMITS: RateLimits = {
  booking: { limit: 10, windowMs: 10 * 60_000 },
  page: { limit: 600, windowMs: 60_000 },
  token: { limit: 30, windowMs: 10 * 60_000 },
  signin: { limit: 10, windowMs: 15 * 60_000 },
  signin_email: { limit: 5, windowMs: 60 * 60_000 },
  /** JSON API, per API key. */
  api: { limit: 600, windowMs: 60_000 },
  /** JSON API without a key (event types, slots), per client IP. */
  api_public: { limit: 300, windowMs: 60_000 },
};

const UNIT: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

export function parseRateLimitSetting(
  text: string,
): { ok: true; limits: RateLimits | null } | { ok: false; error: string } {
  const t = text.trim().toLowerCase();
  if (t === "off" || t === "false") return { ok: true, limits: null };
  if (t === "on" || t === "true" || t === "") return { ok: true, limits: { ...DEFAULT_LIMITS } };
  const limits = { ...DEFAULT_LIMITS };
  for (const part of t.split(",")) {
    const m =
      /^(booking|page|token|signin|signin_email|api|api_public)=(\d{1,6})\/(\d{1,4})(s|m|h)$/.exec(
        part.trim(),
      );
    if (!m) {
      return {
        ok: false,
        error: `INVITO_RATE_LIMIT: "${part.trim()}" should look like booking=10/10m (groups: ${
          Object.keys(DEFAULT_LIMITS).join(", ")
        })`,
      };
    }
    const windowMs = Number(m[3]) * UNIT[m[4]];
    if (Number(m[2]) < 1 || windowMs < 1_000) {
      return {
        ok: false,
        error: `INVITO_RATE_LIMIT: "${part.trim()}" needs a limit and window of at least 1`,
      };
    }
    limits[m[1] as RateGroup] = { limit: Number(m[2]), windowMs };
  }
  return { ok: true, limits };
}

/**
 * A request as SvelteKit resolved it: `routeId` is `event.route.id` (null when no route matched,
 * e.g. Auth.js's own /auth/… paths), `path` the canonical decoded path (http/route-shape.ts).
 * Classifying by route means a percent-encoded spelling of a path counts like the plain one.
 */
export type RequestShape = { method: string; routeId: string | null; path: string };

/**
 * Booking pages, a host's or a team's: every POST there is a booking attempt, whatever action it
 * names.
 */
const GUEST_PAGE = /^\/(calendar|widget)\/\[username\]|^\/(widget\/)?team\/\[team\]/;
/** Pages opened by a secret link's token: a booking's, or a team invitation's. */
const TOKEN_PAGE = /^\/(widget\/)?booking\/\[token\]|^\/team-invitation\/\[token\]/;

/** The group a request counts against, or null when it is not limited. */
export function rateGroupFor(r: RequestShape): RateGroup | null {
  const method = r.method.toUpperCase();
  const route = r.routeId ?? "";
  if (method === "POST") {
    if (GUEST_PAGE.test(route)) return "booking";
    if (TOKEN_PAGE.test(route)) return "token";
    if (route === "/signin") return "signin";
    // Auth.js answers its own sign-in endpoints (no route); they are closed to outside posts,
    // and still count. Completing a link sends nothing and guesses no secret worth limiting.
    if (!r.routeId && /^\/auth\/signin(\/|$)/.test(r.path)) return "signin";
    return null;
  }
  if (
    (method === "GET" || method === "HEAD") && (GUEST_PAGE.test(route) || TOKEN_PAGE.test(route))
  ) {
    return "page";
  }
  return null;
}
