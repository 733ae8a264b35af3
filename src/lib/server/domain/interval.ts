/**
 * Half-open intervals `[startMs, endMs)` in epoch milliseconds.
 *
 * Why numbers and not `Temporal.Instant`: the slot engine compares every candidate slot against
 * up to thousands of busy intervals per request, and polyfilled Temporal objects cost
 * microseconds per operation where a number comparison costs nanoseconds. Temporal stays at the
 * edges (turning wall-clock rules into instants, returning slots); the sweep works in numbers.
 *
 * An interval with `endMs <= startMs` is empty: it contains no instant and overlaps nothing.
 */
export type Interval = { startMs: number; endMs: number };

export function isEmptyInterval(a: Interval): boolean {
  return !(a.endMs > a.startMs);
}

/** True when the two intervals share at least one instant. Touching intervals do not overlap. */
export function overlaps(a: Interval, b: Interval): boolean {
  return overlapsSpan(a, b.startMs, b.endMs);
}

/**
 * `overlaps` with the second interval as its two ends: for the slot engine's walk, which asks
 * it of every grid start of a month and made an object per start to ask it (issue 26).
 */
export function overlapsSpan(a: Interval, startMs: number, endMs: number): boolean {
  return a.startMs < endMs && startMs < a.endMs && a.startMs < a.endMs && startMs < endMs;
}

/** A sorted copy: by start, then by end. */
export function sortIntervals<T extends Interval>(intervals: readonly T[]): T[] {
  return [...intervals].sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
}

/**
 * Sorted, disjoint, non-touching intervals covering exactly the instants of the input (any order,
 * may overlap). Empty intervals are dropped. Returns new objects; the input is not modified.
 */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = sortIntervals(intervals.filter((a) => !isEmptyInterval(a)));
  const merged: Interval[] = [];
  for (const { startMs, endMs } of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && startMs <= last.endMs) {
      if (endMs > last.endMs) last.endMs = endMs;
    } else {
      merged.push({ startMs, endMs });
    }
  }
  return merged;
}

/** The instants of `from` that are in none of `remove`, as merged intervals. */
export function subtract(from: readonly Interval[], remove: readonly Interval[]): Interval[] {
  const keep = mergeIntervals(from);
  const cut = mergeIntervals(remove);
  const out: Interval[] = [];
  let j = 0;
  for (const interval of keep) {
    let startMs = interval.startMs;
    while (j < cut.length && cut[j].endMs <= startMs) j++;
    let k = j;
    while (k < cut.length && cut[k].startMs < interval.endMs) {
      if (cut[k].startMs > startMs) out.push({ startMs, endMs: cut[k].startMs });
      startMs = Math.max(startMs, cut[k].endMs);
      k++;
    }
    if (startMs < interval.endMs) out.push({ startMs, endMs: interval.endMs });
  }
  return out;
}

/**
 * In merged intervals (as returned by `mergeIntervals`, so ends are increasing), the index of the
 * first one ending after `ms`, or `merged.length`. Binary search from `fromIndex`.
 */
export function firstEndingAfter(merged: readonly Interval[], ms: number, fromIndex = 0): number {
  let lo = fromIndex;
  let hi = merged.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (merged[mid].endMs <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * In merged intervals, the index of the first one overlapping `probe`, or -1. When probing in
 * increasing order (a sweep), pass as `fromIndex` any index known to end at or before this
 * probe's start, e.g. `firstEndingAfter` of the previous probe's start.
 */
export function firstOverlapIndex(
  merged: readonly Interval[],
  probe: Interval,
  fromIndex = 0,
): number {
  if (isEmptyInterval(probe)) return -1;
  const i = firstEndingAfter(merged, probe.startMs, fromIndex);
  return i < merged.length && merged[i].startMs < probe.endMs ? i : -1;
}
