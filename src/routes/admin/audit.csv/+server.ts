import { error } from "@sveltejs/kit";
import type { RequestHandler } from "./$types";
import { allAuditEntries } from "$lib/server/services/audit.ts";
import {
  AUDIT_COLUMNS,
  AUDIT_QUERY_PROBLEMS,
  auditFilter,
  auditTable,
  readAuditQuery,
} from "$lib/server/http/audit-query.ts";
import { BOM, csvLines } from "$lib/server/http/csv.ts";

/**
 * Every entry the filters match, however many: written a page of the log at a time, so the
 * answer starts at once and memory stays one page.
 */
export const GET: RequestHandler = ({ locals, url }) => {
  const read = readAuditQuery(url.searchParams);
  // What is wrong, in words; the CSV shows nothing instead (the page shows everything).
  if (!read.ok) error(400, locals.t.t(AUDIT_QUERY_PROBLEMS[read.problem]));
  const pages = allAuditEntries(locals.app, auditFilter(read.query, locals.user!.timeZone));
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(BOM + csvLines([AUDIT_COLUMNS])));
    },
    async pull(controller) {
      const next = await pages.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(csvLines(auditTable(next.value).rows)));
    },
    async cancel() {
      await pages.return(undefined);
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": 'attachment; filename="invito-audit.csv"',
      "cache-control": "no-store",
    },
  });
};

export const trailingSlash = "ignore";
