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
  return data.toBase64();
}

/** The bytes of standard base64; null for text that is not base64. */
export function fromBase64(s: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/**
 * Base64url without padding. V8's own encoder: a string built a character at a time, then
 * `btoa` and three replacements, cost ~5 µs of each booking's random salt (issue 26's profile).
 */
export function base64url(data: Uint8Array): string {
  return data.toBase64({ alphabet: "base64url", omitPadding: true });
}

export function fromBase64url(s: string): Uint8Array {
  const b = atob(s.replaceAll("-", "+").replaceAll("_", "/") + "===".slice((s.length + 3) % 4));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}
