import assert from "node:assert/strict";
import { decidePhoto, PHOTO_MAX_BYTES, sniffPhotoType } from "./photo.ts";

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0]);
const webp = new TextEncoder().encode("RIFF\0\0\0\0WEBPVP8 ");

Deno.test("photo: PNG, JPEG and WebP are told apart by their bytes; GIF, SVG and HTML are not photos", () => {
  assert.equal(sniffPhotoType(png), "image/png");
  assert.equal(sniffPhotoType(jpeg), "image/jpeg");
  assert.equal(sniffPhotoType(webp), "image/webp");
  for (
    const text of [
      "GIF89a....",
      "<svg xmlns='http://www.w3.org/2000/svg'/>",
      "<html>",
      "RIFF\0\0\0\0WAVE",
    ]
  ) {
    assert.equal(sniffPhotoType(new TextEncoder().encode(text)), null, text);
  }
});

Deno.test("photo: empty and too big are refused; the limit leaves room in one 64 KiB KV value", () => {
  assert.deepEqual(decidePhoto(new Uint8Array()), { ok: false, reason: "empty" });
  const big = new Uint8Array(PHOTO_MAX_BYTES + 1);
  big.set(png);
  assert.deepEqual(decidePhoto(big), { ok: false, reason: "too_big" });
  const max = new Uint8Array(PHOTO_MAX_BYTES);
  max.set(png);
  assert.deepEqual(decidePhoto(max), { ok: true, type: "image/png" });
  assert.ok(PHOTO_MAX_BYTES + 1024 < 64 * 1024);
});
