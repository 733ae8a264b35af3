/** The audit log's kinds in words (one catalog key each). Browser-safe. */
import type { MessageKey, MessageValues } from "./i18n.ts";

export const AUDIT_KIND_KEYS = {
  sign_in: "admin.kind_sign_in",
  sign_in_refused: "admin.kind_sign_in_refused",
  api_key_created: "admin.kind_api_key_created",
  api_key_revoked: "admin.kind_api_key_revoked",
  account_deleted: "admin.kind_account_deleted",
  account_suspended: "admin.kind_account_suspended",
  account_reactivated: "admin.kind_account_reactivated",
  team_ownership_changed: "admin.kind_team_ownership_changed",
  webhook_created: "admin.kind_webhook_created",
  webhook_changed: "admin.kind_webhook_changed",
  webhook_deleted: "admin.kind_webhook_deleted",
  bookings_imported: "admin.kind_bookings_imported",
  bookings_handed_over: "admin.kind_bookings_handed_over",
  admin_mail_test: "admin.kind_admin_mail_test",
  admin_backup: "admin.kind_admin_backup",
  admin_restore: "admin.kind_admin_restore",
  identity_linked: "admin.kind_identity_linked",
  identity_unlinked: "admin.kind_identity_unlinked",
  host_data_exported: "admin.kind_host_data_exported",
} as const satisfies Record<string, MessageKey>;

/**
 * Details said in the reader's language: each code's words (values: counts, a person's name, a
 * cause the system gave, shown as it was given). New entries store a code and its values; older
 * ones their English text, shown as written.
 */
export const AUDIT_DETAIL_KEYS = {
  mail_sent: "admin.audit_detail_mail_sent",
  mail_failed: "admin.audit_detail_mail_failed",
  backup_done: "admin.audit_detail_backup_done",
  backup_failed: "admin.audit_detail_backup_failed",
  restore_done: "admin.audit_detail_restore_done",
  restore_refused: "admin.audit_detail_restore_refused",
  restore_failed: "admin.audit_detail_restore_failed",
  handed_over: "admin.audit_detail_handed_over",
  account_deleted: "admin.audit_detail_account_deleted",
  bookings_imported: "admin.audit_detail_bookings_imported",
  team_role: "admin.audit_detail_team_role",
  team_owner_invited: "admin.audit_detail_team_owner_invited",
  team_owner_left: "admin.audit_detail_team_owner_left",
  team_owner_removed: "admin.audit_detail_team_owner_removed",
  team_deleted: "admin.audit_detail_team_deleted",
  webhook_url: "admin.audit_detail_webhook_url",
  webhook_events: "admin.audit_detail_webhook_events",
  webhook_description: "admin.audit_detail_webhook_description",
  webhook_switched: "admin.audit_detail_webhook_switched",
  webhook_secret_rotated: "admin.audit_detail_webhook_secret_rotated",
  sign_in_by_link: "admin.audit_detail_sign_in_by_link",
  sign_in_suspended: "admin.audit_detail_sign_in_suspended",
} as const satisfies Record<string, MessageKey>;

/** A detail said in words of the reader's language: a code of `AUDIT_DETAIL_KEYS`, its values. */
export type AuditDetailCode = keyof typeof AUDIT_DETAIL_KEYS;
export type AuditSaidPart = { code: AuditDetailCode; values: Record<string, string | number> };
/**
 * A detail as a code and its values (counts, a name, a cause the system gave in its own words),
 * so the page writes it in the admin's language; `and`: more parts of one detail (what one
 * request changed of a webhook), each its own words, so no message has to spell every
 * combination.
 */
export type AuditSaid = AuditSaidPart & { and?: AuditSaidPart[] };

/**
 * A said detail in one language: the page's in its words, the stored English for the CSV (one
 * function, so both say the same). Parts are joined by a comma, which lists in all four of the
 * catalogs' languages; the list is of changes, not a sentence, so no "and" is wanted.
 */
export function saidText(
  t: (key: MessageKey, values?: MessageValues) => string,
  said: AuditSaid,
): string {
  return [said, ...(said.and ?? [])].map((p) => t(AUDIT_DETAIL_KEYS[p.code], p.values)).join(", ");
}
