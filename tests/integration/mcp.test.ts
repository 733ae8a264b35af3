/**
 * The MCP endpoint (/mcp) of the built server, driven by the MCP SDK's own client over HTTP
 * (`Client` + `StreamableHTTPClientTransport`), beside the JSON API it shares its rules with:
 * tools listed, times equal to the slots API's, a booking under an idempotency key (replayed,
 * refused for a different body), a 20-way race through MCP and the API at once, host tools
 * refused without a key and with a read-only key, resources, and a fuzz pass of malformed
 * JSON-RPC that must never get a 5xx.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type AppHandle, startApp } from "../support/app.ts";
import { createEventType, createHost, memoryApp } from "../support/memory-app.ts";
import { createApiKey } from "../../src/lib/server/services/api-keys.ts";
import type { WeeklyRules } from "../../src/lib/server/domain/availability.ts";
import { makeDataDir } from "../support/data-dir.ts";

const ALL_DAYS: WeeklyRules = Object.fromEntries(
  [1, 2, 3, 4, 5, 6, 7].map((d) => [d, [{ start: "08:00", end: "18:00" }]]),
) as unknown as WeeklyRules;

type Seeded = { writeKey: string; readKey: string };

/** A host `ann` (UTC, every day 08–18) with a listed, a confirm-first and a secret event type. */
async function seed(dbPath: string): Promise<Seeded> {
  const kv = await Deno.openKv(dbPath);
  try {
    const app = await memoryApp({ kv, guard: false, nowIso: new Date().toISOString() });
    const host = await createHost(app, { username: "ann", timeZone: "UTC", weekly: ALL_DAYS });
    await createEventType(app, host, {
      slug: "chat",
      title: "Chat",
      description: "A short chat.",
      requiresConfirmation: false,
      minNoticeMin: 0,
      questions: [{ id: "topic", label: "Topic", type: "short", required: false }],
    });
    await createEventType(app, host, {
      slug: "intro",
      title: "Intro",
      requiresConfirmation: true,
      minNoticeMin: 0,
    });
    await createEventType(app, host, { slug: "hidden", title: "Hidden", secret: true });
    // Two places, one of them a call to the guest's number: a booking must name its choice.
    await createEventType(app, host, {
      slug: "call",
      title: "Call",
      requiresConfirmation: false,
      minNoticeMin: 0,
      locations: [
        { kind: "in_person", value: "Main Street 1" },
        { kind: "guest_phone", value: "" },
      ],
      maxGuests: 2,
    });
    const w = await createApiKey(app, host, { name: "w", scopes: ["write"], expiresAtMs: null });
    const r = await createApiKey(app, host, { name: "r", scopes: ["read"], expiresAtMs: null });
    assert.ok(w.ok && r.ok);
    return { writeKey: w.secret, readKey: r.secret };
  } finally {
    kv.close();
  }
}

