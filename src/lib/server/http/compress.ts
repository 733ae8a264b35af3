/**
 * Compression of dynamic responses (pages, JSON, feeds). A body of known size at or above the
 * threshold is compressed whole: gzip, or brotli at quality 5 for a large one (`BROTLI_MIN_BYTES`);
 * a streamed body of unknown size is gzipped as it streams. Static files never come here: their
 * copies are compressed once at build time (static-files.ts).
 *
 * The ETag of a compressed answer gets the encoding as a suffix (a different representation needs a
 * different tag); `requestForHandler` strips it again from If-None-Match so that SvelteKit's own
 * 304 check still recognises its tag.
 */
import { brotliCompress, brotliCompressSync, constants, gzip, gzipSync } from "node:zlib";
import { promisify } from "node:util";
import { acceptedEncoding } from "./static-files.ts";

export const COMPRESS_MIN_BYTES = 1024;

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

const COMPRESSIBLE_TYPE =
  /^(text\/|application\/(json|javascript|xml|manifest\+json|ld\+json|problem\+json)|image\/svg\+xml)/i;

const SUFFIX = /-(br|gz)(")?$/;

/** If-None-Match without our encoding suffixes, for the handler's own comparison. */
export function stripEncodingSuffixes(ifNoneMatch: string): string {
  return ifNoneMatch.split(",").map((t) => t.trim().replace(/-(br|gz)"$/, '"')).join(", ");
}

function tagged(etag: string, enc: "br" | "gzip"): string {
  const suffix = enc === "br" ? "-br" : "-gz";
  return etag.endsWith('"') ? `${etag.slice(0, -1)}${suffix}"` : etag + suffix;
}

/**
 * Whether the answer is one to compress, judged by its status and headers only: reading
 * `res.body` turns a body of bytes into a stream that Deno then writes chunk by chunk (a top
 * item of the cached booking page's profile, issue 26), so it is looked at only once an
 * encoding was agreed on.
 */
function worthIt(req: Request, res: Response): boolean {
  if (req.method === "HEAD") return false;
  if (res.status < 200 || res.status === 204 || res.status === 206 || res.status === 304) {
    return false;
  }
  // A refusal (409: a crowd's losers) goes out as it is: compressing each one was a top item of
  // the contention profile (issue 26), and only the one winner's answer is worth the CPU.
  if (res.status === 409) return false;
  const h = res.headers;
  if (h.has("content-encoding")) return false;
  if (/no-transform/i.test(h.get("cache-control") ?? "")) return false;
  if (!COMPRESSIBLE_TYPE.test(h.get("content-type") ?? "")) return false;
  const len = h.get("content-length");
  return len === null || Number(len) >= COMPRESS_MIN_BYTES;
}

/**
 * Below this, an answer compressed for one request is gzipped even where brotli is accepted:
 * brotli at quality 5 took ~3× gzip's CPU for ~9 % fewer bytes (a 28 KB booking page: 471 against
 * 137 µs for 5.7 against 6.2 KB; a 2 KB API answer: ~200 against ~40 µs, ~100 bytes saved). That
 * CPU was 8 % of an API booking's (issue 26). Copies compressed once (KeptBody, static files)
 * still take brotli.
 */
export const BROTLI_MIN_BYTES = 64 * 1024;

export async function compressResponse(req: Request, res: Response): Promise<Response> {
  if (!worthIt(req, res)) return res;
  const length = res.headers.get("content-length");
  const known = length !== null;
  const enc = acceptedEncoding(
    req.headers.get("accept-encoding"),
    known && Number(length) >= BROTLI_MIN_BYTES ? ["br", "gzip"] : ["gzip"],
  );
  if (!enc) {
    appendVary(res);
    return res;
  }
  const headers = new Headers(res.headers);
  headers.set("content-encoding", enc);
  appendVary(headers);
  const etag = headers.get("etag");
  if (etag && !SUFFIX.test(etag)) headers.set("etag", tagged(etag, enc));
  if (!known) {
    if (!res.body) return res;
    headers.delete("content-length");
    return new Response(res.body.pipeThrough(new CompressionStream("gzip")), {
      status: res.status,
      statusText: res.statusText,
      headers,
    });
  }
  // The bytes the answer was made with, as they are: `res.body` would first wrap them in a
  // stream, and reading that back copies them (issue 26's cold render profile).
  const body = await compressBytes(await res.bytes(), enc);
  headers.set("content-length", String(body.length));
  return new Response(body, { status: res.status, statusText: res.statusText, headers });
}

/**
 * Up to this size a body is compressed in one call. In Deno, node:zlib's asynchronous functions
 * do the same work on this same thread, only in 16 KB steps through a stream, callbacks and a
 * queue of ticks: 3,000 gzips of 28 KB took 220–560 ms of the JavaScript thread against 50–60 ms
 * with `gzipSync`, brotli at quality 5 ~3× likewise, and a 1 KB API answer ~130 µs against ~18
 * (issue 26's API booking profile). A larger body still goes in steps, so that one download's
 * compression does not hold every other request until it is done.
 */
const ONE_CALL_MAX_BYTES = 1024 * 1024;

/** Brotli at quality 5 (~3× gzip's CPU, ~9 % smaller) or gzip at level 6. */
async function compressBytes(
  raw: Uint8Array,
  enc: "br" | "gzip",
): Promise<Uint8Array<ArrayBuffer>> {
  const brotli = {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 5,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  };
  const gzipped = { level: 6 };
  const oneCall = raw.length <= ONE_CALL_MAX_BYTES;
  const body = enc === "br"
    ? (oneCall ? brotliCompressSync(raw, brotli) : await brotliAsync(raw, brotli))
    : (oneCall ? gzipSync(raw, gzipped) : await gzipAsync(raw, gzipped));
  return new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.length);
}

/**
 * A body answered many times unchanged (a kept slots answer): its text, its length in bytes, and
 * each compressed copy made once, for the first request that accepts it. Compressing per answer
 * cost a browser's request of 30 days of slots ~0.8 ms of the JavaScript thread: 1,172 answers/s
 * against 9,000 without compression (issue 26).
 */
export class KeptBody {
  readonly text: string;
  /** In bytes, as UTF-8. The bytes themselves are not kept: up to 500 answers are. */
  readonly length: number;
  readonly #copies: {
    br?: Promise<Uint8Array<ArrayBuffer>>;
    gzip?: Promise<Uint8Array<ArrayBuffer>>;
  } = {};
  constructor(text: string) {
    this.text = text;
    this.length = utf8.encode(text).length;
  }

  /**
   * The body for a request with this `Accept-Encoding`, its length and its `Content-Encoding`
   * (null: as is). The answer varies by Accept-Encoding either way; small bodies go as they are.
   * The uncompressed body is the text: a Response copies a byte body (6 µs for 30 KB), while Deno
   * encodes a text body on its way out.
   */
  async for(acceptEncoding: string | null): Promise<
    { body: string | Uint8Array<ArrayBuffer>; length: number; encoding: "br" | "gzip" | null }
  > {
    const enc = this.length >= COMPRESS_MIN_BYTES
      ? acceptedEncoding(acceptEncoding, ["br", "gzip"])
      : null;
    if (!enc) return { body: this.text, length: this.length, encoding: null };
    const body = await (this.#copies[enc] ??= compressBytes(utf8.encode(this.text), enc).then(
      // node:zlib's brotli hands back a view of a 16 KB chunk: a month of slots is ~800 bytes of
      // it. A copy kept for up to 500 answers keeps only its own bytes (issue 26's memory row).
      (b) => b.buffer.byteLength > b.length ? b.slice() : b,
    ));
    return { body, length: body.length, encoding: enc };
  }
}

const utf8 = new TextEncoder();

function appendVary(target: Response | Headers) {
  const h = target instanceof Headers ? target : target.headers;
  try {
    const vary = h.get("vary");
    if (!vary) h.set("vary", "accept-encoding");
    else if (!/accept-encoding|\*/i.test(vary)) h.set("vary", `${vary}, accept-encoding`);
  } catch {
    // immutable headers (a fetched response passed through): leave them
  }
}
