/**
 * Why a booking change was refused, in words: one table for pages, the API and mails, so "slot
 * taken" reads the same everywhere and a new reason is added once.
 */
import type { MessageKey } from "./i18n.ts";

export const REFUSAL_KEYS: Record<string, MessageKey> = {
  slot_taken: "refusal.slot_taken",
  busy: "refusal.busy",
  slot_unavailable: "refusal.slot_unavailable",
  calendar_unavailable: "refusal.calendar_unavailable",
  cap_reached: "refusal.cap_reached",
  too_many_pending: "refusal.too_many_pending",
  already_confirmed: "refusal.already_confirmed",
  already_rejected: "refusal.already_rejected",
  cancelled: "refusal.cancelled",
  not_pending: "refusal.not_pending",
  expired: "refusal.expired",
  too_late: "refusal.too_late",
};

/** The message key for a refusal reason; unknown reasons read as "not available". */
export function refusalKey(reason: string): MessageKey {
  return REFUSAL_KEYS[reason] ?? "refusal.slot_unavailable";
}
