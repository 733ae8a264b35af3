/**
 * Rendered booking pages, reused while nothing they show has changed.
 *
 * A guest's booking page is the hot path (links in signatures, embeds on busy sites). A page is
 * kept by its URL (and language and clock) with the revision of everyone it is computed from
 * (services/page-revision.ts), read before anything else on every request, and the minute: a
 * booking, a synced calendar or a settings change in any process changes the revision, the
 * clock moving on changes the minute (or passes the first slot shown), and the page is computed
 * again. An unchanged host costs one KV read and a string substitution.
 * Only what differs per response is renewed on the way out: the CSP nonce and the fill-time token.
 *
 * Only anonymous GETs are reused (a session cookie can change the layout): full pages, and the
 * data a guest's browser asks for as they click through days, times and months (SvelteKit's
 * `__data.json`, which holds the fill-time token as the page does, and no nonce). Those clicks
 * are most of a visit's requests; each was rendered afresh at ~1.5 ms, 7× a kept page.
 *
 * A refused booking form post without JavaScript (many guests racing for one slot) is answered
 * the same way: the page it gets differs from one guest to the next only by what each typed, so
 * it is rendered once per page data with stand-ins for those values, and each answer fills in
 * its own, escaped for where they stand (an attribute, text, or the hydration script).
 */
import { setBounded } from "../../shared/bounded-map.ts";
import { KeptPages } from "./kept-pages.ts";
import type { Handle, RequestEvent } from "@sveltejs/kit";
import {
  MAX_BYTES,
  MAX_ENTRIES,
  newNonce,
  NONCE,
  pageQueryKey,
  ROUTES,
  SESSION_COOKIE,
} from "./page-keep.ts";
import { answerBookPost, isPlainBookPost } from "./refusal-pages.ts";
import { noteBookingRoute } from "./book-early.ts";
import { guestClock } from "./page-language.ts";
import { pageRevision, requestPageRevision } from "../services/page-revision.ts";
import type { SlotPage } from "../services/slot-page.ts";
import { fillToken } from "../services/anti-spam.ts";
import type { App } from "../app.ts";
import { countPageView } from "./insights-hook.ts";
import { wantsMarkdown } from "./agent-pages.ts";
import { rateGroupFor } from "../domain/rate-limit.ts";
import { checkRateLimit } from "../services/rate-limit.ts";
import { tooManyRequests } from "./too-many.ts";
import { canonicalPath } from "./route-shape.ts";
import { recordPageCache } from "../ops/metrics.ts";
import { BOOKER_ROUTES, bookerSetCookie } from "./booker-cookie.ts";
import {
  gzipAccepted,
  keptHeaders,
  markGzip,
  type Spliced,
  splicedGzip,
  splicedResponse,
} from "./spliced-bytes.ts";

/** The page's bytes between the places of its nonce and fill token (`holes`, in order). */
type Entry = Spliced & {
  status: number;
  headers: [string, string][];
  holes: ("nonce" | "token")[];
  nonce: string | null;
  /** The page's revision (services/page-revision.ts) and clock bucket when it was rendered. */
  revision: string;
  minute: number;
  /**
   * The first slot it shows for the day (it drops out when it starts), or the end of a hold
   * behind its times if sooner (the time comes free with no write): rendered again then.
   */
  firstSlotMs: number;
  /** Its data, for what counts page views after the answer (http/insights-hook.ts). */
  page: SlotPage;
};

/** A hit makes its page the newest; the oldest leave first. */
const entries = new KeptPages<Entry>(MAX_ENTRIES, MAX_BYTES);

function cacheable(event: RequestEvent): boolean {
  return event.request.method === "GET" && ROUTES.has(event.route.id ?? "") &&
    !SESSION_COOKIE.test(event.request.headers.get("cookie") ?? "") &&
    // A routing form's visitor (issue 30): one address per visitor, holding their answers —
    // never reused, and nothing personal is kept in a shared cache.
    !event.url.searchParams.has("routing");
}

