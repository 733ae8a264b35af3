/**
 * Rate limits as data: which group a request belongs to, the default limits, and parsing the
 * INVITO_RATE_LIMIT setting ("on", "off", or overrides like "booking=20/10m,page=300/1m").
 */
export type RateGroup = "booking" | "page" | "token" | "signin" | "signin_email";
export type Limit = { limit: number; windowMs: number };
export type RateLimits = Record<RateGroup, Limit>;

export const DEFAULT_LIMITS: RateLimits = {
  booking: { limit: 10, windowMs: 10 * 60_000 },
  page: { limit: 600, windowMs: 60_000 },
  token: { limit: 30, windowMs: 10 * 60_000 },
  signin: { limit: 10, windowMs: 15 * 60_000 },
  signin_email: { limit: 5, windowMs: 60 * 60_000 },
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
    const m = /^(booking|page|token|signin|signin_email)=(\d{1,6})\/(\d{1,4})(s|m|h)$/.exec(
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

/** The group a request counts against, or null when it is not limited. */
export function rateGroupFor(method: string, pathname: string, search: string): RateGroup | null {
  const guest = /^\/(calendar|widget|team)\//.test(pathname);
  if (method === "POST") {
    if (guest && search.includes("/book")) return "booking";
    if (/^\/(booking|widget\/booking)\//.test(pathname)) return "token";
    if (pathname === "/signin") return "signin";
    return null;
  }
  if (method === "GET" && (guest || pathname.startsWith("/booking/"))) return "page";
  return null;
}
