/**
 * The junk the HTTP fuzzers send (tests/reliability/fuzz-http.test.ts, fuzz-round3.test.ts):
 * odd strings, broken percent-encoding, mutations of a page's own form, the forms read from a
 * page's HTML, and the sending and checking of a batch of requests.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { AppHandle } from "../support/app.ts";

// --- junk -------------------------------------------------------------------------------------

export const SPECIAL = [
  "",
  " ",
  "\u0000",
  "\t\r\n",
  "\r\nSet-Cookie: x=1",
  "%00",
  "%ZZ",
  "%",
  "..",
  "../../../../etc/passwd",
  "/",
  "//evil.example",
  "javascript:alert(1)",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "' OR 1=1 --",
  "${7*7}",
  "{{7*7}}",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "[object Object]",
  "null",
  "undefined",
  "true",
  "NaN",
  "Infinity",
  "-0",
  "1e309",
  "-1",
  "0",
  "9007199254740993",
  "0x10",
  "\ud800",
  "\udfff\ud800",
  "\ufeff",
  "\u202e",
  "\u200b",
  "e\u0301",
  "🙂",
  "🙂".repeat(400),
  "ǅ",
  "ß",
  "İ",
  "ﬁ",
  "Ω",
  "\u{10FFFF}",
  // dates and zones a calendar can choke on
  "2026-02-30",
  "2026-02-29",
  "2026-13-01",
  "2026-00-10",
  "0000-00-00",
  "9999-12-31",
  "+275760-09-13",
  "-271821-04-20",
  "2026-11-23T08:00:00Z",
  "2026-11-23T08:00:00.000000001Z",
  "2026-11-23T24:00:00Z",
  "2026-11-23T08:00:00+25:00",
  "2026-11-23T08:00:00+01:00[Europe/Berlin]",
  "2026-03-29T02:30:00[Europe/Berlin]",
  "2026-W48-1",
  "1970-01-01T00:00:00Z",
  "-000001-01-01T00:00:00Z",
  "+999999-01-01T00:00:00Z",
  "2026-11",
  "2026-1",
  "26-11",
  "2026-11-23T",
  "T08:00Z",
  "UTC",
  "Europe/Berlin",
  "europe/berlin",
  "Mars/Olympus",
  "Etc/GMT+15",
  "Etc/GMT-14",
  "UTC\u0000",
  "Europe/../../etc",
  "America/Argentina/ComodRivadavia",
  "Australia/Lord_Howe",
  "+05:30",
  "-25:00",
  "Z",
  "GMT+1",
  "EST5EDT",
  "local",
];

export const control = fc.string({
  unit: fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)),
  maxLength: 20,
});
export const junkText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: control },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
  { weight: 1, arbitrary: fc.nat({ max: 200_000 }).map((n) => "x".repeat(n)) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(...SPECIAL), fc.string({ maxLength: 10 })).map(([a, b]) =>
      a + b + a
    ),
  },
);
/** Short enough for a URL (servers answer 414/431 beyond a few KB, which is fine but teaches nothing). */
export const junkQueryText = junkText.map((s) => s.slice(0, 3_000));
/** Raw text for an urlencoded body or query: invalid UTF-8 and broken percent sequences. */
export const rawEncoded = fc.constantFrom(
  "%FF%FE",
  "%C0%AF",
  "%E0%A4",
  "%ED%A0%80",
  "%",
  "%%",
  "%zz",
  "a%00b",
  "%F4%90%80%80",
  "+++",
  "%2",
);

export type Form = [string, string][];

export type Mutation =
  | { kind: "replace"; field: number; value: string }
  | { kind: "all"; values: string[] }
  | { kind: "drop"; field: number }
  | { kind: "dup"; field: number; value: string; before: boolean }
  | { kind: "extra"; name: string; value: string }
  | { kind: "file"; field: number; value: string }
  | { kind: "raw"; field: number; raw: string }
  | { kind: "json"; value: string }
  | { kind: "empty" }
  | { kind: "text"; value: string }
  | { kind: "multipart"; value: string; boundary: string };

export function mutationArb(fieldCount: number): fc.Arbitrary<Mutation> {
  const field = fc.nat({ max: Math.max(0, fieldCount - 1) });
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({ kind: fc.constant("replace" as const), field, value: junkText }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("all" as const),
        values: fc.array(junkText, { minLength: fieldCount, maxLength: fieldCount }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("drop" as const), field }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("dup" as const),
        field,
        value: junkText,
        before: fc.boolean(),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("extra" as const),
        name: fc.oneof(
          fc.constantFrom(
            "__proto__",
            "constructor",
            "start",
            "id",
            "email",
            "q_x",
            "intent",
            "durations",
          ),
          junkText,
        ),
        value: junkText,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant("file" as const), field, value: junkText }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant("raw" as const), field, raw: rawEncoded }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("json" as const), value: junkText }) },
    { weight: 1, arbitrary: fc.constant({ kind: "empty" as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("text" as const), value: junkText }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("multipart" as const),
        value: junkText,
        boundary: fc.constantFrom("", "x", "----invito", '"quoted"', "a".repeat(100)),
      }),
    },
  );
}

