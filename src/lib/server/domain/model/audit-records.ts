/** The audit log's entry (issue 32): who did what to whom, when, and from where (hashed). */
import { AUDIT_KIND_KEYS } from "../../../shared/audit-kinds.ts";

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
  /** A few words of detail (a key's name, a team's new owner); never a secret. */
  detail: string;
  /** KV expiry is "not before": readers drop entries past this. */
  expiresAtMs: number;
};

/** What the admin's audit page asks for (http/audit-query.ts reads it from the query). */
export type AuditFilter = {
  kind?: AuditKind;
  /** matches actor or target (address, username, id), case-insensitively */
  who?: string;
  fromMs?: number;
  toMs?: number;
};
