/**
 * The JSON API's bookings on three Invito processes sharing one remote KV (KV Connect): an
 * Idempotency-Key holds across processes. A client whose request went to several processes at
 * once (a retrying load balancer, a client that timed out and tried again) gets one booking and
 * the same answer from every one; a retry later, to any process, replays that answer byte for
 * byte. Strangers racing for one time get one winner.
 */
import assert from "node:assert/strict";
import { startCluster } from "../support/cluster.ts";
import { demoDay } from "../reliability/harness.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

async function book(base: string, key: string, body: Record<string, unknown>) {
  const res = await fetch(`${base}/api/v1/bookings`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    replayed: res.headers.get("idempotent-replayed"),
    text: await res.text(),
  };
}

Deno.test({
  ...opts,
  name:
    "API on three processes over remote KV: one key sent to every process at once books once and answers alike; a later retry anywhere replays it byte for byte; strangers on one time get one winner",
  async fn() {
    await using c = await startCluster({ processes: 3, demo: true, latencyMs: [2, 8] });
    const { slots } = await demoDay(c.baseUrl, "demo", "intro-call", 8);
    const body = (start: string, who: string) => ({
      username: "demo",
      eventType: "intro-call",
      start,
      timeZone: "Europe/Berlin",
      name: `Guest ${who}`,
      email: `${who}@example.test`,
    });

    for (let round = 0; round < 3; round++) {
      const start = slots[round];
      const key = `twin-${round}-${crypto.randomUUID()}`;
      // Two copies to each process, all at once.
      const answers = await Promise.all(
        [0, 1, 2, 0, 1, 2].map((i) => book(c.apps[i].baseUrl, key, body(start, `twin${round}`))),
      );
      assert.deepEqual(
        answers.map((a) => a.status),
        answers.map(() => 201),
        JSON.stringify(answers),
      );
      const ids = new Set(answers.map((a) => JSON.parse(a.text).id));
      assert.equal(ids.size, 1, "one booking, named in every answer");
      assert.equal(new Set(answers.map((a) => a.text)).size, 1, "every answer is the same");
      assert.ok(JSON.parse(answers[0].text).links.manage.includes("/booking/"));
      // A retry later, through each process, replays the first answer exactly.
      for (const app of c.apps) {
        const again = await book(app.baseUrl, key, body(start, `twin${round}`));
        assert.equal(again.status, 201);
        assert.equal(again.replayed, "true");
        assert.equal(again.text, answers[0].text);
      }
      // The same key with another request is refused, not replayed.
      const other = await book(c.apps[round].baseUrl, key, body(slots[7], `twin${round}`));
      assert.equal(other.status, 409, other.text);
      assert.equal(JSON.parse(other.text).reason, "idempotency_key_reused");
    }

    // Strangers: nine keys of their own on one time, three per process.
    const start = slots[5];
    const crowd = await Promise.all(
      Array.from(
        { length: 9 },
        (_, i) =>
          book(c.apps[i % 3].baseUrl, `stranger-${i}-${crypto.randomUUID()}`, body(start, `s${i}`)),
      ),
    );
    const won = crowd.filter((a) => a.status === 201);
    assert.equal(won.length, 1, JSON.stringify(crowd.map((a) => a.status)));
    for (const a of crowd.filter((a) => a.status !== 201)) {
      assert.equal(a.status, 409, a.text);
      assert.doesNotMatch(a.text, new RegExp(JSON.parse(won[0].text).id));
    }
  },
});
