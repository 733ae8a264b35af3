import assert from "node:assert/strict";
import { seriesOf4 } from "../../../../tests/support/series.ts";
import { apiClient } from "../../../../tests/support/api.ts";
import { createApiKey } from "../services/api-keys.ts";
import { listHostBookings } from "../store/bookings.ts";

Deno.test("API: cancelling a date of a recurring series takes the later dates too when asked (scope: rest), else that date alone; another scope is a 400", async () => {
  const { app, host } = await seriesOf4(false);
  const made = await createApiKey(app, host, {
    name: "t",
    scopes: ["read", "write"],
    expiresAtMs: null,
  });
  assert.ok(made.ok);
  const { call } = apiClient(app);
  const dates = async () =>
    (await listHostBookings(app.kv, host.id)).sort((a, b) => a.startMs - b.startMs);
  const all = await dates();
  const bad = await call("POST", `/bookings/${all[1].id}/cancel`, {
    key: made.secret,
    idem: "c0",
    body: { scope: "all" },
  });
  assert.equal(bad.status, 400);
  const one = await call("POST", `/bookings/${all[0].id}/cancel`, {
    key: made.secret,
    idem: "c1",
    body: { reason: "away" },
  });
  assert.equal(one.status, 200, JSON.stringify(one.body));
  assert.deepEqual((await dates()).map((b) => b.status), [
    "CANCELLED",
    "CONFIRMED",
    "CONFIRMED",
    "CONFIRMED",
  ]);
  const rest = await call("POST", `/bookings/${all[2].id}/cancel`, {
    key: made.secret,
    idem: "c2",
    body: { scope: "rest" },
  });
  assert.equal(rest.status, 200, JSON.stringify(rest.body));
  assert.deepEqual((await dates()).map((b) => b.status), [
    "CANCELLED",
    "CONFIRMED",
    "CANCELLED",
    "CANCELLED",
  ]);
  app.close();
});
