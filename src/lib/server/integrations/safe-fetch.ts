/**
 * Outgoing HTTP to servers a host names (CalDAV; also Google/Microsoft calendars and webhooks):
 * a fetch that reaches only globally routable unicast addresses (unless INVITO_ALLOW_PRIVATE_CALDAV),
 * bounds every request in time and response size, and follows redirects only on the same host.
 * Failures are thrown as `SafeFetchError` with a kind, so callers can turn them into result
 * values. See docs/decisions/010-outgoing-requests.md.
 *
 * - Which addresses: classified with ipaddr.js against the IANA special-purpose registries
 *   (private, loopback, link-local, CGNAT, documentation, benchmarking, reserved, multicast,
 *   6to4, Teredo, ORCHID, …). IPv6 must also lie in 2000::/3, the only block IANA allocates for
 *   global unicast. IPv4-mapped (::ffff:a.b.c.d), SIIT (::ffff:0:a.b.c.d) and NAT64
 *   (64:ff9b::a.b.c.d) addresses are judged by the IPv4 address inside them. The addresses of
 *   this machine's own interfaces are refused whatever their class (a public address of the
 *   server reaches services bound to 0.0.0.0).
 * - One answer: every refusal and every connection failure (refused, reset, timed out, TLS)
 *   reads the same, UNREACHABLE, so a host cannot use the error text to scan ports or map the
 *   network. The real reason goes to the server log for the operator.
 * - No second lookup: the name is resolved once, every address is checked, and the connection
 *   is made to the checked address (node:http's `lookup` hook; the Host header and TLS server
 *   name stay the URL's). A DNS server that answers differently a moment later (rebinding) is
 *   never asked again.
 */
import ipaddr from "ipaddr.js";
import { UNREACHABLE } from "../../shared/system-reasons.ts";
import http from "node:http";
import https from "node:https";
import { lookup as systemLookup } from "node:dns/promises";
import { Buffer } from "node:buffer";
import type { LookupFunction } from "node:net";
import { joinBytes } from "../util/bytes.ts";
import { ownDetail } from "./provider-details.ts";

export type SafeFetchErrorKind = "forbidden_address" | "network" | "too_large";

export class SafeFetchError extends Error {
  constructor(
    readonly kind: SafeFetchErrorKind,
    message: string,
    /** `too_large`: the status of the answer whose body was too large (the answer did come). */
    readonly status?: number,
  ) {
    super(message);
    this.name = "SafeFetchError";
  }
}

export type SafeFetchOptions = {
  allowPrivate: boolean;
  /** whole request including the body; default 15 s */
  timeoutMs?: number;
  /** response body limit; default 10 MB */
  maxBytes?: number;
  /** same-host redirects followed at most; default 3 */
  maxRedirects?: number;
  /**
   * "follow" (default): same-host redirects are followed (up to `maxRedirects`), others refused.
   * "return": a 3xx is the answer, returned with its status and Location, never followed (a
   * webhook receiver's redirect is its answer to the delivery).
   */
  redirects?: "follow" | "return";
  /** name → addresses (both families), replaceable in tests; default: the system resolver */
  resolve?: (hostname: string) => Promise<string[]>;
  /** this machine's addresses, replaceable in tests; default: Deno.networkInterfaces() */
  ownAddresses?: () => string[];
};

export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

/** The one text for every refused address and every failed connection. */
export { UNREACHABLE };

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

function parseIp(text: string): Addr | null {
  const bare = text.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  // Only the canonical notations (URL parsing has already turned "127.1" or "2130706433" into
  // dotted quads); ipaddr.js would otherwise read "010.0.0.1" as octal.
  if (!ipaddr.IPv4.isValidFourPartDecimal(bare) && !ipaddr.IPv6.isValid(bare)) return null;
  try {
    return ipaddr.parse(bare);
  } catch {
    return null;
  }
}

/** The IPv4 address an IPv6 address stands for (mapped, SIIT, NAT64 well-known), if any. */
function embeddedV4(a: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = a.parts;
  const zero = (from: number, to: number) => p.slice(from, to).every((x) => x === 0);
  const v4 = () => new ipaddr.IPv4([p[6] >> 8, p[6] & 255, p[7] >> 8, p[7] & 255]);
  if (zero(0, 5) && p[5] === 0xffff) return v4(); // ::ffff:0:0/96
  if (zero(0, 4) && p[4] === 0xffff && p[5] === 0) return v4(); // ::ffff:0:0:0/96
  if (p[0] === 0x64 && p[1] === 0xff9b && zero(2, 6)) return v4(); // 64:ff9b::/96
  return null;
}

const GLOBAL_V6 = ipaddr.parseCIDR("2000::/3");

