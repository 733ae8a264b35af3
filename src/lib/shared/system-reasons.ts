/**
 * Words Invito itself stores (not a person's words): cancel reasons it writes into a booking and
 * the detail of a delivery that could not reach a server. They are stored in English, as the JSON
 * API, webhooks and logs report them; people read them in their own language.
 */
import type { MessageKey, Translator } from "./i18n.ts";

/** A meeting cancelled because its host deleted their account. */
export const ACCOUNT_CLOSED_REASON = "The host closed their Invito account.";

/**
 * The one answer for a server that refused or could not be reached (integrations/safe-fetch.ts):
 * the same for both, so an error text cannot be used to scan ports.
 */
export const UNREACHABLE = "the server could not be reached";

const SYSTEM_REASONS: Record<string, MessageKey> = {
  [ACCOUNT_CLOSED_REASON]: "reason.account_closed",
  [UNREACHABLE]: "reason.unreachable",
};

/**
 * A stored reason or delivery detail as `t`'s reader reads it: ours translated, a person's (or a
 * remote server's) as written.
 */
export function storedReasonText<R extends string | null | undefined>(
  reason: R,
  t: Pick<Translator, "t">,
): R | string {
  const key = reason ? SYSTEM_REASONS[reason] : undefined;
  return key ? t.t(key) : reason;
}
