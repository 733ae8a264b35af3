import assert from "node:assert/strict";
import { auditFilter, readAuditQuery } from "./audit-query.ts";
import { insertAudit, listAudit } from "../store/audit.ts";
import type { AuditRecord } from "../domain/model/audit-records.ts";

const q = (from: string, to: string) => ({ kind: "" as const, who: "", from, to, before: "" });

Deno.test("audit filter: 'to' ends where the next day starts in the admin's zone, also on the days clocks change", () => {
  const cases: [string, string, string, string][] = [
    // zone, day, its start, the next day's start (UTC)
    ["Europe/Berlin", "2026-03-29", "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"], // 23 h
    ["Europe/Berlin", "2026-10-25", "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z"], // 25 h
    ["America/New_York", "2026-11-01", "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z"], // 25 h
    ["Australia/Lord_Howe", "2026-10-04", "2026-10-03T13:30:00Z", "2026-10-04T13:00:00Z"], // 23.5 h
    ["UTC", "2026-06-01", "2026-06-01T00:00:00Z", "2026-06-02T00:00:00Z"],
  ];
  for (const [zone, day, start, end] of cases) {
    const f = auditFilter(q(day, day), zone);
    assert.equal(new Date(f.fromMs!).toISOString().replace(".000", ""), start, `${zone} ${day}`);
    assert.equal(new Date(f.toMs!).toISOString().replace(".000", ""), end, `${zone} ${day}`);
  }
  assert.deepEqual(auditFilter(q("", ""), "UTC"), {
    kind: undefined,
    who: undefined,
    fromMs: undefined,
    toMs: undefined,
    before: undefined,
  });
});

Deno.test("audit log: a filtered read scans at most its cap, newest first, and says when it stopped there", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const at = Date.parse("2026-11-20T08:00:00Z");
    for (let i = 0; i < 30; i++) {
      await insertAudit(
        kv,
        {
          v: 1,
          id: `01J${String(i).padStart(23, "0")}`,
          atMs: at + i * 1000,
          kind: i === 3 ? "api_key_revoked" : "sign_in",
          actorId: null,
          actor: `u${i}@example.test`,
          targetId: null,
          target: "",
          ipHash: "",
          detail: "",
          expiresAtMs: at + 86_400_000,
        } satisfies AuditRecord,
      );
    }
    const all = await listAudit(kv, {}, at + 60_000, 100, 50);
    assert.equal(all.entries.length, 30);
    assert.equal(all.capped, false);
    assert.equal(all.entries[0].actor, "u29@example.test", "newest first");
    // The one revoked key is the 27th entry from the newest: a cap of 20 stops before it.
    const capped = await listAudit(kv, { kind: "api_key_revoked" }, at + 60_000, 100, 20);
    assert.deepEqual([capped.entries, capped.capped], [[], true]);
    const found = await listAudit(kv, { kind: "api_key_revoked" }, at + 60_000, 100, 30);
    assert.equal(found.entries.length, 1);
    assert.equal(found.capped, false);
    // A narrower period reaches it within the same cap.
    const narrow = await listAudit(
      kv,
      { kind: "api_key_revoked", fromMs: at, toMs: at + 10_000 },
      at + 60_000,
      100,
      20,
    );
    assert.equal(narrow.entries.length, 1);
    assert.equal(narrow.capped, false);
  } finally {
    kv.close();
  }
});

