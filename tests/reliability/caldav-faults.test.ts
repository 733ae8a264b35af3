/**
 * CalDAV faults after an account is connected: the server starts answering 401 (password changed
 * there), 500, a malformed reply, becomes unreachable, or slow. A real Radicale sits behind a
 * small fault proxy (Deno.serve). Each fault fails the sync with the right kind and a message for
 * the host, keeps the cached busy time (a calendar that cannot be read is never "empty"), and
 * once the cache is too old, booking fails closed; a guest's booking never waits for the
 * server. (Malformed XML, 503 and oversized replies from a scripted server, and Radicale
 * stopped, are in tests/integration/caldav-bounds.test.ts and caldav-writeback.test.ts.)
 */
import assert from "node:assert/strict";
import { startRadicale } from "../support/radicale.ts";
import { freePort } from "../support/ports.ts";
import { createEventType, createHost, memoryApp, WORKDAYS } from "../support/memory-app.ts";
import {
  addCalendarAccount,
  listCalendarAccounts,
  syncAccountNow,
} from "../../src/lib/server/services/calendar-accounts.ts";
import {
  calendarBusy,
  STALE_AFTER_INTERVALS,
} from "../../src/lib/server/services/calendar-busy.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { safeFetch, SafeFetchError } from "../../src/lib/server/integrations/safe-fetch.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const MIN = 60_000;

type Fault = "ok" | "401" | "500" | "garbage" | "slow";

/** A proxy in front of `target` that answers as told; `down()` closes it, `up()` reopens on the same port. */
function faultProxy(target: string) {
  const port = freePort();
  const state = { fault: "ok" as Fault, slowMs: 0, requests: 0 };
  let ac: AbortController;
  let server: Deno.HttpServer;
  const up = () => {
    ac = new AbortController();
    server = Deno.serve(
      { hostname: "127.0.0.1", port, signal: ac.signal, onListen: () => {} },
      async (req) => {
        state.requests++;
        const url = new URL(req.url);
        const body = req.body ? await req.arrayBuffer() : undefined;
        if (state.fault === "401") {
          return new Response("Unauthorized", {
            status: 401,
            headers: { "www-authenticate": 'Basic realm="x"' },
          });
        }
        if (state.fault === "500") return new Response("Internal Server Error", { status: 500 });
        if (state.fault === "garbage") {
          return new Response(
            '<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>/x</d:hr',
            {
              status: 207,
              headers: { "content-type": "application/xml" },
            },
          );
        }
        // A slow answer ends with its client: a client that gave up (the timeout test) leaves
        // no wait and no request to Radicale behind, which once ran on into the next test file
        // and met a stopped Radicale there.
        if (state.fault === "slow") {
          await new Promise<void>((r) => {
            const timer = setTimeout(r, state.slowMs);
            req.signal.addEventListener("abort", () => {
              clearTimeout(timer);
              r();
            }, { once: true });
          });
          if (req.signal.aborted) return new Response(null, { status: 499 });
        }
        const headers = new Headers(req.headers);
        headers.set("accept-encoding", "identity");
        const res = await fetch(target + url.pathname + url.search, {
          method: req.method,
          headers,
          body,
          signal: req.signal,
        });
        const out = new Headers(res.headers);
        out.delete("content-encoding");
        out.delete("content-length");
        return new Response(res.body, { status: res.status, headers: out });
      },
    );
  };
  up();
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    up,
    down: async () => {
      ac.abort();
      await server.finished;
    },
  };
}

const BUSY_ICS = [
  "BEGIN:VCALENDAR",
  "VERSION:2.0",
  "PRODID:-//Invito reliability//EN",
  "BEGIN:VEVENT",
  "UID:dentist@example.test",
  "DTSTAMP:20261101T000000Z",
  "DTSTART;TZID=Europe/Berlin:20261123T100000",
  "DTEND;TZID=Europe/Berlin:20261123T110000",
  "SUMMARY:Dentist",
  "END:VEVENT",
  "END:VCALENDAR",
  "",
].join("\r\n");
const BUSY = {
  startMs: Date.parse("2026-11-23T09:00:00Z"),
  endMs: Date.parse("2026-11-23T10:00:00Z"),
};

async function setup() {
  const dav = await startRadicale();
  await dav.mkcalendar("work", "Work");
  await dav.putIcs("work", "dentist.ics", BUSY_ICS);
  const proxy = faultProxy(dav.url);
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_ALLOW_PRIVATE_CALDAV: "true" },
  });
  const host = await createHost(app, { weekly: WORKDAYS, timeZone: "Europe/Berlin" });
  await createEventType(app, host, { slug: "call", durationMin: 30, requiresConfirmation: false });
  const res = await addCalendarAccount(app, host, {
    serverUrl: proxy.url,
    username: dav.username,
    password: dav.password,
  });
  assert.ok(res.ok && res.sync.ok, `connected through the proxy: ${JSON.stringify(res)}`);
  const busyNow = async () =>
    await calendarBusy(app, host.id, BUSY.startMs - 60 * MIN, BUSY.endMs + 60 * MIN, app.now());
  return {
    dav,
    proxy,
    app,
    host,
    accountId: res.accountId,
    busyNow,
    async [Symbol.asyncDispose]() {
      app.close();
      await proxy.down().catch(() => {});
      await dav.stop();
    },
  };
}

