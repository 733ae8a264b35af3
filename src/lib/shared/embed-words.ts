/**
 * The words static/embed.js writes itself on other sites: its pop-up's Close button, and the
 * name of the dialog and of the widget's frame. embed.js stays small and dependency-free, so it
 * keeps its own copy per language (its `WORDS`, in this order); tests/e2e/embed-popup.e2e.test.ts
 * holds that copy to these catalog keys.
 */
import type { MessageKey } from "./i18n.ts";

export const EMBED_WORDS = [
  "embed.close",
  "embed.book_a_time",
] as const satisfies readonly MessageKey[];
