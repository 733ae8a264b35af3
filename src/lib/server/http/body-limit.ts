/**
 * Request bodies are bounded before anything reads them (issue 10, #3): a 200 MB POST to a
 * booking form used to be read into memory in full. Runs in server.ts, ahead of SvelteKit.
 *
 * - A declared Content-Length over the route class's limit is answered 413 at once, unread.
 * - Otherwise the body is read as it arrives, at most `limit` bytes: one byte more and the
 *   stream is cancelled and answered 413 (chunked uploads, lying clients). Memory per request is
 *   bounded by the limit, and the forms behind it are small.
 * - A body that does not arrive within `timeoutMs` is answered 408 (a client that sends half a
 *   body and waits would otherwise hold its request open for ever).
 *
 * Limits by route class, from the decoded path (SvelteKit routes on it): a host's dashboard
 * forms (event types with questions, long override lists) get 1 MB, everything else — guest
 * forms, sign-in, link pages, Auth.js — 64 KB.
 */
import { canonicalPath } from "./route-shape.ts";
import { earlyTranslator } from "../i18n.ts";
import type { Translator } from "../../shared/i18n.ts";

export const GUEST_BODY_LIMIT = 64 * 1024;
export const HOST_BODY_LIMIT = 1024 * 1024;
/** A host moving servers uploads their exported data (services/host-import.ts IMPORT_MAX_BYTES). */
export const UPLOAD_BODY_LIMIT = 64 * 1024 * 1024;

/**
 * `search` and `hasSession` single out the one upload (the profile's data import): only a request
 * that carries a session cookie may send that much, so an anonymous client stays at 1 MB.
 */
export function bodyLimitFor(pathname: string, search = "", hasSession = false): number {
  const path = canonicalPath(pathname);
  if (!(path === "/dashboard" || path.startsWith("/dashboard/"))) return GUEST_BODY_LIMIT;
  const upload = path === "/dashboard/profile" &&
    new URLSearchParams(search).has("/importData");
  return upload && hasSession ? UPLOAD_BODY_LIMIT : HOST_BODY_LIMIT;
}

const NO_BODY = new Set(["GET", "HEAD", "OPTIONS"]);

function answer(status: 408 | 413, text: string): Response {
  return new Response(text, {
    status,
    // The rest of the body is never read, so the connection cannot carry another request.
    headers: { "content-type": "text/plain; charset=utf-8", connection: "close" },
  });
}

// In the reader's language, from the request itself: nothing of the app has run yet.
const TOO_LARGE = (t: Translator) => answer(413, t.t("http.too_large"));
const TOO_SLOW = (t: Translator) => answer(408, t.t("http.too_slow"));

/**
 * The request with its body read (within the limit and the time), or the answer to send instead.
 */
export async function boundBody(
  req: Request,
  limit: number,
  timeoutMs: number,
): Promise<Request | Response> {
  if (NO_BODY.has(req.method.toUpperCase()) || req.body === null) return req;
  const t = () => earlyTranslator(req);
  const declared = req.headers.get("content-length");
  if (declared !== null && (!/^\d{1,15}$/.test(declared.trim()) || Number(declared) > limit)) {
    await req.body.cancel().catch(() => {});
    return TOO_LARGE(t());
  }
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) =>
    timer = setTimeout(() => resolve("late"), timeoutMs)
  );
  try {
    while (true) {
      const next = await Promise.race([reader.read(), late]);
      if (next === "late") {
        await reader.cancel().catch(() => {});
        return TOO_SLOW(t());
      }
      if (next.done) break;
      size += next.value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        return TOO_LARGE(t());
      }
      chunks.push(next.value);
    }
  } catch {
    // The client went away mid-body; nobody is listening for the answer.
    return answer(408, t().t("http.cut_off"));
  } finally {
    clearTimeout(timer);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  const headers = new Headers(req.headers);
  headers.delete("transfer-encoding");
  headers.set("content-length", String(size));
  return new Request(req.url, { method: req.method, headers, body, signal: req.signal });
}
