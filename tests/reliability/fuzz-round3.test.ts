/**
 * Bad input over HTTP for the surfaces fuzz-http.test.ts and fuzz-api.test.ts do not reach: the
 * MCP endpoint (ADR 036: broken JSON-RPC, wrong types, unknown methods, batches, huge params,
 * every tool called with junk arguments with and without keys, wrong methods, content types
 * and bearer keys), the routing form pages (junk prefill queries, junk answers), poll voting,
 * single-use and one-off link pages, team booking pages, the booking pages' prefill and source
 * parameters (ADR 046/047), the markdown pages for agents, the ICS feed, every /api/v1 route over
 * HTTP, and the dashboard's round-three pages (routing editor and responses, polls, single-use links, new
 * booking, offers, the event type editor).
 *
 * Every answer must be a 2xx, 3xx or 4xx within a few seconds, never a 5xx or a dropped
 * connection; a 4xx says what is wrong (a non-empty body in words, never a stack trace; JSON
 * answers carry a message). Each group runs a bounded, seeded number of cases (FUZZ_CASES,
 * default 120; FUZZ_SEED) against one built server; FUZZ_DEBUG=1 prints each group's statuses.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { type AppHandle, startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { EVERY_DAY_ALL_DAY, seedTeam, seedTeamEventType } from "../support/teams.ts";
import { fullDay } from "../support/slots.ts";
import { signInByLink } from "../support/auth.ts";
import { createApiKey } from "../../src/lib/server/services/api-keys.ts";
import { createForm, saveForm } from "../../src/lib/server/services/routing-forms.ts";
import { createPoll } from "../../src/lib/server/services/polls.ts";
import { mintSingleUseLink } from "../../src/lib/server/services/single-use-links.ts";
import { mintOneOffLink } from "../../src/lib/server/services/one-off-links.ts";
import { feedUrls } from "../../src/lib/server/services/ics-feed.ts";
import { ROUTES } from "../../src/lib/server/api/routes/index.ts";
import {
  enc,
  errorLines,
  filled,
  type Form,
  junkQueryText,
  junkText,
  mutate,
  mutationArb,
  type Outcome,
  postForms,
  rawEncoded,
  runAll,
} from "./fuzz-junk.ts";
import { SOURCE_FIELDS } from "../../src/lib/shared/booking-extras.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const CASES = Number(Deno.env.get("FUZZ_CASES") ?? 120);
const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 20261122);
/** Longer than this is a hang. */
const HANG_MS = 5_000;
/** seedStore's secret: the server derives the same link tokens from it. */
const SEED_SECRET = "seed-secret-".padEnd(48, "x");

const sample = <T>(arb: fc.Arbitrary<T>, n: number, seedOffset: number): T[] =>
  fc.sample(arb, { numRuns: n, seed: SEED + seedOffset });

// --- the store ---------------------------------------------------------------------------------

type World = {
  writeKey: string;
  readKey: string;
  poll: string;
  pollTimes: string[];
  once: string;
  oneOff: string;
  oneOffStart: string;
  feed: string;
  ids: { chat: string; form: string; poll: string };
};

const at = (days: number, hour: number) => {
  const d = new Date(Date.now() + days * 86_400_000);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString().replace(".000Z", "Z");
};

/**
 * `ann` (UTC, every day all day) with a bookable event type that asks questions and offers two
 * places, a routing form sending to it, a poll, a single-use and a one-off link, an ICS feed and
 * API keys; a team `crew` with a round-robin event type.
 */
