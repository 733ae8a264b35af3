/**
 * Routing forms in insights (issue 30), at the service level with a fixed clock: each step counts
 * on the day it happened in the counting person's zone — the host's, or each team member's for a
 * team's form — and a routed visitor's booking is linked and counted once, on the runner's path
 * after its commit, however many times the visit is booked.
 */
import assert from "node:assert/strict";
import {
  createEventType,
  createHost,
  memoryApp,
  type TestApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { seedTeam } from "../../../../tests/support/teams.ts";
import { fillToken } from "./anti-spam.ts";
import { createForm, formFunnel, saveForm } from "./routing-forms.ts";
import { submitForm, viewForm } from "./routing-visits.ts";
import { settleCounts } from "./insights-count.ts";
import { bookSlot } from "./book-slot.ts";
import { readCounts } from "../store/insights.ts";
import { getRoutingResponse } from "../store/routing-forms.ts";
import { getBooking } from "../store/bookings.ts";
import type { RoutingFormDefinition } from "../domain/routing.ts";

const QUESTIONS: RoutingFormDefinition["questions"] = [
  { key: "name", type: "short", label: "Name", required: true },
  { key: "email", type: "email", label: "Email", required: true },
];

/** Every `ev` counter of routing forms of a person: "day metric [event type]" → n. */
async function routingRows(app: TestApp, ownerId: string): Promise<Record<string, number>> {
  await settleCounts();
  const out: Record<string, number> = {};
  for (const r of await readCounts(app.kv, ownerId, "ev", "2026-01-01", "2027-12-31")) {
    if (!r.metric.startsWith("rf.")) continue;
    out[`${r.day} ${r.metric}${r.eventTypeId ? ` ${r.eventTypeId}` : ""}`] = r.n;
  }
  return out;
}

async function send(app: TestApp, owner: string, slug: string, answers: Record<string, string>) {
  const ft = await fillToken(app);
  app.clock.ms += 10_000;
  return await submitForm(app, {
    owner,
    slug,
    posted: (k) => (answers[k] === undefined ? [] : [answers[k]]),
    fillToken: ft,
    honeypot: "",
  });
}

Deno.test("countRoutingStep: a team's form counts for each member on their own day, a host's form on the host's", async () => {
  // 20:00 UTC on Friday 20 November: Saturday morning in Auckland and Tokyo, Friday noon in LA.
  const app = await memoryApp({
    nowIso: "2026-11-20T20:00:00Z",
    env: { INVITO_RATE_LIMIT: "off" },
  });
  try {
    const { team, users } = await seedTeam(app, {
      slug: "crew",
      members: [
        { username: "kiri", timeZone: "Pacific/Auckland" },
        { username: "lee", timeZone: "America/Los_Angeles" },
        { username: "aki", timeZone: "Asia/Tokyo" },
      ],
    });
    const [kiri, lee, aki] = users;
    const made = await createForm(app, team.id, { title: "Ask", slug: "ask" });
    assert.ok(made.ok);
    const saved = await saveForm(app, team.id, made.form.id, {
      title: "Ask",
      slug: "ask",
      description: "",
      active: true,
    }, { questions: QUESTIONS, routes: [], fallback: { kind: "message", text: "Thanks!" } });
    assert.ok(saved.ok);
    const f = made.form.id;
    assert.ok(await viewForm(app, "crew", "ask"));
    // A HEAD or prefetch is no view.
    assert.ok(await viewForm(app, "crew", "ask", false));
    const sent = await send(app, "crew", "ask", { name: "Uma", email: "uma@example.test" });
    assert.ok(sent.ok);
    const refused = await send(app, "crew", "ask", { name: "Uma", email: "not an address" });
    assert.ok(!refused.ok);
    const expect = (day: string) => ({
      [`${day} rf.${f}.*.view`]: 1,
      [`${day} rf.${f}.*.submitted`]: 2,
      [`${day} rf.${f}.fallback.routed`]: 1,
    });
    assert.deepEqual(await routingRows(app, kiri.id), expect("2026-11-21"));
    assert.deepEqual(await routingRows(app, lee.id), expect("2026-11-20"));
    assert.deepEqual(await routingRows(app, aki.id), expect("2026-11-21"));
    // Nothing under the team's own id: a team has no insights page of its own.
    assert.deepEqual(await routingRows(app, team.id), {});

    // A host's own form counts for the host alone, on the host's day.
    const own = await createForm(app, lee.id, { title: "Mine", slug: "mine" });
    assert.ok(own.ok);
    assert.ok(await viewForm(app, "lee", "mine"));
    assert.equal((await routingRows(app, lee.id))[`2026-11-20 rf.${own.form.id}.*.view`], 1);
    assert.equal(
      Object.keys(await routingRows(app, kiri.id)).some((k) => k.includes(own.form.id)),
      false,
    );
  } finally {
    app.close();
  }
});

Deno.test("routed booking: the booking carries its response, and of two bookings from one visit only the first to link is linked and counted, once, on the runner's path", async () => {
  // Friday 20 November, 20:00 UTC: Saturday 09:00 in Auckland, where the host works weekdays.
  const app = await memoryApp({
    nowIso: "2026-11-20T20:00:00Z",
    env: { INVITO_RATE_LIMIT: "off" },
  });
  try {
    const host = await createHost(app, {
      username: "ann",
      timeZone: "Pacific/Auckland",
      weekly: WORKDAYS,
    });
    const et = await createEventType(app, host, { slug: "intro", requiresConfirmation: false });
    const made = await createForm(app, host.id, { title: "Ask", slug: "ask" });
    assert.ok(made.ok);
    const saved = await saveForm(app, host.id, made.form.id, {
      title: "Ask",
      slug: "ask",
      description: "",
      active: true,
    }, {
      questions: QUESTIONS,
      routes: [],
      fallback: { kind: "event_type", ownerId: host.id, eventTypeId: et.id },
    });
    assert.ok(saved.ok);
    const sent = await send(app, "ann", "ask", { name: "Vera", email: "vera@example.test" });
    assert.ok(sent.ok && sent.kind === "redirect", JSON.stringify(sent));
    const routing = new URL(sent.location, "http://x").searchParams.get("routing")!;
    assert.ok(routing);
    // Monday 23 November 09:00 and 10:00 in Auckland (Sunday 20:00 and 21:00 UTC).
    const book = (start: string, ref: string) =>
      bookSlot(app, {
        username: "ann",
        slug: "intro",
        start,
        name: "Vera",
        email: "vera@example.test",
        note: "",
        timeZone: "Pacific/Auckland",
        routing: ref,
      });
    const [a, b] = await Promise.all([
      book("2026-11-22T20:00:00Z", routing),
      book("2026-11-22T21:00:00Z", routing),
    ]);
    assert.ok(a.ok && b.ok, JSON.stringify([a, b]));
    await settleCounts();
    for (const id of [a.bookingId, b.bookingId]) {
      assert.deepEqual((await getBooking(app.kv, id))?.routing, {
        formId: made.form.id,
        responseId: sent.responseId,
      });
    }
    const response = (await getRoutingResponse(app.kv, made.form.id, sent.responseId)).value!;
    assert.ok([a.bookingId, b.bookingId].includes(response.bookingId!));
    const rows = await routingRows(app, host.id);
    assert.equal(rows[`2026-11-21 rf.${made.form.id}.fallback.booked ${et.id}`], 1);
    assert.equal(rows[`2026-11-21 rf.${made.form.id}.fallback.routed ${et.id}`], 1);
    const funnel = await formFunnel(app, made.form);
    assert.equal(funnel.routes.find((r) => r.routeId === "fallback")?.booked, 1);

    // A made-up or foreign reference books as any guest would, carrying nothing.
    const forged = await book("2026-11-22T22:00:00Z", `${made.form.id}.${sent.responseId}.x`);
    assert.ok(forged.ok);
    assert.equal((await getBooking(app.kv, forged.bookingId))?.routing, undefined);
  } finally {
    app.close();
  }
});
