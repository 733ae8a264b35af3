/**
 * Whether a host checks any calendar comes from the 1-second settings copy; the store drops it
 * whenever a calendar starts or stops counting, whatever its provider, so this process sees the
 * change at once (a calendar that counts and was never read is unknown: booking fails closed).
 */
import assert from "node:assert/strict";
import { calendarBusy } from "./calendar-busy.ts";
import { createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import {
  emptyHead,
  getAccountEntry,
  insertAccount,
  removeAccount,
  updateCalendar,
} from "../store/calendars.ts";
import { keys } from "../store/keys.ts";
import type { CalendarRecord } from "../domain/model/records.ts";

Deno.test("calendarBusy: a Google calendar connected, switched off and on, or removed counts (or stops counting) at once, not a second later", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const host = await createHost(app);
    const from = Date.parse("2026-11-23T00:00:00Z");
    const to = from + 86_400_000;
    const read = () => calendarBusy(app, host.id, from, to, app.now());
    // No calendar yet: the copy now says so.
    assert.deepEqual(await read(), { busy: [], unknown: [] });

    const calendar: CalendarRecord = {
      v: 1,
      id: "cal1",
      hostId: host.id,
      accountId: "acc1",
      url: "primary",
      displayName: "Ann",
      color: null,
      writable: true,
      checkConflicts: true,
      createdAtMs: app.now(),
    };
    assert.ok(
      await insertAccount(app.kv, {
        account: {
          v: 1,
          id: "acc1",
          hostId: host.id,
          provider: "google",
          serverUrl: "https://www.googleapis.com/calendar/v3",
          username: "ann@example.com",
          password: { v: 1, kid: "k", iv: "", ct: "" },
          principalUrl: "",
          homeUrl: "",
          createdAtMs: app.now(),
        },
        calendars: [calendar],
        heads: [emptyHead("cal1", "acc1")],
        writeback: null,
      }),
    );
    assert.deepEqual(
      (await read()).unknown,
      [{ startMs: from, endMs: to }],
      "connected: fails closed until read",
    );

    const entry = await app.kv.get<CalendarRecord>(keys.calendarOfAccount(host.id, "acc1", "cal1"));
    assert.ok(
      await updateCalendar(app.kv, entry as Deno.KvEntry<CalendarRecord>, {
        ...calendar,
        checkConflicts: false,
      }),
    );
    assert.deepEqual(await read(), { busy: [], unknown: [] }, "switched off");
    const off = await app.kv.get<CalendarRecord>(keys.calendarOfAccount(host.id, "acc1", "cal1"));
    assert.ok(await updateCalendar(app.kv, off as Deno.KvEntry<CalendarRecord>, calendar));
    assert.equal((await read()).unknown.length, 1, "switched on again");

    assert.ok((await getAccountEntry(app.kv, host.id, "acc1")).value);
    assert.deepEqual(await removeAccount(app.kv, host.id, "acc1"), ["cal1"]);
    assert.deepEqual(await read(), { busy: [], unknown: [] }, "removed");
  } finally {
    app.close();
  }
});
