/**
 * Booking pages and the slots API are kept by the host's revision (ADR 039): two processes on
 * one store (remote KV, as several processes are run), and a third writer (the test itself, as
 * an operator's script would) changing the host's settings. A page or answer served from one process's cache must show what any other
 * process committed, on the very next request.
 */
import assert from "node:assert/strict";
import { postEnhanced } from "../support/http.ts";
import { startCluster } from "../support/cluster.ts";
import { fullDay, slotsIn } from "../support/slots.ts";
import { getUserByUsername } from "../../src/lib/server/store/users.ts";
import { changeAvailability } from "../../src/lib/server/store/availability.ts";

const PAGE = "/calendar/demo/intro-call?tz=UTC";
const slotsOf = slotsIn;

async function page(base: string, path: string) {
  const res = await fetch(base + path);
  assert.equal(res.status, 200);
  return await res.text();
}

async function apiSlots(base: string, date: string): Promise<string[]> {
  const res = await fetch(
    `${base}/api/v1/users/demo/event-types/intro-call/slots?start=${date}&end=${date}&timeZone=UTC`,
  );
  assert.equal(res.status, 200);
  return ((await res.json()).slots as { start: string }[]).map((s) => s.start);
}

Deno.test({
  name:
    "page revision: a booking in another process, and a settings change by a third writer, show on the next page view and slots answer of a process that had them cached",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using c = await startCluster({ processes: 2, demo: true });
    const [a, b] = c.apps;

    // One date from tomorrow on with a full day, found through B (A's cache stays unseen): the
    // page's own first day may be today with its last time, and move on once that is booked.
    const day = (await fullDay(b.baseUrl, "/calendar/demo/intro-call", { min: 2 })).path;
    // A serves the page twice (the second from its cache) and the slots answer twice.
    const before = await page(a.baseUrl, day);
    assert.deepEqual(slotsOf(await page(a.baseUrl, day)), slotsOf(before));
    const [taken] = slotsOf(before);
    const date = taken.slice(0, 10);
    const apiBefore = await apiSlots(a.baseUrl, date);
    assert.deepEqual(await apiSlots(a.baseUrl, date), apiBefore);
    assert.equal(apiBefore.length, slotsOf(before).length, "the API offers what the page does");

    // B books the first slot: A's next page view and slots answer no longer offer it.
    const booked = await postEnhanced(b.baseUrl, "/calendar/demo/intro-call?/book", {
      name: "Guest in B",
      email: "guest-b@example.test",
      note: "",
      start: taken,
      tz: "UTC",
    }, c.baseUrl);
    assert.equal(booked.type, "redirect", JSON.stringify(booked));
    const after = await page(a.baseUrl, day);
    assert.ok(!slotsOf(after).includes(taken), "A's page no longer offers the time B booked");
    assert.deepEqual(slotsOf(after), slotsOf(before).filter((s) => s !== taken));
    const apiAfter = await apiSlots(a.baseUrl, date);
    assert.equal(apiAfter.length, apiBefore.length - 1, "A's slots answer lost the booked time");

    // An operator's script closes that date (availability written straight into the store):
    // both processes show no slots on it at once, though each had the page cached.
    await page(b.baseUrl, `${PAGE}&date=${date}`);
    const kv = await c.openKv();
    try {
      const host = await getUserByUsername(kv, "demo");
      assert.ok(host);
      await changeAvailability(kv, host.id, Date.now(), (cur) => ({
        ok: true,
        next: {
          ...cur,
          overrides: [...cur.overrides, { date, ranges: [] }],
          updatedAtMs: Date.now(),
        },
      }));
    } finally {
      kv.close();
    }
    for (const app of [a, b]) {
      const closed = await page(app.baseUrl, `${PAGE}&date=${date}`);
      assert.deepEqual(slotsOf(closed), [], `${app.baseUrl} shows the closed date as closed`);
      assert.deepEqual(await apiSlots(app.baseUrl, date), []);
    }
  },
});

Deno.test({
  name:
    "page revision on remote KV (KV Connect): a page served again from the cache costs one KV read, and a booking through the other process shows on the next view",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using c = await startCluster({
      processes: 2,
      demo: true,
      env: { INVITO_DISABLE_CRON: "true" },
    });
    const [a, b] = c.apps;
    // A date from tomorrow on (found through B): today's last time may pass before the post.
    const day = (await fullDay(b.baseUrl, "/calendar/demo/intro-call", { min: 2 })).path;
    const before = await page(a.baseUrl, day);
    await page(a.baseUrl, day); // cached from here on
    // An unchanged host: one read of its revision (two keys, one request), nothing else. The
    // settings copy refreshes once a second, so of a few tries one falls inside such a second.
    const reads: number[] = [];
    for (let i = 0; i < 5 && !reads.includes(1); i++) {
      const r0 = c.kv.stats().reads;
      await page(a.baseUrl, day);
      reads.push(c.kv.stats().reads - r0);
    }
    assert.ok(reads.includes(1), `KV reads per cached view: ${reads.join(", ")}`);
    assert.ok(reads.every((n) => n <= 4), `KV reads per cached view: ${reads.join(", ")}`);

    const [taken] = slotsOf(before);
    // Straight to B (its pages name the cluster's proxy as their origin).
    const res = await fetch(`${b.baseUrl}/calendar/demo/intro-call?/book`, {
      method: "POST",
      headers: { origin: c.baseUrl, accept: "application/json", "x-sveltekit-action": "true" },
      body: new URLSearchParams({
        name: "Guest in B",
        email: "guest-b@example.test",
        note: "",
        start: taken,
        tz: "UTC",
      }),
    });
    const booked = await res.json();
    assert.equal(booked.type, "redirect", JSON.stringify(booked));
    assert.ok(
      !slotsOf(await page(a.baseUrl, day)).includes(taken),
      "A no longer offers B's booking",
    );
  },
});
