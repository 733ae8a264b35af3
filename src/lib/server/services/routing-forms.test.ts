import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { freePort } from "../../../../tests/support/ports.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { createSubscription } from "./webhooks.ts";
import { fillToken } from "./anti-spam.ts";
import {
  createForm,
  definitionFromFields,
  destinationValue,
  formFunnel,
  saveForm,
  testForm,
} from "./routing-forms.ts";
import { submitForm, viewForm } from "./routing-visits.ts";
import { listResponses, responsePage } from "./routing-responses.ts";
import { keys } from "../store/keys.ts";
import { newId } from "../store/users.ts";
import { deleteAccount } from "./account-closing.ts";
import { settleCounts } from "./insights-count.ts";
import { getRoutingForm, getRoutingResponse, linkRoutingBooking } from "../store/routing-forms.ts";
import type { RoutingResponseRecord } from "../domain/model/records.ts";
import { undocumentedWebhook } from "../../../../tests/support/webhook-bodies.ts";
import type { RoutingFormDefinition } from "../domain/routing.ts";

async function setup(nowIso = "2026-11-20T08:00:00Z") {
  const app = await memoryApp({
    nowIso,
    env: { INVITO_RATE_LIMIT: "off", INVITO_ALLOW_PRIVATE_WEBHOOKS: "true" },
  });
  const host = await createHost(app, { username: "ann", weekly: WORKDAYS });
  const et = await createEventType(app, host, { slug: "intro", requiresConfirmation: false });
  const created = await createForm(app, host.id, { title: "Ask", slug: "ask" });
  assert.ok(created.ok);
  const definition: RoutingFormDefinition = {
    questions: [
      { key: "name", type: "short", label: "Name", required: true },
      { key: "email", type: "email", label: "Email", required: true },
      { key: "size", type: "number", label: "Size", required: false },
    ],
    routes: [{
      id: "r_big",
      match: "all",
      conditions: [{ key: "size", op: "gte", values: ["100"] }],
      destination: { kind: "event_type", ownerId: host.id, eventTypeId: et.id },
    }],
    fallback: { kind: "message", text: "Thanks!" },
  };
  const saved = await saveForm(app, host.id, created.form.id, {
    title: "Ask",
    slug: "ask",
    description: "",
    active: true,
  }, definition);
  assert.ok(saved.ok, JSON.stringify(saved));
  return { app, host, et, form: saved.form };
}

async function send(app: TestApp, answers: Record<string, string>) {
  const ft = await fillToken(app);
  app.clock.ms += 10_000;
  const res = await submitForm(app, {
    owner: "ann",
    slug: "ask",
    posted: (k) => (answers[k] === undefined ? [] : [answers[k]]),
    fillToken: ft,
    honeypot: "",
  });
  // Its insights counts run in the background: let them land before a test closes the store.
  await settleCounts();
  return res;
}

Deno.test("submitForm: form.submitted reaches the host's subscription, verified by a Standard Webhooks library", async () => {
  // Signatures carry the time: the receiver checks it against its own clock.
  const { app, host, form } = await setup(new Date().toISOString());
  const hits: { headers: Record<string, string>; body: string }[] = [];
  const port = freePort();
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
    hits.push({ headers: Object.fromEntries(req.headers), body: await req.text() });
    return new Response("ok");
  });
  try {
    const sub = await createSubscription(app, host, {
      url: `http://127.0.0.1:${port}/hooks`,
      events: ["form.submitted"],
      description: "",
    });
    assert.ok(sub.ok);
    const res = await send(app, { name: "Gil", email: "gil@example.test", size: "250" });
    assert.ok(res.ok && res.kind === "redirect", JSON.stringify(res));
    await deliverOutbox(app, app.now(), 10_000);
    assert.equal(hits.length, 1);
    const payload = new Webhook(sub.secret).verify(hits[0].body, hits[0].headers) as {
      type: string;
      data: { response: { formId: string; routeId: string; answers: Record<string, string> } };
    };
    assert.equal(payload.type, "form.submitted");
    assert.equal(undocumentedWebhook(hits[0].body), null, "as the OpenAPI document describes it");
    assert.equal(payload.data.response.formId, form.id);
    assert.equal(payload.data.response.routeId, "r_big");
    assert.equal(payload.data.response.answers.email, "gil@example.test");
  } finally {
    await server.shutdown();
    app.close();
  }
});