export const pageCache: Handle = async ({ event, resolve }) => {
  // Which route a booking page's path is, for posts answered before SvelteKit (book-early.ts).
  noteBookingRoute(event);
  if (isPlainBookPost(event)) return await answerBookPost(event, resolve);
  // A view of a booking page, kept or not: its answer gets the booker cookie after everything
  // else saw it (server.ts, `withBookerCookie`), so nothing kept or learned ever holds one.
  if (event.request.method === "GET" && BOOKER_ROUTES.has(event.route.id ?? "")) {
    views.set(event.request, event.url.pathname);
  }
  if (!cacheable(event)) return resolve(event);
  const app = event.locals.app;
  // The revision is read before anything the page shows (ADR 039): a change landing after it
  // leaves this answer cached under an older revision, which the next request no longer reads.
  // The locale hook may have read it for this request already (http/locale.ts): the same read.
  const revision = await requestPageRevision(
    app,
    event.request,
    event.params as { username: string } | { team: string },
  );
  // Unknown names are answered by the load as usual (404), and not kept.
  if (revision === null) return resolve(event);
  const minute = Math.floor(app.now() / 60_000);
  // The address as asked: SvelteKit's `event.url` drops a data request's `/__data.json` and the
  // nodes it asks for again (`x-sveltekit-invalidated`), which make it another answer.
  const asked = new URL(event.request.url);
  const key = `${asked.pathname}${pageQueryKey(asked)}\n${event.locals.locale}\n${
    guestClock(event.url, event.request.headers.get("accept-language"), event.locals.locale)
  }`;
  const hit = entries.get(key);
  // A slot shown for the day starts: the page changes (within the minute when notice is 0).
  if (hit && hit.revision === revision && hit.minute === minute && app.now() < hit.firstSlotMs) {
    entries.touch(key);
    event.locals.slotPage = hit.page;
    recordPageCache("kept");
    return replay(event, key, hit, await fillToken(app));
  }

  // A crowd missing at once (a new minute, a booking) waits for the one render of the same
  // revision and minute started before it, instead of rendering the page fifty times: that
  // render's data is exactly what this request's own revision read vouches for.
  const pending = renders.get(key);
  if (pending && pending.revision === revision && pending.minute === minute) {
    const e = await pending.entry;
    if (e && app.now() < e.firstSlotMs) {
      event.locals.slotPage = e.page;
      recordPageCache("kept");
      return replay(event, key, e, await fillToken(app));
    }
  }
  let settle!: (e: Entry | null) => void;
  const mine = { revision, minute, entry: new Promise<Entry | null>((r) => (settle = r)) };
  renders.set(key, mine);
  try {
    return await render(event, resolve, key, revision, minute, settle);
  } finally {
    settle(null);
    if (renders.get(key) === mine) renders.delete(key);
  }
};

/** Renders are single-flight per page key (see the hook). Bounded by the requests in flight. */
const renders = new Map<
  string,
  { revision: string; minute: number; entry: Promise<Entry | null> }
>();

async function render(
  event: RequestEvent,
  resolve: Parameters<Handle>[0]["resolve"],
  key: string,
  revision: string,
  minute: number,
  settle: (e: Entry | null) => void,
): Promise<Response> {
  const res = await resolve(event);
  const page = event.locals.slotPage;
  if (res.status !== 200 || res.headers.has("set-cookie") || !page?.ok) return res;
  // SvelteKit hands the page over as UTF-8 bytes (it encodes it for the content length): they
  // are kept and answered as they are, never decoded to a string and encoded again (each a
  // copy of a 30 KB page, two bytes a character, per render: a top item of the cold render's
  // allocations, issue 26).
  const body = await res.bytes();
  const nonce = NONCE.exec(res.headers.get("content-security-policy") ?? "")?.[1] ?? null;
  const token = event.locals.fillToken ?? null;
  const entry: Entry = {
    status: res.status,
    headers: [...res.headers].filter(([k]) => k !== "etag" && k !== "content-length"),
    ...splitAt(body, nonce, token),
    nonce,
    revision,
    minute,
    // …or when a hold behind its times ends (nothing is written then: a poll's held time).
    firstSlotMs: Math.min(
      page.slots.length ? Date.parse(page.slots[0].start) : Infinity,
      page.changesAtMs,
    ),
    page,
  };
  entries.keep(key, entry);
  settle(entry);
  serve(event, key, entry, nonce ?? "", token ?? "");
  recordPageCache("rendered");
  return new Response(body, { status: res.status, headers: res.headers });
}

