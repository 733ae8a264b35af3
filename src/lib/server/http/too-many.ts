/**
 * The 429 answer: a readable page for people, in their language (from the request: the app has
 * not run yet); a small JSON body for scripts, in English; Retry-After always.
 */
import { escapeHtml } from "../util/html.ts";
import { MESSAGE_PAGE_HEADERS, messagePage } from "./message-page.ts";
import { earlyTranslator } from "../i18n.ts";
import type { Translator } from "../../shared/i18n.ts";

/** "Please try again in {wait}.": the sentence every too-many answer for people says. */
export function tooManyWords(t: Translator, retryAfterS: number): string {
  const wait = retryAfterS < 90
    ? t.t("http.wait_seconds", { n: retryAfterS })
    : t.t("http.wait_minutes", { n: Math.ceil(retryAfterS / 60) });
  return t.t("http.too_many_body", { wait });
}

export function tooManyRequests(retryAfterS: number, req: Request): Response {
  const minutes = Math.ceil(retryAfterS / 60);
  const headers = { "retry-after": String(retryAfterS), "cache-control": "no-store" };
  const accept = req.headers.get("accept") ?? "";
  if (!accept.includes("text/html")) {
    const wait = retryAfterS < 90 ? `${retryAfterS} seconds` : `${minutes} minutes`;
    return Response.json({
      message: `Too many requests. Try again in ${wait}.`,
      retryAfter: retryAfterS,
    }, { status: 429, headers });
  }
  const t = earlyTranslator(req);
  const html = messagePage(
    t,
    t.t("http.too_many_title"),
    escapeHtml(tooManyWords(t, retryAfterS)),
  );
  return new Response(html, {
    status: 429,
    headers: { ...headers, ...MESSAGE_PAGE_HEADERS },
  });
}
