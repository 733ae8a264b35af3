/**
 * Team availability, pure: the slots of several members combined.
 *
 * - "union": a start is offered when at least one member is free (round robin, "any of us");
 * - "intersection": only when every member is free (a panel, "all of us").
 *
 * Each member brings their own zone, working hours, overrides, time off and busy times; the
 * event's duration, step, buffers, notice and range are shared. Each member's slots come from
 * `computeSlots`, so DST and buffers behave exactly as for one host. A start is a team slot when
 * it is a slot of the members the mode asks for: members in zones whose grids differ (09:00 in
 * Kolkata is hh:30 UTC) share only the starts both grids contain.
 */
import { computeSlots, type Slot, type SlotQuery } from "./slots.ts";

export type TeamMode = "union" | "intersection";

/** What differs per member. */
export type TeamMember = Pick<SlotQuery, "timeZone" | "weekly" | "overrides" | "timeOff" | "busy">;

export type TeamQuery = Omit<SlotQuery, keyof TeamMember> & {
  members: readonly TeamMember[];
  mode: TeamMode;
};

/** A team slot and the members (indices into `members`) free for it, ascending. */
export type TeamSlot = Slot & { members: number[] };

export function computeTeamSlots(q: TeamQuery): TeamSlot[] {
  const { members, mode, ...shared } = q;
  if (members.length === 0) return [];
  const perMember: Slot[][] = [];
  for (const m of members) {
    const slots = computeSlots({ ...shared, ...m });
    // Nobody can be added to an empty intersection: skip the remaining members' work.
    if (mode === "intersection" && slots.length === 0) return [];
    perMember.push(slots);
  }
  return mode === "union" ? unionOf(perMember) : intersectionOf(perMember);
}

/** Sorted by start; each start once, with every member whose list has it. */
function unionOf(lists: Slot[][]): TeamSlot[] {
  // Temporal getters are slow next to numbers: read every start once.
  const starts = lists.map((l) => l.map((s) => s.start.epochMilliseconds));
  const next = lists.map(() => 0);
  const out: TeamSlot[] = [];
  while (true) {
    let minMs = Infinity;
    for (let i = 0; i < lists.length; i++) {
      const ms = starts[i][next[i]];
      if (ms < minMs) minMs = ms;
    }
    if (minMs === Infinity) return out;
    let slot: Slot | null = null;
    const free: number[] = [];
    for (let i = 0; i < lists.length; i++) {
      if (starts[i][next[i]] === minMs) {
        slot ??= lists[i][next[i]];
        free.push(i);
        next[i]++;
      }
    }
    out.push({ start: slot!.start, end: slot!.end, members: free });
  }
}

/** The starts every list has: walk the shortest list and advance a cursor in each other one. */
function intersectionOf(lists: Slot[][]): TeamSlot[] {
  const starts = lists.map((l) => l.map((s) => s.start.epochMilliseconds));
  const order = lists.map((_, i) => i).sort((a, b) => lists[a].length - lists[b].length);
  const [first, ...rest] = order;
  const cursor = lists.map(() => 0);
  const everyone = lists.map((_, i) => i);
  const out: TeamSlot[] = [];
  outer: for (let k = 0; k < lists[first].length; k++) {
    const ms = starts[first][k];
    for (const i of rest) {
      const list = starts[i];
      let c = cursor[i];
      while (c < list.length && list[c] < ms) c++;
      cursor[i] = c;
      if (c === list.length) break outer; // this member has nothing later: no more common starts
      if (list[c] !== ms) continue outer;
    }
    const s = lists[first][k];
    out.push({ start: s.start, end: s.end, members: [...everyone] });
  }
  return out;
}
