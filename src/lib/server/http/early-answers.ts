/**
 * Answers server.ts gives before SvelteKit or the API handler runs: a method no route answers
 * (405), a body over its policy (http/body-limit.ts), a failure of our own (500). Each in the
 * format of the route's kind — the JSON API's `application/problem+json` (its documented problem
 * types), text for everything else — so an API client never meets a text/plain refusal.
 */
import { problemType, type RefusalReason, REFUSALS } from "../../shared/refusals.ts";
import { isApiPath } from "./route-shape.ts";
import { earlyTranslatorOf } from "./early-translator.ts";
import { escapeHtml } from "../util/html.ts";
import { MESSAGE_PAGE_HEADERS, messagePage } from "./message-page.ts";

/**
 * The methods some route here answers. Anything else — TRACE and TRACK (which the fetch
 * standard's Request refuses to carry, so they used to become 500s), CONNECT, WebDAV's PROPFIND
 * — is answered 405 with `Allow` before any route code runs.
 */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
]);
/** Pages and their forms. */
export const PAGE_ALLOW = "GET, HEAD, POST, OPTIONS";
/** The JSON API (its CORS preflight names the same). */
export const API_ALLOW = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

/** An RFC 9457 problem for the API, from the one refusal table. */
export function earlyProblem(
  req: Request,
  reason: RefusalReason,
  opts: { detail?: string; headers?: Record<string, string> } = {},
): Response {
  const r = REFUSALS[reason];
  const body = {
    type: problemType(new URL(req.url).origin, reason),
    title: r.title,
    status: r.status,
    detail: opts.detail ?? r.detail,
    reason,
  };
  return new Response(req.method === "HEAD" ? null : JSON.stringify(body), {
    status: r.status,
    headers: {
      "content-type": "application/problem+json",
      "cache-control": "no-store",
      "access-control-allow-origin": "*",
      ...opts.headers,
    },
  });
}

/** 405 for a method no route answers; null for the methods routes decide on themselves. */
export function unknownMethod(req: Request, pathname: string): Response | null {
  if (KNOWN_METHODS.has(req.method)) return null;
  if (isApiPath(pathname)) {
    return earlyProblem(req, "method_not_allowed", { headers: { allow: API_ALLOW } });
  }
  return new Response("This address does not answer that method.", {
    status: 405,
    headers: { allow: PAGE_ALLOW, "content-type": "text/plain; charset=utf-8" },
  });
}

/** Our own failure, in the route's format. */
export function internalError(req: Request, pathname: string): Response {
  if (isApiPath(pathname)) return earlyProblem(req, "internal");
  return new Response(REFUSALS.internal.detail, {
    status: 500,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}

/**
 * The answer to a form sent from elsewhere (http/request-guard.ts): the page opened by another
 * name than the server's own address (http://localhost:8000 for http://127.0.0.1:8000) is a
 * newcomer's first sign-in more often than an attack. A person reads, in their language, that
 * nothing was sent and where the form works; a script gets the same words as text.
 */
export async function crossSiteRefusal(
  req: Request,
  ownOrigin: string,
  reason: string,
): Promise<Response> {
  const headers = { "cache-control": "no-store" };
  if (!(req.headers.get("accept") ?? "").includes("text/html")) {
    return new Response(reason, {
      status: 403,
      headers: { ...headers, "content-type": "text/plain; charset=utf-8" },
    });
  }
  const t = await earlyTranslatorOf(req);
  const there = ownOrigin + new URL(req.url).pathname;
  const link = `<a href="${escapeHtml(there)}">${escapeHtml(ownOrigin)}</a>`;
  const html = messagePage(
    t,
    t.t("http.cross_site_title"),
    `${escapeHtml(t.t("http.cross_site_body"))} ${link}`,
  );
  return new Response(req.method === "HEAD" ? null : html, {
    status: 403,
    headers: { ...headers, ...MESSAGE_PAGE_HEADERS },
  });
}
