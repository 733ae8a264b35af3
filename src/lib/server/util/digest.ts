/**
 * Hashing, random tokens, base64 (plain and url) and the shape of a sealed secret: a leaf module
 * with no IO and no imports of the app's layers, so the store, the domain's record shapes and the
 * http helpers use them without depending on integrations/ (integrations/crypto.ts re-exports
 * them beside its keys and sealing).
 */
import { createHash } from "node:crypto";

/** An AES-GCM sealed secret as stored (integrations/crypto.ts `seal`/`unseal`). */
export type Sealed = { v: 1; kid: string; iv: string; ct: string };

// deno-lint-ignore require-await
export async function sha256Hex(text: string): Promise<string> {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** Standard base64 with padding (mail's encoded words, data: URLs). */
export function base64(data: Uint8Array): string {
  let s = "";
  for (const b of data) s += String.fromCharCode(b);
  return btoa(s);
}

/** The bytes of standard base64; null for text that is not base64. */
export function fromBase64(s: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

export function base64url(data: Uint8Array): string {
  return base64(data).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function fromBase64url(s: string): Uint8Array {
  const b = atob(s.replaceAll("-", "+").replaceAll("_", "/") + "===".slice((s.length + 3) % 4));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}
