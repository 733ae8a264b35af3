/**
 * Secrets and tokens. Link tokens are HMAC-derived from a per-booking random salt, so a mail
 * queued days after booking can carry the link again while the store keeps only SHA-256 hashes.
 */
const enc = new TextEncoder();

export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export function base64url(data: Uint8Array): string {
  let s = "";
  for (const b of data) s += String.fromCharCode(b);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function fromBase64url(s: string): Uint8Array {
  const b = atob(s.replaceAll("-", "+").replaceAll("_", "/") + "===".slice((s.length + 3) % 4));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** An HKDF-derived key for one purpose; the label keeps keys for different uses independent. */
export async function deriveKey(
  secret: string,
  label: string,
  usage: "hmac" | "aes",
): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey("raw", enc.encode(secret), "HKDF", false, [
    "deriveKey",
  ]);
  const params = {
    name: "HKDF",
    hash: "SHA-256",
    salt: enc.encode("invito"),
    info: enc.encode(label),
  };
  return usage === "hmac"
    ? await crypto.subtle.deriveKey(
      params,
      base,
      { name: "HMAC", hash: "SHA-256", length: 256 },
      false,
      [
        "sign",
      ],
    )
    : await crypto.subtle.deriveKey(params, base, { name: "AES-GCM", length: 256 }, false, [
      "encrypt",
      "decrypt",
    ]);
}

export async function hmacToken(key: CryptoKey, ...parts: string[]): Promise<string> {
  const sig = await crypto.subtle.sign("HMAC", key, enc.encode(parts.join("\u0000")));
  return base64url(new Uint8Array(sig));
}

export type Sealed = { v: 1; kid: string; iv: string; ct: string };

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
