/**
 * A page of one heading and one paragraph, answered before SvelteKit (no app shell, nor the
 * app's stylesheet): what a person reads of a refusal the server decides early — too many
 * requests, a form sent from another address. In the reader's language (`earlyTranslator`);
 * `paragraphHtml` is already escaped. Sent with MESSAGE_PAGE_HEADERS: the page's own CSP allows its one
 * stylesheet by hash (the app's default CSP, which the security headers add to an answer without
 * one, refused inline styles: the page read as black serif text in the top corner, and in the
 * dark its link was the browser's blue on black).
 */
import { createHash } from "node:crypto";
import { escapeHtml } from "../util/html.ts";
import type { Translator } from "../../shared/i18n.ts";

// The app's slate and blue, light and dark (readable at AA in both).
const STYLE =
  ":root{color-scheme:light dark;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif}" +
  "body{display:flex;min-height:100vh;align-items:center;justify-content:center;margin:0;" +
  "padding:16px;box-sizing:border-box;background:#f8fafc;color:#0f172a}" +
  "main{max-width:28rem;text-align:center;overflow-wrap:anywhere}h1{font-size:1.5rem}" +
  "a{color:#1d4ed8}@media (prefers-color-scheme:dark){body{background:#020617;color:#e2e8f0}" +
  "a{color:#93c5fd}}";
const STYLE_HASH = createHash("sha256").update(STYLE, "utf8").digest("base64");

/** What a message page is sent with: its type, and a CSP that allows exactly its stylesheet. */
export const MESSAGE_PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; ` +
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

export function messagePage(t: Translator, title: string, paragraphHtml: string): string {
  const lang = t.locale === "en-XA" ? "en" : t.locale;
  const heading = escapeHtml(title);
  return `<!doctype html><html lang="${
    escapeHtml(lang)
  }"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${heading} · Invito</title><meta name="color-scheme" content="light dark">
<link rel="icon" href="/favicon.svg" type="image/svg+xml"><style>${STYLE}</style></head>
<body><main><h1>${heading}</h1>
<p>${paragraphHtml}</p></main></body></html>`;
}