Deno.test("linkRoutingBooking: of 20 concurrent links of one response, exactly one lands and counts one booking", async () => {
  const { app, form } = await setup();
  try {
    const res = await send(app, { name: "Gil", email: "gil@example.test", size: "250" });
    assert.ok(res.ok);
    const entry = await getRoutingResponse(app.kv, form.id, res.responseId);
    const results = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) =>
          linkRoutingBooking(
            app.kv,
            entry as Deno.KvEntry<RoutingResponseRecord>,
            `01BOOKING${String(i).padStart(17, "0")}`,
          ),
      ),
    );
    assert.equal(results.filter(Boolean).length, 1);
    const funnel = await formFunnel(app, form);
    assert.deepEqual(funnel.routes.find((r) => r.routeId === "r_big"), {
      routeId: "r_big",
      routed: 1,
      booked: 1,
    });
  } finally {
    app.close();
  }
});

Deno.test("createForm: of 10 concurrent forms with one address, exactly one is created", async () => {
  const { app, host } = await setup();
  try {
    const results = await Promise.all(
      Array.from(
        { length: 10 },
        (_, i) => createForm(app, host.id, { title: `F${i}`, slug: "same" }),
      ),
    );
    assert.equal(results.filter((r) => r.ok).length, 1);
    assert.ok(results.every((r) => r.ok || r.problems.includes("slug_taken")));
  } finally {
    app.close();
  }
});

Deno.test("saveForm: a destination the host may not send people to is refused, and nothing is saved", async () => {
  const { app, host, form } = await setup();
  const stranger = await createHost(app, { username: "eve", weekly: WORKDAYS });
  const theirs = await createEventType(app, stranger, { slug: "secret" });
  try {
    const res = await saveForm(app, host.id, form.id, {
      title: "Ask",
      slug: "ask",
      description: "",
      active: true,
    }, {
      ...form.definition,
      fallback: { kind: "event_type", ownerId: stranger.id, eventTypeId: theirs.id },
    });
    assert.deepEqual(res, {
      ok: false,
      reason: "invalid",
      meta: [],
      form: [{ where: "fallback", problem: "destination" }],
    });
    const stored = (await getRoutingForm(app.kv, host.id, form.id)).value!;
    assert.equal(stored.definition.fallback.kind, "message");
  } finally {
    app.close();
  }
});

Deno.test("definitionFromFields: the editor's rows become questions, routes and a fallback; blank rows are left out", () => {
  const fields: Record<string, string> = {
    q0_key: "Size",
    q0_type: "number",
    q0_label: "Company size",
    q0_required: "on",
    q1_key: "topics",
    q1_type: "multi",
    q1_label: "Topics",
    q1_options: "api\r\nsso\n\n",
    q2_key: "",
    r0_id: "r_a",
    r0_match: "any",
    r0_c0_key: "size",
    r0_c0_op: "gt",
    r0_c0_value: " 50 ",
    r0_c1_key: "topics",
    r0_c1_op: "one_of",
    r0_c1_value: "api, sso",
    r0_dest: "et:U1:E1:M1",
    r1_id: "r_b",
    r1_remove: "on",
    r1_dest: "message",
    r2_id: "new",
    r2_dest: "",
    fb_dest: "url",
    fb_url: "https://example.com/x",
    fb_append: "on",
  };
  const d = definitionFromFields((n) => fields[n] ?? "");
  assert.deepEqual(d, {
    questions: [
      { key: "size", type: "number", label: "Company size", required: true },
      {
        key: "topics",
        type: "multi",
        label: "Topics",
        required: false,
        options: ["api", "sso"],
      },
    ],
    routes: [{
      id: "r_a",
      match: "any",
      conditions: [
        { key: "size", op: "gt", values: ["50"] },
        { key: "topics", op: "one_of", values: ["api", "sso"] },
      ],
      destination: { kind: "event_type", ownerId: "U1", eventTypeId: "E1", memberId: "M1" },
    }],
    fallback: { kind: "url", url: "https://example.com/x", appendAnswers: true },
  });
  assert.equal(destinationValue(d.routes[0].destination), "et:U1:E1:M1");
});

Deno.test("testForm: shows the route without storing or counting anything", async () => {
  const { app, form } = await setup();
  try {
    const r = testForm(form, (k) => (k === "size" ? ["120"] : []));
    assert.ok(r.ok);
    assert.equal(r.choice.routeId, "r_big");
    assert.equal((await listResponses(app, form, {})).length, 0);
    assert.equal((await formFunnel(app, form)).submitted, 0);
  } finally {
    app.close();
  }
});