async function withServer(
  fn: (app: AppHandle, keys: Seeded) => Promise<void>,
  env: Record<string, string> = {},
) {
  const dataDir = await makeDataDir("invito-mcp-");
  try {
    const keys = await seed(`${dataDir}/invito.kv`);
    const app = await startApp({ dataDir, env });
    try {
      await fn(app, keys);
    } finally {
      await app.stop();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

async function connect(app: AppHandle, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: "invito-test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(app.url("/mcp")), { requestInit: { headers } }),
  );
  return client;
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

// deno-lint-ignore no-explicit-any
type Result = { isError?: boolean; structuredContent?: any; content: any[] };

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<Result> {
  return await client.callTool({ name, arguments: args }) as Result;
}

const day = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

async function apiSlots(app: AppHandle, slug: string, start: string, end: string, tz: string) {
  const q = new URLSearchParams({ start, end, timeZone: tz });
  const res = await fetch(app.url(`/api/v1/users/ann/event-types/${slug}/slots?${q}`));
  assert.equal(res.status, 200);
  return await res.json();
}

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test(
  "mcp: the SDK's client lists the tools and the resource template; times equal the slots API's",
  opts,
  async () => {
    await withServer(async (app) => {
      const client = await connect(app);
      try {
        const { tools } = await client.listTools();
        assert.deepEqual(tools.map((t) => t.name).sort(), [
          "book",
          "book_for_guest",
          "cancel",
          "cancel_meeting",
          "close_poll",
          "confirm",
          "create_one_off_link",
          "create_poll",
          "find_available_times",
          "get_availability",
          "get_poll",
          "list_bookings",
          "list_event_types",
          "list_one_off_links",
          "list_polls",
          "list_team_bookings",
          "list_teams",
          "pick_poll_time",
          "reject",
          "request_reschedule",
          "reschedule",
          "revoke_one_off_link",
          "set_date_override",
        ]);
        // A series' date is cancelled alone or with the later dates, as over the API.
        const cancel = tools.find((t) => t.name === "cancel")!;
        // deno-lint-ignore no-explicit-any
        const scope = (cancel.inputSchema.properties as any).scope;
        assert.deepEqual(scope?.enum, ["one", "rest"]);
        assert.equal(
          Object.hasOwn(
            tools.find((t) => t.name === "confirm")!.inputSchema.properties as object,
            "scope",
          ),
          false,
        );
        const book = tools.find((t) => t.name === "book")!;
        assert.equal(book.inputSchema.type, "object");
        assert.deepEqual(
          [...(book.inputSchema.required as string[])].sort(),
          ["event_type", "guest", "idempotency_key", "start", "time_zone", "username"],
        );

        // Listed event types come with resource links; the secret one is never listed.
        const listed = await call(client, "list_event_types", { username: "ann" });
        assert.ok(!listed.isError, JSON.stringify(listed));
        const slugs = listed.structuredContent.eventTypes.map((e: { slug: string }) => e.slug);
        assert.deepEqual(slugs.sort(), ["call", "chat", "intro"]);
        const links = listed.content.filter((c) => c.type === "resource_link");
        assert.deepEqual(
          links.map((l) => l.uri).sort(),
          [
            "invito://users/ann/event-types/call",
            "invito://users/ann/event-types/chat",
            "invito://users/ann/event-types/intro",
          ],
        );
        const read = await client.readResource({ uri: "invito://users/ann/event-types/chat" });
        const et = JSON.parse((read.contents[0] as { text: string }).text).eventType;
        assert.equal(et.description, "A short chat.");
        assert.equal(et.durationMin, 30);
        assert.deepEqual(et.questions.map((q: { id: string }) => q.id), ["topic"]);
        await assert.rejects(
          client.readResource({ uri: "invito://users/ann/event-types/hidden" }),
          /not found/i,
        );
        const { resourceTemplates } = await client.listResourceTemplates();
        assert.equal(
          resourceTemplates[0].uriTemplate,
          "invito://users/{username}/event-types/{slug}",
        );

        for (const tz of ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]) {
          // From two days after today's UTC date, tomorrow or later in each zone: one of today's
          // times can pass between the tool's answer and the API's, and the two then differ.
          const [start, end] = [day(2), day(15)];
          const times = await call(client, "find_available_times", {
            username: "ann",
            event_type: "chat",
            start,
            end,
            time_zone: tz,
          });
          assert.ok(!times.isError, JSON.stringify(times));
          const api = await apiSlots(app, "chat", start, end, tz);
          assert.ok(api.slots.length > 50);
          assert.deepEqual(times.structuredContent, api);
        }

        const withLength = await call(client, "find_available_times", {
          username: "ann",
          event_type: "chat",
          start: day(1),
          end: day(2),
          time_zone: "UTC",
          duration: 30,
        });
        assert.deepEqual(
          withLength.structuredContent,
          await apiSlots(app, "chat", day(1), day(2), "UTC"),
        );

        // A bad argument is a tool error with the table's words and the field.
        const bad = await call(client, "find_available_times", {
          username: "ann",
          event_type: "chat",
          start: day(0),
          end: day(1),
          time_zone: "Mars/Olympus",
          language: "fr",
        });
        assert.equal(bad.isError, true);
        assert.equal(bad.structuredContent.reason, "validation");
        assert.match(bad.content[0].text, /^Certains champs sont à corriger\.\ntime_zone: /);
      } finally {
        await client.close();
      }
    });
  },
);

Deno.test(
  "mcp: book with an idempotency key — a repeat replays, a different body with the key is refused, no guest links",
  opts,
  async () => {
    await withServer(async (app, keys) => {
      const client = await connect(app);
      try {
        const slots = await apiSlots(app, "chat", day(1), day(3), "UTC");
        const start = slots.slots[0].start;
        const args = {
          username: "ann",
          event_type: "chat",
          start,
          time_zone: "Europe/Paris",
          guest: { name: "Gus Guest", email: "gus@example.com" },
          answers: { topic: "Plans" },
          idempotency_key: "mcp-book-1",
        };
        const first = await call(client, "book", args);
        assert.ok(!first.isError, JSON.stringify(first));
        assert.equal(first.structuredContent.status, "confirmed");
        assert.equal(first.structuredContent.start, start);
        assert.equal(first.structuredContent.replayed, false);
        assert.match(first.content[0].text, /gus@example\.com/);
        // The guest's own links (tokens) go by mail only.
        const everything = JSON.stringify(first);
        assert.doesNotMatch(everything, /\/booking\/|token|"links"|manage/i);

        const again = await call(client, "book", args);
        assert.ok(!again.isError, JSON.stringify(again));
        assert.equal(again.structuredContent.bookingId, first.structuredContent.bookingId);
        assert.equal(again.structuredContent.replayed, true);
        assert.doesNotMatch(JSON.stringify(again), /\/booking\/|token|"links"/i);

        const other = await call(client, "book", { ...args, answers: { topic: "Other plans" } });
        assert.equal(other.isError, true);
        assert.equal(other.structuredContent.reason, "idempotency_key_reused");
        assert.match(other.content[0].text, /already used for a different request/);

        // Keys are scoped per caller (the guest's address is part of a keyless caller's scope):
        // another guest sending the same key gets no replay of Gus's answer, only their own.
        const stranger = await call(client, "book", {
          ...args,
          guest: { name: "Someone Else", email: "else@example.com" },
        });
        assert.equal(stranger.isError, true);
        assert.equal(stranger.structuredContent.reason, "slot_taken");
        assert.doesNotMatch(
          JSON.stringify(stranger),
          new RegExp(first.structuredContent.bookingId),
        );

        // A key copied from an example is refused as the API refuses it: the first caller would
        // hold it for every later one.
        for (const key of ["your-key", "<unique-key>", "00000000-0000-0000-0000-000000000000"]) {
          const copied = await call(client, "book", {
            ...args,
            start: slots.slots[2].start,
            idempotency_key: key,
          });
          assert.equal(copied.isError, true, `${key}: ${JSON.stringify(copied)}`);
          assert.equal(copied.structuredContent.reason, "validation", key);
          assert.match(copied.content[0].text, /placeholder/, key);
        }

        // In German when asked for.
        const de = await call(client, "book", {
          ...args,
          start: slots.slots[1].start,
          language: "de",
        });
        assert.equal(de.isError, true);
        assert.match(de.content[0].text, /Idempotenzschlüssel/);

        // A confirm-first event type answers pending and says what happens next.
        const intro = (await apiSlots(app, "intro", day(1), day(3), "UTC")).slots[3].start;
        const pending = await call(client, "book", {
          ...args,
          event_type: "intro",
          start: intro,
          // `intro` asks no questions: an answer to `topic` would be refused.
          answers: {},
          idempotency_key: "mcp-book-2",
          language: "es",
        });
        assert.ok(!pending.isError, JSON.stringify(pending));
        assert.equal(pending.structuredContent.status, "pending");
        assert.match(pending.structuredContent.next, /^Solicitado\./);

        // Exactly one booking was made at the first time.
        const list = await fetch(
          app.url(`/api/v1/bookings?from=${encodeURIComponent(start)}&limit=100`),
          { headers: bearer(keys.readKey) },
        ).then((r) => r.json());
        assert.equal(list.data.filter((b: { start: string }) => b.start === start).length, 1);
      } finally {
        await client.close();
      }
    });
  },
);

Deno.test(
  "mcp: book takes every field of the API's booking schema (place, phone, extra guests); the resource says what to ask",
  opts,
  async () => {
    await withServer(async (app, keys) => {
      const client = await connect(app);
      try {
        // The tool's arguments are the API's BookingCreate, field for field (renamed for MCP).
        const { tools } = await client.listTools();
        const props = Object.keys(tools.find((t) => t.name === "book")!.inputSchema.properties!);
        const doc = await fetch(app.url("/api/v1/openapi.json")).then((r) => r.json());
        const apiFields = Object.keys(doc.components.schemas.BookingCreate.properties);
        const MCP_NAME: Record<string, string> = {
          eventType: "event_type",
          timeZone: "time_zone",
          durationMin: "duration_min",
          name: "guest",
          email: "guest",
          guests: "additional_guests",
        };
        for (const f of apiFields) {
          assert.ok(props.includes(MCP_NAME[f] ?? f), `book lacks the API's ${f}: ${props}`);
        }

        // The resource tells an agent there is a choice of place, and that one needs a phone.
        const read = await client.readResource({ uri: "invito://users/ann/event-types/call" });
        const body = JSON.parse((read.contents[0] as { text: string }).text);
        assert.deepEqual(body.eventType.locations.map((l: { kind: string }) => l.kind), [
          "in_person",
          "guest_phone",
        ]);
        assert.deepEqual(body.ask.location, {
          required: true,
          choices: [
            {
              index: 0,
              kind: "in_person",
              label: body.eventType.locations[0].label,
              needsPhone: false,
            },
            {
              index: 1,
              kind: "guest_phone",
              label: body.eventType.locations[1].label,
              needsPhone: true,
            },
          ],
        });
        assert.deepEqual(body.ask.additional_guests, { max: 2 });
        const chat = JSON.parse(
          ((await client.readResource({ uri: "invito://users/ann/event-types/chat" }))
            .contents[0] as { text: string }).text,
        );
        assert.equal(chat.ask.location.required, false);

        const slots = (await apiSlots(app, "call", day(1), day(3), "UTC")).slots;
        const base = {
          username: "ann",
          event_type: "call",
          time_zone: "UTC",
          guest: { name: "Pat Phone", email: "pat@example.com" },
        };
        // Without a choice of place, the API's own refusal names the field.
        const noChoice = await call(client, "book", {
          ...base,
          start: slots[0].start,
          idempotency_key: "loc-0",
        });
        assert.equal(noChoice.isError, true);
        assert.equal(noChoice.structuredContent.reason, "invalid_answers");
        assert.match(JSON.stringify(noChoice.structuredContent.errors), /location/);
        // The call needs the guest's number.
        const noPhone = await call(client, "book", {
          ...base,
          start: slots[0].start,
          location: 1,
          idempotency_key: "loc-1",
        });
        assert.equal(noPhone.isError, true);
        assert.match(JSON.stringify(noPhone.structuredContent.errors), /phone/);
        const booked = await call(client, "book", {
          ...base,
          start: slots[0].start,
          location: 1,
          phone: "+49 30 1234567",
          additional_guests: ["col@example.com", "league@example.com"],
          idempotency_key: "loc-2",
        });
        assert.ok(!booked.isError, JSON.stringify(booked));
        assert.equal(booked.structuredContent.status, "confirmed");
        const made = await fetch(
          app.url(`/api/v1/bookings/${booked.structuredContent.bookingId}`),
          {
            headers: bearer(keys.readKey),
          },
        ).then((r) => r.json());
        assert.equal(made.location.kind, "guest_phone");
        assert.equal(made.location.value, "+49 30 1234567");
        assert.deepEqual(made.additionalGuests, ["col@example.com", "league@example.com"]);
        // More extra guests than the host allows: refused like the API.
        const many = await call(client, "book", {
          ...base,
          start: slots[1].start,
          location: 0,
          additional_guests: ["a@example.com", "b@example.com", "c@example.com"],
          idempotency_key: "loc-3",
        });
        assert.equal(many.isError, true);
        assert.equal(many.structuredContent.errors[0].field, "additional_guests");
      } finally {
        await client.close();
      }
    });
  },
);

Deno.test(
  "mcp: 20 bookings of one time at once, through MCP and the API together, make exactly one",
  opts,
  async () => {
    await withServer(async (app, keys) => {
      const clients = await Promise.all(Array.from({ length: 10 }, () => connect(app)));
      try {
        const start = (await apiSlots(app, "chat", day(2), day(4), "UTC")).slots[5].start;
        const viaMcp = clients.map((client, i) =>
          call(client, "book", {
            username: "ann",
            event_type: "chat",
            start,
            time_zone: "UTC",
            guest: { name: `Mcp ${i}`, email: `mcp${i}@example.com` },
            idempotency_key: `race-mcp-${i}`,
          }).then((r) => (r.isError ? r.structuredContent.reason as string : "booked"))
        );
        const viaApi = Array.from({ length: 10 }, (_, i) =>
          fetch(app.url("/api/v1/bookings"), {
            method: "POST",
            headers: { "content-type": "application/json", "idempotency-key": `race-api-${i}` },
            body: JSON.stringify({
              username: "ann",
              eventType: "chat",
              start,
              timeZone: "UTC",
              name: `Api ${i}`,
              email: `api${i}@example.com`,
            }),
          }).then(async (r) => {
            const body = await r.json();
            return r.status === 201 ? "booked" : body.reason as string;
          }));
        const outcomes = await Promise.all([...viaMcp, ...viaApi]);
        assert.equal(outcomes.filter((o) => o === "booked").length, 1, outcomes.join(", "));
        for (const o of outcomes) assert.ok(["booked", "slot_taken", "busy"].includes(o), o);
        const list = await fetch(
          app.url(`/api/v1/bookings?from=${encodeURIComponent(start)}&limit=100`),
          { headers: bearer(keys.readKey) },
        ).then((r) => r.json());
        const live = list.data.filter((b: { start: string; state: string }) =>
          b.start === start && (b.state === "confirmed" || b.state === "pending")
        );
        assert.equal(live.length, 1);
      } finally {
        await Promise.all(clients.map((c) => c.close()));
      }
    });
  },
);

Deno.test(
  "mcp: host tools refuse without a key and with a read-only key; a write key changes things",
  opts,
  async () => {
    await withServer(async (app, keys) => {
      const anon = await connect(app);
      const reader = await connect(app, bearer(keys.readKey));
      const writer = await connect(app, bearer(keys.writeKey));
      const wrong = await connect(app, bearer("inv_" + "A".repeat(43)));
      try {
        const start = (await apiSlots(app, "intro", day(1), day(3), "UTC")).slots[0].start;
        const made = await call(anon, "book", {
          username: "ann",
          event_type: "intro",
          start,
          time_zone: "UTC",
          guest: { name: "Gus", email: "gus@example.com" },
          idempotency_key: "host-tools-1",
        });
        assert.equal(made.structuredContent.status, "pending");
        const id = made.structuredContent.bookingId;

        for (const client of [anon, wrong]) {
          const r = await call(client, "list_bookings", {});
          assert.equal(r.isError, true);
          assert.equal(r.structuredContent.reason, "unauthorized");
          assert.match(r.content[0].text, /API key/);
        }
        // Without a key: send one. With one the server does not know: that one is no good.
        assert.match((await call(anon, "list_bookings", {})).content[0].text, /Bearer/);
        const unknown = await call(wrong, "list_bookings", {});
        assert.match(unknown.content[0].text, /unknown, revoked or expired/);
        assert.doesNotMatch(unknown.content[0].text, /This needs the host/);
        const unknownDe = await call(wrong, "list_bookings", { language: "de" });
        assert.match(unknownDe.content[0].text, /unbekannt, widerrufen oder abgelaufen/);
        const noKeyDe = await call(anon, "confirm", { id, idempotency_key: "c1", language: "de" });
        assert.equal(noKeyDe.structuredContent.reason, "unauthorized");
        assert.match(noKeyDe.content[0].text, /API-Schlüssel/);

        const listed = await call(reader, "list_bookings", { status: "pending" });
        assert.ok(!listed.isError, JSON.stringify(listed));
        assert.deepEqual(listed.structuredContent.data.map((b: { id: string }) => b.id), [id]);
        assert.doesNotMatch(JSON.stringify(listed), /"links"|token/);
        for (
          const [name, args] of [
            ["confirm", { id, idempotency_key: "c2" }],
            ["reject", { id, idempotency_key: "c3" }],
            ["cancel", { id, idempotency_key: "c4" }],
            ["reschedule", { id, start, idempotency_key: "c5" }],
            ["set_date_override", { date: day(5), ranges: [] }],
          ] as const
        ) {
          const r = await call(reader, name, args);
          assert.equal(r.isError, true, name);
          assert.equal(r.structuredContent.reason, "forbidden_scope", name);
          assert.match(r.content[0].text, /only read/);
        }
        const av = await call(reader, "get_availability", {});
        assert.ok(!av.isError);
        assert.deepEqual(av.structuredContent.overrides, []);

        // Nothing changed; the write key confirms, and sets a date off.
        const confirmed = await call(writer, "confirm", { id, idempotency_key: "c6" });
        assert.ok(!confirmed.isError, JSON.stringify(confirmed));
        assert.equal(confirmed.structuredContent.state, "confirmed");
        const again = await call(writer, "confirm", { id, idempotency_key: "c7" });
        assert.equal(again.structuredContent.reason, "already_confirmed");
        const off = await call(writer, "set_date_override", { date: day(6), ranges: [] });
        assert.ok(!off.isError, JSON.stringify(off));
        const times = await call(anon, "find_available_times", {
          username: "ann",
          event_type: "chat",
          start: day(6),
          end: day(6),
          time_zone: "UTC",
        });
        assert.deepEqual(times.structuredContent.slots, []);
        const badRange = await call(writer, "set_date_override", {
          date: day(7),
          ranges: [{ start: "12:00", end: "09:00" }],
        });
        assert.equal(badRange.isError, true);
        assert.equal(badRange.structuredContent.reason, "validation");
        // The key's host's event types are listed as resources.
        const { resources } = await writer.listResources();
        assert.deepEqual(resources.map((r) => r.name).sort(), ["call", "chat", "intro"]);
      } finally {
        await Promise.all([anon, reader, writer, wrong].map((c) => c.close()));
      }
    });
  },
);

const RPC_HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};

Deno.test(
  "mcp: malformed JSON-RPC gets protocol errors (4xx or a JSON-RPC error), never a 5xx",
  opts,
  async () => {
    await withServer(async (app) => {
      const post = async (body: string, headers: Record<string, string> = RPC_HEADERS) => {
        const res = await fetch(app.url("/mcp"), { method: "POST", headers, body });
        const text = await res.text();
        return { status: res.status, text, headers: res.headers };
      };
      const init = (id: unknown) =>
        JSON.stringify({
          jsonrpc: "2.0",
          id,
          method: "initialize",
          params: {
            protocolVersion: "2025-06-18",
            capabilities: {},
            clientInfo: { name: "fuzz", version: "1" },
          },
        });
      const fixed: [string, string, number[]][] = [
        ["bad JSON", "{", [400]],
        ["empty", "", [400]],
        ["null", "null", [400]],
        ["number", "42", [400]],
        ["batch", `[${init(1)}]`, [400]],
        ["wrong version", JSON.stringify({ jsonrpc: "1.0", id: 1, method: "tools/list" }), [400]],
        ["no method", JSON.stringify({ jsonrpc: "2.0", id: 1 }), [400]],
        ["huge id", init(1e308), [200, 400]],
        ["huge string id", init("x".repeat(50_000)), [200, 400]],
        ["object id", init({ a: 1 }), [400]],
        ["unknown method", JSON.stringify({ jsonrpc: "2.0", id: 1, method: "nope/nope" }), [200]],
        [
          "tools/call wrong types",
          JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: 5 } }),
          [200],
        ],
        [
          "unknown tool",
          JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "x" } }),
          [200],
        ],
        [
          "book with junk",
          JSON.stringify({
            jsonrpc: "2.0",
            id: 1,
            method: "tools/call",
            params: { name: "book", arguments: { username: [], guest: "x", start: 5 } },
          }),
          [200],
        ],
        ["too large", JSON.stringify({ x: "y".repeat(200_000) }), [413]],
      ];
      for (const [what, body, statuses] of fixed) {
        const r = await post(body);
        assert.ok(statuses.includes(r.status), `${what}: ${r.status} ${r.text.slice(0, 200)}`);
        if (r.status === 200) {
          const msg = JSON.parse(r.text);
          assert.ok(msg.error || msg.result?.isError || msg.result, `${what}: ${r.text}`);
          if (what !== "huge id" && what !== "huge string id") {
            assert.ok(msg.error || msg.result?.isError, `${what}: ${r.text.slice(0, 200)}`);
          }
        } else {
          // Also the 413 of the server's body limit, which refuses before anything reads the body.
          assert.equal(JSON.parse(r.text).jsonrpc, "2.0", `${what}: ${r.text}`);
        }
      }
      // Wrong content type, an Accept without JSON, GET: refused in the transport's words.
      assert.equal(
        (await post(init(1), { "content-type": "text/plain", accept: RPC_HEADERS.accept })).status,
        415,
      );
      assert.equal(
        (await post(init(1), { "content-type": "application/json", accept: "text/html" })).status,
        406,
      );
      const get = await fetch(app.url("/mcp"));
      await get.body?.cancel();
      assert.equal(get.status, 405);
      // Security headers apply here too.
      const h = (await post(init(1))).headers;
      assert.equal(h.get("x-content-type-options"), "nosniff");

      const junk: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
        value: fc.oneof(
          { depthSize: "small" },
          fc.string({ maxLength: 30 }),
          fc.integer(),
          fc.double(),
          fc.boolean(),
          fc.constant(null),
          fc.array(tie("value"), { maxLength: 3 }),
          fc.dictionary(fc.string({ maxLength: 8 }), tie("value"), { maxKeys: 3 }),
        ),
      })).value;
      const message = fc.record({
        jsonrpc: fc.oneof(fc.constant("2.0"), junk),
        id: fc.oneof(fc.integer(), fc.string({ maxLength: 20 }), junk),
        method: fc.oneof(
          fc.constantFrom(
            "initialize",
            "tools/list",
            "tools/call",
            "resources/list",
            "resources/read",
            "resources/templates/list",
            "ping",
            "notifications/initialized",
          ),
          fc.string({ maxLength: 20 }),
        ),
        params: fc.oneof(
          junk,
          fc.record({
            name: fc.oneof(
              fc.constantFrom("book", "find_available_times", "list_event_types"),
              junk,
            ),
            arguments: fc.oneof(
              junk,
              fc.dictionary(
                fc.constantFrom("username", "event_type", "start", "end", "time_zone", "guest"),
                junk,
                { maxKeys: 6 },
              ),
            ),
            uri: fc.oneof(fc.constant("invito://users/ann/event-types/chat"), junk),
          }, { requiredKeys: [] }),
        ),
      }, { requiredKeys: [] });
      await fc.assert(
        fc.asyncProperty(message, async (m) => {
          const r = await post(JSON.stringify(m));
          assert.ok(
            r.status < 500,
            `${r.status} for ${JSON.stringify(m)}: ${r.text.slice(0, 200)}`,
          );
        }),
        { numRuns: 150, seed: 20261123 },
      );
    });
  },
);

