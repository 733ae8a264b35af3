/**
 * Request bodies are bounded before anything reads them (issue 10, #3): a 200 MB POST to a
 * booking form used to be read into memory in full. Runs in server.ts, ahead of SvelteKit.
 *
 * - A declared Content-Length over the route class's limit is answered 413 at once, unread.
 * - Otherwise the body is read as it arrives, at most `limit` bytes: one byte more and the
 *   stream is cancelled and answered 413 (chunked uploads, lying clients). Memory per request is
 *   bounded by the limit, and the forms behind it are small.
 * - A body that stops arriving is answered 408 (a client that sends half a body and waits would
 *   otherwise hold its request open for ever): when nothing comes for `timeoutMs`, or when it
 *   falls behind `timeoutMs` plus the time its bytes take at `MIN_BODY_PACE`. A whole-body
 *   deadline refused every 63 MB import slower than ~2 MB/s, a home uplink's pace (CI, 2026-11-28).
 *
 * One body policy per kind of route, decided here and nowhere else (issue 22, issue 34):
 *
 * | kind     | routes                                   | limit  | refusal                    |
 * |----------|------------------------------------------|--------|----------------------------|
 * | `api`    | `/api/…` (the JSON API)                  | 100 KB | `application/problem+json` |
 * | `guest`  | guest forms, sign-in, link pages, Auth.js | 64 KB  | text, in the reader's language |
 * | `host`   | the dashboard's forms, for a request whose session has been verified | 1 MB | text |
 * | `upload` | the profile's data import, for a request whose session has been verified | 64 MB | text |
 *
 * The kind follows the decoded path (SvelteKit routes on it). The dashboard's limits are granted
 * only after the session in the request has been looked up and found live: a request without
 * one, or with a cookie that merely has the session's name (forged, expired, signed out), gets
 * a guest form's 64 KB, so an anonymous client can never make the server hold more.
 */
import { canonicalPath, isApiPath } from "./route-shape.ts";
import { earlyProblem } from "./early-answers.ts";
import { joinBytes } from "../util/bytes.ts";
import { earlyTranslatorOf } from "./early-translator.ts";
import type { Translator } from "../../shared/i18n.ts";

export type BodyKind = "api" | "guest" | "host" | "upload";

export const BODY_LIMITS: Record<BodyKind, number> = {
  api: 100 * 1024,
  guest: 64 * 1024,
  host: 1024 * 1024,
  /** A host moving servers uploads their exported data (services/host-import.ts IMPORT_MAX_BYTES). */
  upload: 64 * 1024 * 1024,
};
export const GUEST_BODY_LIMIT = BODY_LIMITS.guest;
export const HOST_BODY_LIMIT = BODY_LIMITS.host;
export const UPLOAD_BODY_LIMIT = BODY_LIMITS.upload;
export const API_BODY_LIMIT = BODY_LIMITS.api;

export type BodyPolicy = { kind: BodyKind; limit: number };

/**
 * The body policy of a request. `sessionIsLive` is asked only for the dashboard's routes, and
 * only its `true` (a session found in the store, not expired) grants their limits.
 */
export async function bodyPolicyFor(
  pathname: string,
  search = "",
  sessionIsLive: () => Promise<boolean> = () => Promise.resolve(false),
): Promise<BodyPolicy> {
  const kind = await bodyKindFor(pathname, search, sessionIsLive);
  return { kind, limit: BODY_LIMITS[kind] };
}

async function bodyKindFor(
  pathname: string,
  search: string,
  sessionIsLive: () => Promise<boolean>,
): Promise<BodyKind> {
  if (isApiPath(pathname)) return "api";
  const path = canonicalPath(pathname);
  if (!(path === "/dashboard" || path.startsWith("/dashboard/"))) return "guest";
  // The dashboard's limits are a signed-in host's: a request whose session is not found live
  // (none, forged, expired) is a stranger's and is held to a guest form's limit (issue 22).
  if (!(await sessionIsLive().catch(() => false))) return "guest";
  const upload = path === "/dashboard/profile" &&
    // The action SvelteKit runs: the first query key that names one (route-shape.ts actionName).
    [...new URLSearchParams(search).keys()].find((k) => k.startsWith("/")) === "/importData";
  return upload ? "upload" : "host";
}

