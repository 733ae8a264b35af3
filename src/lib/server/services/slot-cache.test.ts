import assert from "node:assert/strict";
import { getSlotRange } from "./slot-range.ts";
import { saveWeeklyAvailability } from "./availability.ts";
import { editEventType } from "./event-types.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import type { EventTypeRecord } from "../domain/model/records.ts";
import type { EventTypeInput } from "../../shared/forms/event-types.ts";

// The computed month is reused while what it depends on is unchanged (services/slot-month.ts).
// Two saves in the same millisecond (a script's two calls, two servers on one store) must still
// be two different months: the clock here stands still, so every save has the same time.
const range = { username: "host", slug: "call", start: "2026-11-23", end: "2026-11-29" };
const starts = async (app: Awaited<ReturnType<typeof memoryApp>>) => {
  const r = await getSlotRange(app, { ...range, timeZone: "UTC" });
  assert.ok(r.ok);
  return r.days.flatMap((d) => [...d.starts].map((ms) => new Date(ms).toISOString()));
};

Deno.test("slots follow hours saved twice in one millisecond", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { timeZone: "UTC", weekly: WORKDAYS });
  await createEventType(app, host, { slug: "call", durationMin: 60 });
  assert.equal((await starts(app)).length, 5 * 8);
  await saveWeeklyAvailability(app, host, { ...WORKDAYS, 1: [{ start: "09:00", end: "10:00" }] });
  assert.equal((await starts(app)).length, 4 * 8 + 1);
  await saveWeeklyAvailability(app, host, { ...WORKDAYS, 1: [] });
  const after = await starts(app);
  assert.equal(after.length, 4 * 8);
  assert.ok(!after.some((s) => s.startsWith("2026-11-23")), "Monday is closed now");
  app.close();
});

Deno.test("slots follow an event type edited twice in one millisecond", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { timeZone: "UTC", weekly: WORKDAYS });
  const et = await createEventType(app, host, { slug: "call", durationMin: 60 });
  const input = (over: Partial<EventTypeRecord>) => {
    const { v: _v, id: _id, userId: _u, createdAtMs: _c, updatedAtMs: _m, ...rest } = et;
    return { location: { kind: "none" as const, value: "" }, ...rest, ...over } as EventTypeInput;
  };
  assert.equal((await starts(app)).length, 5 * 8);
  assert.ok((await editEventType(app, host, et.id, input({ intervalMin: 120 }))).ok);
  assert.equal((await starts(app)).length, 5 * 4);
  assert.ok((await editEventType(app, host, et.id, input({ intervalMin: null }))).ok);
  assert.equal((await starts(app)).length, 5 * 8);
  app.close();
});