Deno.test(
  "mcp: requests count against the API's rate limits — per address without a key, per key with one",
  opts,
  async () => {
    await withServer(async (app, keys) => {
      const list = (headers: Record<string, string> = {}) =>
        fetch(app.url("/mcp"), {
          method: "POST",
          headers: { ...RPC_HEADERS, ...headers },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
        });
      for (let i = 0; i < 3; i++) {
        const ok = await list();
        assert.equal(ok.status, 200);
        assert.equal((await ok.json()).result.tools.length, 23);
      }
      // The address's public budget is shared with the API's public routes.
      const api = await fetch(app.url(`/api/v1/users/ann/event-types`));
      assert.equal(api.status, 200);
      await api.body?.cancel();
      const limited = await list({ "accept-language": "fr" });
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get("retry-after")) > 0);
      const body = await limited.json();
      assert.equal(body.jsonrpc, "2.0");
      assert.match(body.error.message, /^Trop de demandes/);
      // The request was valid: a server error (JSON-RPC's -32000…-32099), not "Invalid Request".
      assert.ok(body.error.code <= -32000 && body.error.code >= -32099, String(body.error.code));
      assert.equal(body.error.data?.reason, "rate_limited");
      // A key has its own budget.
      const keyed = await list(bearer(keys.readKey));
      assert.equal(keyed.status, 200);
      await keyed.body?.cancel();
    }, { INVITO_RATE_LIMIT: "api_public=4/1m" });
  },
);