async function seed(): Promise<{ dataDir: string; world: World }> {
  const { dataDir, kv, app } = await seedStore("invito-fuzz3-");
  try {
    const ann = await createHost(app, {
      username: "ann",
      timeZone: "UTC",
      weekly: EVERY_DAY_ALL_DAY,
    });
    const chat = await createEventType(app, ann, {
      slug: "chat",
      title: "Chat",
      requiresConfirmation: false,
      minNoticeMin: 0,
      maxGuests: 2,
      questions: [
        { id: "company", label: "Company", type: "short", required: false },
        {
          id: "size",
          label: "Team size",
          type: "choice",
          required: true,
          options: ["1-10", "11+"],
        },
        { id: "agree", label: "Send slides", type: "checkbox", required: false },
        { id: "tel", label: "Mobile", type: "phone", required: false },
      ],
      locations: [
        { kind: "in_person", value: "Main Street 1" },
        { kind: "guest_phone", value: "" },
      ],
    });
    await createEventType(app, ann, { slug: "intro", title: "Intro", minNoticeMin: 0 });
    await createEventType(app, ann, { slug: "hidden", title: "Hidden", secret: true });
    const w = await createApiKey(app, ann, { name: "w", scopes: ["write"], expiresAtMs: null });
    const r = await createApiKey(app, ann, { name: "r", scopes: ["read"], expiresAtMs: null });
    assert.ok(w.ok && r.ok);

    const { team } = await seedTeam(app, { slug: "crew", members: [{ username: "ben" }] });
    await seedTeamEventType(app, team, { slug: "demo", teamMode: "round_robin", minNoticeMin: 0 });

    const form = await createForm(app, ann.id, { title: "Talk to us", slug: "talk" });
    assert.ok(form.ok);
    const saved = await saveForm(app, ann.id, form.form.id, {
      title: "Talk to us",
      slug: "talk",
      description: "Tell us about you.",
      active: true,
    }, {
      questions: [
        { key: "name", type: "short", label: "Your name", required: true },
        { key: "email", type: "email", label: "Work email", required: true },
        { key: "size", type: "number", label: "Company size", required: true },
        { key: "country", type: "select", label: "Country", required: true, options: ["DE", "FR"] },
        { key: "topics", type: "multi", label: "Topics", required: false, options: ["A", "B"] },
        { key: "about", type: "long", label: "About", required: false },
      ],
      routes: [{
        id: "r_de",
        match: "all",
        conditions: [{ key: "country", op: "equals", values: ["DE"] }],
        destination: { kind: "event_type", ownerId: ann.id, eventTypeId: chat.id },
      }],
      fallback: { kind: "message", text: "Thanks, we will write to you." },
    });
    assert.ok(saved.ok, JSON.stringify(saved));

    const pollTimes = [at(3, 10), at(3, 11), at(4, 10)];
    const poll = await createPoll(app, ann, { slug: "chat", title: "Sync", starts: pollTimes });
    assert.ok(poll.ok, JSON.stringify(poll));
    const once = await mintSingleUseLink(app, ann, chat.id, {
      expiresOn: "",
      guestEmail: "",
      label: "For Fay",
    });
    assert.ok(once.ok, JSON.stringify(once));
    const oneOffStart = at(5, 9);
    const oneOff = await mintOneOffLink(app, ann, {
      slug: "chat",
      starts: [oneOffStart, at(5, 14)],
      note: "Pick one",
    });
    assert.ok(oneOff.ok, JSON.stringify(oneOff));
    const feed = await feedUrls(app, ann);
    const path = (url: string) => new URL(url).pathname;
    return {
      dataDir,
      world: {
        writeKey: w.secret,
        readKey: r.secret,
        poll: path(poll.url),
        pollTimes,
        once: path(once.url),
        oneOff: path(oneOff.url),
        oneOffStart,
        feed: path(feed.https),
        ids: { chat: chat.id, form: form.form.id, poll: poll.poll.id },
      },
    };
  } finally {
    kv.close();
  }
}

// --- sending and checking ----------------------------------------------------------------------

type Answer = Outcome & { type: string; body: string; ms: number };

type Req = {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: BodyInit;
  what?: string;
};

async function request(app: AppHandle, r: Req): Promise<Answer> {
  const method = r.method ?? "GET";
  const label = `${method} ${r.path.slice(0, 160)}${r.what ? ` (${r.what.slice(0, 200)})` : ""}`;
  const t0 = performance.now();
  try {
    const res = await fetch(app.baseUrl + r.path, {
      method,
      headers: r.headers,
      body: r.body,
      redirect: "manual",
      signal: AbortSignal.timeout(HANG_MS),
    });
    const body = await res.text();
    return {
      label,
      status: res.status,
      type: res.headers.get("content-type") ?? "",
      body,
      ms: performance.now() - t0,
    };
  } catch (e) {
    return {
      label,
      status: null,
      error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
      type: "",
      body: "",
      ms: performance.now() - t0,
    };
  }
}

/** A stack trace or a runtime's error name in an answer: the visitor was shown our insides. */
const LEAK = /\n\s+at [^\n]*:\d+:\d+|\b(TypeError|RangeError|SyntaxError|ReferenceError): /;

/** What a refusal says, as a reader sees it: the message of a JSON answer, the text of a page. */
function refusalWords(a: Answer): string {
  if (/json/.test(a.type)) {
    try {
      const j = JSON.parse(a.body);
      const content = j?.result?.content?.[0]?.text;
      return String(j?.error?.message ?? j?.detail ?? j?.message ?? content ?? "");
    } catch {
      return "";
    }
  }
  if (/html/.test(a.type)) {
    const main = /<main\b[\s\S]*?<\/main>/.exec(a.body)?.[0] ?? a.body;
    return main.replace(/<script\b[\s\S]*?<\/script>|<style\b[\s\S]*?<\/style>/g, "")
      .replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();
  }
  return a.body.trim();
}

/**
 * Only 2xx/3xx/4xx within HANG_MS, no internals in any answer, and every 4xx with words
 * that say what is wrong.
 */
function check(group: string, answers: Answer[], app: AppHandle) {
  if (Deno.env.get("FUZZ_DEBUG")) {
    const by: Record<string, number> = {};
    for (const a of answers) {
      by[a.status ?? a.error ?? "?"] = (by[a.status ?? a.error ?? "?"] ?? 0) + 1;
    }
    console.log(group, answers.length, JSON.stringify(by));
    for (const a of answers.slice(0, 8)) {
      console.log("  ", a.label.slice(0, 140), "→", a.status, refusalWords(a).slice(0, 160));
    }
  }
  const bad: string[] = [];
  for (const a of answers) {
    if (a.status === null || a.status >= 500) {
      bad.push(`${a.label} → ${a.status ?? a.error} ${a.body.slice(0, 200)}`);
    } else if (a.ms > HANG_MS) {
      bad.push(`${a.label} → took ${Math.round(a.ms)} ms`);
    } else if (LEAK.test(a.body)) {
      bad.push(`${a.label} → ${a.status} shows internals: ${LEAK.exec(a.body)?.[0]}`);
    } else if (a.status >= 400 && a.status !== 405 && refusalWords(a).length < 8) {
      bad.push(`${a.label} → ${a.status} without words: ${JSON.stringify(a.body.slice(0, 200))}`);
    }
  }
  assert.deepEqual(bad.slice(0, 20), [], `${group}\n${errorLines(app.logs())}`);
}

