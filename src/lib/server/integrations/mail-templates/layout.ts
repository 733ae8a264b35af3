import { quoteText } from "./quote.ts";
import type { Paragraph } from "./paragraph.ts";

/** A small, inline-styled HTML shell: mail clients ignore <style> blocks and external CSS. */
export { escapeHtml } from "../../util/html.ts";
import { escapeHtml } from "../../util/html.ts";

export type Button = { label: string; href: string; tone?: "primary" | "danger" | "plain" };

/** A paragraph (paragraph.ts: a leaf, so quote.ts needs no import of this file). */
export type { Paragraph } from "./paragraph.ts";

function paragraph(p: Paragraph): string {
  if (typeof p === "string") {
    return `<p style="line-height:1.55;margin:0 0 12px;white-space:pre-line">${escapeHtml(p)}</p>`;
  }
  if ("quote" in p) {
    return `<p style="line-height:1.55;margin:0 0 4px">${escapeHtml(p.label)}</p>
<blockquote style="margin:0 0 12px;padding:2px 0 2px 12px;border-left:3px solid #cbd5e1;color:#334155;line-height:1.55;white-space:pre-line">${
      escapeHtml(p.quote)
    }</blockquote>`;
  }
  return `<p style="line-height:1.55;margin:0 0 12px">${
    p.parts.map((part) =>
      part.tag === "link"
        ? `<a href="${escapeHtml(p.href)}" style="color:#1d37d7;word-break:break-all">${
          escapeHtml(part.text)
        }</a>`
        : escapeHtml(part.text)
    ).join("")
  }</p>`;
}

export function htmlMail(
  opts: {
    /** The reader's language, for `<html lang>` (screen readers, spelling, hyphenation). */
    lang: string;
    title: string;
    paragraphs: Paragraph[];
    buttons?: Button[];
    footer?: string;
  },
): string {
  const tone = (t: Button["tone"]) =>
    t === "danger"
      ? "background:#dc2626;color:#ffffff"
      : t === "plain"
      ? "background:#f1f5f9;color:#0f172a"
      : "background:#2549ea;color:#ffffff";
  const buttons = (opts.buttons ?? []).map((b) =>
    `<a href="${
      escapeHtml(b.href)
    }" style="display:inline-block;margin:4px 8px 4px 0;padding:10px 18px;border-radius:8px;text-decoration:none;font-weight:600;${
      tone(b.tone)
    }">${escapeHtml(b.label)}</a>`
  ).join("");
  return `<!doctype html>
<html lang="${escapeHtml(opts.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)}</title>
</head>
<body style="margin:0;padding:24px;background:#f8fafc;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#0f172a">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border:1px solid #e2e8f0;border-radius:12px;padding:28px">
<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(opts.title)}</h1>
${opts.paragraphs.map(paragraph).join("\n")}
${buttons ? `<div style="margin:20px 0 8px">${buttons}</div>` : ""}
${
    opts.footer
      ? `<p style="font-size:12px;color:#64748b;margin-top:24px">${escapeHtml(opts.footer)}</p>`
      : ""
  }
</div>
</body>
</html>`;
}

/** The plain-text twin of a paragraph. */
export function textOf(p: Paragraph): string {
  if (typeof p === "string") return p;
  if ("quote" in p) return quoteText(p.label, p.quote);
  return p.parts.map((part) => part.text).join("");
}