/** One raw POST to /mcp: status, headers and the JSON-RPC answer (null when there is none). */
async function rpc(app: AppHandle, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(app.url("/mcp"), {
    method: "POST",
    headers: { ...RPC_HEADERS, ...headers },
    body,
  });
  const text = await res.text();
  // deno-lint-ignore no-explicit-any
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: the assertions below say so
  }
  return { status: res.status, headers: res.headers, text, json };
}

const initialize = (protocolVersion: string) =>
  JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion, capabilities: {}, clientInfo: { name: "t", version: "1" } },
  });

Deno.test(
  "mcp: JSON that is no JSON-RPC message is an Invalid Request (-32600); only text that is no JSON is a Parse error (-32700)",
  opts,
  async () => {
    await withServer(async (app) => {
      const invalid: [string, string, number | null][] = [
        ["no jsonrpc", JSON.stringify({ id: 3, method: "ping" }), 3],
        ["null id", JSON.stringify({ jsonrpc: "2.0", id: null, method: "ping" }), null],
        ["object id", JSON.stringify({ jsonrpc: "2.0", id: {}, method: "ping" }), null],
        ["number method", JSON.stringify({ jsonrpc: "2.0", id: 4, method: 5 }), 4],
        ["jsonrpc 1.0", JSON.stringify({ jsonrpc: "1.0", id: 5, method: "ping" }), 5],
        ["a number", "5", null],
        ["null", "null", null],
        ["a string", '"ping"', null],
        ["an empty object", "{}", null],
      ];
      for (const [what, body, id] of invalid) {
        const r = await rpc(app, body);
        assert.equal(r.status, 400, `${what}: ${r.text}`);
        assert.equal(r.json?.jsonrpc, "2.0", what);
        assert.equal(r.json.error.code, -32600, `${what}: ${r.text}`);
        assert.match(r.json.error.message, /^Invalid Request/, what);
        assert.equal(r.json.id, id, what);
      }
      for (const [what, body] of [["broken", '{"jsonrpc":"2.0",'], ["empty", ""]]) {
        const r = await rpc(app, body);
        assert.equal(r.status, 400, `${what}: ${r.text}`);
        assert.equal(r.json.error.code, -32700, `${what}: ${r.text}`);
        assert.equal(r.json.id, null);
      }
      // A well-formed request, a notification and a client's answer still pass.
      const ping = await rpc(app, JSON.stringify({ jsonrpc: "2.0", id: 7, method: "ping" }));
      assert.deepEqual(ping.json, { jsonrpc: "2.0", id: 7, result: {} });
      const note = await rpc(
        app,
        JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
      );
      assert.equal(note.status, 202);
    });
  },
);

