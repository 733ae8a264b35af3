/**
 * Refused booking form posts without JavaScript (ADR 014): answered from a kept template of the
 * page with the refusal, filled per request, instead of rendering the page for every loser.
 */
import { setBounded } from "../../shared/bounded-map.ts";
import { KeptPages } from "./kept-pages.ts";
import { error, type Handle, isHttpError, type RequestEvent } from "@sveltejs/kit";
import { recordRefusalPage } from "../ops/metrics.ts";
import type { App } from "../app.ts";
import { type BookForm, decideBookForm, slotPageFor } from "./booking-page.ts";
import { pageRevision } from "../services/page-revision.ts";
import type { SlotPage } from "../services/slot-page.ts";
import { fillToken } from "../services/anti-spam.ts";
import { randomToken } from "../util/digest.ts";
import {
  MAX_BYTES,
  MAX_ENTRIES,
  newNonce,
  NONCE,
  pageQueryKey,
  ROUTES,
  SESSION_COOKIE,
} from "./page-keep.ts";
import {
  gzipAccepted,
  keptHeaders,
  type Spliced,
  splicedOf,
  splicedResponse,
} from "./spliced-bytes.ts";

// ── refused booking form posts ──────────────────────────────────────────────────────────────

/** A form post from the booking page without JavaScript (the enhanced post answers in JSON). */
export function isPlainBookPost(event: RequestEvent): boolean {
  return event.request.method === "POST" && ROUTES.has(event.route.id ?? "") &&
    event.url.searchParams.has("/book") && isPlainPost(event.request.headers) &&
    FORM_BODY.test(event.request.headers.get("content-type") ?? "") &&
    !SESSION_COOKIE.test(event.request.headers.get("cookie") ?? "");
}

/**
 * A form body. Any other is left to SvelteKit and the action (JSON: SvelteKit's 415; text/plain:
 * http/form-body.ts's 400), on the app's error page in the page's language; read here, it was
 * refused from this hook, which SvelteKit answers with its bare fallback page in English.
 */
const FORM_BODY = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\b/i;

/** A post without the page's script (`use:enhance` marks its posts with `x-sveltekit-action`). */
export const isPlainPost = (h: Headers): boolean => !h.has("x-sveltekit-action");

type Context = "attr" | "text" | "js";
/** What goes between two literal parts: a typed value, or this response's nonce or fill token. */
type Hole = { kind: "value"; name: string; context: Context } | { kind: "nonce" } | {
  kind: "token";
};
/** The page's UTF-8 bytes between its holes (spliced-bytes.ts). */
type Template = Spliced & {
  status: number;
  headers: [string, string][];
  holes: Hole[];
  /** The nonce the template was rendered with (in its CSP header). */
  nonce: string | null;
  /**
   * The headers of SvelteKit's whole answer from this template (the outer hooks' security
   * headers and Vary included) and its nonce: what an answer before SvelteKit sends
   * (http/book-early.ts). Learned from the first such answer; until then SvelteKit answers.
   */
  final?: { headers: [string, string][]; nonce: string | null };
  /** Its key in `templates`. */
  key?: string;
};

const templates = new KeptPages<Template>(MAX_ENTRIES, MAX_BYTES);
/**
 * Refusal pages' data by URL, language and revision (services/page-revision.ts) and minute: a
 * crowd of losers shares one read, and later losers of an unchanged host none. Bounded.
 */
const pageReads = new Map<string, Promise<SlotPage>>();
/** Templates being rendered, by key: later arrivals wait for them. */
const rendering = new Map<string, Promise<Template | null>>();

function keep(key: string, t: Template) {
  t.key = key;
  templates.keep(key, t);
}

/** Per process, so a guest cannot type a stand-in of someone else's field. */
const STAND_IN = `iv${randomToken(12).replace(/[^A-Za-z0-9]/g, "")}x`;
const standIn = (i: number) => `${STAND_IN}${i}z`;

