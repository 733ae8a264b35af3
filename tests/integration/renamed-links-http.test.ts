/**
 * After a rename, every old link keeps working for the 90 days the old name is held (ADR 011),
 * through each door people and programs use: routing forms and their widgets (a host's and a
 * team's), the markdown pages for agents, the JSON API (paths and a booking's body) and the MCP
 * endpoint (tools and resources).
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore, WORKDAYS } from "../support/memory-app.ts";
import { seedTeam } from "../support/teams.ts";
import { createForm, saveForm } from "../../src/lib/server/services/routing-forms.ts";
import { updateProfile } from "../../src/lib/server/services/profile.ts";
import { updateTeamSettings } from "../../src/lib/server/services/teams.ts";
import type { RoutingFormDefinition } from "../../src/lib/server/domain/routing.ts";
import type { App } from "../../src/lib/server/app.ts";

async function form(app: App, ownerId: string, slug: string, definition: RoutingFormDefinition) {
  const made = await createForm(app, ownerId, { title: slug, slug });
  assert.ok(made.ok);
  const saved = await saveForm(app, ownerId, made.form.id, {
    title: slug,
    slug,
    description: "",
    active: true,
  }, definition);
  assert.ok(saved.ok, JSON.stringify(saved));
}

const day = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

Deno.test({
  name:
    "renamed host ann → anna and team crew → crew2: forms, widget forms, .md pages, the API and MCP answer under the old names as under the new ones",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-renamed-");
    const ann = await createHost(seed, { username: "ann", timeZone: "UTC", weekly: WORKDAYS });
    const intro = await createEventType(seed, ann, {
      slug: "intro",
      title: "Intro",
      requiresConfirmation: false,
      minNoticeMin: 0,
    });
    const toIntro = { kind: "event_type", ownerId: ann.id, eventTypeId: intro.id } as const;
    const question = { key: "topic", type: "short", label: "Topic", required: false } as const;
    await form(seed, ann.id, "contact", { questions: [question], routes: [], fallback: toIntro });
    const { team, users } = await seedTeam(seed, { slug: "crew", members: [{ username: "tom" }] });
    await form(seed, team.id, "ask", {
      questions: [question],
      routes: [],
      fallback: { kind: "message", text: "Thanks, we will write back." },
    });
    assert.ok(
      (await updateProfile(seed, ann, { name: ann.name, username: "anna", timeZone: "UTC" })).ok,
    );
    const moved = await updateTeamSettings(seed, users[0], team.id, {
      name: team.name,
      slug: "crew2",
      timeZone: "UTC",
    });
    assert.ok(moved.ok);
    kv.close();

    await using app = await startApp({ dataDir });
    const go = (path: string, init: RequestInit = {}) =>
      fetch(app.url(path), { redirect: "manual", ...init }).then(async (r) => {
        await r.body?.cancel();
        return { status: r.status, location: r.headers.get("location") };
      });

    // ── pages: 301 for GET, 308 for a form's post, to the same page under the new name ──
    for (
      const [from, to] of [
        ["/forms/ann/contact", "/forms/anna/contact"],
        ["/forms/ann/contact?q_topic=Pricing", "/forms/anna/contact?q_topic=Pricing"],
        ["/widget/forms/ann/contact", "/widget/forms/anna/contact"],
        ["/forms/crew/ask", "/forms/crew2/ask"],
        ["/widget/forms/crew/ask", "/widget/forms/crew2/ask"],
        ["/calendar/ann/intro.md", "/calendar/anna/intro.md"],
        ["/calendar/ann.md", "/calendar/anna.md"],
      ]
    ) {
      assert.deepEqual(await go(from), { status: 301, location: to }, from);
      const there = await fetch(app.url(to));
      await there.body?.cancel();
      assert.equal(there.status, 200, to);
    }
    const posted = await go("/forms/ann/contact", {
      method: "POST",
      headers: { origin: app.baseUrl, "content-type": "application/x-www-form-urlencoded" },
      body: "topic=x",
    });
    assert.deepEqual(posted, { status: 308, location: "/forms/anna/contact" });
    // An agent asking for markdown on the plain address follows to the new one and gets it.
    const md = await fetch(app.url("/calendar/ann/intro"), {
      headers: { accept: "text/markdown" },
    });
    assert.equal(md.status, 200);
    assert.match(md.headers.get("content-type") ?? "", /text\/markdown/);
    assert.match(await md.text(), /Intro/);
    // A name nobody held is still nobody's.
    assert.equal((await go("/forms/nobody/contact")).status, 404);
    assert.equal((await go("/calendar/nobody.md")).status, 404);

    // ── the JSON API: the resource under the new name, which Content-Location names ──
    const list = await fetch(app.url("/api/v1/users/ann/event-types"));
    assert.equal(list.status, 200);
    assert.equal(list.headers.get("content-location"), "/api/v1/users/anna/event-types");
    const body = await list.json() as {
      host: { username: string };
      eventTypes: { slug: string }[];
    };
    assert.equal(body.host.username, "anna");
    assert.deepEqual(body.eventTypes.map((e) => e.slug), ["intro"]);
    const q = `start=${day(1)}&end=${day(7)}&timeZone=UTC`;
    const [oldSlots, newSlots] = await Promise.all(
      ["ann", "anna"].map((u) => fetch(app.url(`/api/v1/users/${u}/event-types/intro/slots?${q}`))),
    );
    assert.equal(oldSlots.status, 200);
    assert.equal(
      oldSlots.headers.get("content-location"),
      `/api/v1/users/anna/event-types/intro/slots?${q}`,
    );
    const times = await oldSlots.json() as { slots: { start: string }[] };
    assert.deepEqual(times, await newSlots.json(), "the same times");
    // A booking that names the old name in its body is the host's, under the new name.
    const booked = await fetch(app.url("/api/v1/bookings"), {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
      body: JSON.stringify({
        username: "ann",
        eventType: "intro",
        start: times.slots[0].start,
        timeZone: "UTC",
        name: "Old Link",
        email: "old-link@example.com",
      }),
    });
    assert.equal(booked.status, 201, await booked.clone().text());
    assert.equal((await booked.json() as { start: string }).start, times.slots[0].start);
    const none = await fetch(app.url("/api/v1/users/nobody/event-types"));
    await none.body?.cancel();
    assert.equal(none.status, 404);

    // ── MCP: list_event_types under the old name answers for the new one and says so ──
    const rpc = await fetch(app.url("/mcp"), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "list_event_types", arguments: { username: "ann" } },
      }),
    });
    assert.equal(rpc.status, 200);
    const result = (await rpc.json() as {
      result: {
        isError?: boolean;
        content: { type: string; text?: string; uri?: string }[];
        structuredContent: { host: { username: string } };
      };
    }).result;
    assert.notEqual(result.isError, true, JSON.stringify(result));
    assert.equal(result.structuredContent.host.username, "anna");
    assert.match(result.content[0].text ?? "", /“ann” is now called “anna”/);
    assert.ok(result.content.some((c) => c.uri === "invito://users/anna/event-types/intro"));

    // ── MCP resources: the event type's old URI reads as the new one, which it names ──
    const read = await fetch(app.url("/mcp"), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 2,
        method: "resources/read",
        params: { uri: "invito://users/ann/event-types/intro" },
      }),
    });
    const contents = (await read.json() as {
      result: { contents: { uri: string; mimeType: string; text: string }[] };
    }).result.contents;
    assert.deepEqual(contents.map((c) => [c.uri, c.mimeType]), [
      ["invito://users/anna/event-types/intro", "application/json"],
      ["invito://users/ann/event-types/intro", "text/plain"],
    ]);
    assert.equal(JSON.parse(contents[0].text).eventType.slug, "intro");
    assert.match(contents[1].text, /“ann” is now called “anna”/);
  },
});
