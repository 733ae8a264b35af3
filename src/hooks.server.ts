import type { Handle, HandleServerError, RequestEvent, ServerInit } from "@sveltejs/kit";
import { error, redirect } from "@sveltejs/kit";
import { getApp } from "$lib/server/app.ts";
import { auth } from "$lib/server/auth-instance.ts";
import {
  deleteSessionToken,
  getSessionUserId,
  migrateLegacySessions,
  SESSION_COOKIES,
  sessionTokenFrom,
} from "$lib/server/store/auth-adapter.ts";
import {
  identityNoticePath,
  isLinkIntentValid,
  LINK_INTENT_COOKIE,
  LINK_INTENT_PATH,
  requestLink,
} from "$lib/server/services/identity-link.ts";
import { getActiveUser } from "$lib/server/store/users.ts";
import { isAdmin } from "$lib/server/domain/admin.ts";
import { requestContext } from "$lib/server/ops/context.ts";
import { announcePresence } from "$lib/server/ops/presence.ts";
import { startJobs } from "$lib/server/jobs/index.ts";
import {
  SEALED_DATA_UNREADABLE,
  webhookSecretsOpen,
} from "$lib/server/services/webhook-secrets.ts";
import { migrateStore } from "$lib/server/store/migrate.ts";
import { demoApiKey, seedDemo } from "$lib/server/services/seed-demo.ts";
import { securityHeaders } from "$lib/server/http/security-headers.ts";
import { safeRedirectPath } from "$lib/shared/redirect.ts";
import { clientIp } from "$lib/server/http/client-ip.ts";
import { rateGroupFor } from "$lib/server/domain/rate-limit.ts";
import { checkRateLimit } from "$lib/server/services/rate-limit.ts";
import { tooManyRequests } from "$lib/server/http/too-many.ts";
import { readableFormBodies } from "$lib/server/http/form-body.ts";
import { mountPageEarly, pageCache } from "$lib/server/http/page-cache.ts";
import { mountApi } from "$lib/server/api/mount.ts";
import { mountBookEarly, rateCountedEarly } from "$lib/server/http/book-early.ts";
import { chain } from "$lib/server/http/hook-chain.ts";
import { agentPages } from "$lib/server/http/agent-pages.ts";
import {
  actionName,
  authPath,
  canonicalPath,
  paramsInBounds,
} from "$lib/server/http/route-shape.ts";
import { usernameRedirect } from "$lib/server/services/username-history.ts";
import { currentRequestId } from "$lib/server/ops/context.ts";
import { redactPath } from "$lib/server/ops/log.ts";
import { countBookingPages } from "$lib/server/http/insights-hook.ts";
import { htmlLang, locale } from "$lib/server/http/locale.ts";
import { earlyTranslator, translator } from "$lib/server/i18n.ts";
import { mountEarlyTranslator } from "$lib/server/http/early-translator.ts";

export const init: ServerInit = async () => {
  const app = await getApp();
  // Before the first request (the adapter waits for init): the store in the current schema.
  const migrated = await migrateStore(app.kv, { owner: app.instanceId, now: app.now });
  if (migrated) console.log(`[migrate] store schema ${migrated.from} → ${migrated.to}`, migrated);
  const moved = await migrateLegacySessions(app.kv, app.now());
  if (moved) console.log(`Moved ${moved} sign-in sessions under hashed keys.`);
  // A store restored without its secret: say so now, not at the first webhook that fails.
  if ((await webhookSecretsOpen(app)) === false) console.warn(SEALED_DATA_UNREADABLE);
  if (app.config.demo) {
    const urls = await seedDemo(app);
    console.log(`Demo host seeded:\n${urls.map((u) => `  ${u}`).join("\n")}`);
    const key = await demoApiKey(app);
    if (key) {
      const base = app.config.baseUrl.href.replace(/\/$/, "");
      console.log(
        `Demo API key (read, write): ${key}\n  try: curl -H "Authorization: Bearer ${key}" ${base}/api/v1/me`,
      );
    }
  }
  startJobs(app);
  // The command line refuses a local store file while this process works on it (issue 32).
  await announcePresence(app);
  mountApi(app);
  mountPageEarly(app);
  mountBookEarly(app);
  mountEarlyTranslator(earlyTranslator);
};

