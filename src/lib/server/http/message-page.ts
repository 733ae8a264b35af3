/**
 * A page of one heading and one paragraph, answered before SvelteKit (no app shell, no
 * stylesheet): what a person reads of a refusal the server decides early — too many requests, a
 * form sent from another address. In the reader's language (`earlyTranslator`); `paragraphHtml`
 * is already escaped.
 */
import { escapeHtml } from "../util/html.ts";
import type { Translator } from "../../shared/i18n.ts";

export function messagePage(t: Translator, title: string, paragraphHtml: string): string {
  const lang = t.locale === "en-XA" ? "en" : t.locale;
  const heading = escapeHtml(title);
  return `<!doctype html><html lang="${
    escapeHtml(lang)
  }"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${heading} · Invito</title><meta name="color-scheme" content="light dark"></head>
<body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;display:flex;min-height:100vh;align-items:center;justify-content:center;margin:0;padding:16px">
<main style="max-width:28rem;text-align:center"><h1 style="font-size:1.5rem">${heading}</h1>
<p>${paragraphHtml}</p></main></body></html>`;
}