/** What Svelte writes for a value in an attribute or in text (svelte/src/escaping.js). */
function escapeHtml(s: string, attr: boolean): string {
  return s.replace(
    attr ? /[&"<]/g : /[&<]/g,
    (c) => c === "&" ? "&amp;" : c === '"' ? "&quot;" : "&lt;",
  );
}

/** What SvelteKit's serializer (devalue) writes inside a string literal of the hydration script. */
function escapeJs(s: string): string {
  return s.replace(
    /["<\\\n\r\t\b\f\u2028\u2029\u0000-\u001f]/g,
    (c) =>
      c === '"'
        ? '\\"'
        : c === "<"
        ? "\\u003C"
        : c === "\\"
        ? "\\\\"
        : c === "\n"
        ? "\\n"
        : c === "\r"
        ? "\\r"
        : c === "\t"
        ? "\\t"
        : c === "\b"
        ? "\\b"
        : c === "\f"
        ? "\\f"
        : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * Splits a page rendered with stand-ins into literal parts and holes. Svelte writes a value in
 * an attribute (`="…"`) or as text (`>…`), SvelteKit's serializer as a string in the hydration
 * script; anywhere else the attribute escaping is used, which is safe in any HTML context.
 */
function toTemplate(
  body: string,
  names: string[],
  nonce: string | null,
  token: string | null,
): Pick<Template, "parts" | "size" | "holes"> {
  const escapeRe = (x: string) => x.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const find = new RegExp(
    [`${STAND_IN}(\\d+)z`, nonce && `(${escapeRe(nonce)})`, token && `(${escapeRe(token)})`]
      .filter(Boolean).join("|"),
    "g",
  );
  const scripts: [number, number][] = [];
  for (const m of body.matchAll(/<script\b[^>]*>[\s\S]*?<\/script>/g)) {
    scripts.push([m.index!, m.index! + m[0].length]);
  }
  const parts: string[] = [];
  const holes: Hole[] = [];
  let last = 0;
  for (const m of body.matchAll(find)) {
    const at = m.index!;
    parts.push(body.slice(last, at));
    last = at + m[0].length;
    if (m[1] === undefined) {
      holes.push(nonce !== null && m[0] === nonce ? { kind: "nonce" } : { kind: "token" });
      continue;
    }
    const before = body.slice(Math.max(0, at - 2), at);
    const context: Context = scripts.some(([a, b]) => a < at && at < b)
      ? "js"
      : before.endsWith(">")
      ? "text"
      : "attr";
    holes.push({ kind: "value", name: names[Number(m[1])] ?? "", context });
  }
  parts.push(body.slice(last));
  return { ...splicedOf(parts), holes };
}

/**
 * The page for one guest: the template's parts and this answer's values, nonce and token, as
 * bytes — gzipped from the parts deflated once when the guest's browser takes gzip (a refusal is
 * never compressed per answer: compress.ts leaves 409s alone).
 */
export function fill(
  t: Template,
  values: Record<string, string>,
  freshFillToken: string,
  acceptEncoding: string | null,
  headers: { headers: [string, string][]; nonce: string | null } = t,
): Response {
  const nonce = t.nonce ? newNonce() : "";
  const filled = t.holes.map((h) =>
    h.kind === "nonce"
      ? nonce
      : h.kind === "token"
      ? freshFillToken
      : h.context === "js"
      ? escapeJs(values[h.name] ?? "")
      : escapeHtml(values[h.name] ?? "", h.context === "attr")
  );
  const gzip = gzipAccepted(acceptEncoding);
  const res = splicedResponse(
    t,
    filled,
    gzip,
    t.status,
    keptHeaders(headers.headers, headers.nonce, nonce, gzip),
  );
  // The first gzip answer made the deflated copies: they count against the bound from now on.
  if (gzip && t.key !== undefined) templates.recount(t.key, t);
  return res;
}

/** Which template SvelteKit's hook answered a request from (see `learnRefusal`). */
const answeredFrom = new WeakMap<Request, Template>();

/**
 * Refusals before SvelteKit whose template (with its final headers) is not there yet, by
 * template key: one of them is handed to SvelteKit to render it (`renderFor`), and the rest of
 * its crowd waits here for that answer's headers (`learnRefusal` settles them) instead of each
 * going through SvelteKit's pipeline — which put the one render behind 199 of them (p99 ≈ max,
 * issue 26).
 */
const awaited = new Map<
  string,
  { ready: Promise<Template | null>; settle: (t: Template | null) => void }
>();
/** The request handed to SvelteKit to render a template, and where the template is kept. */
const renderers = new WeakMap<Request, Lookup>();

/**
 * After SvelteKit answered a refused post from a template (or failed to: `res` undefined): the
 * answer's final headers, kept with the template for answers before SvelteKit, and whoever
 * waited for them told. The gzip marks `fill` added are taken off again (each answer adds its
 * own).
 */
export function learnRefusal(req: Request, res: Response | undefined): void {
  const t = answeredFrom.get(req);
  if (t && res) learnFinal(t, res);
  const key = renderers.get(req)?.key;
  const w = key === undefined ? undefined : awaited.get(key);
  if (key === undefined || !w) return;
  awaited.delete(key);
  w.settle(t?.final && t.key === key ? t : null);
}

function learnFinal(t: Template, res: Response): void {
  if (t.final || res.status !== t.status) return;
  const gzipped = res.headers.get("content-encoding") === "gzip";
  const headers: [string, string][] = [];
  for (const [k, v] of res.headers) {
    if (k === "content-length" || k === "etag" || k === "content-encoding") continue;
    if (gzipped && k === "vary") {
      const rest = v.split(/\s*,\s*/).filter((x) => x.toLowerCase() !== "accept-encoding");
      if (rest.length) headers.push([k, rest.join(", ")]);
      continue;
    }
    headers.push([k, v]);
  }
  t.final = {
    headers,
    nonce: NONCE.exec(res.headers.get("content-security-policy") ?? "")?.[1] ?? null,
  };
}

/** What a refusal page of a booking post is looked up by (a SvelteKit event or a raw request). */
export type RefusalAsk = {
  app: App;
  /** The booking page's address as asked (path and query). */
  url: URL;
  params: { username: string; slug: string } | { team: string; slug: string };
  locale: string;
  acceptLanguage: string | null;
  acceptEncoding: string | null;
};

type Lookup = { key: string; names: string[]; fixed: Set<string>; typed: Record<string, string> };

/**
 * Where a refusal's template is kept: null when the page cannot be shown (an unknown name, no
 * page), which the page itself then answers.
 */
async function lookup(
  ask: RefusalAsk,
  decided: Extract<BookForm, { kind: "failed" }>,
): Promise<Lookup | null> {
  const { app, url, params, locale, acceptLanguage } = ask;
  // The refusal page's data is kept by the host's revision, read after the refusal (so after
  // the winner's commit): refusals share one read of it, and the template below is keyed by the
  // revision instead of the data itself. The page's language is part of every key: a template
  // holds its words, so each language has its own.
  const revision = await pageRevision(app, params);
  if (revision === null) return null;
  const minute = Math.floor(app.now() / 60_000);
  const readKey = `${url.pathname}${
    pageQueryKey(url)
  }\n${locale}\n${acceptLanguage}\n${revision}\n${minute}`;
  let reading = pageReads.get(readKey);
  if (!reading) {
    const read = slotPageFor(app, params, url, acceptLanguage, locale);
    reading = read;
    read.catch(() => {
      if (pageReads.get(readKey) === read) pageReads.delete(readKey);
    });
    setBounded(pageReads, readKey, read, MAX_ENTRIES);
  }
  const page = await reading;
  if (!page.ok) return null;
  const { values, ft } = decided.data;
  // Choices and ticks change which option is selected, so they are part of the key; what was
  // typed (and the fill token) is filled in.
  const fixed = new Set(
    page.eventType.questions.filter((q) => q.type === "checkbox" || q.type === "choice")
      .map((q) => `q_${q.id}`),
  );
  const names = ["ft", ...Object.keys(values).filter((k) => !fixed.has(k)).sort()];
  const key = JSON.stringify([
    readKey,
    decided.status,
    decided.data.reason,
    names,
    Object.entries(values).filter(([k]) => fixed.has(k)).sort(),
  ]);
  return { key, names, fixed, typed: { ...values, ft } };
}

/**
 * A refused post's page from its kept template, for server.ts's early answer
 * (http/book-early.ts): `{ renderBy }` when none is ready and this request is the one to hand to
 * SvelteKit to render it (`renderBy` marks the request handed over: the hook then keeps the
 * template exactly where this crowd waits for it); null when SvelteKit is to answer it otherwise
 * (no page to show, or the render came to nothing).
 */
export async function keptRefusal(
  ask: RefusalAsk,
  decided: Extract<BookForm, { kind: "failed" }>,
): Promise<Response | { renderBy: (req: Request) => void } | null> {
  if (decided.status === 400) return null;
  const l = await lookup(ask, decided);
  if (!l) return null;
  let t = templates.get(l.key);
  if (!t?.final) {
    // No await between looking and joining: a crowd arrives here in one tick.
    const w = awaited.get(l.key);
    if (!w) {
      let settle!: (t: Template | null) => void;
      awaited.set(l.key, { ready: new Promise((r) => settle = r), settle });
      return { renderBy: (req) => renderers.set(req, l) };
    }
    t = (await w.ready) ?? undefined;
    if (!t?.final) return null;
  } else {
    templates.touch(l.key);
  }
  recordRefusalPage("template");
  return fill(t, l.typed, await fillToken(ask.app), ask.acceptEncoding, t.final);
}

/**
 * Decides the post here (the action then reuses the decision). A booking is answered with its
 * redirect; a refusal with the page, from a template when its data was rendered before.
 */
export async function answerBookPost(
  event: RequestEvent,
  resolve: Parameters<Handle>[0]["resolve"],
): Promise<Response> {
  let decided: BookForm;
  try {
    decided = await decideBookForm(
      event as RequestEvent<{ username: string; slug: string } | { team: string; slug: string }>,
    );
  } catch (err) {
    // A body that cannot be read as a form (http/form-body.ts): refused by the action, which
    // meets the same refusal, so that it shows on the app's error page.
    if (isHttpError(err, 400)) return resolve(event);
    throw err;
  }
  if (decided.kind === "not_found") error(404, event.locals.t.t("errors.no_booking_page"));
  if (decided.kind === "booked") {
    return new Response(null, { status: 303, headers: { location: decided.location } });
  }
  // Field errors are one guest's; only refusals of a valid request are alike.
  if (decided.status === 400) return resolve(event);
  const ask: RefusalAsk = {
    app: event.locals.app,
    url: event.url,
    params: event.params as RefusalAsk["params"],
    locale: event.locals.locale,
    acceptLanguage: event.request.headers.get("accept-language"),
    acceptEncoding: event.request.headers.get("accept-encoding"),
  };
  // A refusal handed over to render its crowd's template keeps it where the crowd waits.
  const l = renderers.get(event.request) ?? await lookup(ask, decided);
  if (!l) return resolve(event);
  // No await between looking for the template and saying that this request renders it: a
  // crowd arrives here within one tick, and each of them rendered the page itself (199 renders
  // of a 56 KB page, ~5 ms each, when the crowd came before its page was learned, issue 26).
  let t = templates.get(l.key);
  const pending = t ? undefined : rendering.get(l.key);
  if (t) {
    templates.touch(l.key);
  } else if (pending) t = (await pending) ?? undefined;
  if (t) {
    answeredFrom.set(event.request, t);
    recordRefusalPage("template");
    return fill(t, l.typed, await fillToken(ask.app), ask.acceptEncoding);
  }
  // The first refusal of its kind renders the template; the rest of its crowd waits for it.
  let settle!: (t: Template | null) => void;
  const mine = rendering.has(l.key) ? null : new Promise<Template | null>((r) => settle = r);
  if (mine) rendering.set(l.key, mine);
  try {
    const made = await renderTemplate(event, resolve, decided, l.names, l.fixed);
    if (made instanceof Response) return made;
    recordRefusalPage("rendered");
    keep(l.key, made);
    if (mine) settle(made);
    answeredFrom.set(event.request, made);
    return fill(made, l.typed, await fillToken(ask.app), ask.acceptEncoding);
  } finally {
    if (mine) {
      settle(null);
      if (rendering.get(l.key) === mine) rendering.delete(l.key);
    }
  }
}

/**
 * Renders the refusal page with stand-ins for the typed values. Anything but an HTML page (an
 * error answer) holds no typed value and is answered as it is.
 */
async function renderTemplate(
  event: RequestEvent,
  resolve: Parameters<Handle>[0]["resolve"],
  decided: Extract<BookForm, { kind: "failed" }>,
  names: string[],
  fixed: Set<string>,
): Promise<Template | Response> {
  const { values } = decided.data;
  event.locals.bookForm = {
    ...decided,
    data: {
      ...decided.data,
      ft: standIn(0),
      values: Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, fixed.has(k) ? v : standIn(names.indexOf(k))]),
      ),
    },
  };
  const stand = await resolve(event);
  event.locals.bookForm = decided;
  if (!stand.headers.get("content-type")?.startsWith("text/html")) return stand;
  const nonce = NONCE.exec(stand.headers.get("content-security-policy") ?? "")?.[1] ?? null;
  return {
    status: stand.status,
    headers: [...stand.headers].filter(([k]) => k !== "etag" && k !== "content-length"),
    ...toTemplate(await stand.text(), names, nonce, event.locals.fillToken ?? null),
    nonce,
  };
}

/** For tests: how many refusal templates are kept. */
export function refusalTemplateCount(): number {
  return templates.size;
}
