import assert from "node:assert/strict";
import { setBounded } from "./bounded-map.ts";

Deno.test("setBounded: at most `max` entries, the oldest leave first, and one set again is the newest", () => {
  const m = new Map<string, number>();
  for (const [k, v] of [["a", 1], ["b", 2], ["c", 3]] as const) setBounded(m, k, v, 3);
  assert.deepEqual([...m], [["a", 1], ["b", 2], ["c", 3]]);
  // "a" set again moves to the end, so "b" is the oldest when "d" comes.
  setBounded(m, "a", 10, 3);
  setBounded(m, "d", 4, 3);
  assert.deepEqual([...m], [["c", 3], ["a", 10], ["d", 4]]);
  // A table that holds more than its most (a smaller bound than before) is brought down to it.
  setBounded(m, "e", 5, 2);
  assert.deepEqual([...m], [["d", 4], ["e", 5]]);
});
