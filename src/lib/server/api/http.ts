/**
 * The JSON API's HTTP plumbing: answers, RFC 9457 problems (type, status and words from the one
 * refusal table), bounded body reading (413), content types (415) and CORS. Bearer keys, never
 * cookies, authorise the API, so any site may call it from a browser.
 */
import {
  isRefusalReason,
  problemType,
  type RefusalReason,
  REFUSALS,
  retryAfterOf,
} from "../../shared/refusals.ts";

import { API_BODY_LIMIT } from "../http/body-limit.ts";
import { NO_POLICY_HEADERS } from "../http/static-headers.ts";
import { utf8Length } from "../../shared/utf8.ts";
import type { MessageKey } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";

/** The API's body policy (http/body-limit.ts): server.ts refuses larger bodies before they are read. */
export const MAX_BODY_BYTES = API_BODY_LIMIT;

export type ApiResponse = {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * This answer already built (from the same status, body and headers), to send a clone of: a
   * Response built with its dozen headers costs ~10 µs (each one validated), a clone ~1 µs — a
   * tenth of a kept slots answer's whole request (issue 26). HEAD is built as usual.
   */
  built?: Response;
  /**
   * A problem's `detail` as catalog words, for a caller that answers in another language than
   * the API's English (MCP). Not sent: the body carries the English.
   */
  said?: Said;
};
export type Said = { key: MessageKey; params?: Record<string, string | number> };
export type FieldError = { field: string; message: string };

/** What every answer carries: any site may read it, and these of its headers. */
export const CORS_HEADERS: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers":
    "idempotent-replayed, retry-after, location, content-location, allow, www-authenticate",
};

/** What every answer carries before its own headers. */
const ANSWER_BASE_HEADERS: Record<string, string> = {
  ...CORS_HEADERS,
  ...NO_POLICY_HEADERS,
  "cache-control": "no-store",
};

/**
 * A preflight's answer adds what a request may send and how long a browser may remember that.
 * The Fetch standard reads these three from preflights only, so other answers go without them.
 */
export const CORS_PREFLIGHT_HEADERS: Record<string, string> = {
  ...CORS_HEADERS,
  "access-control-allow-headers": "authorization, content-type, idempotency-key",
  "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
  "access-control-max-age": "86400",
};

export function ok(body: unknown, status = 200, headers?: Record<string, string>): ApiResponse {
  return { status, body, headers };
}

export type ProblemBody = {
  type: string;
  title: string;
  status: number;
  detail: string;
  reason: RefusalReason;
  errors?: FieldError[];
};

export function problem(
  baseUrl: string,
  reason: RefusalReason,
  extra: {
    detail?: string;
    said?: Said;
    errors?: FieldError[];
    headers?: Record<string, string>;
  } = {},
): ApiResponse {
  const r = REFUSALS[reason];
  const said = extra.said;
  const body: ProblemBody = {
    type: problemType(baseUrl, reason),
    title: r.title,
    status: r.status,
    detail: extra.detail ?? (said ? translator("en").t(said.key, said.params) : r.detail),
    reason,
    ...(extra.errors ? { errors: extra.errors } : {}),
  };
  return { status: r.status, body, headers: extra.headers, ...(said ? { said } : {}) };
}

