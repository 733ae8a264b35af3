import assert from "node:assert/strict";
import { insertAudit, listAudit } from "./audit.ts";
import { AUDIT_KINDS, type AuditRecord } from "../domain/model/audit-records.ts";

Deno.test("listAudit: 'who' ignores case and accents — 'jose' and 'NUNEZ' find what José Núñez did and what was done to him", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const at = Date.parse("2026-11-20T08:00:00Z");
    const entry = (i: number, actor: string, target: string): AuditRecord => ({
      v: 1,
      id: `e${i}`,
      atMs: at + i,
      kind: AUDIT_KINDS[0],
      actorId: null,
      actor,
      targetId: null,
      target,
      ipHash: "",
      detail: "",
      expiresAtMs: at + 86_400_000,
    });
    await insertAudit(kv, entry(1, "José Núñez", "team Crew"));
    await insertAudit(kv, entry(2, "admin", "José Núñez"));
    await insertAudit(kv, entry(3, "Ann", "Ben"));
    for (const who of ["jose", "NUNEZ", "josé núñez"]) {
      const { entries } = await listAudit(kv, { who }, at, 10);
      assert.deepEqual(entries.map((e) => e.id), ["e2", "e1"], who);
    }
  } finally {
    kv.close();
  }
});