const utf8 = new TextEncoder();

/**
 * The page's bytes, cut where its nonce and fill token stand: a replay copies the parts and
 * writes the new values between them into one buffer, instead of searching and re-encoding a
 * 30 KB string twice per response (ADR 039: the profile's top item on a cache hit). The parts
 * are views of the one buffer the render gave.
 */
function splitAt(
  body: Uint8Array,
  nonce: string | null,
  token: string | null,
): Pick<Entry, "parts" | "holes" | "size"> {
  // Both values are ASCII (newNonce, fillToken): their bytes are their characters.
  const wanted = ([["nonce", nonce], ["token", token]] as const)
    .filter((w): w is readonly ["nonce" | "token", string] => !!w[1])
    .map(([hole, value]) => ({ hole, bytes: utf8.encode(value), at: -1 }));
  const parts: Uint8Array[] = [];
  const holes: ("nonce" | "token")[] = [];
  let last = 0;
  for (;;) {
    let next: (typeof wanted)[number] | null = null;
    for (const w of wanted) {
      if (w.at !== -2 && w.at < last) w.at = indexOfBytes(body, w.bytes, last) ?? -2;
      // At the same place the nonce wins, as it comes first.
      if (w.at >= 0 && (!next || w.at < next.at)) next = w;
    }
    if (!next) break;
    parts.push(body.subarray(last, next.at));
    holes.push(next.hole);
    last = next.at + next.bytes.length;
  }
  parts.push(body.subarray(last));
  return { parts, holes, size: parts.reduce((n, p) => n + p.length, 0) };
}

/** Where `needle` first occurs in `hay` at or after `from`; null if it does not. */
function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from: number): number | null {
  const end = hay.length - needle.length;
  for (
    let i = hay.indexOf(needle[0], from);
    i !== -1 && i <= end;
    i = hay.indexOf(needle[0], i + 1)
  ) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return null;
}

function replay(event: RequestEvent, key: string, e: Entry, freshFillToken: string): Response {
  const nonce = e.nonce ? newNonce() : "";
  serve(event, key, e, nonce, freshFillToken);
  return splicedResponse(
    e,
    holeValues(e, nonce, freshFillToken),
    false,
    e.status,
    keptHeaders(e.headers, e.nonce, nonce, false),
  );
}

/** What goes into the page's holes in this response, in order. */
const holeValues = (e: Entry, nonce: string, token: string) =>
  e.holes.map((h) => h === "nonce" ? nonce : token);

/**
 * The page gzipped from its parts deflated once (spliced-bytes.ts). The first such answer makes
 * the deflated copies: they count against the cache's bound from then on.
 */
function gzipBytes(
  key: string,
  e: Entry,
  nonce: string,
  freshFillToken: string,
): Uint8Array<ArrayBuffer> {
  const gz = splicedGzip(e, holeValues(e, nonce, freshFillToken));
  entries.recount(key, e);
  return gz;
}

/** For tests: how many pages are kept. */
export function pageCacheSize(): number {
  return entries.size;
}

// ── kept pages answered before SvelteKit ───────────────────────────────────────────────────

