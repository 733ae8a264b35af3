/**
 * Booking form posts answered before SvelteKit (issue 26, ADR 055).
 *
 * A guest's form post on a booking page is the hot write path. Through SvelteKit it cost about
 * 0.4–0.6 ms of JavaScript beside the booking itself (route matching, sixteen hooks, the request
 * event, the action pipeline): a third of a post's JavaScript time. server.ts hands every POST
 * to `answer` first; a post this module cannot answer exactly as SvelteKit would goes on to
 * SvelteKit untouched, or, once its body has been read, with its decision attached (the hooks
 * and the action reuse it: nothing is decided twice).
 *
 * What SvelteKit's pipeline decides for a booking post, and how it is decided here:
 * - the route and its params: learned from SvelteKit, by the path as asked (`learn`, from
 *   any request the page cache's hook saw) — never matched by hand;
 * - the cross-site check and the body's bounds: server.ts, before this, as for every request;
 * - a renamed host's redirect, the rate limit and the language: the hooks' own functions
 *   (`usernameRedirect`, `rateGroupFor`/`checkRateLimit`, `resolveLocale`);
 * - the decision: `decideBookPost`, the action's own;
 * - the answer's headers (security headers, Vary): learned from SvelteKit's answer to a booked
 *   post (or an enhanced post's refusal) of the same route, kind and `?lang=` presence; until one
 *   is learned, SvelteKit answers.
 *
 * What is not learned yet is learned from one post of a crowd: the rest wait for SvelteKit's
 * answer to it (`lesson`), then go on here. A crowd on a server that had not yet shown that
 * page (just started, or the page fell out of `routes`) otherwise went through SvelteKit whole.
 *
 * Answered here: a booking (303, or the enhanced post's JSON redirect), a refusal without
 * JavaScript whose page is kept as a template (http/refusal-pages.ts), and an enhanced post's
 * refusal (SvelteKit's failure JSON, written with the same serializer). Left to SvelteKit: the
 * widget (its frame-ancestors follow the host's settings), signed-in hosts, bodies that are not
 * URL-encoded, a form to show again with field errors, "busy", an unknown page.
 */
import { setBounded } from "../../shared/bounded-map.ts";
import type { RequestEvent } from "@sveltejs/kit";
import * as devalue from "devalue";
import type { App } from "../app.ts";
import { type BookForm, type BookPost, decideBookPost, handOverDecision } from "./booking-page.ts";
import { isPlainPost, keptRefusal, learnRefusal, type RefusalAsk } from "./refusal-pages.ts";
import { SESSION_COOKIE } from "./page-keep.ts";
import { bookerCookieOf } from "./booker-cookie.ts";
import { actionName, canonicalPath } from "./route-shape.ts";
import { rateGroupFor } from "../domain/rate-limit.ts";
import { checkRateLimit } from "../services/rate-limit.ts";
import { usernameRedirect } from "../services/username-history.ts";
import { tooManyRequests } from "./too-many.ts";
import { resolveLocale } from "./locale.ts";
import { translator } from "../i18n.ts";
import { BUSY_STATUS } from "./busy.ts";
import { recordBookPost } from "../ops/metrics.ts";
import { requestContext } from "../ops/context.ts";
import type { ReadBody } from "./body-limit.ts";

/** Booking pages whose posts may be answered here (not the widget: see above). */
const EARLY_ROUTES = new Set(["/calendar/[username]/[slug]", "/team/[team]/[slug]"]);
/** Learned paths and header sets are bounded like the page cache's entries. */
const MAX_PATHS = 1_000;

type Route = { routeId: string; params: Record<string, string> };
type Kind = "plain" | "json";

/**
 * Route and params of a path SvelteKit resolved, by the path as asked (null: not a booking page,
 * SvelteKit answers its posts); insertion order is recency.
 */
const routes = new Map<string, Route | null>();
/** The final headers of SvelteKit's answer to a booked post, by route, kind and `?lang=`. */
const answerHeaders = new Map<string, [string, string][]>();
/** Requests the page cache's hook saw, with their route: what `learn` learns from. */
const seen = new WeakMap<Request, { route: Route | null; locals: App.Locals }>();
/** Requests whose rate limit was counted here (the hook then does not count them again). */
const counted = new WeakSet<Request>();

/**
 * How SvelteKit answers a post: without `x-sveltekit-action` the page cache's hook answers it
 * (http/refusal-pages.ts); the page's `use:enhance` sends exactly `accept: application/json`
 * and gets JSON. Anything else is SvelteKit's to negotiate.
 */
function kindOf(h: Headers): Kind | null {
  if (isPlainPost(h)) return "plain";
  return h.get("accept") === "application/json" ? "json" : null;
}

const headersKey = (routeId: string, kind: Kind, url: URL) =>
  `${routeId}\n${kind}\n${url.searchParams.has("lang")}`;