const withApp: Handle = async ({ event, resolve }) => {
  const app = event.locals.app = await getApp();
  event.locals.user = null;
  event.locals.clientIp = clientIp(
    event.getClientAddress(),
    event.request.headers.get("x-forwarded-for"),
    app.config.trustedProxies,
  );
  // Where the request came from, for the audit log (services read it from the context).
  const ctx = requestContext.getStore();
  if (ctx) ctx.clientIp = event.locals.clientIp;
  return resolve(event);
};

/** The same path one character off at its start: no route has it, and relative links resolve alike. */
const noRoute = (rawPath: string) => rawPath.replace(/^\/*/, "/-");

/**
 * The app's own 404 page, exactly as a path no route has gets it. A hook that refuses a request
 * answers with this rather than throwing `error()`: that would render SvelteKit's bare fallback
 * page, which looks broken to a reader and tells a prober that the refused route exists.
 */
async function notFoundPage(event: RequestEvent): Promise<Response> {
  const accept = event.request.headers.get("accept");
  const language = event.request.headers.get("accept-language");
  const headers: Record<string, string> = {};
  if (accept) headers.accept = accept;
  if (language) headers["accept-language"] = language;
  const raw = new URL(event.request.url).pathname;
  // HEAD asks HEAD: its answer is not compressed on the way, as a stranger's HEAD is not.
  const method = event.request.method === "HEAD" ? "HEAD" : "GET";
  const res = await event.fetch(noRoute(raw), { method, headers });
  const out = new Headers(res.headers);
  out.delete("content-encoding");
  if (method === "HEAD") return new Response(null, { status: 404, headers: out });
  // The body as read (fetch decoded it), with its size: the outer layers then encode it as they
  // encode the answer of a path without a route (one that streamed would go out another way).
  const body = await res.arrayBuffer();
  out.set("content-length", String(body.byteLength));
  return new Response(body, { status: 404, headers: out });
}

/**
 * Requests SvelteKit cannot answer sensibly, refused before any route code runs (issue 10):
 * route params too long to name anything (a KV key built from one would be too large), an
 * explicit `?/default` action (SvelteKit throws on the reserved name), Auth.js's own sign-in
 * endpoints called from outside (our sign-in form is the only way to ask for a link), and a
 * magic link completed by GET or over another account's session without asking (login CSRF).
 */
const routeGuards: Handle = async ({ event, resolve }) => {
  const method = event.request.method;
  if (!paramsInBounds(event.params)) return notFoundPage(event);
  if (method === "POST" && event.route.id) {
    const name = actionName(event.url);
    if (name === "default") error(400, earlyTranslator(event.request).t("http.no_such_action"));
    if (!(await isOwnAction(event.route.id, name ?? "default"))) {
      error(404, earlyTranslator(event.request).t("http.no_such_action"));
    }
  }
  // Auth.js's paths in their one plain spelling only (issue 22): judged on the URL SvelteKit
  // shows (which drops a `/__data.json` suffix) and on the request Auth.js itself parses.
  const shown = authPath(event.url.pathname);
  const raw = authPath(new URL(event.request.url).pathname);
  if (shown === "refused" || raw === "refused" || (shown === null) !== (raw === null)) {
    return notFoundPage(event);
  }
  const path = shown?.path ?? null;
  if (path?.startsWith("/auth/signin/") && method !== "GET") {
    redirect(303, "/signin");
  }
  if (path === "/auth/callback/email") {
    const q = event.url.searchParams;
    const verify = new URL("/signin/verify", event.url);
    for (
      const [from, to] of [
        ["token", "token"],
        ["email", "email"],
        ["callbackUrl", "next"],
        ["lang", "lang"],
      ]
    ) {
      const v = q.get(from);
      if (v !== null) verify.searchParams.set(to, v);
    }
    // Completing a sign-in takes a press of our verify page's button: a GET (a link, a
    // redirect from another site) only shows that page.
    if (method !== "POST") redirect(303, verify.pathname + verify.search);
    // Over a session of another account, only after the person chose to switch.
    const form = await event.request.clone().formData().catch(() => null);
    if (form?.get("switch") !== "yes") {
      const other = await signedInEmail(event);
      const email = (q.get("email") ?? "").trim().toLowerCase();
      if (other !== null && other !== email) redirect(303, verify.pathname + verify.search);
    }
  }
  return resolve(event);
};

/** Every page's server module, by file; loaded (once) only to read the names of its actions. */
const PAGE_SERVERS = import.meta.glob("/src/routes/**/+page.server.ts");
const LOADED_PAGE_SERVERS = new Map<string, Promise<unknown>>();

/**
 * Whether `name` is one of the route's own form actions. SvelteKit looks the name up on the
 * `actions` object as a plain property, so `?/constructor`, `?/valueOf`, `?/__proto__` … found
 * Object.prototype's members and ran them as actions (a 500). One rule for every page: only an
 * own property of the route's `actions` is an action. Routes without a page server module
 * (endpoints, pages without actions) are left to SvelteKit, which answers them 405.
 */
async function isOwnAction(routeId: string, name: string): Promise<boolean> {
  const file = `/src/routes${routeId === "/" ? "" : routeId}/+page.server.ts`;
  const load = PAGE_SERVERS[file];
  if (!load) return true;
  // The module once per file: an import() of a loaded module still costs a trip through the
  // module loader on every post (1.2 % of a form post's JavaScript time, issue 26).
  let loaded = LOADED_PAGE_SERVERS.get(file);
  if (!loaded) LOADED_PAGE_SERVERS.set(file, loaded = load());
  const actions = ((await loaded) as { actions?: Record<string, unknown> }).actions;
  if (!actions) return true;
  return Object.hasOwn(actions, name) && typeof actions[name] === "function";
}

function sessionCookie(event: Parameters<Handle>[0]["event"]): string | undefined {
  return sessionTokenFrom(event.cookies);
}

async function signedInEmail(event: Parameters<Handle>[0]["event"]): Promise<string | null> {
  const token = sessionCookie(event);
  if (!token) return null;
  const { kv, now } = event.locals.app;
  const userId = await getSessionUserId(kv, token, now());
  return userId ? (await getActiveUser(kv, userId))?.email ?? null : null;
}

const SIGNIN_FORMS = new Set(["email", "oidc"]);

/** Limits by the route SvelteKit resolved (and Auth.js's decoded path), never the raw URL. */
const rateLimit: Handle = async ({ event, resolve }) => {
  // A booking post server.ts decided before handing it here was counted there (book-early.ts).
  if (rateCountedEarly(event.request)) return resolve(event);
  const group = rateGroupFor({
    method: event.request.method,
    routeId: event.route.id,
    path: canonicalPath(event.url.pathname),
  });
  if (!group) return resolve(event);
  const decision = await checkRateLimit(event.locals.app, group, event.locals.clientIp);
  if (decision.ok) return resolve(event);
  // The sign-in form's own posts: its page answers, with the form and the wait in its words (a
  // bare 429 left the scripted form without a word). The actions do nothing else then.
  if (event.route.id === "/signin" && SIGNIN_FORMS.has(actionName(event.url) ?? "")) {
    event.locals.signinRetryAfterS = decision.retryAfterS;
    return resolve(event);
  }
  return tooManyRequests(decision.retryAfterS, event.request);
};

/**
 * A sign-in always gets a fresh session id. Auth.js keeps the old session alive when the same
 * user signs in again; here the old token is deleted once the callback has issued a new one.
 */
const rotateSession: Handle = async ({ event, resolve }) => {
  if (!event.url.pathname.startsWith("/auth/callback/")) return resolve(event);
  const old = sessionCookie(event);
  const res = await resolve(event);
  if (old) {
    const issued = res.headers.getSetCookie().some((c) =>
      SESSION_COOKIES.some((n) => c.startsWith(`${n}=`) && !c.startsWith(`${n}=${old};`))
    );
    if (issued) await deleteSessionToken(event.locals.app.kv, old);
  }
  return res;
};

/**
 * Auth.js answers a hostile callbackUrl ("javascript:…") with a 500. Only same-origin paths go
 * in, and any server error it still produces becomes a readable sign-in page, never a 5xx.
 */
const guardAuth: Handle = async ({ event, resolve }) => {
  if (!event.url.pathname.startsWith("/auth/")) return resolve(event);
  const cb = event.url.searchParams.get("callbackUrl");
  if (cb !== null) {
    const safe = safeRedirectPath(cb, event.url.origin);
    if (safe !== cb) {
      const u = new URL(event.url);
      u.searchParams.set("callbackUrl", safe);
      redirect(303, u.pathname + u.search);
    }
  }
  const res = await resolve(event);
  if (res.status >= 500) {
    console.error(`[auth] ${event.request.method} ${event.url.pathname} answered ${res.status}`);
    return new Response(null, {
      status: 303,
      headers: { location: "/signin?error=Configuration" },
    });
  }
  return res;
};

/**
 * The issuer's callback (ADR 007): Auth.js links an identity it has not seen to the account of
 * the session the callback arrives with. Only a Connect pressed on the profile by that very
 * session, minutes ago, may arrive with one (its signed link intent); then the signIn callback
 * decides whether the identity may join (integrations/auth.ts). Any other callback over a live
 * session — the issuer's button posted in a signed-in browser, a tab opened before signing in —
 * is refused before its code is used, and the session stays as it was. Without a live session
 * Auth.js is not shown the session cookie at all. The intent is used once.
 */
const guardIdentityLink: Handle = async ({ event, resolve }) => {
  if (event.url.pathname !== LINK_INTENT_PATH) return resolve(event);
  const { app } = event.locals;
  const intent = event.cookies.get(LINK_INTENT_COOKIE);
  const token = sessionCookie(event);
  const nowMs = app.now();
  const userId = token ? await getSessionUserId(app.kv, token, nowMs) : null;
  const user = userId ? await getActiveUser(app.kv, userId) : null;
  const secure = app.config.baseUrl.protocol === "https:";
  if (intent !== undefined) {
    event.cookies.delete(LINK_INTENT_COOKIE, { path: LINK_INTENT_PATH, secure });
  }
  let res: Response;
  if (user && token) {
    if (!(await isLinkIntentValid(app, intent, token, user.id, nowMs))) {
      redirect(303, identityNoticePath("signed_in"));
    }
    requestLink(event.locals, { userId: user.id, email: user.email });
    res = await resolve(event);
  } else {
    const headers = new Headers(event.request.headers);
    const kept = (headers.get("cookie") ?? "").split(";").filter((c) =>
      c.trim() !== "" && !SESSION_COOKIES.includes(c.split("=")[0].trim())
    );
    if (kept.length) headers.set("cookie", kept.join(";"));
    else headers.delete("cookie");
    res = await resolve({ ...event, request: new Request(event.request, { headers }) });
  }
  // Auth.js answers with its own response: the intent's removal goes on it here.
  if (intent !== undefined) {
    res.headers.append(
      "set-cookie",
      event.cookies.serialize(LINK_INTENT_COOKIE, "", {
        path: LINK_INTENT_PATH,
        maxAge: 0,
        httpOnly: true,
        sameSite: "lax",
        secure,
      }),
    );
  }
  return res;
};

const loadUser: Handle = async ({ event, resolve }) => {
  const token = sessionCookie(event);
  // The admin gate has already read the session of an admin page's request.
  if (token && !event.locals.user) {
    const { kv, now } = event.locals.app;
    const userId = await getSessionUserId(kv, token, now());
    if (userId) event.locals.user = await getActiveUser(kv, userId);
  }
  // The dashboard by its route, however the path is spelled: actions run before any load, so
  // this is the one place a signed-out request is turned away (issue 10, #6).
  if (event.route.id?.startsWith("/dashboard") && !event.locals.user) {
    // POSTs without a session go to sign-in as well; nothing is changed.
    const path = event.url.pathname;
    const next = event.request.method === "GET" ? path + event.url.search : path;
    redirect(303, `/signin?next=${encodeURIComponent(next)}`);
  }
  return resolve(event);
};

/**
 * The admin area (issue 32) by its route, however the path is spelled (SvelteKit resolves
 * `/%61dmin` and `/admin/__data.json` to the same route): anyone but an admin gets exactly the
 * answer of a path that matches no route, for every page and action, signed in or not. It runs
 * before every other hook that could answer by the route (the action-name check, Auth.js, the
 * sign-in redirect): each of those answered a stranger's `POST /admin` in its own way (SvelteKit's
 * bare 404), which a path without a route never gets, and so told that the area exists.
 */
const adminGate: Handle = async ({ event, resolve }) => {
  const id = event.route.id;
  if (id && (id === "/admin" || id.startsWith("/admin/"))) {
    const token = sessionCookie(event);
    const { kv, now, config } = event.locals.app;
    const userId = token ? await getSessionUserId(kv, token, now()) : null;
    const user = userId ? await getActiveUser(kv, userId) : null;
    if (!isAdmin(config.admins, user)) return notFoundPage(event);
    event.locals.user = user;
  }
  return resolve(event);
};

/**
 * Old links to a host's previous username, or a team's previous slug, answer 301 (308 for other
 * methods) to the new one (issue 10, #11): booking pages, widgets, routing forms and the
 * markdown pages for agents alike.
 */
const oldUsernames: Handle = async ({ event, resolve }) => {
  const to = await usernameRedirect(event.locals.app, event.route.id, event.params, event.url);
  if (!to) return resolve(event);
  const safe = event.request.method === "GET" || event.request.method === "HEAD";
  return new Response(null, { status: safe ? 301 : 308, headers: { location: to } });
};

/** Guest pages never need a session; skipping Auth.js there keeps them fast and cookie-free. */
const PUBLIC =
  /^\/(calendar|booking|widget|healthz|readyz|metrics|embed\.js|api|feed|llms\.txt|docs|team|time-zones)(\/|$)/;

const authOnly = (h: Handle): Handle => ({ event, resolve }) =>
  event.route.id && PUBLIC.test(event.route.id) ? resolve(event) : h({ event, resolve });

export const handle: Handle = chain(
  htmlLang,
  withApp,
  securityHeaders,
  readableFormBodies,
  adminGate,
  rateLimit,
  routeGuards,
  // Before the markdown pages, which answer for themselves: `/calendar/ann/intro.md` after a
  // rename forwards as `/calendar/ann/intro` does. A forward needs no session.
  oldUsernames,
  agentPages,
  authOnly(guardAuth),
  authOnly(guardIdentityLink),
  authOnly(rotateSession),
  authOnly(auth.handle),
  authOnly(loadUser),
  locale,
  countBookingPages,
  pageCache,
);

export const handleError: HandleServerError = ({ error, event, status }) => {
  // The locale hook may not have run (an error before it): English then.
  const t = event.locals.t ?? translator(null);
  if (status === 404) return { message: t.t("errors.not_found_heading") };
  // Other 4xx (a malformed form post, a wrong content type) are the client's; no stack trace.
  // Only SvelteKit's own refusals come here (ours are `error()`s, which skip this hook), and
  // their messages are English: the reader gets them in the page's language instead.
  if (status < 500) {
    const key = status === 415
      ? "http.form_wrong_type" // a form action posted with another body (JSON, say)
      : status === 405
      ? "http.no_such_action" // a post to a page without form actions
      : "errors.request_not_handled";
    return { message: t.t(key) };
  }
  // The request's id (issue 15): the same one is in the x-request-id header and the log line.
  const errorId = currentRequestId() ?? crypto.randomUUID();
  console.error(
    `[error ${errorId}] ${event.request.method} ${redactPath(event.url.pathname)}`,
    error,
  );
  return { message: t.t("errors.our_side"), errorId };
};