Deno.test(
  "mcp: a tool refuses an argument it does not take, naming it (the API's field names too), instead of dropping it",
  opts,
  async () => {
    await withServer(async (app, keys) => {
      const client = await connect(app, bearer(keys.readKey));
      try {
        const start = (await apiSlots(app, "call", day(1), day(3), "UTC")).slots[0].start;
        const book = {
          username: "ann",
          event_type: "call",
          start,
          time_zone: "UTC",
          location: 0,
          guest: { name: "Pat", email: "pat@example.com" },
          idempotency_key: "unknown-args-1",
        };
        const cases: [string, Record<string, unknown>, string[]][] = [
          ["book", { ...book, guests: ["col@example.com"] }, ["guests"]],
          ["book", { ...book, duration: 999 }, ["duration"]],
          ["book", { ...book, guest: { ...book.guest, phone: "+49 30 1" } }, ["guest.phone"]],
          ["book", { ...book, eventType: "call" }, ["eventType"]],
          ["find_available_times", {
            username: "ann",
            event_type: "chat",
            start: day(1),
            end: day(2),
            time_zone: "UTC",
            timeZone: "Europe/Berlin",
          }, ["timeZone"]],
          ["list_bookings", { limit: 5, eventType: "chat" }, ["eventType"]],
          ["get_availability", { verbose: true }, ["verbose"]],
        ];
        for (const [tool, args, fields] of cases) {
          const r = await call(client, tool, args);
          assert.equal(r.isError, true, `${tool} ${JSON.stringify(args)}: ${JSON.stringify(r)}`);
          assert.equal(r.structuredContent.reason, "validation", tool);
          assert.deepEqual(
            r.structuredContent.errors.map((e: { field: string }) => e.field),
            fields,
            tool,
          );
          for (const f of fields) assert.match(r.content[0].text, new RegExp(`^${f}: `, "m"));
        }
        const said = await call(client, "book", { ...book, guests: ["col@example.com"] });
        assert.equal(
          said.content[0].text,
          "Some fields need fixing.\nguests: This tool takes no such argument (see its input schema)",
        );
        // The guest sent as an address, or null: `guest` is an argument `book` needs, as an object
        // (it was refused as one the tool does not take, and an agent dropped it).
        for (const guest of ["col@example.com", null]) {
          const wrong = await call(client, "book", { ...book, guest });
          assert.equal(
            wrong.content[0].text,
            "Some fields need fixing.\nguest: Must be an object with the fields its input schema lists",
            JSON.stringify(guest),
          );
        }
        // Nothing was booked by a call whose extra attendees would have been dropped.
        const list = await call(client, "list_bookings", {});
        assert.deepEqual(list.structuredContent.data, []);
      } finally {
        await client.close();
      }
    });
  },
);

