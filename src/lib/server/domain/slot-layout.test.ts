import assert from "node:assert/strict";
import { Temporal } from "./temporal.ts";
import { computeColumnDays, parseLayout } from "./slot-layout.ts";

const d = (s: string) => Temporal.PlainDate.from(s);
const str = (x: Temporal.PlainDate | null) => x?.toString() ?? null;

Deno.test("slot layout: only month, week and column are layouts", () => {
  assert.equal(parseLayout("week"), "week");
  assert.equal(parseLayout("column"), "column");
  for (const bad of ["WEEK", "grid", "", null, 3]) assert.equal(parseLayout(bad), null);
});

Deno.test("slot layout: a week runs Monday to Sunday around the chosen day, within the window", () => {
  // Thursday 2026-12-03: the week of Monday 11-30.
  const w = computeColumnDays("week", d("2026-12-03"), d("2026-12-01"), d("2026-12-31"));
  assert.deepEqual(w.dates.map(String), [
    "2026-11-30",
    "2026-12-01",
    "2026-12-02",
    "2026-12-03",
    "2026-12-04",
    "2026-12-05",
    "2026-12-06",
  ]);
  assert.equal(str(w.prev), null, "no week before today's");
  assert.equal(str(w.next), "2026-12-07");
  const last = computeColumnDays("week", d("2026-12-29"), d("2026-12-01"), d("2026-12-31"));
  assert.equal(str(last.prev), "2026-12-21");
  assert.equal(str(last.next), null, "nothing after the window");
});

Deno.test("slot layout: columns start at the chosen day; back never goes before today", () => {
  const c = computeColumnDays("column", d("2026-12-02"), d("2026-12-01"), d("2026-12-31"));
  assert.deepEqual(c.dates.map(String), ["2026-12-02", "2026-12-03", "2026-12-04"]);
  assert.equal(str(c.prev), "2026-12-01");
  assert.equal(str(c.next), "2026-12-05");
  const first = computeColumnDays("column", d("2026-12-01"), d("2026-12-01"), d("2026-12-31"));
  assert.equal(str(first.prev), null);
});
