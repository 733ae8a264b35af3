/**
 * A series' confirm or reject is a write per date (ADR 048): when some of those writes fail (the
 * store unreachable for one date's keys), the press is explicit and safe — the dates it could not
 * decide are named with why, the pressed date stays pending and nothing is mailed, and the same
 * press again (the dashboard's, the mail link's, the API's under the same Idempotency-Key)
 * finishes the series with one mail per party.
 */
import assert from "node:assert/strict";
import { memoryApp, type TestApp } from "../../../../tests/support/memory-app.ts";
import { weeklySeries } from "../../../../tests/support/series.ts";
import { apiClient } from "../../../../tests/support/api.ts";
import { decideBooking } from "./decide-booking.ts";
import { createApiKey } from "./api-keys.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import type { BookingRecord } from "../domain/model/records.ts";

/** The app's store, failing every commit that writes the booking `failing()` names (if any). */
function failingFor(app: TestApp, failing: () => string | null) {
  const real = app.kv;
  const kv = new Proxy(real, {
    get(target, prop) {
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const touched: string[] = [];
          const wrapped: Deno.AtomicOperation = new Proxy(op, {
            get(o, p) {
              const v = Reflect.get(o, p, o);
              if (typeof v !== "function") return v;
              return (...args: unknown[]) => {
                if (p === "set") touched.push(JSON.stringify(args[0]));
                if (p === "commit") {
                  const id = failing();
                  if (id && touched.includes(JSON.stringify(["booking", id]))) {
                    return Promise.reject(new Error("connection reset"));
                  }
                }
                const out = v.apply(o, args);
                return out === o ? wrapped : out;
              };
            },
          });
          return wrapped;
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  (app as { kv: Deno.Kv }).kv = kv;
}

const pendingSeries = (app: TestApp) => weeklySeries(app, { count: 3, requiresConfirmation: true });

const statuses = (bs: BookingRecord[]) => bs.map((b) => b.status);

Deno.test("series press: one date's write fails — the press names it and why, leaves the pressed date pending and mails nothing; pressing again confirms the rest with one mail to the guest listing every date", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const { dates } = await pendingSeries(app);
    const [first, second] = await dates();
    let failing: string | null = second.id;
    failingFor(app, () => failing);
    const mailsBefore = app.mailer.sent.length;
    const press = await decideBooking(app, first.id, "confirm", "host");
    assert.ok(!press.ok && press.reason === "series_partial", JSON.stringify(press));
    assert.deepEqual(
      press.failed?.map((f) => [f.bookingId, f.startMs, f.reason]),
      [[second.id, second.startMs, "busy"]],
    );
    assert.deepEqual(statuses(await dates()), ["PENDING", "PENDING", "CONFIRMED"]);
    await deliverOutbox(app, app.now());
    assert.equal(app.mailer.sent.length, mailsBefore, "nothing mailed while the series waits");

    failing = null;
    const again = await decideBooking(app, first.id, "confirm", "host");
    assert.ok(again.ok, JSON.stringify(again));
    assert.deepEqual(again.also?.map((b) => b.id), [second.id], "only what was still pending");
    assert.deepEqual(statuses(await dates()), ["CONFIRMED", "CONFIRMED", "CONFIRMED"]);
    await deliverOutbox(app, app.now());
    const toGuest = app.mailer.sent.slice(mailsBefore).filter((m) =>
      m.to.includes("pat@example.test")
    );
    assert.equal(toGuest.length, 1, "one confirmation for the series");
    assert.match(toGuest[0].text, /3 dates/);
  } finally {
    app.close();
  }
});

Deno.test("series press through the API: a confirm that could not reach every date is a 409 series_partial listing them; the same request under the same Idempotency-Key finishes it", async () => {
  const app = await memoryApp({
    nowIso: "2026-11-20T08:00:00Z",
    env: { INVITO_RATE_LIMIT: "off" },
  });
  try {
    const { host, dates } = await pendingSeries(app);
    const made = await createApiKey(app, host, {
      name: "t",
      scopes: ["read", "write"],
      expiresAtMs: null,
    });
    assert.ok(made.ok);
    const [first, , third] = await dates();
    let failing: string | null = third.id;
    failingFor(app, () => failing);
    const { call } = apiClient(app);
    const press = () =>
      call("POST", `/bookings/${first.id}/confirm`, { key: made.secret, idem: "press-1" });
    const partial = await press();
    assert.equal(partial.status, 409, partial.text);
    assert.equal(partial.body.reason, "series_partial");
    assert.deepEqual(partial.body.failed, [{
      bookingId: third.id,
      start: new Date(third.startMs).toISOString(),
      reason: "busy",
    }]);
    assert.ok(partial.headers.get("retry-after"));
    failing = null;
    const done = await press();
    assert.equal(done.status, 200, done.text);
    assert.deepEqual(statuses(await dates()), ["CONFIRMED", "CONFIRMED", "CONFIRMED"]);
  } finally {
    app.close();
  }
});