function isGlobalUnicast(a: Addr): boolean {
  if (a.kind() === "ipv4") return a.range() === "unicast";
  const v6 = a as ipaddr.IPv6;
  const inner = embeddedV4(v6);
  if (inner) return inner.range() === "unicast";
  return v6.range() === "unicast" && v6.match(GLOBAL_V6);
}

/** One spelling per address, so a mapped form of our own address matches it. */
function canonical(a: Addr): string {
  if (a.kind() === "ipv6") {
    const inner = embeddedV4(a as ipaddr.IPv6);
    if (inner) return inner.toString();
    return (a as ipaddr.IPv6).toNormalizedString();
  }
  return a.toString();
}

function machineAddresses(): string[] {
  try {
    return Deno.networkInterfaces().map((i) => i.address);
  } catch {
    return [];
  }
}

/**
 * True for an address Invito must not connect to on a host's behalf: anything that is not
 * globally routable unicast, and this machine's own addresses (`own`). Not an IP literal → false.
 */
export function isForbiddenAddress(ip: string, own: readonly string[] = []): boolean {
  const a = parseIp(ip);
  if (!a) return false;
  if (!isGlobalUnicast(a)) return true;
  const mine = new Set(own.map(parseIp).filter((x): x is Addr => x !== null).map(canonical));
  return mine.has(canonical(a));
}

async function resolveSystem(hostname: string): Promise<string[]> {
  try {
    const found = await systemLookup(hostname, { all: true, verbatim: true });
    return found.map((f) => f.address);
  } catch {
    return [];
  }
}

function refuse(detail: string): never {
  console.warn(`[safe-fetch] refused: ${detail}`);
  throw new SafeFetchError("forbidden_address", UNREACHABLE);
}

/**
 * Checks `url` and returns the address to connect to. With INVITO_ALLOW_PRIVATE_CALDAV nothing is
 * refused, but the name is still resolved once and that address used.
 */
async function addressFor(url: URL, opts: SafeFetchOptions): Promise<string> {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new SafeFetchError("forbidden_address", ownDetail("cal.detail_http_only"));
  }
  if (url.username || url.password) {
    throw new SafeFetchError("forbidden_address", ownDetail("cal.detail_no_userinfo"));
  }
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase().replace(/\.$/, "");
  const check = !opts.allowPrivate;
  const own = check ? (opts.ownAddresses ?? machineAddresses)() : [];
  if (parseIp(host)) {
    if (check && isForbiddenAddress(host, own)) refuse(`${host} is not a public address`);
    return host;
  }
  if (check && (host === "localhost" || host.endsWith(".localhost") || !host.includes("."))) {
    refuse(`${host} is a local host name`);
  }
  // Resolved once, here; the connection goes to what this lookup returned (exchange's lookup).
  const addresses = await (opts.resolve ?? resolveSystem)(host);
  if (addresses.length === 0 || addresses.some((a) => !parseIp(a))) {
    console.warn(`[safe-fetch] ${host} could not be resolved`);
    throw new SafeFetchError("network", UNREACHABLE);
  }
  const bad = check ? addresses.find((a) => isForbiddenAddress(a, own)) : undefined;
  if (bad) refuse(`${host} resolves to ${bad}`);
  return addresses[0];
}

/** Throws SafeFetchError unless `url` is http(s) to a host Invito may reach. */
export async function assertReachable(url: URL, opts: SafeFetchOptions): Promise<void> {
  await addressFor(url, opts);
}

