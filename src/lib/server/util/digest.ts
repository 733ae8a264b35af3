/**
 * Hashing and the shape of a sealed secret: a leaf module with no IO and no imports of the
 * app's layers, so the store (and the domain's record shapes) use them without depending on
 * integrations/ (integrations/crypto.ts re-exports them beside its sealing and tokens).
 */
import { createHash } from "node:crypto";

/** An AES-GCM sealed secret as stored (integrations/crypto.ts `seal`/`unseal`). */
export type Sealed = { v: 1; kid: string; iv: string; ct: string };

// deno-lint-ignore require-await
export async function sha256Hex(text: string): Promise<string> {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
