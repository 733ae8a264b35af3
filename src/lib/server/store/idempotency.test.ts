import assert from "node:assert/strict";
import {
  answerOfCommit,
  commitWithAnswer,
  finishRun,
  IDEMPOTENCY_TTL_MS,
  readIdempotency,
} from "./idempotency.ts";
import { keys } from "./keys.ts";
import type { IdempotencyRecord } from "../domain/model/records.ts";
import { keyBytes, REMOTE_KV_LIMITS, valueBytes } from "../domain/kv-budget.ts";
import { serialize } from "node:v8";
import { randomToken } from "../util/digest.ts";

const done = (i: number, body: unknown): IdempotencyRecord => ({
  v: 1,
  fingerprint: `f${i}`,
  state: "done",
  untilMs: 0,
  createdAtMs: 0,
  status: 201,
  body,
});

/** The store, with each commit's sets and bytes (as remote KV counts them) recorded. */
async function countingKv() {
  const kv = await Deno.openKv(":memory:");
  const writes: { sets: number; bytes: number }[] = [];
  const atomic = kv.atomic.bind(kv);
  kv.atomic = () => {
    const op = atomic();
    const w = { sets: 0, bytes: 0 };
    const set = op.set.bind(op);
    op.set = (key, value, options) => {
      w.sets++;
      w.bytes += JSON.stringify(key).length + valueBytes(value);
      return set(key, value, options);
    };
    const commit = op.commit.bind(op);
    op.commit = () => (writes.push(w), commit());
    return op;
  };
  return { kv, writes };
}

Deno.test("finished runs' answers that arrive while one is being written go together in the next write, each readable with its expiry", async () => {
  const { kv, writes } = await countingKv();
  await Promise.all(
    Array.from({ length: 120 }, (_, i) => finishRun(kv, "s", `k${i}`, done(i, { id: i }))),
  );
  // The first goes at once, alone; the others arrived while it was written.
  assert.deepEqual(writes.map((w) => w.sets), [1, 119]);
  for (let i = 0; i < 120; i++) {
    const [e] = await readIdempotency(kv, "s", `k${i}`);
    assert.deepEqual(e.value, done(i, { id: i }));
  }
  // One at a time when nothing else is waiting: no wait for company.
  await finishRun(kv, "s", "alone", done(0, null));
  assert.deepEqual(writes.at(-1), { sets: 1, bytes: writes.at(-1)!.bytes });
  assert.ok(IDEMPOTENCY_TTL_MS > 24 * 3_600_000);
  kv.close();
});

Deno.test("finished runs' answers are written in batches that stay inside remote KV's limits", async () => {
  const { kv, writes } = await countingKv();
  // 31 answers of 60,000 random characters each (~45 KB deflated, under the 64 KiB a value may
  // take): 1.4 MB in all, more than two writes may carry.
  const bigs = Array.from({ length: 31 }, (_, i) => ({ id: i, text: randomToken(45_000) }));
  const big = (i: number) => bigs[i];
  await Promise.all(
    Array.from({ length: 31 }, (_, i) => finishRun(kv, "s", `b${i}`, done(i, big(i)))),
  );
  assert.equal(writes.reduce((n, w) => n + w.sets, 0), 31);
  assert.ok(writes.length >= 3, `${writes.length} writes`);
  for (const w of writes) {
    assert.ok(w.sets <= REMOTE_KV_LIMITS.mutations);
    assert.ok(w.bytes * 2 <= REMOTE_KV_LIMITS.bytes, `${w.bytes} B in one write`);
  }
  for (let i = 0; i < 31; i++) {
    assert.deepEqual((await readIdempotency(kv, "s", `b${i}`))[0].value, done(i, big(i)));
  }
  kv.close();
});

Deno.test("a failed write rejects the answers it carried; the next ones are written", async () => {
  const kv = await Deno.openKv(":memory:");
  const atomic = kv.atomic.bind(kv);
  let fail = true;
  kv.atomic = () => {
    const op = atomic();
    const commit = op.commit.bind(op);
    op.commit = () => fail ? Promise.reject(new Error("store down")) : commit();
    return op;
  };
  await assert.rejects(finishRun(kv, "s", "x", done(1, null)), /store down/);
  fail = false;
  await finishRun(kv, "s", "y", done(2, null));
  assert.equal((await kv.get(keys.idempotency("s", "x"))).value, null);
  assert.deepEqual((await readIdempotency(kv, "s", "y"))[0].value, done(2, null));
  kv.close();
});

