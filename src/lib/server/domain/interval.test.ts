import assert from "node:assert/strict";
import fc from "fast-check";
import {
  firstEndingAfter,
  firstOverlapIndex,
  type Interval,
  isEmptyInterval,
  mergeIntervals,
  overlaps,
  sortIntervals,
  subtract,
} from "./interval.ts";

const iv = (startMs: number, endMs: number): Interval => ({ startMs, endMs });

Deno.test("overlaps: intervals sharing an instant overlap, in either order", () => {
  assert.ok(overlaps(iv(0, 10), iv(9, 20)));
  assert.ok(overlaps(iv(9, 20), iv(0, 10)));
  assert.ok(overlaps(iv(0, 10), iv(2, 3)));
});

Deno.test("overlaps: touching half-open intervals do not overlap", () => {
  assert.ok(!overlaps(iv(0, 10), iv(10, 20)));
  assert.ok(!overlaps(iv(10, 20), iv(0, 10)));
});

Deno.test("overlaps: an empty interval overlaps nothing, not even a surrounding one", () => {
  assert.ok(isEmptyInterval(iv(5, 5)));
  assert.ok(isEmptyInterval(iv(6, 5)));
  assert.ok(!overlaps(iv(5, 5), iv(0, 10)));
  assert.ok(!overlaps(iv(0, 10), iv(7, 3)));
});

Deno.test("sortIntervals: sorts a copy by start then end", () => {
  const input = [iv(5, 9), iv(1, 4), iv(1, 2)];
  assert.deepEqual(sortIntervals(input), [iv(1, 2), iv(1, 4), iv(5, 9)]);
  assert.deepEqual(input, [iv(5, 9), iv(1, 4), iv(1, 2)], "input untouched");
});

Deno.test("mergeIntervals: merges overlapping and touching intervals, drops empty ones", () => {
  assert.deepEqual(
    mergeIntervals([iv(20, 30), iv(0, 10), iv(10, 12), iv(5, 7), iv(40, 40), iv(25, 35)]),
    [iv(0, 12), iv(20, 35)],
  );
  assert.deepEqual(mergeIntervals([]), []);
});

Deno.test("mergeIntervals: does not modify its input objects", () => {
  const a = iv(0, 10);
  const b = iv(5, 20);
  mergeIntervals([a, b]);
  assert.deepEqual([a, b], [iv(0, 10), iv(5, 20)]);
});

Deno.test("subtract: cuts holes, trims ends and removes covered intervals", () => {
  assert.deepEqual(subtract([iv(0, 100)], [iv(10, 20), iv(50, 60)]), [
    iv(0, 10),
    iv(20, 50),
    iv(60, 100),
  ]);
  assert.deepEqual(subtract([iv(0, 10), iv(20, 30)], [iv(5, 25)]), [iv(0, 5), iv(25, 30)]);
  assert.deepEqual(subtract([iv(0, 10)], [iv(-5, 15)]), []);
  assert.deepEqual(subtract([iv(0, 10)], [iv(10, 20)]), [iv(0, 10)]);
});

Deno.test("firstOverlapIndex: finds the first merged interval a probe overlaps, or -1", () => {
  const merged = [iv(0, 10), iv(20, 30), iv(40, 50)];
  assert.equal(firstOverlapIndex(merged, iv(5, 25)), 0);
  assert.equal(firstOverlapIndex(merged, iv(10, 20)), -1);
  assert.equal(firstOverlapIndex(merged, iv(29, 41)), 1);
  assert.equal(firstOverlapIndex(merged, iv(50, 60)), -1);
  assert.equal(firstOverlapIndex(merged, iv(45, 45)), -1, "an empty probe overlaps nothing");
  assert.equal(firstEndingAfter(merged, 30), 2);
  assert.equal(firstEndingAfter(merged, 60), 3);
});

// ---------------------------------------------------------------------------------------------
// Properties, checked point by point on a small integer line.

const arbInterval = fc
  .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: -5, max: 20 }))
  .map(([startMs, length]) => iv(startMs, startMs + length));
const arbIntervals = fc.array(arbInterval, { maxLength: 12 });
const covers = (xs: readonly Interval[], t: number) =>
  xs.some((x) => x.startMs <= t && t < x.endMs);
const points = Array.from({ length: 90 }, (_, i) => i - 5);

Deno.test("property: mergeIntervals covers the same instants with sorted, separated intervals", () => {
  fc.assert(
    fc.property(arbIntervals, (xs) => {
      const merged = mergeIntervals(xs);
      for (const t of points) assert.equal(covers(merged, t), covers(xs, t));
      for (let i = 0; i < merged.length; i++) {
        assert.ok(merged[i].startMs < merged[i].endMs);
        if (i > 0) assert.ok(merged[i - 1].endMs < merged[i].startMs);
      }
    }),
    { numRuns: 200 },
  );
});

Deno.test("property: subtract keeps exactly the instants of one side not in the other", () => {
  fc.assert(
    fc.property(arbIntervals, arbIntervals, (a, b) => {
      const rest = subtract(a, b);
      for (const t of points) assert.equal(covers(rest, t), covers(a, t) && !covers(b, t));
      assert.deepEqual(rest, mergeIntervals(rest));
    }),
    { numRuns: 200 },
  );
});

Deno.test("property: firstOverlapIndex agrees with checking every interval", () => {
  fc.assert(
    fc.property(arbIntervals, arbInterval, (xs, probe) => {
      const merged = mergeIntervals(xs);
      assert.equal(
        firstOverlapIndex(merged, probe),
        merged.findIndex((m) => overlaps(m, probe)),
      );
    }),
    { numRuns: 200 },
  );
});
