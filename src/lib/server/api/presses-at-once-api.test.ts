/**
 * An API client sending the same change many times at once (a retry loop, a script run twice,
 * a form sent again and again): every request is a change of one record, each commit lost is
 * another request's change landing, so every one of them is saved and answered 200 — the last
 * to land is what stays. They were answered 500 once a request had lost more than a few times
 * ("too much contention").
 */
import assert from "node:assert/strict";
import { apiClient, apiHost } from "../../../../tests/support/api.ts";
import { memoryApp } from "../../../../tests/support/memory-app.ts";

const AT_ONCE = 30;

async function setup() {
  const { app, key } = await apiHost({
    scopes: ["read", "write"],
    env: { INVITO_ALLOW_PRIVATE_WEBHOOKS: "true" },
  });
  return { app, key: key!, call: apiClient(app).call };
}

Deno.test("API: 30 changes of one event type sent at once are each saved (200), none a 500", async () => {
  const { app, key, call } = await setup();
  try {
    const id = (await call("GET", "/event-types", { key })).body.data[0].id as string;
    const titles = Array.from({ length: AT_ONCE }, (_, i) => `Intro ${i}`);
    const answers = await Promise.all(
      titles.map((title) => call("PATCH", `/event-types/${id}`, { key, body: { title } })),
    );
    assert.deepEqual(answers.map((a) => a.status), titles.map(() => 200), answers[0].text);
    const now = await call("GET", `/event-types/${id}`, { key });
    assert.ok(titles.includes(now.body.title), now.body.title);
  } finally {
    app.close();
  }
});

Deno.test("API: 30 availability saves sent at once to 10 processes of one store are each saved (200), none a 500", async () => {
  // Saves are queued per host inside one process; processes of one store (several isolates
  // behind one address) race, and each commit lost is another process's save landing.
  const { app, key } = await setup();
  const processes = [
    app,
    ...await Promise.all(
      Array.from({ length: 9 }, () => memoryApp({ kv: app.kv, env: { INVITO_RATE_LIMIT: "off" } })),
    ),
  ];
  try {
    const days = Array.from(
      { length: AT_ONCE },
      (_, i) => `2026-12-${String(i + 1).padStart(2, "0")}`,
    );
    const answers = await Promise.all(
      days.map((date, i) =>
        apiClient(processes[i % processes.length]).call("PUT", "/availability", {
          key,
          body: { overrides: [{ date, ranges: [] }] },
        })
      ),
    );
    assert.deepEqual(answers.map((a) => a.status), days.map(() => 200), answers[0].text);
    const now = await apiClient(app).call("GET", "/availability", { key });
    assert.equal(now.body.overrides.length, 1, "each save replaces the overrides");
    assert.ok(days.includes(now.body.overrides[0].date));
  } finally {
    for (const p of processes) p.close();
  }
});

Deno.test("API: 30 changes of one webhook sent at once are each saved (200), none a 500", async () => {
  const { app, key, call } = await setup();
  try {
    const made = await call("POST", "/webhooks", {
      key,
      body: { url: "http://127.0.0.1:9/hook", events: ["booking.confirmed"] },
    });
    assert.equal(made.status, 201, made.text);
    const id = made.body.subscription.id as string;
    const descriptions = Array.from({ length: AT_ONCE }, (_, i) => `Hook ${i}`);
    const answers = await Promise.all(
      descriptions.map((description) =>
        call("PATCH", `/webhooks/${id}`, { key, body: { description } })
      ),
    );
    assert.deepEqual(answers.map((a) => a.status), descriptions.map(() => 200), answers[0].text);
    const now = await call("GET", `/webhooks/${id}`, { key });
    assert.ok(descriptions.includes(now.body.description), JSON.stringify(now.body));
  } finally {
    app.close();
  }
});