/**
 * Uploads (64 MB each) are read and handled one at a time per process; the next waits its turn
 * up to `UPLOAD_WAIT_MS` (its bytes wait in the network, not in memory), then is answered 503.
 * Memory for uploads is then one upload's, however many hosts send one at once.
 */
export const UPLOAD_WAIT_MS = 60_000;
let uploading = false;
/** Waiters for a turn: each says whether it took it (false once it has given up). */
const uploadQueue: (() => boolean)[] = [];

/** A turn to read and handle an upload: its release, or null when none came in time. */
export async function takeUploadTurn(waitMs = UPLOAD_WAIT_MS): Promise<(() => void) | null> {
  if (uploading) {
    const got = await new Promise<boolean>((resolve) => {
      let settled = false;
      const wake = () => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        resolve(true);
        return true;
      };
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        uploadQueue.splice(uploadQueue.indexOf(wake), 1);
        resolve(false);
      }, waitMs);
      uploadQueue.push(wake);
    });
    if (!got) return null;
  }
  uploading = true;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    // The turn passes to the first waiter still waiting (`uploading` stays true), or ends.
    while (uploadQueue.length) if (uploadQueue.shift()!()) return;
    uploading = false;
  };
}

/** The answer to an upload that found no turn in time. */
export async function uploadBusy(req: Request): Promise<Response> {
  return new Response((await earlyTranslatorOf(req)).t("http.upload_busy"), {
    status: 503,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "retry-after": "60",
      connection: "close",
      "cache-control": "no-store",
    },
  });
}

const NO_BODY = new Set(["GET", "HEAD", "OPTIONS"]);
/**
 * The slowest pace (bytes per ms) a body may keep after its first `timeoutMs`: 64 KiB/s, a poor
 * mobile uplink's. A guest form's 64 KB earns one second more; a 64 MB import, ~17 minutes.
 */
export const MIN_BODY_PACE = 64 * 1024 / 1000;
/** How long a body is read before the other requests get a turn. */
const YIELD_AFTER_MS = 10;
/**
 * A body this large is handed on as a stream of its one buffer: a `Request` built from bytes
 * copies them, and a fresh 60 MB copy took ~250 ms of the one thread here (first-touch page
 * faults). `requestBytes` takes the buffer back without copying.
 */
const HANDED_AS_STREAM = 1024 * 1024;

type Why = "too_large" | "too_slow" | "cut_off";

/**
 * The refusal of a body, in the format of its kind: the API's problem+json (its documented
 * `payload_too_large` / `request_timeout` problems), or a short text for people.
 */
export async function bodyRefusal(kind: BodyKind, why: Why, req: Request): Promise<Response> {
  const status = why === "too_large" ? 413 : 408;
  // The rest of the body is never read, so the connection cannot carry another request.
  const headers: Record<string, string> = { connection: "close", "cache-control": "no-store" };
  if (kind === "api") {
    return earlyProblem(req, why === "too_large" ? "payload_too_large" : "request_timeout", {
      detail: why === "too_large"
        ? `The request body is larger than ${BODY_LIMITS.api / 1024} KB.`
        : undefined,
      headers,
    });
  }
  // In the reader's language, from the request itself: nothing of the app has run yet.
  const t: Translator = await earlyTranslatorOf(req);
  const key = why === "too_large"
    ? "http.too_large"
    : why === "too_slow"
    ? "http.too_slow"
    : "http.cut_off";
  return new Response(t.t(key), {
    status,
    headers: { ...headers, "content-type": "text/plain; charset=utf-8" },
  });
}

type Deadline = { at: number; late: () => void };
/**
 * The deadlines of the bodies being read, kept by one timer set for the earliest of them: a
 * timer per request (Deno's `setTimeout` makes a Node-style Timeout object) cost ~17 µs of a
 * booking post, ~1.5 % of a crowd's JavaScript (issue 26's profile). A body read in time only
 * leaves this set; the timer wakes at the earliest deadline, answers the late ones and is set
 * again for the next.
 */
const deadlines = new Set<Deadline>();
/**
 * Deno's `setTimeout` gives a Node-style Timeout (its `ref`/`unref` reach the timer itself; the
 * number it converts to is another id); the two type checkers this code meets disagree on its type.
 */
type Timer = { ref(): unknown; unref(): unknown };
let armed: { at: number; timer: Timer } | null = null;