/** Percent-encoding that survives lone surrogates (they become U+FFFD, as a browser sends them). */
export const enc = (s: string) => encodeURIComponent(s.toWellFormed());

/**
 * The same path as SvelteKit decodes it, spelled differently: letters, digits and "-._~" of the
 * path percent-encoded where `flags` says (upper- or lower-case hex), and the "/" of a "?/action"
 * query key as %2F. Every route must treat each spelling exactly like the plain one (issue 10:
 * rate limits, the embed allowlist and the dashboard's sign-in check once read the raw path).
 */
export function percentSpelled(path: string, flags: readonly boolean[], lower: boolean): string {
  let i = 0;
  const pick = () => flags.length > 0 && flags[i++ % flags.length];
  const hex = (c: string) => {
    const h = c.charCodeAt(0).toString(16).padStart(2, "0");
    return `%${lower ? h : h.toUpperCase()}`;
  };
  const q = path.indexOf("?");
  const head = q < 0 ? path : path.slice(0, q);
  let tail = q < 0 ? "" : path.slice(q);
  const spelledHead = [...head].map((c) => (/[A-Za-z0-9._~-]/.test(c) && pick() ? hex(c) : c))
    .join("");
  tail = tail.replace(
    /^\?\/([A-Za-z]+)/,
    (_m, name: string) =>
      `?${pick() ? hex("/") : "/"}${[...name].map((c) => (pick() ? hex(c) : c)).join("")}`,
  );
  return spelledHead + tail;
}

/** A path as given or in a random percent-encoded spelling (half of the cases each). */
export const spelled = (path: string) =>
  fc.tuple(fc.boolean(), fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }), fc.boolean())
    .map(([plain, flags, lower]) => (plain ? path : percentSpelled(path, flags, lower)));

export function encode(form: Form): string {
  return form.map(([k, v]) => `${enc(k)}=${enc(v)}`).join("&");
}

/** The request body and content type for a mutated form, and a short description. */
export function mutate(form: Form, m: Mutation): { body?: BodyInit; type?: string; what: string } {
  const what = describeMutation(form, m);
  return { ...body(form, m), what };
}

export function describeMutation(form: Form, m: Mutation): string {
  const field = "field" in m ? form[m.field]?.[0] : undefined;
  const value = "value" in m
    ? JSON.stringify(m.value.slice(0, 40)) + (m.value.length > 40 ? `…(${m.value.length})` : "")
    : "";
  return `${m.kind}${field ? ` ${field}` : ""}${"raw" in m ? ` ${m.raw}` : ""}${
    "name" in m ? ` ${JSON.stringify(m.name.slice(0, 20))}` : ""
  } ${value}`.trim();
}

export function body(form: Form, m: Mutation): { body?: BodyInit; type?: string } {
  const f: Form = form.map(([k, v]) => [k, v]);
  switch (m.kind) {
    case "replace":
      if (f[m.field]) f[m.field][1] = m.value;
      break;
    case "all":
      f.forEach((x, i) => (x[1] = m.values[i] ?? ""));
      break;
    case "drop":
      f.splice(m.field, 1);
      break;
    case "dup":
      if (f[m.field]) f.splice(m.before ? m.field : m.field + 1, 0, [f[m.field][0], m.value]);
      break;
    case "extra":
      f.push([m.name, m.value]);
      break;
    case "file": {
      const fd = new FormData();
      f.forEach(([k, v], i) =>
        i === m.field ? fd.append(k, new File([m.value], "junk.bin")) : fd.append(k, v)
      );
      return { body: fd };
    }
    case "raw": {
      const parts = f.map(([k, v], i) =>
        i === m.field ? `${enc(k)}=${m.raw}` : `${enc(k)}=${enc(v)}`
      );
      return { body: parts.join("&"), type: "application/x-www-form-urlencoded" };
    }
    case "json":
      return {
        body: JSON.stringify(Object.fromEntries(f.map(([k]) => [k, m.value]))),
        type: "application/json",
      };
    case "empty":
      return { type: "application/x-www-form-urlencoded" };
    case "text":
      return { body: m.value, type: "text/plain" };
    case "multipart":
      // A multipart body that does not match its boundary, or has none.
      return {
        body: `--x\r\ncontent-disposition: form-data; name="a"\r\n\r\n${m.value}`,
        type: `multipart/form-data; boundary=${m.boundary}`,
      };
  }
  return { body: encode(f), type: "application/x-www-form-urlencoded" };
}

