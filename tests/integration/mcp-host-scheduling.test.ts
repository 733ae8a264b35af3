/**
 * A host's assistant over MCP (the SDK's own client against the built server's /mcp) schedules
 * as the host does through the JSON API: one-off links (make, list, revoke), a booking for a
 * named guest, meeting polls (propose, read the answers, pick, close), a whole seated meeting
 * cancelled (by its organiser, and by a team's owner), a guest asked to pick a new time (by the
 * host, and by a team's owner for a seat), and the teams with their bookings. Each
 * tool's effect is read back through the API; a read-only key is refused in the API's words, bad
 * input is a tool error naming the argument, and one idempotency key under many calls at once
 * makes one change.
 */
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type AppHandle, startApp } from "../support/app.ts";
import { createEventType, createHost, memoryApp } from "../support/memory-app.ts";
import { createClient } from "../support/http.ts";
import { startSmtp } from "../support/smtp.ts";
import { seedTeam, seedTeamEventType } from "../support/teams.ts";
import { createApiKey } from "../../src/lib/server/services/api-keys.ts";
import { bookTeamSlot } from "../../src/lib/server/services/team-bookings.ts";
import type { UserRecord } from "../../src/lib/server/domain/model/records.ts";
import type { WeeklyRules } from "../../src/lib/server/domain/availability.ts";
import { makeDataDir } from "../support/data-dir.ts";

const ALL_DAYS: WeeklyRules = Object.fromEntries(
  [1, 2, 3, 4, 5, 6, 7].map((d) => [d, [{ start: "08:00", end: "18:00" }]]),
) as unknown as WeeklyRules;

const NEW_TOOLS = [
  "book_for_guest",
  "cancel_meeting",
  "close_poll",
  "create_one_off_link",
  "create_poll",
  "get_poll",
  "list_one_off_links",
  "list_polls",
  "list_team_bookings",
  "list_teams",
  "pick_poll_time",
  "request_reschedule",
  "revoke_one_off_link",
];

type Keys = {
  annWrite: string;
  annRead: string;
  olgaWrite: string;
  olgaRead: string;
  cyWrite: string;
  teamId: string;
  /** The seats of the crew's class, which Ben organises and Olga (owner) does not attend. */
  teamSeats: string[];
  classAt: string;
};

const day = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/**
 * Ann (UTC, every day 08–18) with `chat`, a confirm-first `intro` and a seated `class` of her
 * own; the crew (Olga owns it, Ben organises its collective seated `workshop` that Cy attends)
 * with three seats taken at one time.
 */
async function seed(dbPath: string): Promise<Keys> {
  const kv = await Deno.openKv(dbPath);
  try {
    const app = await memoryApp({ kv, guard: false, nowIso: new Date().toISOString() });
    const ann = await createHost(app, { username: "ann", timeZone: "UTC", weekly: ALL_DAYS });
    await createEventType(app, ann, {
      slug: "chat",
      title: "Chat",
      requiresConfirmation: false,
      minNoticeMin: 0,
      questions: [{ id: "topic", label: "Topic", type: "short", required: false }],
    });
    await createEventType(app, ann, {
      slug: "intro",
      title: "Intro",
      requiresConfirmation: true,
      minNoticeMin: 0,
    });
    await createEventType(app, ann, {
      slug: "class",
      title: "Class",
      requiresConfirmation: false,
      minNoticeMin: 0,
      seats: { perTime: 4, showAttendees: false, hideCount: false },
    });
    const { team, users } = await seedTeam(app, {
      members: [{ username: "olga", role: "owner" }, { username: "ben" }, { username: "cy" }],
    });
    const [olga, ben, cy] = users;
    await seedTeamEventType(app, team, {
      slug: "workshop",
      title: "Workshop",
      teamMode: "collective",
      durationMin: 60,
      minNoticeMin: 0,
      hostIds: [ben.id, cy.id],
      organiserId: ben.id,
      seats: { perTime: 5, showAttendees: false, hideCount: false },
    });
    const classAt = `${day(3)}T10:00:00Z`;
    const teamSeats: string[] = [];
    for (const name of ["Anne", "Bea", "Cyd"]) {
      const r = await bookTeamSlot(app, {
        team: "crew",
        slug: "workshop",
        start: classAt,
        name,
        email: `${name.toLowerCase()}@example.test`,
        note: "",
        timeZone: "UTC",
      });
      assert.ok(r.ok, JSON.stringify(r));
      teamSeats.push(r.bookingId);
    }
    const key = async (u: UserRecord, scopes: ("read" | "write")[]) => {
      const made = await createApiKey(app, u, { name: "k", scopes, expiresAtMs: null });
      assert.ok(made.ok);
      return made.secret;
    };
    return {
      annWrite: await key(ann, ["read", "write"]),
      annRead: await key(ann, ["read"]),
      olgaWrite: await key(olga, ["read", "write"]),
      olgaRead: await key(olga, ["read"]),
      cyWrite: await key(cy, ["read", "write"]),
      teamId: team.id,
      teamSeats,
      classAt,
    };
  } finally {
    kv.close();
  }
}