function watchDeadline(ms: number, late: () => void): Deadline {
  const d = { at: performance.now() + ms, late };
  deadlines.add(d);
  if (!armed || d.at < armed.at) arm(d.at);
  // The first deadline since the timer was let go: it holds the process again.
  else if (deadlines.size === 1) armed.timer.ref();
  return d;
}

/**
 * A body read (or refused): its deadline leaves. The timer stays set with none left, but unref'd,
 * so a server stopping waits for no deadline: a body usually arrives with its headers and is read
 * before the next request's, so clearing it with the last deadline and setting a new one for the
 * next cost ~11 µs of every post (CPU profiles of form posts, issue 26). When it wakes with
 * nothing to watch, it is not set again.
 */
function doneReading(d: Deadline) {
  deadlines.delete(d);
  if (!deadlines.size && armed) armed.timer.unref();
}

function arm(at: number) {
  if (armed) clearTimeout(armed.timer as unknown as number);
  const timer = setTimeout(sweepDeadlines, Math.max(0, at - performance.now()));
  armed = { at, timer: timer as unknown as Timer };
}

function sweepDeadlines() {
  armed = null;
  // A timer may fire a little before its time by this clock: a millisecond's grace.
  const now = performance.now() + 1;
  let next = Infinity;
  for (const d of deadlines) {
    if (d.at <= now) {
      deadlines.delete(d);
      d.late();
    } else if (d.at < next) next = d.at;
  }
  if (next !== Infinity) arm(next);
}

/**
 * A body read within its limit and time: its bytes, what a request handed on carries (`handed`:
 * the bytes, or a stream of them when large, see HANDED_AS_STREAM) and whether the declared
 * length was right. Null for a request without a body.
 */
export type ReadBody = {
  readonly bytes: Uint8Array;
  readonly handed: Uint8Array | ReadableStream<Uint8Array>;
  /** The declared Content-Length is the body's length (the request's headers can be kept). */
  readonly exact: boolean;
} | null;

/**
 * `req` (its headers, method, address) carrying a body `readBody` read. Built only for what reads
 * a Request's body (SvelteKit, the API): a new Request from a served one cost ~25 µs, a third of
 * what Deno.serve takes for a small post (issue 26), and a booking post answered before SvelteKit
 * (http/book-early.ts) reads the bytes and needs none.
 */
export function withBody(
  req: Request,
  body: ReadBody,
  /** Another address and headers for it (server.ts, behind a proxy: the public origin's). */
  as?: { url: string; headers: Headers },
): Request {
  if (!body && !as) return req;
  if (body?.exact && !as) {
    // The usual case (a browser's form post, an API client's JSON): the declared length is right,
    // so the request keeps its header list as it is, copied inside the constructor. Converting it
    // into a new Headers object cost 25 µs and 38 KB of garbage per post (issue 26's profile).
    // @ts-ignore: Deno needs duplex for streaming request bodies
    return new Request(req, { body: body.handed as BodyInit, duplex: "half" });
  }
  return new Request(as?.url ?? req.url, {
    method: req.method,
    headers: as?.headers ?? headersFor(req.headers, body),
    body: (body?.handed ?? null) as BodyInit | null,
    signal: req.signal,
    // @ts-ignore: Deno needs duplex for streaming request bodies
    duplex: "half",
  });
}

/** A copy of `headers` stating the length of `body` as read (a chunked or short body). */
export function headersFor(headers: Headers, body: ReadBody): Headers {
  const out = new Headers(headers);
  if (body && !body.exact) {
    out.delete("transfer-encoding");
    out.set("content-length", String(body.bytes.byteLength));
  }
  return out;
}