/** Called by the page cache's hook for every request (see `learn`). */
export function noteBookingRoute(event: RequestEvent): void {
  const id = event.route.id;
  seen.set(event.request, {
    route: id && EARLY_ROUTES.has(id)
      ? { routeId: id, params: event.params as Record<string, string> }
      : null,
    locals: event.locals,
  });
}

/**
 * Posts waiting for what SvelteKit's answer to one of them teaches (a path's route, the headers
 * of a kind of answer), by what it teaches; and the request handed to SvelteKit for each.
 */
const lessons = new Map<string, { ready: Promise<void>; settle: () => void }>();
const teachers = new WeakMap<Request, string>();

/** The wait for SvelteKit's answer to the post of this crowd that was sent to learn `key`. */
const lessonAsked = (key: string): Promise<void> | undefined => lessons.get(key)?.ready;

/**
 * Sends `req` (handed to SvelteKit now) to learn `key`; its answer (`learn`, which server.ts
 * calls in a `finally`) ends the wait. Asked only at the hand-over, with no await since the
 * crowd looked (`lessonAsked`): a crowd arrives in one tick, and a lesson asked for a request
 * that then never reached SvelteKit would hold every later post of its path.
 */
function askLesson(key: string, req: Request): void {
  let settle!: () => void;
  lessons.set(key, { ready: new Promise<void>((r) => settle = r), settle });
  teachers.set(req, key);
}

/** Whether this request's rate limit was already counted before SvelteKit. */
export function rateCountedEarly(req: Request): boolean {
  return counted.has(req);
}

/**
 * After SvelteKit answered: the route of the path as asked, and, from a booked post's answer,
 * the headers the next ones of its kind are answered with.
 */
function learn(req: Request, url: URL, res: Response | undefined): void {
  try {
    learnFrom(req, url, res);
  } finally {
    // Whoever waited for this answer goes on, also when SvelteKit threw.
    const key = teachers.get(req);
    const waiting = key === undefined ? undefined : lessons.get(key);
    if (waiting) {
      lessons.delete(key!);
      waiting.settle();
    }
  }
}

/** Whether a decision is answered here once its kind's headers are known (see `answer`). */
const answeredEarly = (decided: BookForm, kind: Kind) =>
  decided.kind === "booked" ||
  (kind === "json" && decided.kind === "failed" && decided.status !== BUSY_STATUS);

function learnFrom(req: Request, url: URL, res: Response | undefined): void {
  // A refusal's page SvelteKit answered, and who waits for it (even when it failed).
  if (req.method === "POST") learnRefusal(req, res);
  const s = seen.get(req);
  if (!s || !res) return;
  // Other pages are remembered only when a post asked (the widget's posts, not held again).
  if (!s.route && !teachers.has(req)) return;
  setBounded(routes, url.pathname, s.route, MAX_PATHS);
  const decided = s.locals.bookForm;
  if (req.method !== "POST" || !decided || !s.route) return;
  recordBookPost("sveltekit");
  const kind = kindOf(req.headers);
  // A signed-in host's answers differ (never stored by a cache); they are not answered early.
  if (
    !kind || !answeredEarly(decided, kind) || SESSION_COOKIE.test(req.headers.get("cookie") ?? "")
  ) {
    return;
  }
  const fits = kind === "plain"
    ? decided.kind === "booked" && res.status === 303 &&
      res.headers.get("location") === decided.location
    : res.status === 200 && res.headers.get("content-type") === "application/json";
  if (!fits) return;
  const key = headersKey(s.route.routeId, kind, url);
  if (answerHeaders.has(key)) return;
  if (answerHeaders.size >= MAX_PATHS) answerHeaders.clear();
  answerHeaders.set(
    key,
    [...res.headers].filter(([k]) => !["location", "content-length", "etag"].includes(k)),
  );
}

const utf8 = new TextEncoder();
const utf8Text = new TextDecoder();

/**
 * A response with the learned headers set one by one (http/spliced-bytes.ts says why not
 * through the constructor); a body with its length, as SvelteKit's `json` gives it (which also
 * keeps compress.ts from compressing a small JSON answer SvelteKit's would not be).
 */
function answerWith(body: string | null, status: number, headers: [string, string][]): Response {
  const bytes = body === null ? null : utf8.encode(body);
  const res = new Response(bytes, { status });
  const h = res.headers;
  for (const [k, v] of headers) h.set(k, v);
  if (bytes) h.set("content-length", String(bytes.length));
  return res;
}

/** SvelteKit's JSON answer to an enhanced post (its `action_json`), as it writes it. */
function jsonAnswer(decided: Exclude<BookForm, { kind: "not_found" }>): string {
  return decided.kind === "booked"
    ? JSON.stringify({ type: "redirect", status: 303, location: decided.location })
    : JSON.stringify({
      type: "failure",
      status: decided.status,
      data: devalue.stringify(decided.data),
    });
}