/**
 * A kept page answered by server.ts before SvelteKit runs (issue 26, ADR 049): SvelteKit's
 * request pipeline (route matching, every hook, the locale, the session check) cost more than
 * the page itself on a hit. The first answer of an address goes through SvelteKit as before;
 * server.ts then hands the request and its final answer to `learn`, which keeps, by the
 * address (the parameters the page reads: `earlyKey`) and the browser's languages (everything
 * the hooks decided the answer from), the route SvelteKit matched, its parameters, the kept
 * page and the answer's final headers. A later request for the same address costs one read of
 * the revision (the same `pageRevision`, so a change in any process misses exactly as in the
 * hook), the rate limit and the byte copy; anything else — a session cookie, a markdown reader, another revision,
 * minute or first slot — goes to SvelteKit.
 */
export const PAGE_EARLY = Symbol.for("invito.pageEarly");
export type PageEarly = {
  answer(req: Request, url: URL, clientIp: string): Promise<Response | null>;
  learn(req: Request, url: URL, res: Response): void;
  gzipped(req: Request, res: Response): Response | null;
  /** SvelteKit's final answer to a view of a booking page, with the booker cookie. */
  withBookerCookie(req: Request, res: Response): Response;
};

type Served = {
  /** The hook's key of the kept page: a learned answer holds only while the page is kept. */
  key: string;
  entry: Entry;
  routeId: string;
  params: Record<string, string>;
  /** The page's address as SvelteKit saw it (public origin, no data suffix), for the counts. */
  url: URL;
  isDataRequest: boolean;
  /** What this answer wrote into the page's holes (`gzipped` splices the same). */
  nonce: string;
  token: string;
};
type Learned = Omit<Served, "nonce" | "token"> & {
  /** The final headers (every hook's), with `nonce` standing where the response's nonce was. */
  headers: [string, string][];
  nonce: string | null;
};

/** Which kept page answered which request (set by the hook, read by `learn` and `gzipped`). */
const served = new WeakMap<Request, Served>();
/** Views of booking pages the hook saw, with the page's path (its data requests' too). */
const views = new WeakMap<Request, string>();

/**
 * The booker cookie on a booking page's answer (http/booker-cookie.ts, ADR 060): a header of
 * this response only, set after the page was kept and learned from, so the kept bytes and
 * headers stay everyone's.
 */
function withBookerCookie(
  app: App,
  req: Request,
  pagePath: string | undefined,
  res: Response,
): Response {
  if (pagePath === undefined || res.status !== 200) return res;
  const cookie = bookerSetCookie(
    req.headers.get("cookie"),
    pagePath,
    app.config.baseUrl.protocol === "https:",
  );
  if (!cookie) return res;
  try {
    res.headers.append("set-cookie", cookie);
    return res;
  } catch {
    // Headers of a response that cannot change (none of ours): a copy that can.
    const copy = new Response(res.body, res);
    copy.headers.append("set-cookie", cookie);
    return copy;
  }
}

function serve(event: RequestEvent, key: string, entry: Entry, nonce: string, token: string) {
  served.set(event.request, {
    key,
    entry,
    routeId: event.route.id!,
    params: event.params,
    url: event.url,
    isDataRequest: event.isDataRequest,
    nonce,
    token,
  });
}
/** Learned answers by address and languages; insertion order is recency, bounded. */
const learned = new Map<string, Learned>();

/**
 * The address as the kept page's key reads it (`pageQueryKey`): an ad guest's click id of their
 * own, unread by the page, would miss here, take SvelteKit's way to the same kept page, and be
 * learned under a key nobody asks again, pushing out the pages kept for everyone.
 */
const earlyKey = (url: URL, headers: Headers) =>
  `${url.pathname}${pageQueryKey(url)}\n${headers.get("accept-language") ?? ""}`;

