/**
 * The audit log (issue 32): every admin action and every security-relevant event, kept for
 * INVITO_AUDIT_RETENTION. Services call `recordAudit` after the change committed; where the
 * request came from is read from the request context (hooks put the client's address there), so
 * no service passes an address along. The address itself is never stored, only a keyed hash.
 */
import type { App } from "../app.ts";
import type {
  AuditKind,
  AuditRecord,
  AuditSaid,
  AuditSaidPart,
} from "../domain/model/audit-records.ts";
import { type AuditFilter, insertAudit, listAudit } from "../store/audit.ts";
import { saidText } from "../../shared/audit-kinds.ts";
import { translator } from "../i18n.ts";

export { AUDIT_SCAN_CAP } from "../store/audit.ts";
import { getUser, newId } from "../store/users.ts";
import type { UserId } from "../store/keys.ts";
import { sha256Hex } from "../util/digest.ts";
import { currentClientIp } from "../ops/context.ts";

/**
 * Someone or something in an entry: a person (their address is looked up when only the id is at
 * hand), or a label (a team, a key, "cli"). null = the system.
 */
export type AuditParty =
  | { id: string | null; email?: string; username?: string; label?: string }
  | null;

export type AuditEvent = {
  kind: AuditKind;
  actor: AuditParty;
  target?: AuditParty;
  /** Words that are the same in every language (a key's name, a team's slug, an issuer's name)… */
  detail?: string;
  /** …or a detail the admin's page says in its language (shared/audit-kinds.ts). */
  said?: AuditSaid;
};

/**
 * One field a change may set, as the log says it: its value before and after the write (arrays
 * that are sets are passed sorted), and the part that names it.
 */
export type AuditedField = { before: unknown; after: unknown; said: AuditSaidPart };

/**
 * What a change changed, as one detail: the parts of the fields whose value is not what it was.
 * A request that sends a field again with the value it had did not change it (an API client
 * PATCHes the whole subscription back, a form saves its unchanged boxes), so it is not listed;
 * null when nothing changed, and the caller writes no entry (`*_changed` kinds only record
 * changes).
 */
export function changedSaid(fields: AuditedField[]): AuditSaid | null {
  const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);
  const [first, ...and] = fields.filter((f) => !same(f.before, f.after)).map((f) => f.said);
  return first ? { ...first, ...(and.length ? { and } : {}) } : null;
}

/** Values of a said detail as stored: a cause the system gave is kept short. */
function boundedPart(part: AuditSaidPart): AuditSaidPart {
  return {
    code: part.code,
    values: Object.fromEntries(
      Object.entries(part.values).map(([k, v]) => [k, typeof v === "string" ? v.slice(0, 200) : v]),
    ),
  };
}

function boundedSaid(said: AuditSaid): AuditSaid {
  const and = said.and?.slice(0, 10).map(boundedPart);
  return { ...boundedPart(said), ...(and?.length ? { and } : {}) };
}

async function labelOf(app: App, p: AuditParty, prefer: "email" | "username"): Promise<string> {
  if (p === null) return "system";
  const own = prefer === "email" ? p.email ?? p.username : p.username ?? p.email;
  if (own ?? p.label) return (own ?? p.label)!;
  if (!p.id) return "";
  const u = await getUser(app.kv, p.id as UserId);
  return (u ? (prefer === "email" ? u.email : u.username) : null) ?? p.id;
}

/** A short keyed hash of an address: the same client reads the same, the address stays unknown. */
export async function hashIp(app: Pick<App, "secret">, ip: string | null): Promise<string> {
  if (!ip) return "";
  return (await sha256Hex(`audit-ip:${app.secret}:${ip}`)).slice(0, 16);
}

/** Records one event; an audit write that fails is logged, never undoes what happened. */
export async function recordAudit(app: App, event: AuditEvent): Promise<void> {
  const atMs = app.now();
  const target = event.target ?? null;
  const said = event.said ? boundedSaid(event.said) : undefined;
  // The English words are kept beside the code: the CSV's detail, and readers that know no code.
  const detail = said ? saidText(translator("en").t, said) : event.detail ?? "";
  const rec: AuditRecord = {
    v: 1,
    id: newId(atMs),
    atMs,
    kind: event.kind,
    actorId: event.actor?.id ?? null,
    actor: await labelOf(app, event.actor, "email"),
    targetId: target?.id ?? null,
    target: target ? await labelOf(app, target, "username") : "",
    ipHash: await hashIp(app, currentClientIp()),
    detail: detail.slice(0, 300),
    ...(said ? { said } : {}),
    expiresAtMs: atMs + app.config.auditRetentionMs,
  };
  try {
    await insertAudit(app.kv, rec);
  } catch (err) {
    console.error("[audit] entry not written:", rec.kind, err);
  }
}

/** How many entries the admin's page shows at once. */
export const AUDIT_PAGE = 200;

/**
 * Newest first, at most `limit`; `older`: where the next older page starts (null: none);
 * `capped`: this read stopped at the scan's cap (the older page goes on behind it).
 */
export function auditEntries(app: App, filter: AuditFilter, limit = AUDIT_PAGE) {
  return listAudit(app.kv, filter, app.now(), limit);
}

/**
 * Every matching entry, newest first, a page at a time (the CSV: memory stays one page, however
 * long the log; each read is bounded by the scan's cap and the next goes on behind it).
 */
export async function* allAuditEntries(
  app: App,
  filter: AuditFilter,
  pageSize = 1_000,
): AsyncGenerator<AuditRecord[]> {
  let before = filter.before;
  for (;;) {
    const page = await listAudit(app.kv, { ...filter, before }, app.now(), pageSize);
    if (page.entries.length) yield page.entries;
    if (!page.older) return;
    before = page.older;
  }
}