Deno.test(
  "mcp: the protocol version answered is one whose rules we follow — older ones get the latest, and a request naming another version is a 400",
  opts,
  async () => {
    await withServer(async (app) => {
      const versions: Record<string, string> = {};
      for (const asked of ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05", "1999-01-01"]) {
        const r = await rpc(app, initialize(asked));
        assert.equal(r.status, 200, r.text);
        versions[asked] = r.json.result.protocolVersion;
      }
      assert.deepEqual(versions, {
        "2025-11-25": "2025-11-25",
        "2025-06-18": "2025-06-18",
        // Tool results carry resource links and structured content (2025-06-18) and batches are
        // refused: a 2025-03-26 client is told the version we speak and decides.
        "2025-03-26": "2025-11-25",
        "2024-11-05": "2025-11-25",
        "1999-01-01": "2025-11-25",
      });
      const list = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" });
      for (const header of ["2025-11-25", "2025-06-18"]) {
        const ok = await rpc(app, list, { "mcp-protocol-version": header });
        assert.equal(ok.status, 200, `${header}: ${ok.text}`);
      }
      const old = await rpc(app, list, { "mcp-protocol-version": "2025-03-26" });
      assert.equal(old.status, 400, old.text);
      assert.equal(old.json.error.code, -32000);
      assert.match(old.json.error.message, /2025-03-26/);
      assert.match(old.json.error.message, /2025-11-25/);
      // Batches stay refused, as every version we answer with says.
      const batch = await rpc(app, `[${list}]`, { "mcp-protocol-version": "2025-03-26" });
      assert.equal(batch.status, 400);
    });
  },
);

