import assert from "node:assert/strict";
import { cachedRead, settingsChanged, useCopyClock } from "./settings-cache.ts";
import { getEventTypeBySlug, getEventTypeBySlugCached, updateEventType } from "./event-types.ts";
import { pageRevision } from "../services/page-revision.ts";
import { getSlotPage } from "../services/slot-page.ts";
import { saveWeeklyAvailability } from "../services/availability.ts";
import { setEventTypeActive } from "../services/event-types.ts";
import { updateProfile } from "../services/profile.ts";
import {
  createEventType,
  createHost,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";

Deno.test("cachedRead: concurrent callers share one read, a change drops it, a failed read is not kept", async () => {
  const kv = await Deno.openKv(":memory:");
  let reads = 0;
  const load = () => Promise.resolve(++reads);
  const [a, b] = await Promise.all([cachedRead(kv, "k", load), cachedRead(kv, "k", load)]);
  assert.deepEqual([a, b, reads], [1, 1, 1]);
  settingsChanged(kv);
  assert.equal(await cachedRead(kv, "k", load), 2);
  await assert.rejects(cachedRead(kv, "bad", () => Promise.reject(new Error("down"))));
  assert.equal(await cachedRead(kv, "bad", () => Promise.resolve("up")), "up");
  // Another KV (another test app, another store) has its own copy.
  const other = await Deno.openKv(":memory:");
  assert.equal(await cachedRead(other, "k", load), 3);
  kv.close();
  other.close();
});

Deno.test("a host's own changes show on their booking page at once: hours, a paused event type, a new username", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { username: "ana", timeZone: "UTC", weekly: WORKDAYS });
  const et = await createEventType(app, host, { slug: "call", durationMin: 60 });
  const page = () => getSlotPage(app, { username: "ana", slug: "call", date: "2026-11-23" });
  const before = await page();
  assert.ok(before.ok && before.slots.length === 8, JSON.stringify(before).slice(0, 200));

  assert.deepEqual(
    await saveWeeklyAvailability(app, host, { ...WORKDAYS, 1: [{ start: "10:00", end: "12:00" }] }),
    { ok: true },
  );
  const after = await page();
  assert.ok(after.ok);
  assert.deepEqual(after.slots.map((s) => s.start), [
    "2026-11-23T10:00:00Z",
    "2026-11-23T11:00:00Z",
  ]);

  await setEventTypeActive(app, host, et.id, false);
  assert.deepEqual(await page(), { ok: false, reason: "not_found" });
  await setEventTypeActive(app, host, et.id, true);
  assert.ok((await page()).ok);

  const renamed = await updateProfile(app, host, {
    name: host.name,
    username: "ana-b",
    timeZone: "UTC",
  });
  assert.ok(renamed.ok, JSON.stringify(renamed));
  assert.deepEqual(await page(), { ok: false, reason: "not_found" });
  assert.ok((await getSlotPage(app, { username: "ana-b", slug: "call", date: "2026-11-23" })).ok);
  app.close();
});

Deno.test("settings copy: an entry older than a second serves while its owner's settings revision reads unchanged, and another process's change drops it at the next read", async () => {
  const dir = await Deno.makeTempDir({ prefix: "invito-copy-" });
  const path = `${dir}/kv.sqlite`;
  let now = 1_000_000;
  useCopyClock(() => now);
  const a = await memoryApp({ kv: await Deno.openKv(path), nowIso: "2026-11-20T08:00:00Z" });
  const other = await Deno.openKv(path); // another process on the same store
  // A connection's opening (its set-up and clean-up of expired keys, on its own thread) can make
  // a commit on the other connection meanwhile fail with "database is locked" (store/kv.ts): a
  // first read on it waits for that, as a process's start does.
  await other.get(["settings-copy-test"]);
  try {
    const host = await createHost(a, { username: "ana", timeZone: "UTC", weekly: WORKDAYS });
    await createEventType(a, host, { slug: "call", durationMin: 60 });
    let loads = 0;
    const get = a.kv.get.bind(a.kv);
    // deno-lint-ignore no-explicit-any
    (a.kv as any).get = (key: Deno.KvKey, o?: { consistency?: Deno.KvConsistencyLevel }) => {
      if (key[0] === "event_type_by_slug") loads++;
      return get(key, o);
    };
    const eventType = async () => {
      await pageRevision(a, { username: "ana" });
      return await getEventTypeBySlugCached(a.kv, host.id, "call");
    };
    assert.equal((await eventType())?.durationMin, 60);
    assert.equal(loads, 1);
    // A minute later, the revision read unchanged vouches for the copy: no new read.
    now += 60_000;
    assert.equal((await eventType())?.durationMin, 60);
    assert.equal(loads, 1, "served from the copy the revision vouched for");
    // Without a revision read for a second, the copy expires as before.
    now += 1_500;
    await getEventTypeBySlugCached(a.kv, host.id, "call");
    assert.equal(loads, 2);
    // Another process changes the event type: the next revision read drops the copy.
    const et = (await getEventTypeBySlug(other, host.id, "call"))!;
    const res = await updateEventType(
      other,
      host.id,
      et.id,
      (cur) => ({ ...cur, durationMin: 30 }),
    );
    assert.ok(res.ok);
    now += 10;
    assert.equal((await eventType())?.durationMin, 30, "the change is seen at once");
  } finally {
    useCopyClock();
    a.close();
    other.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