export function toResponse(res: ApiResponse, method: string): Response {
  if (res.built && method !== "HEAD") return res.built.clone();
  // The security headers from the start: the outer layer (staticHeaders) then finds them there
  // instead of adding them one by one to every answer.
  const headers: Record<string, string> = { ...ANSWER_BASE_HEADERS };
  if (res.headers) { for (const k in res.headers) headers[k.toLowerCase()] = res.headers[k]; }
  let body: string | Uint8Array<ArrayBuffer> | null = null;
  if (res.body !== undefined && res.status !== 204) {
    const isProblem = res.status >= 400;
    // A refusal that may pass later says when (also one replayed through an Idempotency-Key).
    const reason = isProblem ? (res.body as { reason?: unknown } | null)?.reason : undefined;
    if (typeof reason === "string" && isRefusalReason(reason) && !("retry-after" in headers)) {
      const s = retryAfterOf(reason);
      if (s !== null) headers["retry-after"] = String(s);
    }
    headers["content-type"] ??= isProblem
      ? "application/problem+json"
      : "application/json; charset=utf-8";
    body = typeof res.body === "string" || res.body instanceof Uint8Array
      ? res.body as string | Uint8Array<ArrayBuffer>
      : JSON.stringify(res.body);
  }
  // The length, known without encoding: an answer of unknown length was compressed as a stream
  // (http/compress.ts), a CompressionStream per answer even for a small booking (~5 % of an API
  // booking's JavaScript in issue 26's profile); with it, a small answer goes as it is and a
  // large one is compressed whole, off this thread.
  if (body !== null && !("content-length" in headers)) {
    headers["content-length"] = String(typeof body === "string" ? utf8Length(body) : body.length);
  }
  // Set one by one on the new Response, not handed to its constructor: there Deno converts each
  // value through WebIDL first, 2–3× the cost (issue 26). `set` also replaces the content type
  // Deno gives a text body.
  const out = new Response(method === "HEAD" ? null : body, { status: res.status });
  const h = out.headers;
  for (const k in headers) h.set(k, headers[k]);
  return out;
}

type BodyRefusal = Extract<BodyRead, { ok: false }>["reason"];

export type BodyRead =
  /** `empty`: there was no body, read as `{}` (JSON-RPC has no empty message: MCP refuses it). */
  | { ok: true; value: unknown; empty?: true }
  | {
    ok: false;
    reason:
      | "payload_too_large"
      | "unsupported_media_type"
      | "unsupported_content_encoding"
      | "invalid_json";
  };

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** What a body's refusal says besides its words: the encodings taken (RFC 9110 §12.5.3). */
export function bodyRefusalHeaders(reason: BodyRefusal): Record<string, string> | undefined {
  return reason === "unsupported_content_encoding" ? { "accept-encoding": "identity" } : undefined;
}

/**
 * The request's JSON body, read no further than the limit. An empty body reads as `{}`. `read`:
 * the body's bytes when server.ts has read them already (within the body policy's limit): the
 * request is then not read again, nor rebuilt to carry them (issue 26: "a request is not parsed
 * twice"; the copy and the second read were ~60 µs of an API booking).
 */
export async function readJson(
  req: Request,
  maxBytes = MAX_BODY_BYTES,
  read?: Uint8Array | null,
): Promise<BodyRead> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (read === undefined && Number.isFinite(declared) && declared > maxBytes) {
    await req.body?.cancel().catch(() => {});
    return { ok: false, reason: "payload_too_large" };
  }
  // A compressed body (a client that gzips its requests) read as it came is no JSON: saying so
  // sent its author looking for a mistake in their JSON. RFC 9110 §15.5.16: 415.
  const encoding = (req.headers.get("content-encoding") ?? "").trim().toLowerCase();
  if (encoding !== "" && encoding !== "identity") {
    if (read === undefined) await req.body?.cancel().catch(() => {});
    return { ok: false, reason: "unsupported_content_encoding" };
  }
  const type = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  const bytes = read === undefined ? await readCapped(req, maxBytes) : read ?? new Uint8Array();
  if (bytes === null) return { ok: false, reason: "payload_too_large" };
  if (bytes === "broken") return { ok: false, reason: "invalid_json" };
  const size = bytes.byteLength;
  if (size > maxBytes) return { ok: false, reason: "payload_too_large" };
  if (size === 0 && type === "") return { ok: true, value: {}, empty: true };
  if (type !== "application/json" && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) {
    return { ok: false, reason: "unsupported_media_type" };
  }
  if (size === 0) return { ok: true, value: {}, empty: true };
  try {
    const text = strictUtf8.decode(bytes);
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, reason: "invalid_json" };
  }
}

/** The body's bytes, or null past `maxBytes`, or "broken" when the stream failed. */
async function readCapped(req: Request, maxBytes: number): Promise<Uint8Array | null | "broken"> {
  if (!req.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        return null;
      }
      chunks.push(value);
    }
  } catch {
    return "broken";
  }
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}