async function withServer(
  fn: (app: AppHandle, keys: Keys) => Promise<void>,
  smtp?: { host: string; port: number },
) {
  const dataDir = await makeDataDir("invito-mcp-host-");
  try {
    const keys = await seed(`${dataDir}/invito.kv`);
    const app = await startApp({ dataDir, env: { INVITO_RATE_LIMIT: "off" }, smtp });
    try {
      await fn(app, keys);
    } finally {
      await app.stop();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

async function connect(app: AppHandle, key?: string): Promise<Client> {
  const client = new Client({ name: "invito-host-test", version: "1.0.0" });
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  await client.connect(
    new StreamableHTTPClientTransport(new URL(app.url("/mcp")), { requestInit: { headers } }),
  );
  return client;
}

// deno-lint-ignore no-explicit-any
type Result = { isError?: boolean; structuredContent?: any; content: any[] };

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<Result> {
  return await client.callTool({ name, arguments: args }) as Result;
}

/** The JSON API as the host's program reads it. */
async function api(app: AppHandle, key: string, path: string) {
  const res = await fetch(app.url(`/api/v1${path}`), {
    headers: { authorization: `Bearer ${key}` },
  });
  assert.equal(res.status, 200, path);
  return await res.json();
}

/** Free starts of one of Ann's event types, as find_available_times gives them. */
async function freeStarts(client: Client, slug: string, from: number, to: number) {
  const r = await call(client, "find_available_times", {
    username: "ann",
    event_type: slug,
    start: day(from),
    end: day(to),
    time_zone: "UTC",
  });
  assert.ok(!r.isError, JSON.stringify(r));
  return (r.structuredContent.slots as { start: string }[]).map((s) => s.start);
}

/** A read-only key is refused by a change tool in the API's words; `args` are valid. */
async function refusedReadOnly(client: Client, name: string, args: Record<string, unknown>) {
  const r = await call(client, name, args);
  assert.equal(r.isError, true, `${name}: ${JSON.stringify(r)}`);
  assert.equal(r.structuredContent.reason, "forbidden_scope", name);
  assert.equal(r.structuredContent.status, 403, name);
  assert.match(r.content[0].text, /may only read/, name);
}

const fields = (r: Result) =>
  (r.structuredContent.errors as { field: string }[] | undefined ?? []).map((e) => e.field);

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test(
  "mcp host scheduling: tools/list shows each new tool with its schema and hints; a one-off link is made from free times, listed, revoked (seen through the API); a read-only key and bad input are refused as tool errors",
  opts,
  async () => {
    await withServer(async (app, keys) => {
      const client = await connect(app, keys.annWrite);
      const reader = await connect(app, keys.annRead);
      try {
        const { tools } = await client.listTools();
        const byName = new Map(tools.map((t) => [t.name, t]));
        for (const name of NEW_TOOLS) {
          const tool = byName.get(name);
          assert.ok(tool, `${name} is listed`);
          assert.equal(tool.inputSchema.type, "object", name);
          assert.ok(tool.title && tool.description!.length > 40, name);
        }
        const hints = (name: string) => byName.get(name)!.annotations!;
        for (const name of ["list_one_off_links", "list_polls", "get_poll", "list_teams"]) {
          assert.equal(hints(name).readOnlyHint, true, name);
          assert.equal(hints(name).destructiveHint, false, name);
        }
        assert.equal(hints("list_team_bookings").readOnlyHint, true);
        for (
          const name of [
            "revoke_one_off_link",
            "close_poll",
            "cancel_meeting",
            "request_reschedule",
          ]
        ) {
          assert.equal(hints(name).readOnlyHint, false, name);
          assert.equal(hints(name).destructiveHint, true, name);
          assert.equal(hints(name).idempotentHint, true, name);
        }
        for (const name of ["create_one_off_link", "book_for_guest", "create_poll"]) {
          assert.equal(hints(name).readOnlyHint, false, name);
          assert.equal(hints(name).destructiveHint, false, name);
          assert.equal(hints(name).idempotentHint, true, name);
          const required = byName.get(name)!.inputSchema.required as string[];
          assert.ok(required.includes("idempotency_key"), name);
          assert.ok(required.includes("event_type"), name);
        }
        for (const name of ["pick_poll_time", "cancel_meeting", "request_reschedule"]) {
          const required = byName.get(name)!.inputSchema.required as string[];
          assert.ok(required.includes("idempotency_key"), name);
        }
        // deno-lint-ignore no-explicit-any
        const props = (name: string) => byName.get(name)!.inputSchema.properties as any;
        assert.deepEqual(Object.keys(props("book_for_guest").guest.properties).sort(), [
          "email",
          "name",
        ]);
        assert.ok(props("book_for_guest").guest_language, "the guest's language has its name");
        assert.match(props("list_team_bookings").team_id.description, /list_teams/);
        assert.match(props("get_poll").id.description, /list_polls/);

        const free = await freeStarts(client, "chat", 1, 3);
        const times = [free[0], free[4]];
        const made = await call(client, "create_one_off_link", {
          event_type: "chat",
          times,
          note: "As discussed",
          idempotency_key: "link-1",
        });
        assert.ok(!made.isError, JSON.stringify(made));
        const link = made.structuredContent;
        assert.equal(link.state, "unused");
        assert.deepEqual(link.times, times);
        assert.match(link.url, /^http/);
        assert.ok(made.content.some((c) => c.type === "text" && c.text.includes(link.url)));
        // The same key again answers the same link; nothing new is made.
        const again = await call(client, "create_one_off_link", {
          event_type: "chat",
          times,
          note: "As discussed",
          idempotency_key: "link-1",
        });
        assert.equal(again.structuredContent.id, link.id);
        const listed = await api(app, keys.annRead, "/one-off-links");
        assert.deepEqual(listed.data.map((l: { id: string }) => l.id), [link.id]);
        const viaTool = await call(reader, "list_one_off_links", {});
        assert.ok(!viaTool.isError, JSON.stringify(viaTool));
        assert.deepEqual(viaTool.structuredContent, listed);

        // The guest's page opens.
        const page = await fetch(link.url, { headers: { "accept-language": "en" } });
        assert.equal(page.status, 200);
        assert.doesNotMatch(await page.text(), /This link no longer works/);

        await refusedReadOnly(reader, "create_one_off_link", {
          event_type: "chat",
          times,
          idempotency_key: "link-ro",
        });
        await refusedReadOnly(reader, "revoke_one_off_link", { id: link.id });

        // Bad input: a time outside Ann's hours, a slug that is not hers, too many times.
        const night = await call(client, "create_one_off_link", {
          event_type: "chat",
          times: [`${day(2)}T03:00:00Z`],
          idempotency_key: "link-night",
        });
        assert.equal(night.isError, true, JSON.stringify(night));
        assert.equal(night.structuredContent.reason, "slot_unavailable");
        // The API's own words for it (not the refusal table's general ones), in the caller's
        // language.
        assert.equal(night.content[0].text, "One of those times is no longer free; pick again.");
        const nightDe = await call(client, "create_one_off_link", {
          event_type: "chat",
          times: [`${day(2)}T03:00:00Z`],
          idempotency_key: "link-night-de",
          language: "de",
        });
        assert.equal(
          nightDe.content[0].text,
          "Eine dieser Zeiten ist nicht mehr frei; bitte neu wählen.",
        );
        const none = await call(client, "create_one_off_link", {
          event_type: "nope",
          times,
          idempotency_key: "link-none",
        });
        assert.equal(none.isError, true);
        assert.equal(none.structuredContent.reason, "not_found");
        const many = await call(client, "create_one_off_link", {
          event_type: "chat",
          times: free.slice(0, 11),
          idempotency_key: "link-many",
        });
        assert.equal(many.isError, true);
        assert.equal(many.structuredContent.reason, "validation");
        assert.deepEqual(fields(many), ["times"]);
        assert.match(many.content[0].text, /times: Offer at most 10 times/);

        const revoked = await call(client, "revoke_one_off_link", { id: link.id });
        assert.ok(!revoked.isError, JSON.stringify(revoked));
        assert.equal(revoked.structuredContent.state, "revoked");
        const after = await api(app, keys.annRead, "/one-off-links");
        assert.equal(after.data[0].state, "revoked");
        const twice = await call(client, "revoke_one_off_link", { id: link.id });
        assert.ok(!twice.isError, "revoking again changes nothing and says so");
        assert.equal(twice.structuredContent.state, "revoked");
        const gone = await fetch(link.url, { headers: { "accept-language": "en" } });
        assert.match(await gone.text(), /This link no longer works/, "the guest's page says so");
        const unknown = await call(client, "revoke_one_off_link", {
          id: "01ARZ3NDEKTSV4RRFFQ69G5FAV",
        });
        assert.equal(unknown.isError, true);
        assert.equal(unknown.structuredContent.reason, "not_found");
        const notAnId = await call(client, "revoke_one_off_link", { id: "abc" });
        assert.equal(notAnId.isError, true);
        assert.deepEqual(fields(notAnId), ["id"]);
      } finally {
        await client.close();
        await reader.close();
      }
    });
  },
);

Deno.test(
  "mcp book_for_guest: the host's assistant books a named guest (seen through the API, no guest links in the answer); 12 calls at once under one idempotency key make one booking; a read-only key and bad input are refused",
  opts,
  async () => {
    await withServer(async (app, keys) => {
      const clients = await Promise.all(
        Array.from({ length: 6 }, () => connect(app, keys.annWrite)),
      );
      const reader = await connect(app, keys.annRead);
      const [client] = clients;
      try {
        const free = await freeStarts(client, "intro", 1, 3);
        const args = {
          event_type: "intro",
          start: free[2],
          guest: { name: "Gus Guest", email: "gus@example.com" },
          time_zone: "Europe/Paris",
          guest_language: "fr",
          confirmed: true,
          idempotency_key: "for-guest-1",
        };
        const outcomes = await Promise.all(
          Array.from(
            { length: 12 },
            (_, i) => call(clients[i % clients.length], "book_for_guest", args),
          ),
        );
        const ids = new Set<string>();
        for (const r of outcomes) {
          if (r.isError) {
            assert.equal(r.structuredContent.reason, "idempotency_in_progress", JSON.stringify(r));
          } else ids.add(r.structuredContent.id);
        }
        assert.equal(ids.size, 1, "every answer names the one booking");
        const [id] = ids;
        const list = await api(app, keys.annRead, `/bookings?from=${encodeURIComponent(free[2])}`);
        const made = list.data.filter((b: { start: string }) => b.start === free[2]);
        assert.equal(made.length, 1, "one booking was made");
        assert.equal(made[0].id, id);
        assert.equal(made[0].state, "confirmed", "confirmed at once though intro asks first");
        assert.equal(made[0].guest.name, "Gus Guest");
        assert.equal(made[0].guest.timeZone, "Europe/Paris");

        const replay = await call(client, "book_for_guest", args);
        assert.ok(!replay.isError, JSON.stringify(replay));
        assert.equal(replay.structuredContent.id, id);
        assert.equal(replay.structuredContent.replayed, true);
        // The guest's own links go to the guest by mail, never to the assistant.
        for (const r of [replay, ...outcomes.filter((o) => !o.isError)]) {
          assert.equal(r.structuredContent.links, undefined);
          assert.doesNotMatch(JSON.stringify(r), /"links"|\/booking\/[^"]*token|manage/i);
        }

        await refusedReadOnly(reader, "book_for_guest", {
          ...args,
          start: free[5],
          idempotency_key: "for-guest-ro",
        });

        // Bad input, in the tool's names: the guest's address, an answer intro does not ask.
        const badMail = await call(client, "book_for_guest", {
          ...args,
          start: free[5],
          guest: { name: "Gus", email: "not-an-address" },
          idempotency_key: "for-guest-bad-1",
        });
        assert.equal(badMail.isError, true, JSON.stringify(badMail));
        assert.equal(badMail.structuredContent.reason, "validation");
        assert.deepEqual(fields(badMail), ["guest.email"]);
        const badLang = await call(client, "book_for_guest", {
          ...args,
          start: free[5],
          guest_language: "xx",
          idempotency_key: "for-guest-bad-2",
        });
        assert.equal(badLang.isError, true);
        assert.deepEqual(fields(badLang), ["guest_language"]);
        const answered = await call(client, "book_for_guest", {
          ...args,
          start: free[5],
          answers: { topic: "Plans" },
          idempotency_key: "for-guest-bad-3",
        });
        assert.equal(answered.isError, true, JSON.stringify(answered));
        assert.ok(fields(answered).every((f) => f.startsWith("answers")), fields(answered).join());
        // The same time again for someone else: taken, as the API says.
        const taken = await call(client, "book_for_guest", {
          ...args,
          guest: { name: "Other", email: "other@example.com" },
          idempotency_key: "for-guest-taken",
        });
        assert.equal(taken.isError, true);
        assert.equal(taken.structuredContent.reason, "slot_taken");
        const after = await api(app, keys.annRead, `/bookings?from=${encodeURIComponent(free[2])}`);
        assert.equal(after.data.length, 1, "no refused call booked anything");
      } finally {
        await Promise.all([...clients, reader].map((c) => c.close()));
      }
    });
  },
);

Deno.test(
  "mcp polls: the assistant proposes times, reads the invitees' votes, picks the winning time (a booking the API lists) and closes another poll; a read-only key and bad input are refused",
  opts,
  async () => {
    await withServer(async (app, keys) => {
      const client = await connect(app, keys.annWrite);
      const reader = await connect(app, keys.annRead);
      try {
        const free = await freeStarts(client, "chat", 1, 4);
        const times = [free[1], free[7], free[13]];
        const made = await call(client, "create_poll", {
          event_type: "chat",
          title: "Offsite",
          times,
          hold: true,
          idempotency_key: "poll-1",
        });
        assert.ok(!made.isError, JSON.stringify(made));
        const poll = made.structuredContent;
        assert.equal(poll.state, "open");
        assert.equal(poll.reserved, true);
        assert.deepEqual(poll.times, times);
        // Held: the times are no longer offered to anyone else.
        const offered = await freeStarts(client, "chat", 1, 4);
        for (const t of times) assert.ok(!offered.includes(t), t);

        // Two invitees answer on the poll's page, as they would.
        const path = new URL(poll.url).pathname;
        for (
          const [name, email, t0, t1] of [["Ida", "ida@example.test", "no", "yes"], [
            "Jo",
            "jo@example.test",
            "maybe",
            "yes",
          ]]
        ) {
          const voted = await createClient(app.baseUrl).post(`${path}?/vote`, {
            name,
            email,
            t0,
            t1,
            t2: "no",
          });
          assert.equal(voted.status, 200);
        }

        const listed = await call(reader, "list_polls", {});
        assert.ok(!listed.isError, JSON.stringify(listed));
        assert.deepEqual(listed.structuredContent, await api(app, keys.annRead, "/polls"));
        assert.deepEqual(listed.structuredContent.data.map((p: { id: string }) => p.id), [poll.id]);
        const answers = await call(reader, "get_poll", { id: poll.id });
        assert.ok(!answers.isError, JSON.stringify(answers));
        assert.deepEqual(
          answers.structuredContent.votes.map((v: { name: string }) => v.name).sort(),
          ["Ida", "Jo"],
        );
        const best = answers.structuredContent.counts.find((c: { yes: number }) => c.yes === 2);
        assert.equal(best.start, times[1], "both said yes to the second time");

        await refusedReadOnly(reader, "pick_poll_time", {
          id: poll.id,
          start: best.start,
          idempotency_key: "pick-ro",
        });
        await refusedReadOnly(reader, "close_poll", { id: poll.id });
        await refusedReadOnly(reader, "create_poll", {
          event_type: "chat",
          times,
          idempotency_key: "poll-ro",
        });
        // A time the poll did not propose is refused, and the poll stays open.
        const stray = await call(client, "pick_poll_time", {
          id: poll.id,
          start: free[20],
          idempotency_key: "pick-stray",
        });
        assert.equal(stray.isError, true, JSON.stringify(stray));
        assert.equal((await api(app, keys.annRead, `/polls/${poll.id}`)).state, "open");

        const picked = await call(client, "pick_poll_time", {
          id: poll.id,
          start: best.start,
          idempotency_key: "pick-1",
        });
        assert.ok(!picked.isError, JSON.stringify(picked));
        assert.equal(picked.structuredContent.start, best.start);
        assert.equal(picked.structuredContent.state, "confirmed");
        assert.equal(picked.structuredContent.links, undefined);
        const booked = await api(app, keys.annRead, `/bookings/${picked.structuredContent.id}`);
        assert.equal(booked.start, best.start);
        const after = await api(app, keys.annRead, `/polls/${poll.id}`);
        assert.equal(after.state, "booked");
        assert.equal(after.bookingId, picked.structuredContent.id);
        const twice = await call(client, "pick_poll_time", {
          id: poll.id,
          start: times[0],
          idempotency_key: "pick-2",
        });
        assert.equal(twice.isError, true);
        assert.equal(twice.structuredContent.reason, "poll_closed");

        // Another poll, closed without booking: its held times are free again.
        const second = await call(client, "create_poll", {
          event_type: "chat",
          times: [free[30], free[31]],
          hold: true,
          idempotency_key: "poll-2",
        });
        assert.ok(!second.isError, JSON.stringify(second));
        const closed = await call(client, "close_poll", { id: second.structuredContent.id });
        assert.ok(!closed.isError, JSON.stringify(closed));
        assert.equal(closed.structuredContent.state, "closed");
        assert.equal(
          (await api(app, keys.annRead, `/polls/${second.structuredContent.id}`)).state,
          "closed",
        );
        const freeAgain = await freeStarts(client, "chat", 1, 4);
        assert.ok(freeAgain.includes(free[30]) && freeAgain.includes(free[31]));
        const closedTwice = await call(client, "close_poll", { id: second.structuredContent.id });
        assert.equal(closedTwice.isError, true);
        assert.equal(closedTwice.structuredContent.reason, "poll_closed");

        // Bad input: one time only, an `until` that is no date, and a seated event type.
        const one = await call(client, "create_poll", {
          event_type: "chat",
          times: [free[40]],
          idempotency_key: "poll-bad-1",
        });
        assert.equal(one.isError, true);
        assert.deepEqual(fields(one), ["times"]);
        assert.match(one.content[0].text, /Propose at least 2 times/);
        const until = await call(client, "create_poll", {
          event_type: "chat",
          times: [free[40], free[41]],
          until: "next week",
          idempotency_key: "poll-bad-2",
        });
        assert.equal(until.isError, true);
        assert.deepEqual(fields(until), ["until"]);
        const seated = await call(client, "create_poll", {
          event_type: "class",
          times: (await freeStarts(client, "class", 1, 3)).slice(0, 2),
          idempotency_key: "poll-bad-3",
        });
        assert.equal(seated.isError, true, JSON.stringify(seated));
        assert.deepEqual(fields(seated), ["event_type"]);
        assert.equal((await api(app, keys.annRead, "/polls")).data.length, 2);
      } finally {
        await client.close();
        await reader.close();
      }
    });
  },
);

Deno.test(
  "mcp seated meetings and teams: the organiser cancels her whole class (10 calls at once under one key cancel each seat once); a team's owner lists her teams and the team's bookings and cancels a workshop another member organises; a read-only key, a member who only attends and a booking that is no seat are refused",
  opts,
  async () => {
    await withServer(async (app, keys) => {
      const ann = await Promise.all(Array.from({ length: 5 }, () => connect(app, keys.annWrite)));
      const annReader = await connect(app, keys.annRead);
      const olga = await connect(app, keys.olgaWrite);
      const olgaReader = await connect(app, keys.olgaRead);
      const cy = await connect(app, keys.cyWrite);
      try {
        // Three guests take seats of Ann's class.
        const at = (await freeStarts(ann[0], "class", 2, 3))[0];
        const seats: string[] = [];
        for (const name of ["Kim", "Lou", "Max"]) {
          const r = await call(ann[0], "book", {
            username: "ann",
            event_type: "class",
            start: at,
            time_zone: "UTC",
            guest: { name, email: `${name.toLowerCase()}@example.test` },
            idempotency_key: `seat-${name}`,
          });
          assert.ok(!r.isError, JSON.stringify(r));
          seats.push(r.structuredContent.bookingId);
        }
        await refusedReadOnly(annReader, "cancel_meeting", {
          id: seats[0],
          reason: "Ill",
          idempotency_key: "meeting-ro",
        });
        // A booking that is no seat is refused as the API refuses it.
        const single = await call(ann[0], "book_for_guest", {
          event_type: "chat",
          start: (await freeStarts(ann[0], "chat", 5, 6))[0],
          guest: { name: "Solo", email: "solo@example.test" },
          idempotency_key: "solo",
        });
        assert.ok(!single.isError, JSON.stringify(single));
        const notSeat = await call(ann[0], "cancel_meeting", {
          id: single.structuredContent.id,
          idempotency_key: "meeting-solo",
        });
        assert.equal(notSeat.isError, true);
        assert.equal(notSeat.structuredContent.reason, "not_supported");
        assert.equal(notSeat.content[0].text, "This booking is not a seat of a seated time.");
        const badReason = await call(ann[0], "cancel_meeting", {
          id: seats[0],
          reason: "x".repeat(501),
          idempotency_key: "meeting-long",
        });
        assert.equal(badReason.isError, true);
        assert.deepEqual(fields(badReason), ["reason"]);

        const outcomes = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            call(ann[i % ann.length], "cancel_meeting", {
              id: seats[0],
              reason: "Teacher ill",
              idempotency_key: "meeting-1",
            })),
        );
        let cancelled = 0;
        for (const r of outcomes) {
          if (r.isError) {
            assert.equal(r.structuredContent.reason, "idempotency_in_progress", JSON.stringify(r));
          } else {
            assert.equal(r.structuredContent.cancelled, 3, JSON.stringify(r));
            cancelled++;
          }
        }
        assert.ok(cancelled >= 1);
        for (const id of seats) {
          const b = await api(app, keys.annRead, `/bookings/${id}`);
          assert.equal(b.state, "cancelled", id);
        }
        const again = await call(ann[0], "cancel_meeting", {
          id: seats[1],
          idempotency_key: "meeting-2",
        });
        assert.equal(again.isError, true);
        assert.equal(again.structuredContent.reason, "cancelled");

        // The team: Olga (owner) reads her teams and the team's bookings.
        const teams = await call(olgaReader, "list_teams", {});
        assert.ok(!teams.isError, JSON.stringify(teams));
        assert.deepEqual(teams.structuredContent, await api(app, keys.olgaRead, "/teams"));
        assert.deepEqual(
          teams.structuredContent.data.map((t: { id: string; role: string }) => [t.id, t.role]),
          [[keys.teamId, "owner"]],
        );
        const teamBookings = await call(olgaReader, "list_team_bookings", {
          team_id: keys.teamId,
          limit: 50,
        });
        assert.ok(!teamBookings.isError, JSON.stringify(teamBookings));
        assert.deepEqual(
          teamBookings.structuredContent,
          await api(app, keys.olgaRead, `/teams/${keys.teamId}/bookings?limit=50`),
        );
        assert.deepEqual(
          teamBookings.structuredContent.data.map((b: { id: string }) => b.id).sort(),
          [...keys.teamSeats].sort(),
        );
        const filtered = await call(olgaReader, "list_team_bookings", {
          team_id: keys.teamId,
          status: "cancelled",
        });
        assert.deepEqual(filtered.structuredContent.data, []);
        const strange = await call(olgaReader, "list_team_bookings", {
          team_id: "01ARZ3NDEKTSV4RRFFQ69G5FAV",
        });
        assert.equal(strange.isError, true);
        assert.equal(strange.structuredContent.reason, "not_found");
        const badFilter = await call(olgaReader, "list_team_bookings", {
          team_id: keys.teamId,
          status: "sleeping",
        });
        assert.equal(badFilter.isError, true);
        assert.deepEqual(fields(badFilter), ["status"]);

        // Cy attends the workshop but neither owns the team nor organises it: refused, as the
        // API refuses him, and nothing changes.
        const byMember = await call(cy, "cancel_meeting", {
          id: keys.teamSeats[2],
          team_id: keys.teamId,
          idempotency_key: "team-cy",
        });
        assert.equal(byMember.isError, true, JSON.stringify(byMember));
        assert.equal(byMember.structuredContent.reason, "not_found");
        assert.match(
          byMember.content[0].text,
          /^Only the team’s owners and the meeting’s organiser/,
        );
        // Olga cancels the workshop Ben organises: through her team, since she is not its host.
        await refusedReadOnly(olgaReader, "cancel_meeting", {
          id: keys.teamSeats[0],
          team_id: keys.teamId,
          idempotency_key: "team-ro",
        });
        const asHerself = await call(olga, "cancel_meeting", {
          id: keys.teamSeats[0],
          idempotency_key: "team-0",
        });
        assert.equal(asHerself.isError, true);
        assert.equal(asHerself.structuredContent.reason, "not_found");
        const live = await api(app, keys.olgaRead, `/teams/${keys.teamId}/bookings?limit=50`);
        assert.deepEqual(
          live.data.map((b: { state: string }) => b.state),
          ["confirmed", "confirmed", "confirmed"],
        );
        const byOwner = await call(olga, "cancel_meeting", {
          id: keys.teamSeats[1],
          team_id: keys.teamId,
          reason: "Room flooded",
          idempotency_key: "team-1",
        });
        assert.ok(!byOwner.isError, JSON.stringify(byOwner));
        assert.equal(byOwner.structuredContent.cancelled, 3);
        const seen = await api(app, keys.olgaRead, `/teams/${keys.teamId}/bookings?limit=50`);
        assert.deepEqual(
          seen.data.map((b: { state: string }) => b.state),
          ["cancelled", "cancelled", "cancelled"],
        );
      } finally {
        await Promise.all([...ann, annReader, olga, olgaReader, cy].map((c) => c.close()));
      }
    });
  },
);

Deno.test(
  "mcp request_reschedule: the host's assistant asks a confirmed booking's guest for a new time (the booking ends reschedule_requested, the guest is mailed their link with the reason once); a team's owner asks a seat's guest of a workshop another member organises with team_id; a read-only key, an unknown id, a pending request, a member who only attends and an owner without team_id are refused in the API's words",
  opts,
  async () => {
    await using smtp = await startSmtp();
    await withServer(async (app, keys) => {
      const ann = await connect(app, keys.annWrite);
      const annReader = await connect(app, keys.annRead);
      const olga = await connect(app, keys.olgaWrite);
      const olgaReader = await connect(app, keys.olgaRead);
      const cy = await connect(app, keys.cyWrite);
      const mailsTo = (to: string, words: RegExp) =>
        smtp.mails.filter((m) => m.to.includes(to) && words.test(m.text));
      try {
        const booked = await call(ann, "book", {
          username: "ann",
          event_type: "chat",
          start: (await freeStarts(ann, "chat", 2, 3))[0],
          time_zone: "UTC",
          guest: { name: "Gus", email: "gus@example.test" },
          idempotency_key: "ask-book",
        });
        assert.equal(booked.structuredContent.status, "confirmed", JSON.stringify(booked));
        const id = booked.structuredContent.bookingId;
        await refusedReadOnly(annReader, "request_reschedule", {
          id,
          idempotency_key: "ask-ro",
        });
        const unknown = await call(ann, "request_reschedule", {
          id: "01ARZ3NDEKTSV4RRFFQ69G5FAV",
          idempotency_key: "ask-none",
        });
        assert.equal(unknown.isError, true, JSON.stringify(unknown));
        assert.equal(unknown.structuredContent.reason, "not_found");
        assert.equal(unknown.structuredContent.status, 404);
        assert.equal(unknown.content[0].text, "There is nothing at this address.");
        // A request still waiting for Ann's decision has no time to give up yet: the API's 409.
        const pending = await call(ann, "book", {
          username: "ann",
          event_type: "intro",
          start: (await freeStarts(ann, "intro", 4, 5))[0],
          time_zone: "UTC",
          guest: { name: "Pia", email: "pia@example.test" },
          idempotency_key: "ask-book-pending",
        });
        assert.equal(pending.structuredContent.status, "pending", JSON.stringify(pending));
        const notYet = await call(ann, "request_reschedule", {
          id: pending.structuredContent.bookingId,
          idempotency_key: "ask-pending",
        });
        assert.equal(notYet.isError, true, JSON.stringify(notYet));
        assert.equal(notYet.structuredContent.reason, "not_confirmed");
        // The API's words, relayed: what to do instead (it said "no longer open" of an open one).
        assert.match(notYet.content[0].text, /confirm it first, or reject it/);
        assert.equal(notYet.structuredContent.status, 409);

        const args = { id, reason: "Flat tyre", idempotency_key: "ask-1" };
        const asked = await call(ann, "request_reschedule", args);
        assert.ok(!asked.isError, JSON.stringify(asked));
        assert.equal(asked.structuredContent.state, "cancelled");
        assert.equal(asked.structuredContent.endReason, "reschedule_requested");
        assert.equal(asked.structuredContent.links, undefined, "the guest's links go by mail");
        const seen = await api(app, keys.annRead, `/bookings/${id}`);
        assert.equal(seen.endReason, "reschedule_requested");
        assert.equal(seen.cancelReason, "Flat tyre");
        const replay = await call(ann, "request_reschedule", args);
        assert.ok(!replay.isError, JSON.stringify(replay));
        assert.equal(replay.structuredContent.endReason, "reschedule_requested");
        const mail = await smtp.waitForMail(
          (m) => m.to.includes("gus@example.test") && /Flat tyre/.test(m.text),
          10_000,
        );
        assert.match(mail.text, /https?:\/\/[^\s]+\/booking\//);
        const twice = await call(ann, "request_reschedule", { id, idempotency_key: "ask-2" });
        assert.equal(twice.isError, true, "asked once: nothing left to ask");
        assert.equal(twice.structuredContent.status, 409);

        // The crew's workshop, which Ben organises: Cy attends it, Olga owns the team.
        const seat = keys.teamSeats[1];
        const byMember = await call(cy, "request_reschedule", {
          id: seat,
          team_id: keys.teamId,
          idempotency_key: "team-ask-cy",
        });
        assert.equal(byMember.isError, true, JSON.stringify(byMember));
        assert.equal(byMember.structuredContent.reason, "not_found");
        assert.equal(
          byMember.content[0].text,
          "Only the team’s owners and the meeting’s organiser can ask its guests for a new time.",
        );
        await refusedReadOnly(olgaReader, "request_reschedule", {
          id: seat,
          team_id: keys.teamId,
          idempotency_key: "team-ask-ro",
        });
        const asHerself = await call(olga, "request_reschedule", {
          id: seat,
          idempotency_key: "team-ask-own",
        });
        assert.equal(asHerself.isError, true, JSON.stringify(asHerself));
        assert.equal(asHerself.structuredContent.reason, "not_found");
        const states = async () =>
          Object.fromEntries(
            (await api(app, keys.olgaRead, `/teams/${keys.teamId}/bookings?limit=50`)).data.map((
              b: { id: string; state: string },
            ) => [b.id, b.state]),
          );
        assert.deepEqual(
          Object.values(await states()),
          ["confirmed", "confirmed", "confirmed"],
          "no refused call changed anything",
        );
        const byOwner = await call(olga, "request_reschedule", {
          id: seat,
          team_id: keys.teamId,
          reason: "Room change",
          idempotency_key: "team-ask-1",
        });
        assert.ok(!byOwner.isError, JSON.stringify(byOwner));
        assert.equal(byOwner.structuredContent.id, seat);
        assert.equal(byOwner.structuredContent.endReason, "reschedule_requested");
        const after = await states();
        assert.deepEqual(
          keys.teamSeats.map((s) => after[s]),
          ["confirmed", "cancelled", "confirmed"],
          "Bea's seat alone is given up",
        );
        await smtp.waitForMail(
          (m) => m.to.includes("bea@example.test") && /Room change/.test(m.text),
          10_000,
        );
        assert.equal(mailsTo("gus@example.test", /Flat tyre/).length, 1, "Gus is mailed once");
        assert.equal(mailsTo("bea@example.test", /Room change/).length, 1, "Bea is mailed once");
        for (const guest of ["anne@example.test", "cyd@example.test"]) {
          assert.equal(mailsTo(guest, /Room change/).length, 0, guest);
        }
      } finally {
        await Promise.all([ann, annReader, olga, olgaReader, cy].map((c) => c.close()));
      }
    }, { host: smtp.host, port: smtp.port });
  },
);
