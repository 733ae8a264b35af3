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
  | "api_public"
  | "import"
  | "poll_voter";
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
  /** A host's data imports (a file of up to 64 MB each), per host. */
  import: { limit: 10, windowMs: 60 * 60_000 },
  /**
   * New invitees one client adds to meeting polls, per client IP: each is an address the host's
   * pick will mail (a change of one's own answers does not count).
   */
  poll_voter: { limit: 20, windowMs: 60 * 60_000 },
};

const UNIT: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };
/** One override: "booking=10/10m" (every group of DEFAULT_LIMITS, and only those). */
const SETTING_PART = new RegExp(
  `^(${Object.keys(DEFAULT_LIMITS).join("|")})=(\\d{1,6})\\/(\\d{1,4})(s|m|h)$`,
);

export function parseRateLimitSetting(
  text: string,
): { ok: true; limits: RateLimits | null } | { ok: false; error: string } {
  const t = text.trim().toLowerCase();
  if (t === "off" || t === "false") return { ok: true, limits: null };
  if (t === "on" || t === "true" || t === "") return { ok: true, limits: { ...DEFAULT_LIMITS } };
  const limits = { ...DEFAULT_LIMITS };
  for (const part of t.split(",")) {
    const m = SETTING_PART.exec(part.trim());
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
 * Booking pages, a host's or a team's, and routing forms (issue 30): every POST there is a booking
 * attempt (or the form that leads to one), whatever action it names.
 */
const GUEST_PAGE =
  /^\/(calendar|widget)\/\[username\]|^\/(widget\/)?team\/\[team\]|^\/(widget\/)?forms\/\[owner\]/;
/** Pages opened by a secret link's token: a booking's, a team invitation's, or a meeting poll's. */
const TOKEN_PAGE =
  /^\/(widget\/)?booking\/\[token\]|^\/team-invitation\/\[token\]|^\/poll\/\[token\]/;

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

/**
 * What a limit counts an address as. An IPv6 client is counted by its /64: one customer's line or
 * one data-centre host gets a whole /64 (2^64 addresses) and could otherwise send each request
 * from a new one (issue 22). An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) is its IPv4 address,
 * and IPv4 addresses count one by one. Anything that is not an IP address (an email) is its own
 * subject, lower-cased.
 */
export function rateSubject(subject: string): string {
  const s = subject.trim().toLowerCase();
  if (s.includes("@") || !s.includes(":")) return s;
  const bare = s.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(bare) ??
    /^::(\d{1,3}(?:\.\d{1,3}){3})$/.exec(bare);
  if (mapped) return mapped[1];
  const groups = ipv6Groups(bare);
  if (!groups) return s;
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, or null when it is not one. */
function ipv6Groups(s: string): number[] | null {
  let text = s;
  // A trailing dotted IPv4 part is the last two groups.
  const v4 = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const b = v4.slice(2).map(Number);
    if (b.some((x) => x > 255)) return null;
    text = `${v4[1]}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const part = (h: string) => (h === "" ? [] : h.split(":"));
  const head = part(halves[0]);
  const tail = halves.length === 2 ? part(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return all.map((g) => parseInt(g, 16));
}
