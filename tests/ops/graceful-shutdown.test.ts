/**
 * A restart (SIGTERM, then start again on the same data) in the middle of a booking load loses
 * nothing: requests in flight get their answer, a request that got no answer had no effect, the
 * process exits by itself within its grace time, its leases are handed back, and every mail
 * arrives exactly once (no claimed job is left behind to be sent again, unlike after kill -9).
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { waitFor } from "../support/wait.ts";
import {
  bookingsOf,
  entriesOf,
  impliedMails,
  PREFIX,
  readStore,
  RequestLog,
  slotsAhead,
  storeProblems,
} from "../reliability/harness.ts";
import { prng } from "../../bench/lib.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const TTL_MS = 3_600_000;

Deno.test({
  ...opts,
  name:
    "SIGTERM under a booking load: in-flight requests are answered, an unanswered one changed nothing, leases are released, every mail arrives once",
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({
      demo: true,
      smtp: { host: smtp.host, port: smtp.port },
      env: { INVITO_BOOKING_TTL: "1h", INVITO_SHUTDOWN_TIMEOUT: "4s" },
    });
    const base = app.baseUrl;
    const mailHost = new URL(base).hostname;
    const space: Record<string, string[]> = {
      "intro-call": (await slotsAhead(base, "demo", "intro-call", 7)).slice(0, 60),
      "quick-chat": (await slotsAhead(base, "demo", "quick-chat", 7)).slice(0, 80),
    };
    assert.ok(space["intro-call"].length >= 20 && space["quick-chat"].length >= 30);

    const log = new RequestLog();
    let n = 0;
    let stop = false;
    const workers = Array.from({ length: 8 }, (_, w) =>
      (async () => {
        const r = prng(1000 + w);
        while (!stop) {
          const i = n++;
          const slug = r() < 0.5 ? "intro-call" : "quick-chat";
          const slots = space[slug];
          await log.send("book", base, `/calendar/demo/${slug}?/book`, {
            form: {
              name: `Guest ${i}`,
              email: `g${i}@example.test`,
              note: "",
              start: slots[Math.floor(r() * slots.length)],
              tz: "UTC",
            },
          });
          // While the server is down, do not spin: the next request waits for it to answer.
          if (log.entries.at(-1)!.error) {
            await waitFor(async () => {
              const res = await fetch(`${base}/healthz`);
              await res.body?.cancel();
              return res.ok;
            }, { timeoutMs: 30_000, intervalMs: 25 }).catch(() => {});
          }
        }
      })());

    await waitFor(() => log.entries.length >= 120, { timeoutMs: 60_000, message: "load" });
    const sigtermAt = Date.now();
    const logBefore = app.logs().length;
    await app.restart();
    const afterRestart = log.entries.length;
    await waitFor(() => log.entries.length >= afterRestart + 80, {
      timeoutMs: 60_000,
      message: "load after the restart",
    });
    stop = true;
    await Promise.all(workers);

    const shutdownLog = app.logs().slice(logBefore);
    assert.doesNotMatch(shutdownLog, /did not exit/, "the server exited by itself");
    assert.match(shutdownLog, /shutdown: done.*requestsFinished=true/);

    const inFlight = log.entries.filter((e) =>
      e.sentMs < sigtermAt && e.receivedMs !== null && e.receivedMs > sigtermAt &&
      e.status !== null
    );
    assert.ok(inFlight.length > 0, "some requests were in flight at SIGTERM and were answered");
    const broken = log.entries.filter((e) => e.status !== null && e.status >= 500);
    assert.deepEqual(broken.map((e) => `${e.path} → ${e.status}`), [], "no 5xx");

    // Every mail the store implies, once: wait for the restarted process to drain the outbox.
    let store = await (async () => {
      await app.stop({ keepData: true });
      return await readStore(app.dbPath);
    })();
    assert.deepEqual(
      entriesOf(store, PREFIX.lease).map((e) => e.key),
      [],
      "no lease is left behind after a graceful stop",
    );
    await app.restart().catch(() => {});
    const implied = new Set(bookingsOf(store).flatMap((b) => impliedMails(b, mailHost)));
    await waitFor(() => [...implied].every((id) => smtp.mails.some((m) => m.messageId === id)), {
      timeoutMs: 30_000,
      message: () =>
        `mails: ${
          [...implied].filter((id) => !smtp.mails.some((m) => m.messageId === id)).length
        } missing`,
    });
    await app.stop({ keepData: true });
    store = await readStore(app.dbPath);

    assert.deepEqual(storeProblems(store, { nowMs: Date.now(), ttlMs: TTL_MS }), []);
    const bookings = bookingsOf(store);
    const byEmail = new Map(bookings.map((b) => [b.guestEmail, b]));
    for (const e of log.entries) {
      if (e.status === 303) assert.ok(byEmail.has(e.form.email), `request #${e.n} booked`);
      if (e.status === null) {
        assert.equal(
          byEmail.has(e.form.email),
          false,
          `request #${e.n} got no answer (${e.error}) yet booked: an answer was lost`,
        );
      }
    }
    const counts = new Map<string, number>();
    for (const m of smtp.mails) counts.set(m.messageId, (counts.get(m.messageId) ?? 0) + 1);
    assert.deepEqual([...counts].filter(([, c]) => c > 1), [], "no mail twice");
    assert.deepEqual([...counts.keys()].filter((id) => !implied.has(id)), [], "no stray mail");
    assert.ok(bookings.length >= 40, `the load booked (${bookings.length})`);
  },
});
