/** The audit log's filters as the page and its CSV read them from the query (one schema). */
import * as v from "valibot";
import { AUDIT_KINDS, type AuditFilter, type AuditRecord } from "../domain/model/audit-records.ts";
import { Temporal } from "../domain/temporal.ts";
import type { Table } from "../../shared/insights-types.ts";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const AuditQuery = v.object({
  kind: v.optional(v.picklist(["", ...AUDIT_KINDS]), ""),
  who: v.optional(v.pipe(v.string(), v.maxLength(200)), ""),
  from: v.optional(v.union([v.literal(""), v.pipe(v.string(), v.regex(DATE))]), ""),
  to: v.optional(v.union([v.literal(""), v.pipe(v.string(), v.regex(DATE))]), ""),
});

export type AuditQueryValue = v.InferOutput<typeof AuditQuery>;

function dayStartMs(date: string, timeZone: string, plusDays = 0): number | undefined {
  try {
    return Temporal.PlainDate.from(date, { overflow: "reject" }).add({ days: plusDays })
      .toZonedDateTime({ timeZone }).epochMilliseconds;
  } catch {
    return undefined;
  }
}

/**
 * From the start of `from` to the end of `to`, both days in the admin's zone: `to` ends where
 * the next day starts there (23 or 25 hours after its start on a DST change, not 24).
 */
export function auditFilter(q: AuditQueryValue, timeZone: string): AuditFilter {
  return {
    kind: q.kind || undefined,
    who: q.who || undefined,
    fromMs: q.from ? dayStartMs(q.from, timeZone) : undefined,
    toMs: q.to ? dayStartMs(q.to, timeZone, 1) : undefined,
  };
}

export function auditTable(entries: AuditRecord[]): Table {
  return {
    columns: ["when", "kind", "actor", "actor_id", "target", "target_id", "ip_hash", "detail"],
    rows: entries.map((e) => [
      new Date(e.atMs).toISOString(),
      e.kind,
      e.actor,
      e.actorId ?? "",
      e.target,
      e.targetId ?? "",
      e.ipHash,
      e.detail,
    ]),
  };
}