Deno.test("deleteAccount: the host's routing forms and their responses go with the account", async () => {
  const { app, host, form } = await setup();
  try {
    const res = await send(app, { name: "Gil", email: "gil@example.test", size: "3" });
    assert.ok(res.ok);
    assert.ok((await deleteAccount(app, host, "ann")).ok);
    assert.equal((await getRoutingForm(app.kv, host.id, form.id)).value, null);
    assert.equal((await getRoutingResponse(app.kv, form.id, res.responseId)).value, null);
    assert.equal(await viewForm(app, "ann", "ask"), null);
    // Counts run in the background: let them land before the store closes.
    await settleCounts();
  } finally {
    app.close();
  }
});

Deno.test("responsePage: a rare filter reads a bounded share per page, and the cursor reaches the oldest", async () => {
  const { app, host, form } = await setup();
  try {
    for (let i = 0; i < 25; i++) {
      const rec: RoutingResponseRecord = {
        v: 1,
        id: newId(Date.parse("2026-11-01T00:00:00Z") + i * 60_000),
        formId: form.id,
        ownerId: host.id,
        answers: { name: i === 0 ? "Needle" : `Hay ${i}`, email: `p${i}@example.test` },
        routeId: "fallback",
        destination: { kind: "message", text: "Thanks!" },
        createdAtMs: Date.parse("2026-11-01T00:00:00Z") + i * 60_000,
      };
      await app.kv.set(keys.routingResponse(form.id, rec.id), rec);
    }
    const pages: number[] = [];
    let before: string | undefined;
    let found: RoutingResponseRecord[] = [];
    for (let n = 0; n < 10; n++) {
      const p = await responsePage(app, form, { q: "needle" }, {
        limit: 5,
        beforeId: before,
        scanMax: 10,
      });
      pages.push(p.responses.length);
      found = found.concat(p.responses);
      if (!p.next) break;
      before = p.next;
    }
    assert.deepEqual(pages, [0, 0, 1], "ten read per page; the third finds the oldest and ends");
    assert.equal(found[0].answers.name, "Needle");
    const all = await responsePage(app, form, {}, { limit: 100 });
    assert.equal(all.responses.length, 25);
    assert.equal(all.next, null);
  } finally {
    app.close();
  }
});

Deno.test("definitionFromFields: a German host's numbers in rules are read as a German writes them, as answers are", () => {
  const fields: Record<string, string> = {
    q0_key: "size",
    q0_type: "number",
    q0_label: "Größe",
    q1_key: "team",
    q1_type: "short",
    q1_label: "Team",
    r0_id: "r_a",
    r0_c0_key: "size",
    r0_c0_op: "gte",
    r0_c0_value: "1.000",
    r0_c1_key: "size",
    r0_c1_op: "equals",
    r0_c1_value: "2,5",
    r0_c2_key: "team",
    r0_c2_op: "equals",
    r0_c2_value: "1.000",
    r0_c3_key: "size",
    r0_c3_op: "lt",
    r0_c3_value: "viele",
    r0_dest: "message",
    fb_dest: "message",
  };
  const d = definitionFromFields((n) => fields[n] ?? "", "de");
  assert.deepEqual(d.routes[0].conditions.map((c) => c.values), [
    ["1000"],
    ["2.5"],
    ["1.000"], // a text question's answer is compared as text
    ["viele"], // no number: kept for the form's check to name
  ]);
});

Deno.test("responsePage: the search ignores case and accents — 'zoe' finds Zoë and Zoe, 'MULLER' finds Müller, 'jose' finds José", async () => {
  const { app, host, form } = await setup();
  try {
    const names = ["Zoë Müller", "Zoe Miller", "José Núñez", "Ann"];
    for (const [i, name] of names.entries()) {
      const at = Date.parse("2026-11-01T00:00:00Z") + i * 60_000;
      const rec: RoutingResponseRecord = {
        v: 1,
        id: newId(at),
        formId: form.id,
        ownerId: host.id,
        answers: { name },
        routeId: "fallback",
        destination: { kind: "message", text: "Thanks!" },
        createdAtMs: at,
      };
      await app.kv.set(keys.routingResponse(form.id, rec.id), rec);
    }
    const found = async (q: string) =>
      (await responsePage(app, form, { q }, { limit: 10 })).responses.map((r) => r.answers.name)
        .sort();
    assert.deepEqual(await found("zoe"), ["Zoe Miller", "Zoë Müller"]);
    assert.deepEqual(await found("MULLER"), ["Zoë Müller"]);
    assert.deepEqual(await found("jose nunez"), ["José Núñez"]);
    assert.deepEqual(await found("Zoë"), ["Zoe Miller", "Zoë Müller"]);
  } finally {
    app.close();
  }
});
