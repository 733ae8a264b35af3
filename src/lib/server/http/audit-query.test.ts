import assert from "node:assert/strict";
import { auditFilter } from "./audit-query.ts";
import { insertAudit, listAudit } from "../store/audit.ts";
import type { AuditRecord } from "../domain/model/audit-records.ts";

const q = (from: string, to: string) => ({ kind: "" as const, who: "", from, to });

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
    assert.deepEqual(capped, { entries: [], capped: true });
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