Deno.test("audit query: a From after the To, a day the calendar does not have, an unknown kind or a broken page link each name their problem; good filters read as given", () => {
  const read = (search: string) => readAuditQuery(new URLSearchParams(search));
  const problem = (search: string) => {
    const r = read(search);
    return r.ok ? null : r.problem;
  };
  assert.equal(problem("from=2026-01-03&to=2026-01-01"), "order");
  assert.equal(problem("from=2024-02-30"), "from");
  assert.equal(problem("from=2024-13-45"), "from");
  assert.equal(problem("to=2024-02-30"), "to");
  assert.equal(problem("from=2026-1-3"), "from");
  assert.equal(problem("kind=bogus"), "kind");
  assert.equal(problem(`who=${"x".repeat(201)}`), "who");
  assert.equal(problem("before=nonsense"), "before");
  // A refused query falls back to everything (the page shows it with the notice).
  const bad = read("from=2026-01-03&to=2026-01-01&kind=sign_in");
  assert.ok(!bad.ok);
  assert.deepEqual(bad.query, { kind: "", who: "", from: "", to: "", before: "" });
  // One day (From = To), a leap day, and the page's own link to older entries are fine.
  const ok = read(
    "from=2024-02-29&to=2024-02-29&kind=sign_in&who=ann&before=1795769144794-01M8E2X5ETSD5ESC308VQF9DWT&lang=de",
  );
  assert.ok(ok.ok);
  assert.deepEqual(ok.query, {
    kind: "sign_in",
    who: "ann",
    from: "2024-02-29",
    to: "2024-02-29",
    before: "1795769144794-01M8E2X5ETSD5ESC308VQF9DWT",
  });
  assert.deepEqual(auditFilter(ok.query, "UTC").before, {
    atMs: 1795769144794,
    id: "01M8E2X5ETSD5ESC308VQF9DWT",
  });
});

function entry(i: number, at: number, kind: AuditRecord["kind"] = "sign_in"): AuditRecord {
  return {
    v: 1,
    id: `01J${String(i).padStart(23, "0")}`,
    atMs: at + i * 1000,
    kind,
    actorId: null,
    actor: `u${i}@example.test`,
    targetId: null,
    target: "",
    ipHash: "",
    detail: "",
    expiresAtMs: at + 86_400_000,
  };
}

Deno.test("audit log: pages of the newest entries, each with the place the next older page starts, cover every match once and end without one", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const at = Date.parse("2026-11-20T08:00:00Z");
    for (let i = 0; i < 25; i++) {
      await insertAudit(kv, entry(i, at, i % 2 ? "api_key_created" : "sign_in"));
    }
    const seen: string[] = [];
    let before: { atMs: number; id: string } | undefined;
    for (let page = 0; page < 10; page++) {
      const r = await listAudit(kv, { kind: "sign_in", before }, at + 60_000, 5);
      seen.push(...r.entries.map((e) => e.actor));
      if (!r.older) break;
      assert.equal(r.entries.length, 5, "a page with an older one after it is full");
      before = r.older;
    }
    const want = Array.from({ length: 13 }, (_, k) => `u${24 - 2 * k}@example.test`);
    assert.deepEqual(seen, want, "newest first, each once, all of them");
    // Exactly a page's worth: no link to an empty older page.
    const exact = await listAudit(kv, { kind: "api_key_created" }, at + 60_000, 12);
    assert.equal(exact.entries.length, 12);
    assert.equal(exact.older, null);
  } finally {
    kv.close();
  }
});

Deno.test("audit log: a scan stopped at its cap says where to go on from, so an older page reaches the matches behind it", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const at = Date.parse("2026-11-20T08:00:00Z");
    for (let i = 0; i < 30; i++) {
      await insertAudit(kv, entry(i, at, i === 3 ? "api_key_revoked" : "sign_in"));
    }
    const first = await listAudit(kv, { kind: "api_key_revoked" }, at + 60_000, 100, 20);
    assert.equal(first.capped, true);
    assert.deepEqual(first.entries, []);
    assert.ok(first.older, "where the scan stopped");
    const next = await listAudit(
      kv,
      { kind: "api_key_revoked", before: first.older },
      at + 60_000,
      100,
      20,
    );
    assert.deepEqual(next.entries.map((e) => e.actor), ["u3@example.test"]);
    assert.equal(next.capped, false);
    assert.equal(next.older, null);
  } finally {
    kv.close();
  }
});

Deno.test("audit log: a range whose start is after its end is empty, not an error", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const at = Date.parse("2026-11-20T08:00:00Z");
    await insertAudit(kv, entry(1, at));
    const r = await listAudit(kv, { fromMs: at + 86_400_000, toMs: at }, at + 60_000, 10);
    assert.deepEqual(r.entries, []);
    assert.equal(r.older, null);
  } finally {
    kv.close();
  }
});