Deno.test({
  ...opts,
  name:
    "CalDAV faults: a 401, a 500, a malformed reply and a refused connection each fail the sync with the right kind and a message, and keep the cached busy time",
  async fn() {
    await using s = await setup();
    const { app, host, accountId, proxy } = s;
    assert.deepEqual((await s.busyNow()).busy, [BUSY], "the event blocks its hour");
    const cases: [Fault | "down", string, RegExp][] = [
      ["401", "auth", /Sign-in failed/],
      ["500", "network", /did not take the request: the server answered with an error \(500\)/],
      ["garbage", "parse", /could not be read/],
      ["down", "network", /could not be reached/],
    ];
    for (const [fault, kind, message] of cases) {
      app.clock.ms += 15 * MIN;
      if (fault === "down") await proxy.down();
      else proxy.state.fault = fault;
      const res = await syncAccountNow(app, host.id, accountId);
      assert.ok(res && !res.ok, `${fault}: the sync fails`);
      assert.equal(res.error.kind, kind, `${fault}: ${res.error.detail}`);
      const [account] = (await listCalendarAccounts(app, host.id)).accounts;
      assert.match(account.error ?? "", message, `${fault}: the host reads what is wrong`);
      assert.doesNotMatch(
        JSON.stringify(account),
        new RegExp(s.dav.password),
        "no password in the view",
      );
      const busy = await s.busyNow();
      assert.deepEqual(busy.busy, [BUSY], `${fault}: the cached busy time still blocks`);
      if (fault === "down") proxy.up();
      proxy.state.fault = "ok";
      // Recovered: the next sync succeeds and the cache is fresh again.
      const again = await syncAccountNow(app, host.id, accountId);
      assert.ok(again?.ok, `after ${fault} the sync recovers`);
    }
  },
});

Deno.test({
  ...opts,
  name:
    "CalDAV faults: while the server keeps failing, the cache serves for 2 sync intervals, then booking fails closed; after recovery booking works again",
  async fn() {
    await using s = await setup();
    const { app, host, accountId, proxy } = s;
    const intervalMs = app.config.syncIntervalMs;
    proxy.state.fault = "500";
    const book = (start: string) =>
      bookSlot(app, {
        username: host.username,
        slug: "call",
        start,
        name: "Gus",
        email: `gus${start}@example.test`,
        note: "",
        timeZone: "UTC",
      });
    // Within the window the cache vouches: free time is bookable, busy time is taken.
    app.clock.ms += intervalMs;
    assert.equal((await syncAccountNow(app, host.id, accountId))?.ok, false);
    assert.deepEqual(await book("2026-11-23T09:00:00Z"), { ok: false, reason: "slot_taken" });
    assert.ok(
      (await book("2026-11-23T12:00:00Z")).ok,
      "free time stays bookable while the cache is fresh enough",
    );
    // Past 2 intervals without a successful read: unknown, so refused (never treated as empty).
    app.clock.ms += STALE_AFTER_INTERVALS * intervalMs;
    assert.equal((await syncAccountNow(app, host.id, accountId))?.ok, false);
    assert.ok(
      (await s.busyNow()).unknown.length > 0,
      "the calendar's time counts as unknown now, not as free",
    );
    assert.deepEqual(await book("2026-11-23T13:00:00Z"), {
      ok: false,
      reason: "calendar_unavailable",
    });
    proxy.state.fault = "ok";
    assert.ok((await syncAccountNow(app, host.id, accountId))?.ok);
    assert.ok((await book("2026-11-23T13:00:00Z")).ok, "bookable again after a good read");
  },
});

Deno.test({
  ...opts,
  name:
    "CalDAV faults: a slow server delays only the sync, never a guest's booking, and a request slower than its timeout ends at the timeout",
  async fn() {
    await using s = await setup();
    const { app, host, accountId, proxy } = s;
    proxy.state.fault = "slow";
    proxy.state.slowMs = 1_500;
    const sync = syncAccountNow(app, host.id, accountId);
    const started = performance.now();
    const booked = await bookSlot(app, {
      username: host.username,
      slug: "call",
      start: "2026-11-23T12:00:00Z",
      name: "Ivy",
      email: "ivy@example.test",
      note: "",
      timeZone: "UTC",
    });
    const bookMs = performance.now() - started;
    assert.ok(booked.ok, "booked from the cache");
    assert.ok(
      bookMs < 1_000,
      `the booking did not wait for the calendar server (${Math.round(bookMs)} ms)`,
    );
    assert.ok((await sync)?.ok, "the slow sync still completes");
    // The bound itself, with a short timeout instead of the production 15 s.
    proxy.state.slowMs = 5_000;
    const f = safeFetch({ allowPrivate: true, timeoutMs: 300 });
    const t0 = performance.now();
    await assert.rejects(
      f(`${proxy.url}/`, { method: "PROPFIND" }),
      (e) => e instanceof SafeFetchError && e.kind === "network",
    );
    assert.ok(performance.now() - t0 < 2_000, "ended near its timeout");
  },
});
