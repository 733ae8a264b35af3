/** The audit log's entry (issue 32): who did what to whom, when, and from where (hashed). */
import { AUDIT_KIND_KEYS, type AuditSaid } from "../../../shared/audit-kinds.ts";

export type { AuditDetailCode, AuditSaid, AuditSaidPart } from "../../../shared/audit-kinds.ts";

/** Every kind has its words in the catalogs (shared/audit-kinds.ts lists them once). */
export type AuditKind = keyof typeof AUDIT_KIND_KEYS;
export const AUDIT_KINDS = Object.keys(AUDIT_KIND_KEYS) as AuditKind[];

export type AuditRecord = {
  v: 1;
  id: string;
  atMs: number;
  kind: AuditKind;
  /** The person who acted (null: the system or the command line), with their address then. */
  actorId: string | null;
  actor: string;
  /** What was acted on: a user, a key, a team… (id and a readable label). */
  targetId: string | null;
  target: string;
  /** A short keyed hash of the client's IP address; "" when there was no request (CLI, jobs). */
  ipHash: string;
  /**
   * A few words of detail (a key's name, a team's new owner); never a secret. With `said`, its
   * English words, for the CSV and for readers that do not know the code.
   */
  detail: string;
  /** The detail as a code and values (entries from before it was added have only `detail`). */
  said?: AuditSaid;
  /** KV expiry is "not before": readers drop entries past this. */
  expiresAtMs: number;
};

/** What the admin's audit page asks for (http/audit-query.ts reads it from the query). */
export type AuditFilter = {
  kind?: AuditKind;
  /** matches actor or target (address, username, id), ignoring case and accents */
  who?: string;
  fromMs?: number;
  toMs?: number;
  /** Entries older than this one (the "older" link of the page before). */
  before?: AuditCursor;
};

/** One entry's place in the log, where an older page starts. */
export type AuditCursor = { atMs: number; id: string };
