/**
 * A host's photo as uploaded: only PNG, JPEG or WebP, told apart by their first bytes (never by
 * the name or the type the browser claims), and small enough to live in one KV value (≤ 64 KiB)
 * with room to spare. Pure: bytes in, a decision out.
 */
export type PhotoType = "image/png" | "image/jpeg" | "image/webp";

/** 60 KiB: a 256×256 JPEG or WebP fits easily; one KV value holds at most 64 KiB. */
export const PHOTO_MAX_BYTES = 60 * 1024;

export type PhotoDecision =
  | { ok: true; type: PhotoType }
  | { ok: false; reason: "empty" | "too_big" | "not_an_image" };

const startsWith = (b: Uint8Array, sig: number[], at = 0) =>
  b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);

/** What the bytes are, by their signature; null for anything else (GIF, SVG, HTML, …). */
export function sniffPhotoType(bytes: Uint8Array): PhotoType | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  // "RIFF" <size> "WEBP"
  if (
    startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)
  ) {
    return "image/webp";
  }
  return null;
}

export function decidePhoto(bytes: Uint8Array): PhotoDecision {
  if (bytes.length === 0) return { ok: false, reason: "empty" };
  if (bytes.length > PHOTO_MAX_BYTES) return { ok: false, reason: "too_big" };
  const type = sniffPhotoType(bytes);
  return type ? { ok: true, type } : { ok: false, reason: "not_an_image" };
}
