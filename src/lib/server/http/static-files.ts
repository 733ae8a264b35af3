/**
 * Static files of the build (`.deno-deploy/static`), served from memory before SvelteKit: the
 * brotli or gzip copy written at build time (scripts/precompress.ts) when the client accepts it,
 * a strong ETag per encoding with 304 on a match, and a year of `immutable` caching for the
 * content-hashed files under /_app/immutable/. Files the walk did not see (or too large to keep)
 * fall through to the adapter as before.
 */
import { join, relative, sep } from "node:path";
import Negotiator from "negotiator";

export const COMPRESSIBLE_EXTENSIONS = new Set([
  ".js",
  ".mjs",
  ".css",
  ".svg",
  ".txt",
  ".html",
  ".json",
  ".xml",
  ".webmanifest",
  ".map",
]);

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".json": "application/json",
  ".xml": "application/xml",
  ".webmanifest": "application/manifest+json",
  ".map": "application/json",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
};

/** Larger files are left to the adapter, which streams them from disk. */
const MAX_IN_MEMORY = 4 * 1024 * 1024;
const IMMUTABLE = "public, max-age=31536000, immutable";
/** embed.js, favicon, robots.txt: other sites load embed.js, so a change must reach them soon. */
const SHORT = "public, max-age=600";

type Variant = { body: Uint8Array<ArrayBuffer>; etag: string };
/** A file's bytes left on disk: read for the request that asks for them (see loadStaticFiles). */
type OnDisk = { path: string; size: number; etag: string };
export type StaticFile = {
  type: string;
  cacheControl: string;
  compressible: boolean;
  identity: Variant | OnDisk;
  br?: Variant;
  gzip?: Variant;
};
export type StaticFiles = Map<string, StaticFile>;

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) yield* walk(p);
    else if (e.isFile) yield p;
  }
}

async function digest(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return btoa(String.fromCharCode(...hash.subarray(0, 12))).replace(/\+/g, "-").replace(
    /\//g,
    "_",
  );
}

const extOf = (path: string) => {
  const slash = path.lastIndexOf("/");
  const dot = path.lastIndexOf(".");
  return dot > slash ? path.slice(dot).toLowerCase() : "";
};

/** Reads the build's static folder; an absent folder gives an empty map (dev, tests of parts). */
export async function loadStaticFiles(dir: string): Promise<StaticFiles> {
  const files: StaticFiles = new Map();
  const paths: string[] = [];
  try {
    for await (const p of walk(dir)) paths.push(p);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return files;
    throw err;
  }
  const present = new Set(paths);
  for (const path of paths) {
    if ((path.endsWith(".br") || path.endsWith(".gz")) && present.has(path.slice(0, -3))) continue;
    const info = await Deno.stat(path);
    if (info.size > MAX_IN_MEMORY) continue;
    const url = "/" + relative(dir, path).split(sep).join("/");
    const ext = extOf(url);
    const body = await Deno.readFile(path);
    const tag = await digest(body);
    // A file with a compressed copy is asked for as it is only by clients that take no
    // compression (scripts, some bots): its bytes stay on disk (the OS caches them) instead of
    // in every process's memory. For the build's scripts and styles that is ~1.8 MB (issue 26).
    const compressed = present.has(`${path}.br`) || present.has(`${path}.gz`);
    const file: StaticFile = {
      type: TYPES[ext] ?? "application/octet-stream",
      cacheControl: url.startsWith("/_app/immutable/") ? IMMUTABLE : SHORT,
      compressible: COMPRESSIBLE_EXTENSIONS.has(ext),
      identity: compressed
        ? { path, size: body.length, etag: `"${tag}"` }
        : { body, etag: `"${tag}"` },
    };
    if (present.has(`${path}.br`)) {
      file.br = { body: await Deno.readFile(`${path}.br`), etag: `"${tag}-br"` };
    }
    if (present.has(`${path}.gz`)) {
      file.gzip = { body: await Deno.readFile(`${path}.gz`), etag: `"${tag}-gz"` };
    }
    files.set(url, file);
  }
  return files;
}

/**
 * The encodings a client accepts, best first, among those we can send. Clients send one of a few
 * spellings of the header with every request, so each answer is remembered (negotiator's parse
 * was ~6 µs of an answer, issue 26's profile); the bound only keeps odd headers from growing it.
 */
export function acceptedEncoding(
  acceptEncoding: string | null,
  offered: ("br" | "gzip")[],
): "br" | "gzip" | null {
  if (!acceptEncoding || offered.length === 0) return null;
  const key = `${offered.join()}\u0000${acceptEncoding}`;
  let best = negotiated.get(key);
  if (best === undefined) {
    const n = new Negotiator({ headers: { "accept-encoding": acceptEncoding } });
    // negotiator 1.x takes the server's preference for equal q-values (br first); its @types lag.
    const encoding = n.encoding as (available: string[], opts: { preferred: string[] }) => string;
    const found = encoding.call(n, [...offered, "identity"], {
      preferred: [...offered, "identity"],
    });
    best = found === "br" || found === "gzip" ? found : null;
    if (negotiated.size >= 256) negotiated.clear();
    negotiated.set(key, best);
  }
  return best;
}
const negotiated = new Map<string, "br" | "gzip" | null>();

/** True when `If-None-Match` names `etag` (weak comparison, as RFC 9110 asks for GET). */
export function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === "*") return true;
  const bare = etag.replace(/^W\//, "");
  return ifNoneMatch.split(",").some((t) => t.trim().replace(/^W\//, "") === bare);
}

/**
 * The response for a static file, or null when `pathname` is not one of ours. A promise only for
 * a file whose bytes are read from disk for this request (`OnDisk`); null then too when they are
 * gone (a build replaced under a running server), and the handler answers.
 */
export function serveStatic(
  files: StaticFiles,
  req: Request,
  pathname: string,
): Response | Promise<Response | null> | null {
  if (req.method !== "GET" && req.method !== "HEAD") return null;
  const file = files.get(pathname);
  if (!file) return null;
  const offered: ("br" | "gzip")[] = [];
  if (file.br) offered.push("br");
  if (file.gzip) offered.push("gzip");
  const encoding = acceptedEncoding(req.headers.get("accept-encoding"), offered);
  const variant = encoding ? file[encoding]! : file.identity;
  const headers = new Headers({
    "content-type": file.type,
    "cache-control": file.cacheControl,
    etag: variant.etag,
  });
  if (file.compressible) headers.set("vary", "accept-encoding");
  if (encoding) headers.set("content-encoding", encoding);
  if (etagMatches(req.headers.get("if-none-match"), variant.etag)) {
    return new Response(null, { status: 304, headers });
  }
  if ("body" in variant) {
    headers.set("content-length", String(variant.body.length));
    return new Response(req.method === "HEAD" ? null : variant.body, { status: 200, headers });
  }
  if (req.method === "HEAD") {
    headers.set("content-length", String(variant.size));
    return new Response(null, { status: 200, headers });
  }
  return Deno.readFile(variant.path).then(
    (body) => {
      headers.set("content-length", String(body.length));
      return new Response(body, { status: 200, headers });
    },
    () => null,
  );
}
