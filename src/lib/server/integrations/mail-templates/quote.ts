/**
 * Text a guest or host typed, placed in our mails so it cannot pass for our own lines (issue 10,
 * #7): one-line values follow their label on the same line ("Name: Ann"); a value that spans
 * lines goes under its label with every line quoted ("> …"), so no line of it can begin like
 * "Confirm: https://…" or like the log's "──── end of mail ────". The HTML part puts such a
 * value in a <blockquote>, apart from our paragraphs and buttons.
 */
import { normalizeLineBreaks } from "../../../shared/text.ts";
import type { HtmlPart } from "./layout.ts";

/** "Label: value", or "Label:" and the value's lines quoted when it has more than one. */
export function labelled(label: string, value: string): string {
  const text = normalizeLineBreaks(value).trim();
  if (!text.includes("\n")) return `${label}: ${text}`;
  return `${label}:\n${text.split("\n").map((l) => (l.trim() ? `> ${l}` : ">")).join("\n")}`;
}

/**
 * The HTML parts for labelled values: runs of one-line values share a paragraph (one per line),
 * multi-line values become quotes under their label.
 */
export function labelledParts(items: readonly [label: string, value: string][]): HtmlPart[] {
  const parts: HtmlPart[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length) parts.push(run.join("\n"));
    run = [];
  };
  for (const [label, value] of items) {
    const text = normalizeLineBreaks(value).trim();
    if (text.includes("\n")) {
      flush();
      parts.push({ label, quote: text });
    } else run.push(`${label}: ${text}`);
  }
  flush();
  return parts;
}