// --- forms from pages --------------------------------------------------------------------------

export const unescape = (s: string) =>
  s.replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&lt;/g, "<").replace(
    /&gt;/g,
    ">",
  ).replace(/&amp;/g, "&");
export const attr = (tag: string, name: string) =>
  new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

/** The POST forms of a page: action and fields as a browser would submit them. */
export function postForms(html: string): { action: string; fields: Form }[] {
  const out: { action: string; fields: Form }[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    if (!/method="POST"/i.test(m[1])) continue;
    const action = unescape(attr(m[1], "action") ?? "");
    if (action.startsWith("/signout")) continue;
    const found: [number, string, string][] = [];
    for (const el of m[2].matchAll(/<input\b([^>]*?)\/?>/g)) {
      const name = attr(el[1], "name");
      const type = attr(el[1], "type") ?? "text";
      if (!name || type === "submit" || type === "button") continue;
      if ((type === "checkbox" || type === "radio") && !/\schecked/.test(el[1])) continue;
      found.push([
        el.index!,
        name,
        unescape(attr(el[1], "value") ?? (type === "checkbox" ? "on" : "")),
      ]);
    }
    for (const el of m[2].matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
      const name = attr(el[1], "name");
      if (name) found.push([el.index!, name, unescape(el[2])]);
    }
    for (const el of m[2].matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
      const name = attr(el[1], "name");
      const options = [...el[2].matchAll(/<option\b([^>]*)>/g)];
      const chosen = options.find((o) => /\sselected/.test(o[1])) ?? options[0];
      if (name) {
        found.push([el.index!, name, unescape(chosen ? attr(chosen[1], "value") ?? "" : "")]);
      }
    }
    const fields: Form = found.sort((a, b) => a[0] - b[0]).map(([, k, v]) => [k, v]);
    out.push({ action, fields });
  }
  return out;
}

/** What a person would type into the blank fields, so that unmutated fields are valid. */
export const TYPED: Record<string, string> = {
  name: "Ann Guest",
  email: "ann@example.test",
  note: "Looking forward",
  title: "Team sync",
  slug: "team-sync",
};
export const filled = (fields: Form, typed: Record<string, string> = TYPED): Form =>
  fields.map(([k, v]) => [k, v === "" && typed[k] !== undefined ? typed[k] : v]);

// --- sending and checking ----------------------------------------------------------------------

export type Outcome = { label: string; status: number | null; error?: string };

export async function send(
  app: AppHandle,
  method: "GET" | "POST",
  path: string,
  body: { body?: BodyInit; type?: string; what?: string } = {},
  cookie?: string,
): Promise<Outcome> {
  const headers: Record<string, string> = { accept: "text/html" };
  if (method === "POST") headers.origin = app.baseUrl;
  if (body.type) headers["content-type"] = body.type;
  if (cookie) headers.cookie = cookie;
  try {
    const res = await fetch(app.baseUrl + path, {
      method,
      headers,
      body: body.body,
      redirect: "manual",
    });
    await res.body?.cancel();
    return {
      label: `${method} ${path.slice(0, 160)}${body.what ? ` (${body.what})` : ""}`,
      status: res.status,
    };
  } catch (e) {
    return {
      label: `${method} ${path.slice(0, 160)}`,
      status: null,
      error: e instanceof Error ? e.message : String(e),
    };
  }
}

/** Runs the requests 4 at a time; returns every outcome. */
export async function runAll<T extends Outcome>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < jobs.length) out.push(await jobs[next++]());
  }));
  return out;
}

/**
 * The server's error reports (handleError logs "[error <id>] METHOD path" and the error; the MCP
 * handler "[mcp error <id>]").
 */
export function errorLines(log: string): string {
  const lines = log.split("\n");
  const out: string[] = [];
  lines.forEach((l, i) => {
    if (/^\[(mcp )?error /.test(l)) out.push(lines.slice(i, i + 4).join("\n"));
  });
  return out.slice(0, 5).join("\n---\n");
}

export function assertNoServerErrors(group: string, outcomes: Outcome[], logs?: () => string) {
  const bad = outcomes.filter((o) => o.status === null || o.status >= 500);
  assert.deepEqual(
    bad.map((o) => `${o.label} → ${o.status ?? o.error}`),
    [],
    `${group}: only 2xx/3xx/4xx answers${logs ? `\n${errorLines(logs())}` : ""}`,
  );
}
