/** The audit log (issue 32): entries by time, each expiring after the configured retention. */
import { searchFold } from "../../shared/search-fold.ts";
import { keys } from "./keys.ts";
import type { AuditCursor, AuditFilter, AuditRecord } from "../domain/model/audit-records.ts";

export type { AuditCursor, AuditFilter };

export async function insertAudit(kv: Deno.Kv, rec: AuditRecord): Promise<void> {
  await kv.set(keys.audit(rec.atMs, rec.id), rec, {
    expireIn: Math.max(1_000, rec.expiresAtMs - rec.atMs),
  });
}

/**
 * How many entries one filtered read looks at, at most (ADR 043: the log has no per-event index,
 * so a filter scans by time, newest first). A year of a large instance's sign-ins is more; the
 * page then goes on from where the scan stopped (its "older" link), or the admin narrows the dates.
 */
export const AUDIT_SCAN_CAP = 50_000;

/**
 * Newest first, at most `limit`, entries past their stored expiry left out. `older`: where the
 * next older page starts, when there may be one — after the last entry returned when more match,
 * or after the last entry looked at when the scan stopped at `scanCap` (`capped`), so that page
 * goes on behind it; null when the range holds nothing more. A range that starts after it ends
 * is empty.
 */
export async function listAudit(
  kv: Deno.Kv,
  filter: AuditFilter,
  nowMs: number,
  limit: number,
  scanCap = AUDIT_SCAN_CAP,
): Promise<{ entries: AuditRecord[]; capped: boolean; older: AuditCursor | null }> {
  const fromMs = filter.fromMs ?? 0;
  const toMs = filter.toMs ?? Number.MAX_SAFE_INTEGER;
  const before = filter.before && filter.before.atMs < toMs ? filter.before : null;
  if (fromMs >= toMs || (before && before.atMs < fromMs)) {
    return { entries: [], capped: false, older: null };
  }
  const selector = {
    start: keys.auditFrom(fromMs),
    end: before ? keys.audit(before.atMs, before.id) : keys.auditFrom(toMs),
  };
  const who = searchFold(filter.who?.trim() ?? "") || null;
  const out: AuditRecord[] = [];
  let scanned = 0;
  let last: AuditCursor | null = null;
  for await (const e of kv.list<AuditRecord>(selector, { reverse: true, batchSize: 500 })) {
    if (scanned++ >= scanCap) return { entries: out, capped: true, older: last };
    last = { atMs: e.key[1] as number, id: e.key[2] as string };
    const r = e.value;
    if (r.expiresAtMs <= nowMs) continue;
    if (filter.kind && r.kind !== filter.kind) continue;
    if (
      who && ![r.actor, r.target, r.actorId ?? "", r.targetId ?? ""]
        .some((s) => searchFold(s).includes(who))
    ) continue;
    // One match more than the page holds: there is an older page, after the page's last entry.
    if (out.length === limit) {
      const end = out[limit - 1];
      return { entries: out, capped: false, older: { atMs: end.atMs, id: end.id } };
    }
    out.push(r);
  }
  return { entries: out, capped: false, older: null };
}
