/** The audit log (issue 32): entries by time, each expiring after the configured retention. */
import { keys } from "./keys.ts";
import type { AuditFilter, AuditRecord } from "../domain/model/audit-records.ts";

export type { AuditFilter };

export async function insertAudit(kv: Deno.Kv, rec: AuditRecord): Promise<void> {
  await kv.set(keys.audit(rec.atMs, rec.id), rec, {
    expireIn: Math.max(1_000, rec.expiresAtMs - rec.atMs),
  });
}

/**
 * How many entries one filtered read looks at, at most (ADR 043: the log has no per-event index,
 * so a filter scans by time, newest first). A year of a large instance's sign-ins is more; the
 * admin narrows the dates then.
 */
export const AUDIT_SCAN_CAP = 50_000;

/**
 * Newest first, at most `limit`, entries past their stored expiry left out. `capped`: the scan
 * stopped after `scanCap` entries before the range's start, so older matches may exist.
 */
export async function listAudit(
  kv: Deno.Kv,
  filter: AuditFilter,
  nowMs: number,
  limit: number,
  scanCap = AUDIT_SCAN_CAP,
): Promise<{ entries: AuditRecord[]; capped: boolean }> {
  const out: AuditRecord[] = [];
  let scanned = 0;
  const who = filter.who?.trim().toLowerCase() || null;
  const selector = {
    start: keys.auditFrom(filter.fromMs ?? 0),
    end: keys.auditFrom(filter.toMs ?? Number.MAX_SAFE_INTEGER),
  };
  for await (const e of kv.list<AuditRecord>(selector, { reverse: true, batchSize: 500 })) {
    if (scanned++ >= scanCap) return { entries: out, capped: true };
    const r = e.value;
    if (r.expiresAtMs <= nowMs) continue;
    if (filter.kind && r.kind !== filter.kind) continue;
    if (
      who && ![r.actor, r.target, r.actorId ?? "", r.targetId ?? ""]
        .some((s) => s.toLowerCase().includes(who))
    ) continue;
    out.push(r);
    if (out.length >= limit) break;
  }
  return { entries: out, capped: false };
}
