import * as v from "valibot";
import type { PageServerLoad } from "./$types";
import { AUDIT_SCAN_CAP, auditEntries } from "$lib/server/services/audit.ts";
import { auditFilter, AuditQuery } from "$lib/server/http/audit-query.ts";

export const load: PageServerLoad = async ({ locals, url }) => {
  const parsed = v.safeParse(AuditQuery, Object.fromEntries(url.searchParams));
  const query = parsed.success ? parsed.output : { kind: "" as const, who: "", from: "", to: "" };
  const { entries, capped } = await auditEntries(
    locals.app,
    auditFilter(query, locals.user!.timeZone),
    200,
  );
  return {
    entries,
    capped,
    scanCap: AUDIT_SCAN_CAP,
    query,
    invalid: !parsed.success,
    search: url.search,
  };
};
