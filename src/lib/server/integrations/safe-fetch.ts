/**
 * Outgoing HTTP to servers a host names (CalDAV): a fetch that refuses loopback, link-local and
 * private addresses (unless INVITO_ALLOW_PRIVATE_CALDAV), bounds every request in time and
 * response size, and follows redirects only on the same host. Failures are thrown as
 * `SafeFetchError` with a kind, so callers can turn them into result values.
 *
 * Known limit: the host name is resolved here and again by fetch, so a DNS server that answers
 * differently within milliseconds (rebinding) could slip through; names that resolve to nothing
 * via DNS (e.g. only in /etc/hosts) are refused.
 */

export type SafeFetchErrorKind = "forbidden_address" | "network" | "too_large";

export class SafeFetchError extends Error {
  constructor(readonly kind: SafeFetchErrorKind, message: string) {
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
  /** DNS lookup, replaceable in tests */
  resolve?: (hostname: string) => Promise<string[]>;
};

export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

/** Parses dotted IPv4; null when `s` is not one. */
function parseV4(s: string): number[] | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

/** Parses IPv6 (with an optional embedded IPv4 tail) into 8 groups; null when `s` is not one. */
function parseV6(s: string): number[] | null {
  let text = s.replace(/^\[|\]$/g, "").replace(/%.*$/, "").toLowerCase();
  if (!text.includes(":")) return null;
  const tail = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (tail) {
    const v4 = parseV4(tail[1]);
    if (!v4) return null;
    text = text.slice(0, -tail[1].length) +
      ((v4[0] << 8) | v4[1]).toString(16) + ":" + ((v4[2] << 8) | v4[3]).toString(16);
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? head.length !== 8 : missing < 1) return null;
  const all = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  const out: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
    out.push(parseInt(g, 16));
  }
  return out;
}

function v4Forbidden([a, b, c]: number[]): boolean {
  return a === 0 || // "this network"
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && c === 0) || // IETF protocol assignments
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    a >= 224; // multicast, reserved, broadcast
}

/**
 * True for addresses Invito must not connect to on a host's behalf: loopback, private,
 * link-local, unspecified, multicast and reserved ranges, in IPv4 and IPv6 (including IPv4
 * mapped, compatible, NAT64 and 6to4 forms of those). Anything that is not an IP literal → false.
 */
export function isForbiddenAddress(ip: string): boolean {
  const v4 = parseV4(ip);
  if (v4) return v4Forbidden(v4);
  const g = parseV6(ip);
  if (!g) return false;
  const embedded = (hi: number, lo: number) => [hi >> 8, hi & 255, lo >> 8, lo & 255];
  const zeroPrefix = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroPrefix(8)) return true; // ::
  if (zeroPrefix(7) && g[7] === 1) return true; // ::1
  if (zeroPrefix(5) && g[5] === 0xffff) return v4Forbidden(embedded(g[6], g[7])); // ::ffff:a.b.c.d
  if (zeroPrefix(6)) return v4Forbidden(embedded(g[6], g[7])); // ::a.b.c.d (deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) {
    return v4Forbidden(embedded(g[6], g[7])); // NAT64
  }
  if (g[0] === 0x2002) return v4Forbidden(embedded(g[1], g[2])); // 6to4
  if ((g[0] & 0xfe00) === 0xfc00) return true; // unique local fc00::/7
  if ((g[0] & 0xffc0) === 0xfe80) return true; // link-local fe80::/10
  if ((g[0] & 0xffc0) === 0xfec0) return true; // site-local (deprecated)
  if ((g[0] & 0xff00) === 0xff00) return true; // multicast
  if (g[0] === 0x2001 && g[1] === 0x0db8) return true; // documentation
  return false;
}

async function resolveDns(hostname: string): Promise<string[]> {
  const lookups = await Promise.allSettled([
    Deno.resolveDns(hostname, "A"),
    Deno.resolveDns(hostname, "AAAA"),
  ]);
  return lookups.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
}

/** Throws SafeFetchError unless `url` is http(s) to a host Invito may reach. */
export async function assertReachable(url: URL, opts: SafeFetchOptions): Promise<void> {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new SafeFetchError("forbidden_address", "only http and https addresses are allowed");
  }
  if (url.username || url.password) {
    throw new SafeFetchError(
      "forbidden_address",
      "the address must not contain a user name or password",
    );
  }
  if (opts.allowPrivate) return;
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase().replace(/\.$/, "");
  if (parseV4(host) || parseV6(host)) {
    if (isForbiddenAddress(host)) {
      throw new SafeFetchError("forbidden_address", `${host} is a private or local address`);
    }
    return;
  }
  if (host === "localhost" || host.endsWith(".localhost") || !host.includes(".")) {
    throw new SafeFetchError("forbidden_address", `${host} is a local host name`);
  }
  const addresses = await (opts.resolve ?? resolveDns)(host);
  if (addresses.length === 0) {
    throw new SafeFetchError("network", `the host name ${host} could not be resolved`);
  }
  const bad = addresses.find(isForbiddenAddress);
  if (bad) {
    throw new SafeFetchError("forbidden_address", `${host} resolves to a private or local address`);
  }
}

async function readLimited(res: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw new SafeFetchError(
      "too_large",
      `the response is larger than ${Math.round(maxBytes / 1_048_576)} MB`,
    );
  }
  if (!res.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      throw new SafeFetchError(
        "too_large",
        `the response is larger than ${Math.round(maxBytes / 1_048_576)} MB`,
      );
    }
    chunks.push(chunk);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function describeNetworkError(err: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  // Deno says "fetch failed" and puts the reason ("Connection refused (os error 111)") in `cause`.
  const cause = err instanceof Error && err.cause instanceof Error ? ` ${err.cause.message}` : "";
  const msg = (err instanceof Error ? err.message : String(err)) + cause;
  if (/refused/i.test(msg)) return "the connection was refused";
  if (/certificate|tls|ssl/i.test(msg)) return "the TLS certificate was not accepted";
  if (/dns|lookup|resolve|not known/i.test(msg)) return "the host name could not be resolved";
  if (/reset|closed|broken pipe/i.test(msg)) return "the connection was closed";
  return "the server could not be reached";
}

/**
 * A `fetch` with the guard applied to every hop. The body is read in full (within the size
 * limit) and returned in a fresh Response whose `url` is the final address. Request bodies must be
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
      await assertReachable(url, opts);
      let res: Response;
      let body: Uint8Array;
      try {
        res = await fetch(url, { ...init, redirect: "manual", signal });
        body = await readLimited(res, maxBytes);
      } catch (err) {
        if (err instanceof SafeFetchError) throw err;
        throw new SafeFetchError("network", describeNetworkError(err, deadline.aborted, timeoutMs));
      }
      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && res.status !== 304 && location) {
        const next = new URL(location, url);
        if (next.hostname !== origin.hostname) {
          throw new SafeFetchError(
            "network",
            `the server redirected to another host (${next.hostname}), which Invito does not follow`,
          );
        }
        if (hop >= maxRedirects) {
          throw new SafeFetchError("network", "the server redirected too many times");
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
