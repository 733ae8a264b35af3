import * as v from "valibot";
import { error } from "@sveltejs/kit";
import type { RequestHandler } from "./$types";
import { auditEntries } from "$lib/server/services/audit.ts";
import { auditFilter, AuditQuery, auditTable } from "$lib/server/http/audit-query.ts";
import { toCsv } from "$lib/server/http/csv.ts";

export const GET: RequestHandler = async ({ locals, url }) => {
  const parsed = v.safeParse(AuditQuery, Object.fromEntries(url.searchParams));
  if (!parsed.success) error(400, locals.t.t("admin.audit_bad_filter"));
  const { entries, capped } = await auditEntries(
    locals.app,
    auditFilter(parsed.output, locals.user!.timeZone),
    10_000,
  );
  return new Response(toCsv(auditTable(entries)), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": 'attachment; filename="invito-audit.csv"',
      "cache-control": "no-store",
      // The scan's cap was reached: older matches may exist (narrow the dates).
      ...(capped ? { "x-invito-audit-capped": "true" } : {}),
    },
  });
};

export const trailingSlash = "ignore";