/** A byte limit as people read it: whole MB from 1 MB on, else KB ("256 KB", never "0 MB"). */
export function describeBytes(bytes: number): string {
  const mb = bytes / 1_048_576;
  return mb >= 1 && Number.isInteger(mb) ? `${mb} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

async function readLimited(res: Response, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () =>
    new SafeFetchError(
      "too_large",
      ownDetail("cal.detail_too_large", { size: describeBytes(maxBytes) }),
      res.status,
    );
  const declared = Number(res.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw tooLarge();
  }
  if (!res.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return joinBytes(chunks, size);
}

function requestBody(body: BodyInit | null | undefined): Uint8Array | string | undefined {
  if (body === null || body === undefined) return undefined;
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  if (body instanceof URLSearchParams) return body.toString();
  throw new TypeError("safeFetch: request bodies must be strings or bytes");
}

/**
 * One HTTP exchange over node:http(s), connecting to `address` (already checked).
 * Resolves with the response head and a body stream; rejects on any connection failure.
 */
function exchange(
  url: URL,
  init: RequestInit | undefined,
  address: string,
  signal: AbortSignal,
): Promise<Response> {
  const method = (init?.method ?? "GET").toUpperCase();
  const headers: Record<string, string> = {};
  new Headers(init?.headers).forEach((v, k) => headers[k] = v);
  const body = requestBody(init?.body);
  if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
  const family = address.includes(":") ? 6 : 4;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const req = (url.protocol === "https:" ? https : http).request(url, {
      method,
      headers,
      agent: false,
      // The one place a name becomes an address: the one addressFor checked.
      lookup: ((_host, options, cb) =>
        options?.all
          ? (cb as (e: null, list: { address: string; family: number }[]) => void)(null, [
            { address, family },
          ])
          : cb(null, address, family)) as LookupFunction,
    });
    const onAbort = () => req.destroy(new Error("aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    req.on("error", (err: Error) => {
      signal.removeEventListener("abort", onAbort);
      reject(err);
    });
    req.on("response", (res: http.IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const h = new Headers();
      for (const [k, v] of Object.entries(res.headers)) {
        for (const item of Array.isArray(v) ? v : v === undefined ? [] : [v]) h.append(k, item);
      }
      const empty = method === "HEAD" || [204, 205, 304].includes(status);
      const stream = empty ? null : bodyStream(res, () => {
        signal.removeEventListener("abort", onAbort);
      });
      if (empty) {
        res.resume();
        signal.removeEventListener("abort", onAbort);
      }
      try {
        resolve(new Response(stream, { status, statusText: res.statusMessage ?? "", headers: h }));
      } catch (err) {
        res.destroy();
        reject(err);
      }
    });
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/**
 * A node response body as a web stream, read at the consumer's pace (the socket is paused while
 * the queue is full, so a large answer is never buffered past the reader's size limit). Events
 * after the stream ended (a late "end" after a cancel) are ignored: a throw there would be
 * uncaught and end the process.
 */
function bodyStream(res: http.IncomingMessage, done: () => void): ReadableStream<Uint8Array> {
  let finished = false;
  const finish = (fn: () => void) => {
    if (finished) return;
    finished = true;
    done();
    try {
      fn();
    } catch {
      // the reader is gone
    }
  };
  return new ReadableStream<Uint8Array>({
    start(ctrl) {
      res.on("data", (c: Buffer) => {
        if (finished) return;
        try {
          ctrl.enqueue(new Uint8Array(c));
          if ((ctrl.desiredSize ?? 1) <= 0) res.pause();
        } catch {
          finish(() => res.destroy());
        }
      });
      res.on("end", () => finish(() => ctrl.close()));
      res.on("error", (e: Error) => finish(() => ctrl.error(e)));
      res.on("aborted", () => finish(() => ctrl.error(new Error("connection closed mid-answer"))));
    },
    pull() {
      res.resume();
    },
    cancel() {
      finish(() => res.destroy());
    },
  }, { highWaterMark: 8 });
}

/**
 * A `fetch` with the guard applied to every hop. The body is read in full (within the size
 * limit) and returned in a fresh Response whose `url` is the final address (with
 * `redirects: "return"`, a 3xx is returned like any answer). Request bodies must be
 * strings (or absent) so a same-host redirect can replay them.
 */
export function safeFetch(opts: SafeFetchOptions): typeof fetch {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxRedirects = opts.maxRedirects ?? 3;
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let url = new URL(input instanceof Request ? input.url : String(input));
    const origin = url;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    for (let hop = 0;; hop++) {
      const address = await addressFor(url, opts);
      let res: Response;
      let body: Uint8Array;
      try {
        res = await exchange(url, init, address, signal);
        body = await readLimited(res, maxBytes);
      } catch (err) {
        if (err instanceof SafeFetchError) throw err;
        if (err instanceof TypeError && /safeFetch:/.test(err.message)) throw err;
        const why = deadline.aborted ? `no answer within ${timeoutMs} ms` : String(err);
        console.warn(`[safe-fetch] ${url.host}: ${why}`);
        throw new SafeFetchError("network", UNREACHABLE);
      }
      const location = res.headers.get("location");
      if (
        opts.redirects !== "return" && res.status >= 300 && res.status < 400 &&
        res.status !== 304 && location
      ) {
        const next = new URL(location, url);
        if (next.hostname !== origin.hostname) {
          throw new SafeFetchError(
            "network",
            ownDetail("cal.detail_redirect_other_host", { host: next.hostname }),
          );
        }
        if (hop >= maxRedirects) {
          throw new SafeFetchError("network", ownDetail("cal.detail_too_many_redirects"));
        }
        url = next;
        continue;
      }
      const out = new Response(
        [204, 205, 304].includes(res.status) ? null : body as Uint8Array<ArrayBuffer>,
        {
          status: res.status,
          statusText: res.statusText,
          headers: res.headers,
        },
      );
      Object.defineProperty(out, "url", { value: url.href });
      return out;
    }
  };
}