// --- MCP -----------------------------------------------------------------------------------------

const RPC_HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};

const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    junkText.map((s) => s.slice(0, 2_000)),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("__proto__", "constructor")),
      tie("value"),
      {
        maxKeys: 4,
      },
    ),
  ),
})).value;

/** Values a tool argument of this name could plausibly take, right or nearly right. */
function plausible(name: string): fc.Arbitrary<unknown> {
  const ulid = fc.constantFrom("01ARZ3NDEKTSV4RRFFQ69G5FAV", "0".repeat(26), "Z".repeat(26));
  const day = fc.constantFrom(at(6, 0).slice(0, 10), "2026-02-30", "1970-01-01", "+275760-09-13");
  const byName: Record<string, fc.Arbitrary<unknown>> = {
    username: fc.constantFrom("ann", "ben", "crew", "ANN", "nobody"),
    event_type: fc.constantFrom("chat", "intro", "hidden", "demo"),
    start: fc.constantFrom(at(6, 10), at(6, 10).replace("Z", "+00:00"), "2026-11-23T24:00:00Z"),
    end: day,
    from: day,
    to: day,
    date: day,
    time_zone: fc.constantFrom("UTC", "Europe/Berlin", "Mars/Olympus", "+05:30"),
    duration: fc.constantFrom(30, 0, -1, 1e9, 30.5),
    guest: fc.record({
      name: fc.constantFrom("Gil", "", "x".repeat(500)),
      email: fc.constantFrom("gil@example.test", "not-an-email", ""),
    }, { requiredKeys: [] }),
    idempotency_key: fc.string({ minLength: 1, maxLength: 300 }),
    id: ulid,
    reason: fc.constantFrom("Plans changed", "x".repeat(5000)),
    ranges: fc.oneof(
      fc.constant(null),
      fc.constant([{ start: "09:00", end: "10:00" }]),
      fc.constant([{ start: "10:00", end: "09:00" }]),
      fc.array(
        fc.record({ start: fc.constantFrom("00:00", "25:00"), end: fc.constantFrom("24:00") }),
        {
          maxLength: 50,
        },
      ),
    ),
    status: fc.constantFrom("pending", "confirmed", "cancelled", "nope"),
    cursor: fc.constantFrom("", "abc", "eyJ4IjoxfQ"),
    limit: fc.constantFrom(1, 0, 100, 1e6),
    answers: fc.dictionary(fc.constantFrom("company", "size", "agree", "tel", "x"), json, {
      maxKeys: 4,
    }),
    location: fc.constantFrom(0, 1, 2, -1, "0"),
    phone: fc.constantFrom("+49 30 123456", "call me"),
    additional_guests: fc.array(fc.constantFrom("a@example.test", "x", ""), { maxLength: 12 }),
    note: fc.constantFrom("Hi", "x".repeat(10_000)),
    language: fc.constantFrom("fr", "de", "es", "xx", "", "en-US"),
    // A host's scheduling tools: one-off links, polls, a booking for a guest, teams.
    times: fc.array(fc.constantFrom(at(6, 10), at(6, 11), at(6, 3), "2026-11-23T24:00:00Z"), {
      maxLength: 22,
    }),
    team_id: ulid,
    title: fc.constantFrom("Offsite", "", "x".repeat(200)),
    hold: fc.constantFrom(true, false, "yes"),
    until: fc.constantFrom(at(6, 0).slice(0, 10), at(6, 9), "next week", "2026-02-30"),
    confirmed: fc.constantFrom(true, false, 1),
    outside_hours: fc.constantFrom(true, false),
    guest_language: fc.constantFrom("fr", "xx", ""),
  };
  return fc.oneof({ weight: 3, arbitrary: byName[name] ?? json }, { weight: 1, arbitrary: json });
}

/**
 * A JSON-RPC answer that does not say what is wrong: an error without words, "Internal error"
 * (-32603: the JSON-RPC 500) for a client's mistake, or a validator's raw issue dump for words; a
 * tool error without text; neither a result nor an error.
 */