Deno.test("an API booking's answer is stored in one row of the store's B-tree page, not beside an overflow page of its own", async () => {
  const kv = await Deno.openKv(":memory:");
  // The answer POST /api/v1/bookings gives (services/booking-resource.ts), links and all.
  const token = "01M8DS64VR6KY1H20KH7YNWA9MdXkoZwo_n2Qux_qQ247GZPze759qDnYmiboki0iAz04";
  const link = `https://cal.example.org/booking/${token}`;
  const body = {
    id: "01M8DS64VR6KY1H20KH7YNWA9M",
    status: "PENDING",
    state: "pending",
    eventType: { id: "01M8DS64H1ZTVY50B6BW47RSA8", slug: "intro-call", title: "Intro call" },
    start: "2026-11-30T01:30:00Z",
    end: "2026-11-30T01:45:00Z",
    durationMin: 15,
    guestStart: "2026-11-30T02:30:00+01:00[Europe/Berlin]",
    hostTimeZone: "America/New_York",
    guest: {
      name: "Ana Souza",
      email: "ana.souza@example.org",
      timeZone: "Europe/Berlin",
      note: "",
    },
    answers: [],
    location: null,
    createdAt: "2026-11-27T05:55:53.336Z",
    decidedAt: null,
    holdUntil: "2026-11-28T05:55:53.336Z",
    endReason: null,
    cancelReason: null,
    rescheduledFromId: null,
    rescheduledToId: null,
    seat: null,
    additionalGuests: [],
    source: null,
    series: null,
    links: {
      manage: link,
      cancel: `${link}/cancel`,
      reschedule: `${link}/reschedule`,
      ics: `${link}/invite.ics`,
    },
  };
  const scope = `anon:${"ab".repeat(32)}`;
  const key = crypto.randomUUID();
  await finishRun(kv, scope, key, done(1, body));
  const stored = await kv.get(keys.idempotency(scope, key));
  // SQLite keeps up to 1,002 B of a row in a 4 KiB page (WITHOUT ROWID: (4096-12)·64/255-23).
  // The row: the key as Deno KV encodes it (at most its bytes as remote KV counts them), the
  // value as V8 serializes it (node:v8 is the same serializer), and four integer columns.
  const rowBytes = keyBytes(keys.idempotency(scope, key)) + serialize(stored.value).byteLength +
    4 * 9;
  assert.ok(JSON.stringify(body).length > 1_000);
  assert.ok(serialize(done(1, body)).byteLength > 1_002);
  assert.ok(rowBytes < 1_002, `${rowBytes} B`);
  assert.deepEqual((await readIdempotency(kv, scope, key))[0].value, done(1, body));
  kv.close();
});

Deno.test("an answer too large for one value even deflated is stored without it; a short one of the same run keeps its body", async () => {
  const kv = await Deno.openKv(":memory:");
  const huge = { text: randomToken(60_000) + randomToken(60_000) };
  await finishRun(kv, "s", "huge", done(1, huge));
  const [kept] = await readIdempotency(kv, "s", "huge");
  const { body: _, ...withoutBody } = done(1, huge);
  assert.deepEqual(kept.value, withoutBody);
  await finishRun(kv, "s", "small", done(2, { text: "ok" }));
  assert.deepEqual((await readIdempotency(kv, "s", "small"))[0].value, done(2, { text: "ok" }));
  kv.close();
});

Deno.test("answers stored as plain values before they were deflated are still replayed", async () => {
  const kv = await Deno.openKv(":memory:");
  await kv.set(keys.idempotency("s", "old"), done(3, { id: "b1", links: { manage: "x" } }));
  assert.deepEqual(
    (await readIdempotency(kv, "s", "old"))[0].value,
    done(3, { id: "b1", links: { manage: "x" } }),
  );
  kv.close();
});

Deno.test("a kept answer larger than one deflate chunk (a long series' dates) is replayed whole, byte for byte", () => {
  const body = {
    dates: Array.from({ length: 400 }, (_, i) => ({
      id: randomToken(16),
      start: new Date(Date.UTC(2027, 0, 1) + i * 86_400_000).toISOString(),
    })),
  };
  const commit = { v: 1 as const, atMs: 0, target: { kind: "x" } } as never;
  const kept = commitWithAnswer(commit, { status: 201, body });
  assert.ok((kept as { answer?: { bodyZ: Uint8Array } }).answer!.bodyZ.length > 2048);
  assert.deepEqual(answerOfCommit(kept), { status: 201, body });
});
