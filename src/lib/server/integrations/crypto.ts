/**
 * Secrets and tokens. Link tokens are HMAC-derived from a per-booking random salt, so a mail
 * queued days after booking can carry the link again while the store keeps only SHA-256 hashes.
 */
import { createHash, type Hash } from "node:crypto";
import type { Sealed } from "../util/digest.ts";

export { base64url, fromBase64url, randomToken, type Sealed, sha256Hex } from "../util/digest.ts";
import { base64url, fromBase64url } from "../util/digest.ts";

const enc = new TextEncoder();

/**
 * Raw HMAC-SHA-256 key bytes. Hashing and HMAC run through node:crypto, synchronously: every
 * booking derives and hashes several link tokens, and WebCrypto's async calls cost ~45 µs each
 * against ~3–17 µs here, on the request's own thread. The bytes are the same HKDF output WebCrypto
 * would import, so tokens issued before stay valid.
 */
export type HmacKey = { readonly bytes: Uint8Array };

/** An HKDF-derived key for one purpose; the label keeps keys for different uses independent. */
export async function deriveKey(
  secret: string,
  label: string,
  usage: "hmac",
): Promise<HmacKey>;
export async function deriveKey(
  secret: string,
  label: string,
  usage: "aes",
): Promise<CryptoKey>;
export async function deriveKey(
  secret: string,
  label: string,
  usage: "hmac" | "aes",
): Promise<HmacKey | CryptoKey> {
  const base = await crypto.subtle.importKey("raw", enc.encode(secret), "HKDF", false, [
    "deriveKey",
    "deriveBits",
  ]);
  const params = {
    name: "HKDF",
    hash: "SHA-256",
    salt: enc.encode("invito"),
    info: enc.encode(label),
  };
  return usage === "hmac"
    ? { bytes: new Uint8Array(await crypto.subtle.deriveBits(params, base, 256)) }
    : await crypto.subtle.deriveKey(params, base, { name: "AES-GCM", length: 256 }, false, [
      "encrypt",
      "decrypt",
    ]);
}

// deno-lint-ignore require-await
export async function hmacToken(key: HmacKey, ...parts: string[]): Promise<string> {
  return hmacTokenNow(key, ...parts);
}

/** `hmacToken` for code that cannot wait: a change's plan, built inside its transaction. */
export function hmacTokenNow(key: HmacKey, ...parts: string[]): string {
  const { inner, outer } = padStatesOf(key);
  const innerDigest = inner.copy().update(parts.join("\u0000"), "utf8").digest();
  return outer.copy().update(innerDigest).digest("base64url");
}

/**
 * HMAC-SHA-256 (RFC 2104) from two SHA-256 states that have already taken in the key's inner and
 * outer pads, kept per key: `createHmac` pads and hashes the key again for every token, and
 * building its object was most of a booking post's token. Three alternating CPU profiles of form
 * posts (issue 26): the guest's token 30.7 / 24.9 / 30.2 µs with `createHmac`, 20.0 / 18.3 /
 * 17.4 µs this way. A token is then two copies of a state, each finishing one block more.
 * crypto.test.ts holds the result to `createHmac`'s.
 */
const padStates = new WeakMap<HmacKey, { inner: Hash; outer: Hash }>();

function padStatesOf(key: HmacKey): { inner: Hash; outer: Hash } {
  let states = padStates.get(key);
  if (!states) {
    const BLOCK = 64;
    const k = key.bytes.length > BLOCK
      ? createHash("sha256").update(key.bytes).digest()
      : key.bytes;
    const padded = new Uint8Array(BLOCK);
    padded.set(k);
    states = {
      inner: createHash("sha256").update(padded.map((b) => b ^ 0x36)),
      outer: createHash("sha256").update(padded.map((b) => b ^ 0x5c)),
    };
    padStates.set(key, states);
  }
  return states;
}

export async function seal(key: CryptoKey, kid: string, plain: string): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, enc.encode(plain));
  return { v: 1, kid, iv: base64url(iv), ct: base64url(new Uint8Array(ct)) };
}

export async function unseal(key: CryptoKey, sealed: Sealed): Promise<string | null> {
  try {
    const iv = fromBase64url(sealed.iv);
    const ct = fromBase64url(sealed.ct);
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: iv as Uint8Array<ArrayBuffer> },
      key,
      ct as Uint8Array<ArrayBuffer>,
    );
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}

/** Constant-time string comparison for secrets of equal length. */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
