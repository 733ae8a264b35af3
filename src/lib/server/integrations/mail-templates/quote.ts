/**
 * Text a guest or host typed, placed in our mails so it cannot pass for our own lines (issue 10,
 * #7): one-line values follow their label on the same line ("Name: Ann"); a value that spans
 * lines goes under its label with every line quoted ("> …"), so no line of it can begin like
 * "Confirm: https://…" or like the log's "──── end of mail ────". The HTML part puts such a
 * value in a <blockquote>, apart from our paragraphs and buttons.
 *
 * Labels come translated: a `Line` is the reader's message with the value filled in
 * (`(v) => t.t("mail.line_note", { value: v })` gives "Note: …", "Note : …", "Notiz: …"); the
 * label of a quoted value is the same message with an empty value ("Note :").
 */
import { normalizeLineBreaks } from "../../../shared/text.ts";
import type { Paragraph } from "./paragraph.ts";

/** A labelled line in the reader's words, given the value. */
export type Line = (value: string) => string;

/** The label of a line on its own ("Reason:", "Motif :"). */
export function labelOf(line: Line): string {
  return line("").trimEnd();
}

function quoted(text: string): string {
  return text.split("\n").map((l) => (l.trim() ? `> ${l}` : ">")).join("\n");
}

/** The line with its value, or the label and the value's lines quoted when it has more than one. */
export function labelledLine(line: Line, value: string): string {
  const text = normalizeLineBreaks(value).trim();
  if (!text.includes("\n")) return line(text);
  return `${labelOf(line)}\n${quoted(text)}`;
}

/** "Label: value", or "Label:" and the value's lines quoted (untranslated callers). */
export function labelled(label: string, value: string): string {
  return labelledLine((v) => `${label}: ${v}`, value);
}

/**
 * The HTML parts for labelled values: runs of one-line values share a paragraph (one per line),
 * multi-line values become quotes under their label.
 */
export function labelledParts(items: readonly [line: Line, value: string][]): Paragraph[] {
  const parts: Paragraph[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length) parts.push(run.join("\n"));
    run = [];
  };
  for (const [line, value] of items) {
    const text = normalizeLineBreaks(value).trim();
    if (text.includes("\n")) {
      flush();
      parts.push({ label: labelOf(line), quote: text });
    } else run.push(line(text));
  }
  flush();
  return parts;
}

/** The text twin of a quote paragraph. */
export function quoteText(label: string, text: string): string {
  return `${label}\n${quoted(normalizeLineBreaks(text).trim())}`;
}
