import type { PageServerLoad } from "./$types";
import { AUDIT_PAGE, AUDIT_SCAN_CAP, auditEntries } from "$lib/server/services/audit.ts";
import {
  AUDIT_QUERY_PROBLEMS,
  auditFilter,
  auditSearch,
  cursorText,
  readAuditQuery,
} from "$lib/server/http/audit-query.ts";

export const load: PageServerLoad = async ({ locals, url }) => {
  const read = readAuditQuery(url.searchParams);
  const { query } = read;
  const { entries, capped, older } = await auditEntries(
    locals.app,
    auditFilter(query, locals.user!.timeZone),
    AUDIT_PAGE,
  );
  return {
    entries,
    capped,
    scanCap: AUDIT_SCAN_CAP,
    pageSize: AUDIT_PAGE,
    query,
    /** What was wrong with the filters (everything is shown instead), or null. */
    problem: read.ok ? null : AUDIT_QUERY_PROBLEMS[read.problem],
    /** The links: the next older page, the newest page (from an older one), the CSV of it all. */
    olderHref: older ? `/admin/audit${auditSearch(query, cursorText(older))}` : null,
    newestHref: query.before ? `/admin/audit${auditSearch(query)}` : null,
    csvHref: `/admin/audit.csv${auditSearch(query)}`,
  };
};
