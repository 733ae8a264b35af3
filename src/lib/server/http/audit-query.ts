/** The audit log's filters as the page and its CSV read them from the query (one schema). */
import * as v from "valibot";
import {
  AUDIT_KINDS,
  type AuditCursor,
  type AuditFilter,
  type AuditRecord,
} from "../domain/model/audit-records.ts";
import { Temporal } from "../domain/temporal.ts";
import type { Table } from "../../shared/insights-types.ts";
import type { MessageKey } from "../../shared/i18n.ts";

/** A day of the calendar as `<input type="date">` sends it: 2024-02-29 is one, 2024-02-30 not. */
const Day = v.pipe(
  v.string(),
  v.regex(/^\d{4}-\d{2}-\d{2}$/),
  v.check((s) => plainDate(s) !== null),
);
/** Where an older page starts: the last entry of the page before (`atMs-id`). */
const CURSOR = /^(\d{1,16})-([0-9A-Z]{26})$/;

export const AuditQuery = v.object({
  kind: v.optional(v.picklist(["", ...AUDIT_KINDS]), ""),
  who: v.optional(v.pipe(v.string(), v.maxLength(200)), ""),
  from: v.optional(v.union([v.literal(""), Day]), ""),
  to: v.optional(v.union([v.literal(""), Day]), ""),
  before: v.optional(v.union([v.literal(""), v.pipe(v.string(), v.regex(CURSOR))]), ""),
});

export type AuditQueryValue = v.InferOutput<typeof AuditQuery>;

/** What can be wrong with a query; each is said in words (`AUDIT_QUERY_PROBLEMS`). */
export type AuditQueryProblem = "kind" | "who" | "from" | "to" | "order" | "before";

/** Each problem in words, naming the field and never echoing what was sent. */
export const AUDIT_QUERY_PROBLEMS: Record<AuditQueryProblem, MessageKey> = {
  kind: "admin.audit_problem_kind",
  who: "admin.audit_problem_who",
  from: "admin.audit_problem_from",
  to: "admin.audit_problem_to",
  order: "admin.audit_problem_order",
  before: "admin.audit_problem_before",
};

const EVERYTHING: AuditQueryValue = { kind: "", who: "", from: "", to: "", before: "" };

export type AuditQueryRead =
  | { ok: true; query: AuditQueryValue }
  /** `query`: everything, which the page shows under the notice (the CSV answers 400). */
  | { ok: false; problem: AuditQueryProblem; query: AuditQueryValue };

/**
 * The query of the page or its CSV: each field as its input sends it, and From on or before To
 * (an empty range is not what anybody asks for). The first problem found is the one named.
 */
export function readAuditQuery(params: URLSearchParams): AuditQueryRead {
  const parsed = v.safeParse(AuditQuery, Object.fromEntries(params));
  if (!parsed.success) {
    const field = String(parsed.issues[0].path?.[0]?.key ?? "kind");
    const problem = (field in AUDIT_QUERY_PROBLEMS ? field : "kind") as AuditQueryProblem;
    return { ok: false, problem, query: EVERYTHING };
  }
  const q = parsed.output;
  if (q.from && q.to && q.from > q.to) return { ok: false, problem: "order", query: EVERYTHING };
  return { ok: true, query: q };
}

/** The query as a link's search (`?kind=…`), empty fields left out; `before` only if asked. */
export function auditSearch(q: AuditQueryValue, before: string | null = null): string {
  const params = new URLSearchParams();
  for (const k of ["kind", "who", "from", "to"] as const) if (q[k]) params.set(k, q[k]);
  if (before) params.set("before", before);
  const s = params.toString();
  return s ? `?${s}` : "";
}

export const cursorText = (c: AuditCursor): string => `${c.atMs}-${c.id}`;

function plainDate(date: string): Temporal.PlainDate | null {
  try {
    return Temporal.PlainDate.from(date, { overflow: "reject" });
  } catch {
    return null;
  }
}

function dayStartMs(date: string, timeZone: string, plusDays = 0): number | undefined {
  return plainDate(date)?.add({ days: plusDays }).toZonedDateTime({ timeZone }).epochMilliseconds;
}

/**
 * From the start of `from` to the end of `to`, both days in the admin's zone: `to` ends where
 * the next day starts there (23 or 25 hours after its start on a DST change, not 24).
 */
export function auditFilter(q: AuditQueryValue, timeZone: string): AuditFilter {
  const cursor = CURSOR.exec(q.before);
  return {
    kind: q.kind || undefined,
    who: q.who || undefined,
    fromMs: q.from ? dayStartMs(q.from, timeZone) : undefined,
    toMs: q.to ? dayStartMs(q.to, timeZone, 1) : undefined,
    before: cursor ? { atMs: Number(cursor[1]), id: cursor[2] } : undefined,
  };
}

export const AUDIT_COLUMNS = [
  "when",
  "kind",
  "actor",
  "actor_id",
  "target",
  "target_id",
  "ip_hash",
  "detail",
];

/**
 * The entries as the CSV's rows. The CSV is for tools: its columns and kinds are codes, and its
 * detail is the English words stored with each entry (the page shows them in its language).
 */
export function auditTable(entries: AuditRecord[]): Table {
  return {
    columns: AUDIT_COLUMNS,
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
