/**
 * Whether this server can open the webhook signing secrets a store holds (a store restored
 * without its INVITO_SESSION_SECRET cannot): the startup log says so before any delivery fails.
 */
import type { App } from "../app.ts";
import { anySubscription } from "../store/webhooks.ts";
import { unseal } from "../integrations/crypto.ts";

/** The startup log's warning when `webhookSecretsOpen` says no. */
export const SEALED_DATA_UNREADABLE = "[startup] Sealed data in this store does not open with " +
  "this server's INVITO_SESSION_SECRET (a webhook's signing secret cannot be read): was the " +
  "store restored without the secret it was written with? Set that INVITO_SESSION_SECRET and " +
  "restart; otherwise webhooks are not sent until each is given a new secret (Rotate secret), " +
  "and calendar connections must be made again.";

/**
 * Whether the store's webhook signing secrets open with this server's key, judged by the first
 * subscription's newest secret (one read, one decryption: cheap enough for every start); null
 * when there is no subscription. They are all sealed with the same key, so a store restored
 * without its INVITO_SESSION_SECRET fails here before any delivery does.
 */
export async function webhookSecretsOpen(app: App): Promise<boolean | null> {
  const sub = await anySubscription(app.kv);
  if (!sub) return null;
  const newest = sub.secrets[0];
  return !newest || (await unseal(app.credentialKey, newest.sealed)) !== null;
}
