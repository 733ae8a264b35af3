/**
 * Cancel reasons Invito itself writes into a booking (not a person's words). They are stored in
 * English, as the JSON API and webhooks report them; people read them in their own language.
 */
import type { MessageKey, Translator } from "./i18n.ts";

/** A meeting cancelled because its host deleted their account. */
export const ACCOUNT_CLOSED_REASON = "The host closed their Invito account.";

const SYSTEM_REASONS: Record<string, MessageKey> = {
  [ACCOUNT_CLOSED_REASON]: "reason.account_closed",
};

/** A stored cancel reason as `t`'s reader reads it: ours translated, a person's as written. */
export function cancelReasonText<R extends string | null | undefined>(
  reason: R,
  t: Pick<Translator, "t">,
): R | string {
  const key = reason ? SYSTEM_REASONS[reason] : undefined;
  return key ? t.t(key) : reason;
}
