/**
 * The lengths an event type offers, as a list of event types names them ("15 min, 30 min or
 * 90 min"): the host's and the team's pages and widgets.
 */
import { formatMinutes } from "./format.ts";

const lists = new Map<string, Intl.ListFormat>();

/** Every length, short, as the reader's language lists choices; one alone as formatMinutes writes it. */
export function formatLengths(minutes: readonly number[], locale: string): string {
  // English as the house writes its lists: no serial comma, whatever the English locale.
  const tag = locale.split("-")[0].toLowerCase() === "en" ? "en-GB" : locale;
  let list = lists.get(tag);
  if (!list) {
    try {
      list = new Intl.ListFormat(tag, { type: "disjunction" });
    } catch {
      list = new Intl.ListFormat("en-GB", { type: "disjunction" });
    }
    if (lists.size < 50) lists.set(tag, list);
  }
  return list.format(minutes.map((m) => formatMinutes(m, locale, "short")));
}
