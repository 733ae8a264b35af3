/** The audit log's kinds in words (one catalog key each). Browser-safe. */
import type { MessageKey } from "./i18n.ts";

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
} as const satisfies Record<string, MessageKey>;
