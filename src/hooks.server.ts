import type { Handle, HandleServerError, ServerInit } from "@sveltejs/kit";
import { redirect } from "@sveltejs/kit";
import { sequence } from "@sveltejs/kit/hooks";
import { getApp } from "$lib/server/app.ts";
import { auth } from "$lib/server/auth-instance.ts";
import { deleteSessionToken, getSessionUserId } from "$lib/server/store/auth-adapter.ts";
import { getUser } from "$lib/server/store/users.ts";
import { startJobs } from "$lib/server/jobs/index.ts";
import { migrateStore } from "$lib/server/store/migrate.ts";
import { seedDemo } from "$lib/server/services/seed-demo.ts";
import { securityHeaders } from "$lib/server/http/security-headers.ts";
import { safeRedirectPath } from "$lib/shared/redirect.ts";
import { clientIp } from "$lib/server/http/client-ip.ts";
import { rateGroupFor } from "$lib/server/domain/rate-limit.ts";
import { checkRateLimit } from "$lib/server/services/rate-limit.ts";
import { tooManyRequests } from "$lib/server/http/too-many.ts";
import { readableFormBodies } from "$lib/server/http/form-body.ts";
import { pageCache } from "$lib/server/http/page-cache.ts";

export const init: ServerInit = async () => {
  const app = await getApp();
  // Before the first request (the adapter waits for init): the store in the current schema.
  const migrated = await migrateStore(app.kv, { owner: app.instanceId, now: app.now });
  if (migrated) console.log(`[migrate] store schema ${migrated.from} → ${migrated.to}`, migrated);
  if (app.config.demo) {
    const urls = await seedDemo(app);
    console.log(`Demo host seeded:\n${urls.map((u) => `  ${u}`).join("\n")}`);
  }
  startJobs(app);
};

const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];

const withApp: Handle = async ({ event, resolve }) => {
  const app = event.locals.app = await getApp();
  event.locals.user = null;
  event.locals.clientIp = clientIp(
    event.getClientAddress(),
    event.request.headers.get("x-forwarded-for"),
    app.config.trustedProxies,
  );
  return resolve(event);
};

const rateLimit: Handle = async ({ event, resolve }) => {
  const group = rateGroupFor(event.request.method, event.url.pathname, event.url.search);
  if (!group) return resolve(event);
  const decision = await checkRateLimit(event.locals.app, group, event.locals.clientIp);
  if (decision.ok) return resolve(event);
  return tooManyRequests(decision.retryAfterS, event.request.headers.get("accept") ?? "");
};

/**
 * A sign-in always gets a fresh session id. Auth.js keeps the old session alive when the same
 * user signs in again; here the old token is deleted once the callback has issued a new one.
 */
const rotateSession: Handle = async ({ event, resolve }) => {
  if (!event.url.pathname.startsWith("/auth/callback/")) return resolve(event);
  const old = SESSION_COOKIES.map((n) => event.cookies.get(n)).find(Boolean);
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

const loadUser: Handle = async ({ event, resolve }) => {
  const token = SESSION_COOKIES.map((n) => event.cookies.get(n)).find(Boolean);
  if (token) {
    const { kv, now } = event.locals.app;
    const userId = await getSessionUserId(kv, token, now());
    if (userId) event.locals.user = await getUser(kv, userId);
  }
  const path = event.url.pathname;
  if ((path === "/dashboard" || path.startsWith("/dashboard/")) && !event.locals.user) {
    // POSTs without a session go to sign-in as well; nothing is changed.
    const next = event.request.method === "GET" ? path + event.url.search : path;
    redirect(303, `/signin?next=${encodeURIComponent(next)}`);
  }
  return resolve(event);
};

/** Guest pages never need a session; skipping Auth.js there keeps them fast and cookie-free. */
const PUBLIC = /^\/(calendar|booking|widget|healthz|embed\.js|team)(\/|$)/;

const authOnly = (h: Handle): Handle => ({ event, resolve }) =>
  PUBLIC.test(event.url.pathname) ? resolve(event) : h({ event, resolve });

export const handle: Handle = sequence(
  withApp,
  securityHeaders,
  readableFormBodies,
  rateLimit,
  authOnly(guardAuth),
  authOnly(rotateSession),
  authOnly(auth.handle),
  authOnly(loadUser),
  pageCache,
);

export const handleError: HandleServerError = ({ error, event, status }) => {
  if (status === 404) return { message: "Not found" };
  // Other 4xx (a malformed form post, a wrong content type) are the client's; no stack trace.
  if (status < 500) {
    return {
      message: error instanceof Error ? error.message : "That request could not be handled.",
    };
  }
  const errorId = crypto.randomUUID();
  console.error(`[error ${errorId}] ${event.request.method} ${event.url.pathname}`, error);
  return { message: "Something went wrong on our side. Please try again.", errorId };
};
