import assert from "node:assert/strict";
import { join } from "node:path";
import { apiClient } from "./provider-http.ts";
import { describeCalendarError, storedWordsIn } from "./calendar-provider.ts";
import { describeBytes, UNREACHABLE } from "./safe-fetch.ts";
import { detailIn, ownDetail } from "./provider-details.ts";
import { translator } from "../i18n.ts";

Deno.test("provider details: what Google Calendar's and Microsoft 365's APIs answer reads in the host's language; their own words inside stay as they came", async () => {
  const answers: Record<string, () => Response> = {
    "/refused": () =>
      Response.json({ error: { message: "Calendar usage limits" } }, { status: 403 }),
    "/refused-plain": () => new Response("", { status: 403 }),
    "/gone": () => new Response("", { status: 404 }),
    "/down": () => new Response("", { status: 502 }),
    "/bad": () => Response.json({ error: { message: "Invalid time zone" } }, { status: 400 }),
    "/bad-plain": () => new Response("", { status: 422 }),
    "/slow": () => new Response("", { status: 429 }),
    "/text": () => new Response("<html>", { status: 200 }),
  };
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => (answers[new URL(req.url).pathname] ?? (() => new Response("", { status: 500 })))(),
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  const api = apiClient({
    apiUrl: base,
    name: "Google Calendar",
    tokens: {
      get: () => Promise.resolve({ ok: true, accessToken: "t" }),
      refresh: () => Promise.resolve({ ok: true, accessToken: "t" }),
      revoked: () => Promise.resolve(),
    },
    sleep: () => Promise.resolve(),
  });
  const de = translator("de");
  const xa = translator("en-XA");
  const english: string[] = [];
  for (const path of [...Object.keys(answers), "https://elsewhere.test/x"]) {
    const got = await api.request("GET", path.startsWith("/") ? base + path : path);
    assert.ok(!got.ok, path);
    if (!detailIn(got.error.detail, xa).startsWith("⟦")) english.push(got.error.detail);
    if (path === "/refused") {
      assert.equal(
        describeCalendarError(got.error, "google", de),
        "Google Calendar hat den Zugriff verweigert: Der Zugriff wurde verweigert (403: Calendar usage limits). Verbinden Sie das Konto neu.",
      );
    }
  }
  assert.deepEqual(english, []);
});

Deno.test("provider details: a detail said in another language reads back with its values, and a server's own words are left as they came", () => {
  const fr = translator("fr");
  assert.equal(
    detailIn(ownDetail("cal.detail_not_found", { what: "event", status: 410 }), fr),
    "l’événement est introuvable (410)",
  );
  assert.equal(
    detailIn(ownDetail("cal.detail_provider_error", { name: "Microsoft 365", status: 503 }), fr),
    "Microsoft 365 a répondu par une erreur (503)",
  );
  assert.equal(detailIn("Unauthorized: token expired", fr), "Unauthorized: token expired");
});

/**
 * The files whose failures reach a host's calendars page (and the mails about it): each detail
 * Invito writes there comes from the catalog (`ownDetail`), never from a literal in English.
 */
const WRITERS = [
  "integrations/caldav.ts",
  "integrations/caldav-provider.ts",
  "integrations/safe-fetch.ts",
  "integrations/provider-http.ts",
  "integrations/oauth.ts",
  "integrations/google-calendar.ts",
  "integrations/microsoft-calendar.ts",
  "integrations/zoom.ts",
  "services/calendar-tokens.ts",
  "services/calendar-providers.ts",
  "services/calendar-oauth.ts",
];

Deno.test("provider details: every failure detail of the calendar integrations is written from the catalog, none as an English literal", async () => {
  const literal = [
    /\b(?:providerFail|fail|new SafeFetchError)\(\s*"[a-z_]+",\s*["'`]/g,
    /\b(?:reconnect|new BrokenReply)\(\s*["'`]/g,
    /\bdetail:\s*["'`]/g,
  ];
  const found: string[] = [];
  for (const file of WRITERS) {
    const src = await Deno.readTextFile(join(import.meta.dirname!, "..", file));
    for (const re of literal) {
      for (const m of src.matchAll(re)) {
        const line = src.slice(0, m.index).split("\n").length;
        found.push(`${file}:${line}: ${src.slice(m.index, m.index + 70).split("\n")[0]}`);
      }
    }
  }
  assert.deepEqual(found, []);
});

Deno.test("storedWordsIn: every error sentence kept in English (a calendar write's log) reads as describeCalendarError says it to the reader", () => {
  const en = translator("en");
  const de = translator("de");
  const kinds = [
    "auth",
    "network",
    "parse",
    "not_caldav",
    "forbidden_address",
    "reconnect",
    "not_found",
  ] as const;
  const details = [
    UNREACHABLE,
    ownDetail("cal.detail_refused", { what: "calendar" }),
    ownDetail("cal.detail_provider_error", { name: "Google Calendar", status: 503 }),
    "a server's own words.",
  ];
  for (const provider of ["caldav", "google", "microsoft"] as const) {
    for (const kind of kinds) {
      for (const detail of details) {
        for (const opts of [{}, { retrying: true }, { privateAllowed: true }]) {
          const e = { kind, detail };
          const kept = describeCalendarError(e, provider, en, opts);
          assert.equal(
            storedWordsIn(kept, de),
            describeCalendarError(e, provider, de, opts),
            kept,
          );
        }
      }
    }
  }
});

Deno.test("provider details: a size Invito states (“the response is larger than 10 MB”) reads in the reader's number format and unit, not English's “MB”", () => {
  const big = ownDetail("cal.detail_too_large", { size: describeBytes(10 * 1024 * 1024) });
  const small = ownDetail("cal.detail_too_large", { size: describeBytes(1_000_000) });
  assert.equal(big, "the response is larger than 10 MB");
  assert.equal(detailIn(big, translator("fr")), "la réponse dépasse 10\u202fMo");
  assert.equal(detailIn(small, translator("fr")), "la réponse dépasse 977\u202fko");
  assert.equal(detailIn(small, translator("de")), "Die Antwort ist größer als 977 kB");
  assert.equal(detailIn(big, translator("en")), big);
});
