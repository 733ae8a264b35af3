/**
 * The insights page's query (`?range=30&from=…&to=…&type=…`), parsed once for the page and its
 * CSV downloads, so both answer exactly the same question.
 */
import * as v from "valibot";
import type { InsightsQuery } from "../services/insights.ts";
import { messageRef } from "../../shared/i18n.ts";

const Text = (max: number) =>
  v.optional(
    v.nullable(v.pipe(v.string(), v.maxLength(max, messageRef("ins.value_too_long")))),
    null,
  );

const Query = v.object({
  range: Text(10),
  from: Text(10),
  to: Text(10),
  type: Text(40),
});

export function parseInsightsQuery(
  url: URL,
): { ok: true; query: InsightsQuery } | { ok: false; message: string } {
  const q = url.searchParams;
  const parsed = v.safeParse(Query, {
    range: q.get("range"),
    from: q.get("from") || null,
    to: q.get("to") || null,
    type: q.get("type") || null,
  });
  if (!parsed.success) return { ok: false, message: parsed.issues[0].message };
  const { range, from, to, type } = parsed.output;
  return { ok: true, query: { range, from, to, eventType: type } };
}

/** The query string that asks for this range and event type again (for links and CSVs). */
export function insightsSearch(
  range: { preset: string; from: string; to: string },
  eventTypeId: string | null,
): string {
  const q = new URLSearchParams();
  q.set("range", range.preset);
  if (range.preset === "custom") {
    q.set("from", range.from);
    q.set("to", range.to);
  }
  if (eventTypeId) q.set("type", eventTypeId);
  return `?${q}`;
}
