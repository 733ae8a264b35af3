/**
 * A page kept as UTF-8 bytes cut where per-response values stand (a kept page's nonce and fill
 * token, ADR 049; a refused guest's typed values too, ADR 014), answered by copying the parts
 * and this response's values into one buffer, plain or gzipped. The answer never becomes a
 * string on the V8 heap: a 56 KB refusal page joined per loser was a 112 KB two-byte string, and
 * a crowd of 200 of them alive at once made the garbage collector the profile's top item
 * (28 % of the contention run, issue 26).
 */
import { constants as zlib, crc32, deflateRawSync } from "node:zlib";
import { acceptedEncoding } from "./static-files.ts";

export type Spliced = {
  /** The literal bytes, one more than there are values. */
  parts: Uint8Array[];
  /** How many bytes the parts hold together. */
  size: number;
  /** The parts deflated once each, for gzip answers (`splicedGzip`); made on first use. */
  deflated?: Uint8Array[];
};

const utf8 = new TextEncoder();

/** Literal parts, as UTF-8: a template split into strings becomes bytes once. */
export function splicedOf(parts: readonly string[]): Spliced {
  const bytes = parts.map((p) => utf8.encode(p));
  return { parts: bytes, size: bytes.reduce((n, p) => n + p.length, 0) };
}

/** The page's bytes with `values` (one per gap between parts) copied in, in one buffer. */
export function splicedBytes(t: Spliced, values: readonly string[]): Uint8Array<ArrayBuffer> {
  // The values are short (a nonce, a token, what a guest typed): encoded on their own first,
  // so the one buffer is allocated at its exact size.
  const holes = values.map((v) => utf8.encode(v));
  let size = t.size;
  for (const h of holes) size += h.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (let i = 0; i < t.parts.length; i++) {
    out.set(t.parts[i], at);
    at += t.parts[i].length;
    if (i < holes.length) {
      out.set(holes[i], at);
      at += holes[i].length;
    }
  }
  return out;
}

const GZIP_HEAD = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
/** An empty final stored block: the end of the deflate stream. */
const DEFLATE_END = new Uint8Array([1, 0, 0, 0xff, 0xff]);
/** The most bytes a stored deflate block holds (its LEN is 16 bits). */
const STORED_MAX = 0xffff;

/**
 * The page gzipped without compressing it per response (ADR 049): each literal part was deflated
 * once, on its own and flushed to a byte boundary (Z_FULL_FLUSH: no back-reference crosses a
 * part), and this response's values go between them as stored (uncompressed) deflate blocks.
 * The CRC-32 of the whole is computed over the bytes as sent; one gzip member, as any decoder
 * reads it.
 */
export function splicedGzip(t: Spliced, values: readonly string[]): Uint8Array<ArrayBuffer> {
  t.deflated ??= t.parts.map((p) =>
    deflateRawSync(p, { level: 9, finishFlush: zlib.Z_FULL_FLUSH })
  );
  const holes = values.map((v) => utf8.encode(v));
  let size = GZIP_HEAD.length + DEFLATE_END.length + 8;
  for (const d of t.deflated) size += d.length;
  for (const h of holes) size += 5 * Math.ceil(h.length / STORED_MAX) + h.length;
  const out = new Uint8Array(size);
  out.set(GZIP_HEAD, 0);
  let at = GZIP_HEAD.length;
  let crc = 0;
  let length = 0;
  for (let i = 0; i < t.parts.length; i++) {
    out.set(t.deflated[i], at);
    at += t.deflated[i].length;
    crc = crc32(t.parts[i], crc);
    length += t.parts[i].length;
    const hole = holes[i];
    if (!hole) continue;
    for (let from = 0; from < hole.length; from += STORED_MAX) {
      const block = hole.subarray(from, from + STORED_MAX);
      // A stored block: BFINAL 0, BTYPE 00 (byte-aligned after the flush), LEN, NLEN, the bytes.
      out[at] = 0;
      out[at + 1] = block.length & 0xff;
      out[at + 2] = block.length >> 8;
      out[at + 3] = ~block.length & 0xff;
      out[at + 4] = (~block.length >> 8) & 0xff;
      out.set(block, at + 5);
      at += 5 + block.length;
    }
    crc = crc32(hole, crc);
    length += hole.length;
  }
  out.set(DEFLATE_END, at);
  at += DEFLATE_END.length;
  const tail = new DataView(out.buffer, at, 8);
  tail.setUint32(0, crc >>> 0, true);
  tail.setUint32(4, length >>> 0, true);
  return out;
}

/** Says the answer is gzipped, and that it differs by Accept-Encoding. */
export function markGzip(headers: Headers): void {
  headers.set("content-encoding", "gzip");
  const vary = headers.get("vary");
  if (!/accept-encoding/i.test(vary ?? "")) {
    headers.set("vary", vary ? `${vary}, accept-encoding` : "accept-encoding");
  }
}

/**
 * A kept answer's headers (lower-case names, as a Headers object lists them) for one response:
 * its own nonce in the CSP, and marked gzipped when it is. `keptResponse` sends them.
 */
export function keptHeaders(
  kept: readonly (readonly [string, string])[],
  oldNonce: string | null,
  nonce: string,
  gzip: boolean,
): [string, string][] {
  const out: [string, string][] = [];
  let vary = false;
  for (const [k, v] of kept) {
    if (k === "content-security-policy" && oldNonce) out.push([k, v.replaceAll(oldNonce, nonce)]);
    else if (gzip && k === "content-encoding") continue;
    else if (gzip && k === "vary") {
      vary = true;
      out.push([k, /accept-encoding/i.test(v) ? v : `${v}, accept-encoding`]);
    } else out.push([k, v]);
  }
  if (gzip) {
    out.push(["content-encoding", "gzip"]);
    if (!vary) out.push(["vary", "accept-encoding"]);
  }
  return out;
}

/**
 * A response of bytes with these headers, appended one by one to the new Response's own list:
 * handed to its constructor instead (as a Headers object, a list or a record), Deno converts
 * each value through WebIDL first, which for a page's dozen headers and long CSP cost 25–35 µs
 * per response against 7 µs appended (issue 26; a kept page's whole request is ~100 µs).
 */
export function keptResponse(
  body: Uint8Array<ArrayBuffer>,
  status: number,
  headers: readonly (readonly [string, string])[],
): Response {
  const res = new Response(body, { status });
  const h = res.headers;
  for (const [k, v] of headers) h.append(k, v);
  return res;
}

/** Whether a client takes gzip, by its Accept-Encoding (the few spellings in use, remembered). */
const gzipByHeader = new Map<string, boolean>();
export function gzipAccepted(acceptEncoding: string | null): boolean {
  if (!acceptEncoding) return false;
  let yes = gzipByHeader.get(acceptEncoding);
  if (yes === undefined) {
    yes = acceptedEncoding(acceptEncoding, ["gzip"]) === "gzip";
    if (gzipByHeader.size >= 64) gzipByHeader.clear();
    gzipByHeader.set(acceptEncoding, yes);
  }
  return yes;
}