/**
 * The answer to a booking post, or the request to hand to SvelteKit instead (its body read, its
 * decision attached), or null when SvelteKit takes it as it came.
 */
async function answer(
  app: App,
  req: Request,
  url: URL,
  clientIp: string,
  body: ReadBody,
  forSvelteKit: () => Request,
): Promise<Response | Request | null> {
  if (req.method !== "POST" || actionName(url) !== "book") return null;
  const h = req.headers;
  const kind = kindOf(h);
  if (
    !kind || SESSION_COOKIE.test(h.get("cookie") ?? "") ||
    !/^application\/x-www-form-urlencoded\s*(;|$)/i.test(h.get("content-type") ?? "")
  ) return null;
  let route = routes.get(url.pathname);
  if (route === undefined) {
    // A path SvelteKit has not resolved yet: one post of its crowd teaches it.
    const key = `route\n${url.pathname}`;
    const asked = lessonAsked(key);
    if (!asked) {
      // The request SvelteKit answers is the one the lesson is learned from (`learn`).
      const handed = forSvelteKit();
      askLesson(key, handed);
      return handed;
    }
    await asked;
    route = routes.get(url.pathname);
  }
  if (!route) return null;
  const { routeId, params } = route;
  // A renamed host's old address answers with a redirect (the hooks' `oldUsernames`).
  if (await usernameRedirect(app, routeId, params, url)) return null;
  const group = rateGroupFor({ method: "POST", routeId, path: canonicalPath(url.pathname) });
  if (group) {
    const decision = await checkRateLimit(app, group, clientIp);
    if (!decision.ok) return tooManyRequests(decision.retryAfterS, req);
  }
  const ctx = requestContext.getStore();
  if (ctx) ctx.clientIp = clientIp;
  const locale = await resolveLocale({
    url,
    request: req,
    route: { id: routeId },
    params,
    locals: { app, user: null },
  });
  // The bytes server.ts read (http/body-limit.ts readBody), as `req.text()` would decode them.
  const text = body ? utf8Text.decode(body.bytes) : "";
  const post: BookPost = {
    form: Object.fromEntries(new URLSearchParams(text)),
    acceptLanguage: h.get("accept-language"),
    bookerCookie: bookerCookieOf(h.get("cookie")),
    params,
    routeId,
    url,
    app,
    locale,
    t: translator(locale),
  };
  const decided = await decideBookPost(post);
  const hk = headersKey(routeId, kind, url);
  let headers = answerHeaders.get(hk);
  let teach: string | undefined;
  if (!headers && answeredEarly(decided, kind)) {
    // Not learned yet: one of the crowd's answers from SvelteKit teaches them.
    const key = `headers\n${hk}`;
    const asked = lessonAsked(key);
    if (asked) {
      await asked;
      headers = answerHeaders.get(hk);
    } else teach = key;
  }
  if (headers && answeredEarly(decided, kind)) {
    recordBookPost("early");
    return decided.kind === "booked" && kind === "plain"
      ? answerWith(null, 303, [["location", decided.location], ...headers])
      : answerWith(jsonAnswer(decided as Exclude<BookForm, { kind: "not_found" }>), 200, headers);
  }
  let renderBy: ((req: Request) => void) | undefined;
  if (kind === "plain" && decided.kind === "failed" && decided.status !== BUSY_STATUS) {
    const ask: RefusalAsk = {
      app,
      url,
      params: params as RefusalAsk["params"],
      locale,
      acceptLanguage: post.acceptLanguage,
      acceptEncoding: h.get("accept-encoding"),
    };
    const kept = await keptRefusal(ask, decided);
    if (kept instanceof Response) {
      recordBookPost("early");
      return kept;
    }
    renderBy = kept?.renderBy;
  }
  // SvelteKit answers it with this decision (the body it reads is the one read above).
  const handed = forSvelteKit();
  handOverDecision(handed, decided);
  renderBy?.(handed);
  if (teach) askLesson(teach, handed);
  if (group) counted.add(handed);
  return handed;
}

export const BOOK_EARLY = Symbol.for("invito.bookEarly");
export type BookEarly = {
  /**
   * `req` is the request as served (its headers and method; its body already read into `body`);
   * `forSvelteKit` builds the request SvelteKit is to answer, carrying that body.
   */
  answer(
    req: Request,
    url: URL,
    clientIp: string,
    body: ReadBody,
    forSvelteKit: () => Request,
  ): Promise<Response | Request | null>;
  /** After SvelteKit's answer, or after it threw (`res` undefined): always called. */
  learn(req: Request, url: URL, res: Response | undefined): void;
};

/** Hands `answer` and `learn` to server.ts (this bundle's state, as the page cache's mount does). */
export function mountBookEarly(app: App): void {
  (globalThis as { [BOOK_EARLY]?: BookEarly })[BOOK_EARLY] = {
    answer: (req, url, ip, body, forSvelteKit) => answer(app, req, url, ip, body, forSvelteKit),
    learn,
  };
}