function learn(req: Request, url: URL, res: Response): void {
  const s = served.get(req);
  if (!s || res.status !== 200 || res.headers.has("set-cookie")) return;
  const key = earlyKey(url, req.headers);
  setBounded(learned, key, {
    key: s.key,
    entry: s.entry,
    routeId: s.routeId,
    params: s.params,
    url: s.url,
    isDataRequest: s.isDataRequest,
    headers: [...res.headers].filter(([k]) => k !== "etag" && k !== "content-length"),
    nonce: NONCE.exec(res.headers.get("content-security-policy") ?? "")?.[1] ?? null,
  }, MAX_ENTRIES);
}

async function answer(app: App, req: Request, url: URL, clientIp: string) {
  if (req.method !== "GET" || learned.size === 0) return null;
  const h = req.headers;
  const key = earlyKey(url, h);
  const l = learned.get(key);
  if (!l || SESSION_COOKIE.test(h.get("cookie") ?? "") || wantsMarkdown(h.get("accept"))) {
    return null;
  }
  const e = l.entry;
  if (entries.get(l.key) !== e) return null;
  const revision = await pageRevision(app, l.params as { username: string } | { team: string });
  const now = app.now();
  if (
    revision !== e.revision || Math.floor(now / 60_000) !== e.minute ||
    now >= e.firstSlotMs
  ) return null;
  // The limit the rateLimit hook applies to the route SvelteKit matched; counted here only for
  // requests answered here (a miss is counted once, by the hook).
  const group = rateGroupFor({
    method: "GET",
    routeId: l.routeId,
    path: canonicalPath(url.pathname),
  });
  if (group) {
    const decision = await checkRateLimit(app, group, clientIp);
    if (!decision.ok) return tooManyRequests(decision.retryAfterS, req);
  }
  learned.delete(key);
  learned.set(key, l);
  const nonce = e.nonce ? newNonce() : "";
  const token = await fillToken(app);
  const gzip = gzipAccepted(h.get("accept-encoding"));
  const res = splicedResponse(
    e,
    holeValues(e, nonce, token),
    gzip,
    e.status,
    keptHeaders(l.headers, l.nonce, nonce, gzip),
  );
  if (gzip) entries.recount(l.key, e);
  recordPageCache("early");
  // Counted as the hook counts what SvelteKit answers: by the page's address as SvelteKit saw it.
  countPageView(app, {
    routeId: l.routeId,
    params: l.params,
    url: l.url,
    headers: h,
    isDataRequest: l.isDataRequest,
    page: e.page,
  });
  return BOOKER_ROUTES.has(l.routeId) ? withBookerCookie(app, req, l.url.pathname, res) : res;
}

/**
 * The gzip answer of a page SvelteKit rendered into the cache or answered from it: spliced from
 * the parts deflated once, as the early answers are, instead of compressed again by
 * http/compress.ts (brotli per cold render, then a deflate for the early answers: two
 * compressions of one page, issue 26). The page travels the same way from its first view on.
 * Null when the client takes no gzip or the answer is not the kept page.
 */
function gzipped(req: Request, res: Response): Response | null {
  const s = served.get(req);
  if (
    !s || res.status !== 200 || res.headers.has("content-encoding") ||
    !gzipAccepted(req.headers.get("accept-encoding"))
  ) return null;
  const headers = new Headers(res.headers);
  // The tag named the plain bytes; the kept answers go without one (each differs by its nonce).
  headers.delete("etag");
  headers.delete("content-length");
  markGzip(headers);
  return new Response(gzipBytes(s.key, s.entry, s.nonce, s.token), { status: res.status, headers });
}

/** Hands `answer` and `learn` to server.ts (this bundle's caches, as the API's mount does). */
export function mountPageEarly(app: App): void {
  (globalThis as { [PAGE_EARLY]?: PageEarly })[PAGE_EARLY] = {
    answer: (req, url, ip) => answer(app, req, url, ip),
    learn,
    gzipped,
    withBookerCookie: (req, res) => withBookerCookie(app, req, views.get(req), res),
  };
}