/** The body read within the limit and the time (null: none), or the answer to send instead. */
export async function readBody(
  req: Request,
  limit: number,
  timeoutMs: number,
  kind: BodyKind = "guest",
): Promise<ReadBody | Response> {
  if (NO_BODY.has(req.method.toUpperCase()) || req.body === null) return null;
  const refuse = (why: Why) => bodyRefusal(kind, why, req);
  const declared = req.headers.get("content-length");
  if (declared !== null && (!/^\d{1,15}$/.test(declared.trim()) || Number(declared) > limit)) {
    await req.body.cancel().catch(() => {});
    return refuse("too_large");
  }
  const reader = req.body.getReader();
  const body = new BodyBytes(declared === null ? null : Number(declared));
  let late = false;
  // Cancelling the reader ends the pending read (a race per chunk against one deadline promise
  // left a reaction on it for every chunk of a 64 MB upload).
  const deadline = watchDeadline(timeoutMs, () => {
    late = true;
    reader.cancel().catch(() => {});
  });
  const started = performance.now();
  let since = started;
  try {
    while (true) {
      // A large upload whose pieces are already here is read without a turn for anyone else:
      // every page waited behind a 60 MB import (bench/import-pages.ts). Each ~10 ms of reading
      // lets the other requests run.
      if (performance.now() - since > YIELD_AFTER_MS) {
        await new Promise((r) => setTimeout(r, 0));
        since = performance.now();
      }
      const next = await reader.read();
      if (late) return refuse("too_slow");
      if (next.done) break;
      if (body.size + next.value.byteLength > limit) {
        await reader.cancel().catch(() => {});
        return refuse("too_large");
      }
      body.add(next.value);
      // The deadline moves on with what came, never past a silence of `timeoutMs`. It only
      // grows, so the one timer, when it wakes early for it, sets itself again (sweepDeadlines).
      const now = performance.now();
      deadline.at = Math.min(now + timeoutMs, started + timeoutMs + body.size / MIN_BODY_PACE);
    }
  } catch {
    if (late) return refuse("too_slow");
    // The client went away mid-body; nobody is listening for the answer.
    return refuse("cut_off");
  } finally {
    doneReading(deadline);
  }
  const bytes = body.bytes();
  return {
    bytes,
    handed: body.body(bytes),
    exact: declared !== null && Number(declared) === bytes.byteLength,
  };
}

/**
 * A body's bytes as they arrive. With a declared length they are copied into one buffer of that
 * size as they come: the request then holds one buffer, which SvelteKit takes whole. Handing on
 * the chunks as a stream (an upload arrives in thousands) made `request.arrayBuffer()` collect
 * them again in JavaScript: ~200 ms of one thread for a 60 MB import, with every page waiting
 * (bench/import-pages.ts). A single chunk is kept as it is (a form post: no copy).
 */
class BodyBytes {
  size = 0;
  #first: Uint8Array | null = null;
  #buf: Uint8Array | null = null;
  #chunks: Uint8Array[] = [];
  constructor(readonly declared: number | null) {}

  add(chunk: Uint8Array): void {
    if (!this.#first) {
      this.#first = chunk;
      this.size = chunk.byteLength;
      return;
    }
    const end = this.size + chunk.byteLength;
    if (!this.#buf && !this.#chunks.length && this.declared !== null && this.declared >= end) {
      this.#buf = new Uint8Array(this.declared);
      this.#buf.set(this.#first);
    }
    if (this.#buf && end <= this.#buf.length) {
      this.#buf.set(chunk, this.size);
    } else {
      // No length declared, or more than declared (only a caller inside this process can send
      // that): the chunks as they came, joined once at the end.
      if (!this.#chunks.length) this.#chunks.push(this.#buf?.subarray(0, this.size) ?? this.#first);
      this.#buf = null;
      this.#chunks.push(chunk);
    }
    this.size = end;
  }

  /** The body for the request handed on (see HANDED_AS_STREAM). */
  body(bytes = this.bytes()): Uint8Array | ReadableStream<Uint8Array> {
    if (bytes.byteLength <= HANDED_AS_STREAM) return bytes;
    return new ReadableStream<Uint8Array>({
      start(ctrl) {
        ctrl.enqueue(bytes);
        ctrl.close();
      },
    });
  }

  bytes(): Uint8Array {
    if (this.#chunks.length) return joinBytes(this.#chunks, this.size);
    return this.#buf?.subarray(0, this.size) ?? this.#first ?? new Uint8Array(0);
  }
}

/**
 * A request's body as one buffer: the buffer itself when it comes as one piece (a large body
 * `readBody` read, handed on by `withBody`), so 64 MB is not copied again on this thread;
 * otherwise joined once.
 */
export async function requestBytes(req: Request): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const next = await reader.read();
    if (next.done) break;
    chunks.push(next.value);
    size += next.value.byteLength;
  }
  return chunks.length === 1 ? chunks[0] : joinBytes(chunks, size);
}
