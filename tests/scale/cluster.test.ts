/**
 * Three Invito processes on one remote KV (KV Connect, 5–20 ms per request), requests through a
 * round-robin proxy or to one process directly: what several processes must get right.
 *
 * - the store migration runs once, though all three start at the same moment on an old store;
 * - a page cached by one process never offers a slot another process has booked;
 * - a host's settings change is seen by every process within the documented second;
 * - a session and a single-use link made on one process work on the others (and the link once);
 * - a rate limit counts requests across processes (it is counted in KV).
 * (Each cron tick running once across processes is checked in ./cluster-history.test.ts, whose
 * run lasts long enough to see a minute boundary.)
 */
import assert from "node:assert/strict";
import { startSmtp } from "../support/smtp.ts";
import { startCluster } from "../support/cluster.ts";
import { waitFor } from "../support/wait.ts";
import { demoDay, pageSlots, signIn } from "../reliability/harness.ts";
import { keys } from "../../src/lib/server/store/keys.ts";
import type { EventTypeRecord } from "../../src/lib/server/domain/model/records.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const FIXTURE = new URL("../fixtures/store-v1/store.jsonl", import.meta.url);
const LEGACY = ["host_day", "event_type_cap", "guest_holds"];

async function post(base: string, path: string, form: Record<string, string>, origin = base) {
  const res = await fetch(base + path, {
    method: "POST",
    redirect: "manual",
    headers: { origin, accept: "text/html", "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
  return { status: res.status, location: res.headers.get("location"), text: await res.text() };
}

Deno.test({
  ...opts,
  name:
    "three processes on remote KV: one migration, pages never offer a slot booked elsewhere, settings seen within a second, sessions and single-use links work anywhere",
  async fn() {
    await using smtp = await startSmtp();
    await using c = await startCluster({
      processes: 3,
      demo: true,
      smtp: { host: smtp.host, port: smtp.port },
      // A store written by schema-1 code (tests/fixtures/store-v1), before any process starts.
      beforeStart: async (kvs) => {
        Deno.env.set("DENO_KV_ACCESS_TOKEN", kvs.token);
        const kv = await Deno.openKv(kvs.url);
        try {
          const lines = (await Deno.readTextFile(FIXTURE)).trim().split("\n");
          for (let i = 0; i < lines.length; i += 50) {
            const op = kv.atomic();
            for (const line of lines.slice(i, i + 50)) {
              const { key, value } = JSON.parse(line);
              op.set(key, value);
            }
            assert.ok((await op.commit()).ok);
          }
        } finally {
          kv.close();
        }
        kvs.faults.set({ latencyMs: [5, 20] });
      },
    });
    const [a, b, d] = c.apps;
    const origin = c.baseUrl; // every process's INVITO_BASE_URL
    const kv = await c.openKv();
    try {
      // --- the migration ran in exactly one process
      const migrated = c.apps.filter((app) => /\[migrate\] store schema 1 → 2/.test(app.logs()));
      assert.equal(migrated.length, 1, "one process migrated the store");
      for (const prefix of LEGACY) {
        const left = [];
        for await (const e of kv.list({ prefix: [prefix] })) left.push(e.key);
        assert.deepEqual(left, [], `no ${prefix} left`);
      }
      assert.equal(((await kv.get(keys.meta("schema"))).value as { version: number }).version, 2);

      // --- cached pages and a booking made by another process
      // One date for every read, so "no longer offered" is about that day, not another one.
      const { date, slots } = await demoDay(b.baseUrl, "demo", "quick-chat");
      assert.ok(slots.length >= 2, "the demo host offers slots");
      for (const app of [b, d]) {
        for (let i = 0; i < 2; i++) {
          assert.ok((await pageSlots(app.baseUrl, "demo", "quick-chat", date)).includes(slots[1]));
        }
      }
      const booked = await post(a.baseUrl, "/calendar/demo/quick-chat?/book", {
        name: "Ann",
        email: "ann@example.test",
        note: "",
        start: slots[1],
        tz: "UTC",
      }, origin);
      assert.equal(booked.status, 303, "booked on the first process");
      for (const app of [b, d]) {
        assert.ok(
          !(await pageSlots(app.baseUrl, "demo", "quick-chat", date)).includes(slots[1]),
          `${app.baseUrl} no longer offers the slot booked on ${a.baseUrl}`,
        );
      }

      // --- a settings change, through the API of one process, seen by the others
      // Every process prints the same demo API key (all three seeded the demo host at once).
      const printed = c.apps.map((app) =>
        /Demo API key \(read, write\): (\S+)/.exec(app.logs())?.[1]
      );
      assert.ok(printed[0] && printed.every((k) => k === printed[0]), `demo keys: ${printed}`);
      const apiKey = printed[0];
      let quick: EventTypeRecord | null = null;
      for await (const e of kv.list<EventTypeRecord>({ prefix: [keys.eventType("x", "y")[0]] })) {
        if (e.value.slug === "quick-chat") quick = e.value;
      }
      assert.ok(quick);
      const title = `Quick chat ${Date.now()}`;
      const patched = await fetch(`${a.baseUrl}/api/v1/event-types/${quick.id}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ title }),
      });
      assert.equal(patched.status, 200, await patched.text());
      const changedAt = Date.now();
      for (const app of [b, d]) {
        await waitFor(
          async () =>
            (await (await fetch(`${app.baseUrl}/calendar/demo/quick-chat`)).text()).includes(title),
          { timeoutMs: 3_000, intervalMs: 20, message: `${app.baseUrl} shows the new title` },
        );
      }
      const seenAfterMs = Date.now() - changedAt;
      assert.ok(seenAfterMs <= 2_000, `seen by all after ${seenAfterMs} ms (1 s copy + requests)`);

      // --- a session made on one process, used through the proxy; a single-use link anywhere
      const host = await signIn({ ...a, baseUrl: c.baseUrl }, "demo@invito.example", smtp);
      for (let i = 0; i < 3; i++) {
        const page = await host.get("/dashboard");
        assert.equal(page.status, 200, "the dashboard answers on every process");
      }
      const minted = await host.post(`/dashboard/event-types/${quick.id}/links?/mint`, {
        label: "scale",
        expiresOn: "",
        guestEmail: "",
      });
      const once = /https?:\/\/[^\s<"]+\/once\/[A-Za-z0-9_-]+/.exec(minted.body)?.[0];
      assert.ok(once, `a single-use link was made (${minted.status})`);
      const path = new URL(once).pathname;
      for (const app of c.apps) {
        assert.equal(
          (await fetch(app.baseUrl + path)).status,
          200,
          `${app.baseUrl} opens the link`,
        );
      }
      const onceSlots = await pageSlots(b.baseUrl, "demo", "quick-chat");
      const first = await post(d.baseUrl, `${path}?/book`, {
        name: "Once",
        email: "once@example.test",
        note: "",
        start: onceSlots[0],
        tz: "UTC",
      }, origin);
      assert.equal(first.status, 303, "booked through the link on one process");
      const second = await post(b.baseUrl, `${path}?/book`, {
        name: "Twice",
        email: "twice@example.test",
        note: "",
        start: onceSlots[1],
        tz: "UTC",
      }, origin);
      assert.notEqual(second.status, 303, "the used link books nothing on another process");
      assert.ok(second.status < 500, `a calm refusal (${second.status})`);
    } finally {
      kv.close();
    }
  },
});

Deno.test({
  ...opts,
  name:
    "three processes on remote KV: a rate limit counts across processes (views spread round robin are limited as if one process took them all)",
  async fn() {
    await using c = await startCluster({
      processes: 3,
      latencyMs: [5, 20],
      demo: true,
      env: { INVITO_DISABLE_CRON: "true", INVITO_RATE_LIMIT: "page=6/1m" },
    });
    const statuses: number[] = [];
    // One after the other through the proxy: each process gets every third view.
    for (let i = 0; i < 9; i++) {
      const res = await fetch(`${c.baseUrl}/calendar/demo/intro-call?tz=UTC&i=${i}`);
      await res.body?.cancel();
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 429, 429, 429]);
    assert.ok(c.served.every((n) => n >= 3), `every process answered some: ${c.served}`);
  },
});