function unclearRpc(a: Answer): boolean {
  if (a.status !== 200 || !/json/.test(a.type)) return false;
  const m = JSON.parse(a.body);
  if (m.error) {
    const words = m.error.message;
    return !(typeof words === "string" && words.length > 0) || m.error.code === -32603 ||
      /^\s*[[{]/.test(words);
  }
  if (m.result?.isError) return !(m.result.content?.[0]?.text?.length > 0);
  return !m.result;
}

function rpc(method: string, params?: unknown, id: unknown = 1) {
  return JSON.stringify({
    jsonrpc: "2.0",
    id,
    method,
    ...(params === undefined ? {} : { params }),
  });
}

Deno.test({
  ...opts,
  name:
    "fuzz round three: the MCP endpoint, routing forms, polls, link pages, team pages, prefill and markdown pages, the ICS feed, every API route over HTTP and the dashboard's round-three forms answer junk with a 4xx in words, never a 5xx or a hang",
  async fn(t) {
    const { dataDir, world } = await seed();
    const app = await startApp({ dataDir, env: { INVITO_SESSION_SECRET: SEED_SECRET } });
    try {
      await t.step(
        "MCP: fixed refusals (methods, content types, batches, sizes, keys)",
        async () => {
          const mcp = (r: Omit<Req, "path">) => request(app, { path: "/mcp", ...r });
          const post = (
            body: string,
            headers: Record<string, string> = {},
            what = body.slice(0, 80),
          ) => mcp({ method: "POST", headers: { ...RPC_HEADERS, ...headers }, body, what });
          const list = rpc("tools/list");
          const answers: Answer[] = [];
          for (const method of ["GET", "DELETE", "PUT", "PATCH"]) {
            const a = await mcp({
              method,
              headers: RPC_HEADERS,
              body: method === "GET" ? undefined : list,
            });
            assert.equal(a.status, 405, a.label);
            assert.match(refusalWords(a), /POST/, a.label);
            answers.push(a);
          }
          answers.push(await mcp({ method: "HEAD" }), await mcp({ method: "OPTIONS" }));
          for (
            const type of [
              "text/plain",
              "application/x-www-form-urlencoded",
              "multipart/form-data; boundary=x",
              "",
            ]
          ) {
            answers.push(
              await post(list, { "content-type": type }, `content-type ${JSON.stringify(type)}`),
            );
          }
          answers.push(await post(list, { accept: "text/html" }, "accept text/html"));
          for (
            const auth of [
              "Bearer",
              "Bearer ",
              "Bearer inv_x",
              `Bearer ${"A".repeat(8000)}`,
              "Basic YTpi",
              "inv_",
              world.writeKey,
              `bearer ${world.writeKey}`,
              `Bearer ${world.writeKey}x`,
            ]
          ) {
            answers.push(
              await post(rpc("tools/call", { name: "list_bookings", arguments: {} }), {
                authorization: auth,
              }, `authorization ${auth.slice(0, 30)}`),
            );
          }
          const bodies = [
            "",
            "{",
            "[]",
            "[1,2]",
            `[${list},${list}]`,
            "null",
            '"x"',
            "\u0000",
            "\ufeff" + list,
            "[".repeat(50_000),
            '{"a":'.repeat(20_000) + "1" + "}".repeat(20_000),
            JSON.stringify({
              jsonrpc: "2.0",
              id: 1,
              method: "tools/call",
              params: { name: "book", arguments: { note: "x".repeat(90_000) } },
            }),
            JSON.stringify({
              jsonrpc: "2.0",
              id: 1,
              method: "tools/call",
              params: { name: "book", arguments: { note: "x".repeat(200_000) } },
            }),
            JSON.stringify({
              jsonrpc: "2.0",
              id: 1,
              method: "tools/call",
              params: {
                name: "list_event_types",
                arguments: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])),
              },
            }),
            rpc("tools/call", {
              name: "set_date_override",
              arguments: {
                date: at(7, 0).slice(0, 10),
                ranges: Array.from({ length: 3000 }, () => ({ start: "09:00", end: "10:00" })),
              },
            }),
            rpc("tools/call", { name: "x".repeat(50_000) }),
            rpc("nope/nope"),
            rpc("tools/call", "params"),
            rpc("tools/call", { name: "book", arguments: "junk" }),
            rpc("tools/call", { name: "book", arguments: [1, 2] }),
            rpc("tools/call", { name: "book", arguments: null }),
            rpc("resources/read", { uri: "invito://users/ann/event-types/" + "x".repeat(50_000) }),
            rpc("resources/read", { uri: "invito://users/%ZZ/event-types/%00" }),
            rpc("resources/read", { uri: 5 }),
            rpc("initialize", { protocolVersion: 5, capabilities: "x", clientInfo: [] }),
            rpc("tools/list", undefined, { a: 1 }),
            rpc("tools/list", undefined, "x".repeat(50_000)),
            rpc("notifications/initialized"),
          ];
          for (const b of bodies) answers.push(await post(b, {}, b.slice(0, 80)));
          // Params of the wrong shape: "Invalid params" (-32602) in words, never "Internal error"
          // or a 500 — `{"constructor": null}` once threw inside the SDK's validator.
          for (
            const params of [
              { name: "book", arguments: false },
              { name: "book", arguments: { constructor: null } },
              { name: "list_bookings", arguments: { constructor: 5, x: 1 } },
              { name: 5 },
            ]
          ) {
            const a = await post(rpc("tools/call", params), {}, JSON.stringify(params));
            assert.equal(a.status, 200, `${a.label} → ${a.status} ${a.body.slice(0, 200)}`);
            const m = JSON.parse(a.body);
            assert.equal(m.error?.code, -32602, `${a.label} → ${a.body.slice(0, 200)}`);
            assert.match(m.error.message, /^Invalid params: /);
            answers.push(a);
          }
          check("MCP fixed cases", answers, app);
          // A request of the wrong shape is the caller's mistake, answered "Invalid params" in words.
          assert.deepEqual(
            answers.filter(unclearRpc).map((a) => `${a.label} → ${a.body.slice(0, 200)}`),
            [],
          );
        },
      );

      const tools = await (async () => {
        const res = await fetch(app.url("/mcp"), {
          method: "POST",
          headers: RPC_HEADERS,
          body: rpc("tools/list"),
        });
        const listed = (await res.json()).result.tools as {
          name: string;
          inputSchema: { properties?: Record<string, unknown> };
        }[];
        assert.equal(listed.length, 23);
        return listed.map((tool) => ({
          name: tool.name,
          keys: Object.keys(tool.inputSchema.properties ?? {}),
        }));
      })();

      await t.step(
        `MCP: every tool (${tools.length}) called with junk arguments, with and without keys`,
        async () => {
          const call = fc.constantFrom(...tools).chain((tool) =>
            fc.record({
              tool: fc.constant(tool.name),
              args: fc.oneof(
                {
                  weight: 4,
                  arbitrary: fc.record(
                    Object.fromEntries(tool.keys.map((k) => [k, plausible(k)])),
                    { requiredKeys: [] },
                  ),
                },
                { weight: 1, arbitrary: json },
                {
                  weight: 1,
                  arbitrary: fc.dictionary(
                    fc.oneof(fc.constantFrom(...tool.keys), junkText),
                    json,
                    { maxKeys: 6 },
                  ),
                },
              ),
              auth: fc.constantFrom("write", "read", "none", "junk"),
              lang: fc.constantFrom(undefined, "fr", "de;q=x", "*", "x".repeat(300)),
            })
          );
          const cases = sample(call, CASES * 2, 100);
          const answers = await runAll(cases.map((c) => () => {
            const headers: Record<string, string> = { ...RPC_HEADERS };
            if (c.auth === "write") headers.authorization = `Bearer ${world.writeKey}`;
            if (c.auth === "read") headers.authorization = `Bearer ${world.readKey}`;
            if (c.auth === "junk") headers.authorization = "Bearer inv_" + "Q".repeat(43);
            if (c.lang) headers["accept-language"] = c.lang;
            const body = rpc("tools/call", { name: c.tool, arguments: c.args });
            return request(app, {
              method: "POST",
              path: "/mcp",
              headers,
              body,
              what: `${c.auth} ${body.slice(0, 200)}`,
            });
          }));
          check("MCP tools/call", answers, app);
          // Each answer is a JSON-RPC answer: a result (a tool error in words when refused) or an error.
          const unclear = answers.filter(unclearRpc);
          assert.deepEqual(unclear.map((a) => `${a.label} → ${a.body.slice(0, 200)}`), []);
          assert.ok(answers.some((a) => /"isError":true/.test(a.body)), "refusals were seen");
          assert.ok(
            answers.some((a) => a.status === 200 && !/"isError":true|"error"/.test(a.body)),
            "successes were seen",
          );
        },
      );

      await t.step("MCP: junk JSON-RPC envelopes", async () => {
        const envelope = fc.record({
          jsonrpc: fc.oneof(fc.constant("2.0"), json),
          id: fc.oneof(fc.integer(), fc.string({ maxLength: 20 }), json),
          method: fc.oneof(
            fc.constantFrom(
              "initialize",
              "tools/list",
              "tools/call",
              "resources/list",
              "resources/read",
              "resources/templates/list",
              "ping",
              "prompts/list",
              "logging/setLevel",
              "completion/complete",
              "notifications/cancelled",
            ),
            junkText.map((s) => s.slice(0, 500)),
          ),
          params: json,
        }, { requiredKeys: [] });
        const body = fc.oneof(
          { weight: 4, arbitrary: envelope.map((e) => JSON.stringify(e)) },
          {
            weight: 1,
            arbitrary: fc.array(envelope, { maxLength: 3 }).map((e) => JSON.stringify(e)),
          },
          { weight: 1, arbitrary: junkText.map((s) => s.slice(0, 90_000)) },
        );
        const cases = sample(fc.tuple(body, fc.constantFrom("none", "write")), CASES, 101);
        const answers = await runAll(cases.map(([b, auth]) => () =>
          request(app, {
            method: "POST",
            path: "/mcp",
            headers: {
              ...RPC_HEADERS,
              ...(auth === "write" ? { authorization: `Bearer ${world.writeKey}` } : {}),
            },
            body: b,
            what: b.slice(0, 120),
          })
        ));
        check("MCP envelopes", answers, app);
        assert.deepEqual(
          answers.filter(unclearRpc).map((a) => `${a.label} → ${a.body.slice(0, 200)}`),
          [],
        );
      });

      // --- pages with junk queries ---------------------------------------------------------------
      await t.step(
        "GET: routing forms, polls, link pages, team pages, prefill, markdown, feed",
        async () => {
          const value = fc.oneof(
            junkQueryText.map(enc),
            rawEncoded,
            fc.constantFrom("ann", "chat", "DE", "1", "on", "UTC", at(3, 10)),
          );
          const q = (names: string[]) =>
            fc.array(fc.tuple(fc.constantFrom(...names), value), { minLength: 1, maxLength: 6 })
              .map((ps) => "?" + ps.map(([k, v]) => `${k}=${v}`).join("&"));
          const LOOKS = [
            "theme",
            "accent",
            "lang",
            "clock",
            "layout",
            "tz",
            "zone",
            "date",
            "month",
            "slot",
            "duration",
          ];
          const PREFILL = [
            "name",
            "email",
            "note",
            "phone",
            "location",
            "guests",
            "q_company",
            "q_size",
            "q_team_size",
            "q_agree",
            "q_tel",
            "q_",
            "q_x",
          ];
          const bookingQ = q([...LOOKS, ...PREFILL, ...SOURCE_FIELDS, "routing", "moved"]);
          const formQ = q([
            "q_name",
            "q_email",
            "q_size",
            "q_country",
            "q_topics",
            "q_about",
            "q_",
            "q_x",
            "theme",
            "accent",
            "lang",
          ]);
          const seg = fc.oneof(junkQueryText.map((s) => enc(s.slice(0, 200))), rawEncoded);
          const route = fc.oneof(
            bookingQ.map((s) => `/calendar/ann/chat${s}`),
            bookingQ.map((s) => `/widget/ann/chat${s}`),
            bookingQ.map((s) => `/team/crew/demo${s}`),
            bookingQ.map((s) => `/widget/team/crew/demo${s}`),
            bookingQ.map((s) => `/team/crew${s}`),
            fc.tuple(seg, bookingQ).map(([s, qs]) => `/team/${s}/demo${qs}`),
            fc.tuple(seg, bookingQ).map(([s, qs]) => `/team/crew/${s}${qs}`),
            formQ.map((s) => `/forms/ann/talk${s}`),
            formQ.map((s) => `/widget/forms/ann/talk${s}`),
            fc.tuple(seg, seg, formQ).map(([o, s, qs]) => `/forms/${o}/${s}${qs}`),
            fc.tuple(seg, formQ).map(([s, qs]) => `/widget/forms/crew/${s}${qs}`),
            q([...LOOKS, "voter"]).map((s) => `${world.poll}${s}`),
            fc.tuple(seg, q(["voter", "tz"])).map(([s, qs]) => `/poll/${s}${qs}`),
            bookingQ.map((s) => `${world.once}${s}`),
            bookingQ.map((s) => `${world.oneOff}${s}`),
            fc.tuple(seg, bookingQ).map(([s, qs]) => `/calendar/ann/once/${s}${qs}`),
            q(["tz", "x"]).map((s) => `/calendar/ann/chat.md${s}`),
            q(["tz", "x"]).map((s) => `/calendar/ann.md${s}`),
            fc.tuple(seg, q(["tz"])).map(([s, qs]) => `/calendar/${s}.md${qs}`),
            fc.tuple(seg, q(["tz"])).map(([s, qs]) => `/calendar/ann/${s}.md${qs}`),
            q(["x"]).map((s) => `${world.feed}${s}`),
            seg.map((s) => `/feed/${s}.ics`),
            seg.map((s) => `/feed/${s}`),
            fc.tuple(seg, q(["x"])).map(([s, qs]) => `/team-invitation/${s}${qs}`),
            q(["q", "lang", "date"]).map((s) => `/time-zones${s}`),
            q(["x", "lang"]).map((s) => `/llms.txt${s}`),
            q(["x", "size", "v"]).map((s) => `/calendar/ann/photo${s}`),
            fc.tuple(seg, q(["v"])).map(([s, qs]) => `/calendar/${s}/photo${qs}`),
          );
          const accept = fc.constantFrom(
            "text/html",
            "text/markdown",
            "text/markdown;q=x, text/html;q=0.1",
            "*/*",
            "application/json",
          );
          const cases = sample(fc.tuple(route, accept), CASES * 3, 200);
          const answers = await runAll(
            cases.map(([path, a]) => () => request(app, { path, headers: { accept: a } })),
          );
          check("GET round-three pages", answers, app);
          assert.ok(
            answers.some((a) => a.status === 200) && answers.some((a) => a.status! >= 400),
            "both kinds of answers",
          );
        },
      );

      // --- forms ----------------------------------------------------------------------------------
      const formsOf = async (
        page: string,
        pick: (action: string) => boolean,
        headers: Record<string, string> = {},
      ) => {
        const res = await fetch(app.url(page), { headers });
        assert.equal(res.status, 200, page);
        const html = await res.text();
        const found = postForms(html).filter((f) => pick(f.action));
        assert.ok(found.length > 0, `a form on ${page}`);
        return found.map((f) => {
          const path = f.action === ""
            ? page
            : f.action.startsWith("?")
            ? page.replace(/\?.*$/, "") + f.action
            : f.action;
          return { path, fields: filled(f.fields, { ...TYPED3 }) };
        });
      };
      const TYPED3: Record<string, string> = {
        name: "Ann Guest",
        email: "ann@example.test",
        note: "Hi",
        q_name: "Pia",
        q_email: "pia@example.test",
        q_size: "60",
        q_about: "About us",
      };
      const fuzzForms = async (
        group: string,
        forms: { path: string; fields: Form }[],
        seedOffset: number,
        headers: Record<string, string> = {},
        n = CASES,
      ) => {
        const cases = sample(
          fc.tuple(
            fc.constantFrom(...forms),
            mutationArb(Math.max(...forms.map((f) => f.fields.length))),
          ),
          n,
          seedOffset,
        );
        const answers = await runAll(cases.map(([f, m]) => () => {
          const b = mutate(f.fields, m);
          return request(app, {
            method: "POST",
            path: f.path,
            headers: {
              origin: app.baseUrl,
              accept: "text/html",
              ...headers,
              ...(b.type ? { "content-type": b.type } : {}),
            },
            body: b.body,
            what: b.what,
          });
        }));
        check(group, answers, app);
        return answers;
      };

      await t.step("POST: routing form answers (page and widget)", async () => {
        const forms = [
          ...await formsOf("/forms/ann/talk", () => true),
          ...await formsOf("/widget/forms/ann/talk", () => true),
        ];
        const answers = await fuzzForms("POST routing forms", forms, 300);
        assert.ok(answers.some((a) => a.status === 400), "refused answers were seen");
      });

      await t.step("POST: poll votes, and an earlier voter's answers survive", async () => {
        // A voter who answered before the junk.
        const page = await (await fetch(app.url(world.poll))).text();
        const vote = postForms(page).find((f) => f.action.includes("vote"));
        assert.ok(vote, "the vote form");
        const fields = filled(vote.fields, { name: "Vic Voter", email: "vic@example.test" });
        const boxes = [...page.matchAll(/<input\b[^>]*type="checkbox"[^>]*>/g)].map((m) =>
          /name="([^"]*)"/.exec(m[0])?.[1]
        ).filter((n): n is string => !!n);
        const first = await fetch(app.url(`${world.poll}?/vote`), {
          method: "POST",
          headers: { origin: app.baseUrl, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams([
            ...fields,
            ...boxes.slice(0, 1).map((n): [string, string] => [n, "on"]),
          ]),
          redirect: "manual",
        });
        const firstBody = await first.text();
        assert.ok(first.status < 400, `${first.status} ${firstBody.slice(0, 300)}`);
        const voter = /[?&]voter=([A-Za-z0-9_-]+)/.exec(firstBody)?.[1];
        assert.ok(voter, "the voter's personal link");

        const forms = [
          {
            path: `${world.poll}?/vote`,
            fields: [...fields, ...boxes.map((n): [string, string] => [n, "on"])],
          },
          { path: "/poll/AAAAAAAAAAAAAAAAAAAAAAAAAA?/vote", fields },
          { path: `${world.poll}?/nope`, fields },
        ];
        await fuzzForms("POST poll votes", forms, 301);
        const after = await (await fetch(app.url(`${world.poll}?voter=${voter}`))).text();
        assert.match(after, /Vic Voter/, "the earlier vote is still there");
      });

      await t.step("POST: single-use, one-off and team booking forms", async () => {
        const { slots, date } = await fullDay(app.baseUrl, "/calendar/ann/chat", { min: 2 });
        const team = await fullDay(app.baseUrl, "/team/crew/demo", { min: 2 });
        const pick = (a: string) => a.includes("book");
        const forms = [
          ...await formsOf(
            `${world.once}?tz=UTC&date=${date}&slot=${encodeURIComponent(slots[0])}`,
            pick,
          ),
          ...await formsOf(
            `${world.oneOff}?tz=UTC&date=${world.oneOffStart.slice(0, 10)}&slot=${
              encodeURIComponent(world.oneOffStart)
            }`,
            pick,
          ),
          ...await formsOf(
            `/team/crew/demo?tz=UTC&date=${team.date}&slot=${encodeURIComponent(team.slots[0])}`,
            pick,
          ),
          ...await formsOf(
            `/calendar/ann/chat?tz=UTC&date=${date}&slot=${
              encodeURIComponent(slots[1])
            }&utm_source=x&ref=y`,
            pick,
          ),
        ];
        forms.push({
          path: "/calendar/ann/once/AAAAAAAAAAAAAAAAAAAAAAAAAA?/book",
          fields: forms[0].fields,
        });
        await fuzzForms("POST link and team booking forms", forms, 302);
      });

      await t.step(`API over HTTP: every route (${ROUTES.length}) with junk`, async () => {
        const seg = fc.oneof(
          fc.constantFrom("ann", "chat", "crew", "01ARZ3NDEKTSV4RRFFQ69G5FAV"),
          junkText.map((s) => enc(s.slice(0, 100))),
          rawEncoded,
        );
        const cases = sample(
          fc.tuple(
            fc.constantFrom(...ROUTES),
            fc.array(seg, { minLength: 4, maxLength: 4 }),
            fc.dictionary(
              fc.constantFrom(
                "start",
                "end",
                "timeZone",
                "status",
                "cursor",
                "limit",
                "from",
                "to",
                "x",
              ),
              junkQueryText.map(enc),
              { maxKeys: 3 },
            ),
            fc.oneof(json.map((j) => JSON.stringify(j)), junkText),
            fc.constantFrom(
              "application/json",
              "text/plain",
              "application/x-www-form-urlencoded",
              "",
            ),
            fc.constantFrom("write", "read", "none", "junk"),
          ),
          Math.max(ROUTES.length * 3, CASES),
          400,
        );
        const answers = await runAll(cases.map(([route, params, query, body, type, auth]) => () => {
          let n = 0;
          const path = route.path.replace(/\{\w+\}/g, () => params[n++] ?? "x");
          const qs = Object.entries(query).map(([k, v]) => `${k}=${v}`).join("&");
          const headers: Record<string, string> = { "idempotency-key": "fuzz3" };
          if (type) headers["content-type"] = type;
          if (auth === "write") headers.authorization = `Bearer ${world.writeKey}`;
          if (auth === "read") headers.authorization = `Bearer ${world.readKey}`;
          if (auth === "junk") headers.authorization = "Bearer inv_" + "Q".repeat(43);
          return request(app, {
            method: route.method,
            path: `/api/v1${path}${qs ? `?${qs}` : ""}`,
            headers,
            body: route.method === "GET" || route.method === "DELETE" ? undefined : body,
            what: body.slice(0, 120),
          });
        }));
        check("API over HTTP", answers, app);
      });

      // Last: accepted junk here may change or remove what the steps above use.
      await t.step(
        "dashboard: routing editor, polls, single-use links, new booking, offers, event type editor",
        async () => {
          const host = await signInByLink(app, "ann@example.test");
          const cookie = { cookie: `authjs.session-token=${host.cookie("authjs.session-token")}` };
          const { ids } = world;
          const value = fc.oneof(junkQueryText.map(enc), rawEncoded);
          const qs = (names: string[]) =>
            fc.array(fc.tuple(fc.constantFrom(...names), value), { minLength: 1, maxLength: 4 })
              .map((ps) => "?" + ps.map(([k, v]) => `${k}=${v}`).join("&"));
          const pages = fc.oneof(
            qs(["from", "to", "route", "q", "cursor", "page"]).map((q) =>
              `/dashboard/routing/${ids.form}/responses${q}`
            ),
            qs(["from", "to", "route"]).map((q) =>
              `/dashboard/routing/${ids.form}/responses.csv${q}`
            ),
            qs(["created", "deleted", "x"]).map((q) => `/dashboard/routing/${ids.form}${q}`),
            qs(["created", "x"]).map((q) => `/dashboard/polls/${ids.poll}${q}`),
            qs(["slug", "date", "month", "tz", "x"]).map((q) => `/dashboard/polls${q}`),
            qs(["slug", "date", "month", "tz", "slot", "x"]).map((q) =>
              `/dashboard/bookings/offer${q}`
            ),
            qs(["slug", "date", "month", "tz", "slot", "email", "name"]).map((q) =>
              `/dashboard/bookings/new${q}`
            ),
            qs(["created", "x"]).map((q) => `/dashboard/event-types/${ids.chat}/links${q}`),
            qs(["from", "to", "range", "type", "event", "chart"]).map((q) =>
              `/dashboard/insights${q}`
            ),
            qs(["date", "slug", "tz"]).map((q) => `/dashboard/troubleshoot${q}`),
            fc.tuple(
              junkQueryText.map((s) => enc(s.slice(0, 100))),
              fc.constantFrom(
                "/dashboard/routing/",
                "/dashboard/polls/",
                "/dashboard/event-types/",
                "/dashboard/bookings/",
              ),
            )
              .map(([id, base]) => `${base}${id}`),
          );
          const gets = await runAll(
            sample(pages, CASES, 500).map((path) => () =>
              request(app, { path, headers: { accept: "text/html", ...cookie } })
            ),
          );
          check("GET dashboard round-three pages", gets, app);

          const forms: { path: string; fields: Form }[] = [];
          for (
            const page of [
              "/dashboard/routing",
              `/dashboard/routing/${ids.form}`,
              "/dashboard/polls",
              `/dashboard/polls/${ids.poll}`,
              `/dashboard/event-types/${ids.chat}/links`,
              `/dashboard/event-types/${ids.chat}`,
              `/dashboard/event-types/${ids.chat}/booking-page`,
              "/dashboard/bookings/new",
              "/dashboard/bookings/offer",
            ]
          ) {
            forms.push(...await formsOf(page, () => true, cookie));
          }
          // Removing and closing last: what they remove, the other forms act on.
          const last = (f: { path: string }) => /delete|close|revoke/.test(f.path) ? 1 : 0;
          forms.sort((a, b) => last(a) - last(b));
          // Each form on its own (its own fields), CASES * 3 posts in all.
          const each = Math.max(4, Math.ceil((CASES * 3) / forms.length));
          for (const [i, f] of forms.entries()) {
            await fuzzForms(`POST ${f.path}`, [f], 600 + i, cookie, each);
          }
        },
      );
    } finally {
      await app.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