Deno.test(
  "mcp: refusals in words a JSON-RPC client reads — a too large body, an unknown tool, a missing resource — without a doubled 'MCP error' prefix",
  opts,
  async () => {
    await withServer(async (app) => {
      const big = await rpc(
        app,
        JSON.stringify({
          jsonrpc: "2.0",
          id: 9,
          method: "ping",
          params: { x: "y".repeat(200_000) },
        }),
      );
      assert.equal(big.status, 413);
      assert.match(big.headers.get("content-type") ?? "", /^application\/json/);
      assert.equal(big.json?.jsonrpc, "2.0", big.text);
      assert.ok(big.json.error.code <= -32000 && big.json.error.code >= -32099, big.text);
      assert.match(big.json.error.message, /too large/i);
      assert.equal(big.json.error.data?.reason, "payload_too_large");

      const nope = await rpc(
        app,
        JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "tools/call",
          params: { name: "nope", arguments: {} },
        }),
      );
      assert.equal(nope.json.error.code, -32602);
      assert.equal(nope.json.error.message, "Unknown tool: nope");
      const missing = await rpc(
        app,
        JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "resources/read",
          params: { uri: "invito://users/ann/event-types/hidden" },
        }),
      );
      assert.equal(missing.json.error.code, -32002);
      assert.equal(missing.json.error.message, "Resource not found");

      const client = await connect(app);
      try {
        await assert.rejects(
          client.callTool({ name: "nope", arguments: {} }),
          (err: Error) => {
            assert.equal(err.message, "MCP error -32602: Unknown tool: nope");
            return true;
          },
        );
      } finally {
        await client.close();
      }
    });
  },
);
