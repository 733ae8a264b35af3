import assert from "node:assert/strict";
import { type CalendarCacheState, checkedWhenListed, decideCalendarBusy } from "./calendar-busy.ts";

const T = (iso: string) => Date.parse(iso);
const NOW = T("2026-11-20T08:00:00Z");
const MIN = 60_000;
const q = {
  fromMs: T("2026-11-01T00:00:00Z"),
  toMs: T("2026-12-01T00:00:00Z"),
  nowMs: NOW,
  staleAfterMs: 30 * MIN,
};
const head = (o: Partial<CalendarCacheState> = {}): CalendarCacheState => ({
  calendarId: "work",
  gen: "g1",
  syncedAtMs: NOW - 10 * MIN,
  fromMs: T("2026-11-19T00:00:00Z"),
  toMs: T("2027-02-01T00:00:00Z"),
  ...o,
});
const w = (calendarId: string, start: string, end: string) => ({
  calendarId,
  startMs: T(start),
  endMs: T(end),
});

Deno.test("decideCalendarBusy: a fresh cache gives its windows as busy and nothing unknown", () => {
  const d = decideCalendarBusy([head()], [
    w("work", "2026-11-23T09:00:00Z", "2026-11-23T10:00:00Z"),
  ], q);
  assert.deepEqual(d.unknown, []);
  assert.deepEqual(d.busy, [{
    startMs: T("2026-11-23T09:00:00Z"),
    endMs: T("2026-11-23T10:00:00Z"),
  }]);
});

Deno.test("decideCalendarBusy: a cache exactly 2 intervals old is still trusted; a millisecond older makes everything from now unknown", () => {
  assert.deepEqual(decideCalendarBusy([head({ syncedAtMs: NOW - 30 * MIN })], [], q).unknown, []);
  const d = decideCalendarBusy([head({ syncedAtMs: NOW - 30 * MIN - 1 })], [], q);
  assert.deepEqual(d.unknown, [{ startMs: NOW, endMs: q.toMs }]);
});

Deno.test("decideCalendarBusy: a calendar never synced (just turned on) is unknown, not empty", () => {
  const d = decideCalendarBusy([head({ gen: null, syncedAtMs: null })], [], q);
  assert.deepEqual(d.unknown, [{ startMs: NOW, endMs: q.toMs }]);
});

Deno.test("decideCalendarBusy: beyond the range a fresh cache covers is unknown (a booking window made longer)", () => {
  const d = decideCalendarBusy([head({ toMs: T("2026-11-25T00:00:00Z") })], [], q);
  assert.deepEqual(d.unknown, [{ startMs: T("2026-11-25T00:00:00Z"), endMs: q.toMs }]);
});

Deno.test("decideCalendarBusy: windows of calendars without a head (removed, turned off) do not count", () => {
  const d = decideCalendarBusy([head()], [
    w("gone", "2026-11-23T09:00:00Z", "2026-11-23T10:00:00Z"),
  ], q);
  assert.deepEqual(d.busy, []);
});

Deno.test("decideCalendarBusy: with no calendars nothing is busy or unknown", () => {
  assert.deepEqual(decideCalendarBusy([], [], q), { busy: [], unknown: [] });
});

Deno.test("decideCalendarBusy: a zero-length window blocks nothing, one reaching into the range does", () => {
  const d = decideCalendarBusy([head()], [
    w("work", "2026-11-23T09:00:00Z", "2026-11-23T09:00:00Z"),
    w("work", "2026-11-23T10:00:00Z", "2026-11-23T10:30:00Z"),
  ], q);
  assert.deepEqual(d.busy.map((b) => new Date(b.startMs).toISOString()), [
    "2026-11-23T10:00:00.000Z",
  ]);
});

Deno.test("decideCalendarBusy: a calendar whose account lost its authorization is unknown at once, however fresh its cache", () => {
  const d = decideCalendarBusy([head({ syncedAtMs: NOW - MIN, failClosed: true })], [
    w("work", "2026-11-23T09:00:00Z", "2026-11-23T10:00:00Z"),
  ], q);
  assert.deepEqual(d.unknown, [{ startMs: NOW, endMs: q.toMs }]);
  assert.deepEqual(d.busy, [], "its windows are not trusted either");
});

Deno.test("checkedWhenListed: a connected account's calendars block unless the provider says they are not its own; one found later waits for the host", () => {
  const cases: [{ checkByDefault?: boolean }, "connected" | "found_later", boolean][] = [
    [{}, "connected", true], // CalDAV says nothing: every calendar blocks
    [{ checkByDefault: true }, "connected", true], // Google's primary, an owned one
    [{ checkByDefault: false }, "connected", false], // a subscribed or shared calendar
    [{}, "found_later", false],
    [{ checkByDefault: true }, "found_later", false],
  ];
  for (const [c, when, want] of cases) {
    assert.equal(checkedWhenListed(c, when), want, `${JSON.stringify(c)} ${when}`);
  }
});
