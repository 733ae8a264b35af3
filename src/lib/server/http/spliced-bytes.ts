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

/**
 * The buffer answers are assembled in. Deno's Response copies a body of bytes when it is built
 * (`spliced-bytes.test.ts` holds it to that), so a buffer per answer was a second allocation of
 * the page's size: each is a backing store outside V8's heap, and at a crowd's rate they cost
 * ~20–30 µs apiece, mostly in the collections they bring on (issue 26). One buffer, reused, and
 * the bytes written into it directly instead of through a small encoded array per value.
 */
let scratch = new Uint8Array(64 * 1024);
/** A buffer grown past this for one answer is not kept for the next. */
const SCRATCH_KEPT = 1024 * 1024;

function room(size: number): Uint8Array<ArrayBuffer> {
  if (scratch.length >= size) return scratch;
  const grown = new Uint8Array(Math.max(size, 2 * scratch.length));
  if (grown.length <= SCRATCH_KEPT) scratch = grown;
  return grown;
}

/** The most bytes a value takes as UTF-8 (three per UTF-16 unit at most). */
const utf8Max = (v: string) => 3 * v.length;

/** Writes the page with `values` into `out` (large enough); returns how many bytes it took. */
function writePlain(t: Spliced, values: readonly string[], out: Uint8Array): number {
  let at = 0;
  for (let i = 0; i < t.parts.length; i++) {
    out.set(t.parts[i], at);
    at += t.parts[i].length;
    if (i < values.length && values[i]) {
      at += utf8.encodeInto(values[i], out.subarray(at)).written;
    }
  }
  return at;
}

function plainRoom(t: Spliced, values: readonly string[]): number {
  let size = t.size;
  for (const v of values) size += utf8Max(v);
  return size;
}

/** The page's bytes with `values` (one per gap between parts) copied in, in a buffer of its own. */
export function splicedBytes(t: Spliced, values: readonly string[]): Uint8Array<ArrayBuffer> {
  const out = room(plainRoom(t, values));
  return out.slice(0, writePlain(t, values, out));
}

const GZIP_HEAD = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
/** An empty final stored block: the end of the deflate stream. */
const DEFLATE_END = new Uint8Array([1, 0, 0, 0xff, 0xff]);
/** The most bytes a stored deflate block holds (its LEN is 16 bits). */
const STORED_MAX = 0xffff;

/**
 * zlib's default level. Every render of a kept page (and each crowd's refusal template) deflates
 * its parts once, so this is a cold render's cost: a 93 KB booking page's six parts took 0.71 ms
 * at level 9 and 0.38 ms at 6, for 11,396 against 11,440 bytes (44 more on the wire per view).
 */
const DEFLATE_LEVEL = 6;

function deflatedParts(t: Spliced): Uint8Array[] {
  if (t.deflated) return t.deflated;
  const each = t.parts.map((p) =>
    deflateRawSync(p, { level: DEFLATE_LEVEL, finishFlush: zlib.Z_FULL_FLUSH })
  );
  // node:zlib hands each part back as a view of a 16 KB chunk of its own: a booking page's six
  // parts held ~96 KB for ~7 KB of gzip, ~9 MB over 100 kept pages (issue 26's memory row). The
  // parts are kept as views of one buffer of their exact size instead.
  const one = new Uint8Array(each.reduce((n, d) => n + d.length, 0));
  let at = 0;
  return t.deflated = each.map((d) => {
    one.set(d, at);
    return one.subarray(at, at += d.length);
  });
}

function gzipRoom(t: Spliced, values: readonly string[]): number {
  let size = GZIP_HEAD.length + DEFLATE_END.length + 8;
  for (const d of deflatedParts(t)) size += d.length;
  for (const v of values) size += 5 * Math.ceil(utf8Max(v) / STORED_MAX) + utf8Max(v);
  return size;
}

/** A stored (uncompressed) deflate block header at `at`: BFINAL 0, BTYPE 00, LEN, NLEN. */
function storedHead(out: Uint8Array, at: number, length: number) {
  out[at] = 0;
  out[at + 1] = length & 0xff;
  out[at + 2] = length >> 8;
  out[at + 3] = ~length & 0xff;
  out[at + 4] = (~length >> 8) & 0xff;
}

/**
 * The page gzipped without compressing it per response (ADR 049): each literal part was deflated
 * once, on its own and flushed to a byte boundary (Z_FULL_FLUSH: no back-reference crosses a
 * part), and this response's values go between them as stored (uncompressed) deflate blocks.
 * The CRC-32 of the whole is computed over the bytes as sent; one gzip member, as any decoder
 * reads it. Written into `out` (large enough: `gzipRoom`); returns how many bytes it took.
 */
function writeGzip(t: Spliced, values: readonly string[], out: Uint8Array): number {
  const deflated = deflatedParts(t);
  out.set(GZIP_HEAD, 0);
  let at = GZIP_HEAD.length;
  let crc = 0;
  let length = 0;
  for (let i = 0; i < t.parts.length; i++) {
    out.set(deflated[i], at);
    at += deflated[i].length;
    crc = crc32(t.parts[i], crc);
    length += t.parts[i].length;
    const value = i < values.length ? values[i] : "";
    if (!value) continue;
    if (utf8Max(value) <= STORED_MAX) {
      // One block: the value is written after room for its header, which then says its length.
      const n = utf8.encodeInto(value, out.subarray(at + 5)).written;
      storedHead(out, at, n);
      crc = crc32(out.subarray(at + 5, at + 5 + n), crc);
      at += 5 + n;
      length += n;
      continue;
    }
    const hole = utf8.encode(value);
    for (let from = 0; from < hole.length; from += STORED_MAX) {
      const block = hole.subarray(from, from + STORED_MAX);
      storedHead(out, at, block.length);
      out.set(block, at + 5);
      at += 5 + block.length;
    }
    crc = crc32(hole, crc);
    length += hole.length;
  }
  out.set(DEFLATE_END, at);
  at += DEFLATE_END.length;
  const tail = new DataView(out.buffer, out.byteOffset + at, 8);
  tail.setUint32(0, crc >>> 0, true);
  tail.setUint32(4, length >>> 0, true);
  return at + 8;
}

/** The page gzipped from its parts deflated once (see `writeGzip`), in a buffer of its own. */
export function splicedGzip(t: Spliced, values: readonly string[]): Uint8Array<ArrayBuffer> {
  const out = room(gzipRoom(t, values));
  return out.slice(0, writeGzip(t, values, out));
}

/**
 * An answer of the page with `values`, plain or gzipped, with these headers (`keptResponse`):
 * assembled in the one reused buffer, which the Response copies as it is built.
 */
export function splicedResponse(
  t: Spliced,
  values: readonly string[],
  gzip: boolean,
  status: number,
  headers: readonly (readonly [string, string])[],
): Response {
  const out = room(gzip ? gzipRoom(t, values) : plainRoom(t, values));
  const size = gzip ? writeGzip(t, values, out) : writePlain(t, values, out);
  return keptResponse(out.subarray(0, size), status, headers);
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

/** Whether a client takes gzip, by its Accept-Encoding. */
export function gzipAccepted(acceptEncoding: string | null): boolean {
  return acceptedEncoding(acceptEncoding, ["gzip"]) === "gzip";
}
