import assert from "node:assert/strict";
import { deriveKey, hmacToken, sha256Hex } from "./crypto.ts";

const enc = new TextEncoder();

/** Link tokens as the WebCrypto-based version computed them (the links in mails already sent). */
async function webCryptoToken(secret: string, label: string, parts: string[]) {
  const base = await crypto.subtle.importKey("raw", enc.encode(secret), "HKDF", false, [
    "deriveKey",
  ]);
  const key = await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: enc.encode("invito"), info: enc.encode(label) },
    base,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign"],
  );
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(parts.join("\0"))));
  return btoa(String.fromCharCode(...sig)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

Deno.test("hmacToken: links mailed before the switch from WebCrypto still match, byte for byte", async () => {
  const secret = "an-operator-secret-".padEnd(48, "z");
  const label = "invito booking links v1";
  const key = await deriveKey(secret, label, "hmac");
  for (const parts of [["salt", "01JX", "guest"], ["form-fill", "1795000000000"], ["ünï", ""]]) {
    assert.equal(await hmacToken(key, ...parts), await webCryptoToken(secret, label, parts));
  }
  // Another label is another key.
  const other = await deriveKey(secret, "invito other v1", "hmac");
  assert.notEqual(await hmacToken(other, "a"), await hmacToken(key, "a"));
});

Deno.test("sha256Hex: the stored token hashes keep their form", async () => {
  assert.equal(
    await sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    await sha256Hex("ü"),
    Array.from(
      new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode("ü"))),
      (b) => b.toString(16).padStart(2, "0"),
    ).join(""),
  );
});

Deno.test("hmacToken: any key length, token after token from one key, as node's createHmac makes them", async () => {
  const { createHmac } = await import("node:crypto");
  for (const length of [16, 32, 64, 65, 100]) {
    const key = { bytes: crypto.getRandomValues(new Uint8Array(length)) };
    // The same key again and again: each token starts from the key's pads, not the last token.
    for (const parts of [["salt", "01JX", "guest"], ["salt", "01JX", "guest"], ["x"], [""]]) {
      const expected = createHmac("sha256", key.bytes).update(parts.join("\0")).digest("base64url");
      assert.equal(await hmacToken(key, ...parts), expected, `key of ${length} bytes`);
    }
  }
});
