import assert from "node:assert/strict";
import {
  createEventType,
  deleteEventType,
  editEventType,
  findEventType,
  listOwnEventTypes,
  setEventTypeActive,
} from "./event-types.ts";
import { getEventTypeBySlug } from "../store/event-types.ts";
import { createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import type { EventTypeInput } from "../../shared/forms.ts";

const input = (over: Partial<EventTypeInput> = {}): EventTypeInput => ({
  title: "Intro call",
  slug: "intro",
  description: "",
  durationMin: 30,
  requiresConfirmation: true,
  bookingWindowDays: 60,
  color: "#2549ea",
  active: true,
  confirmedMessage: "",
  rejectedMessage: "",
  ...over,
});

async function setup() {
  const app = await memoryApp();
  const alice = await createHost(app, { username: "alice" });
  const bob = await createHost(app, { username: "bob" });
  return { app, alice, bob };
}

Deno.test("createEventType: a second event type with the same slug for one host is refused", async () => {
  const { app, alice } = await setup();
  const first = await createEventType(app, alice, input());
  assert.ok(first.ok);
  const second = await createEventType(app, alice, input({ title: "Other" }));
  assert.deepEqual(second, { ok: false, reason: "slug_taken" });
  const all = await listOwnEventTypes(app, alice);
  assert.deepEqual(all.map((t) => t.title), ["Intro call"]);
  app.close();
});

Deno.test("createEventType: of 20 concurrent creates with one slug exactly one wins", async () => {
  const { app, alice } = await setup();
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) => createEventType(app, alice, input({ title: `T${i}` }))),
  );
  assert.equal(results.filter((r) => r.ok).length, 1);
  assert.equal(results.filter((r) => !r.ok && r.reason === "slug_taken").length, 19);
  const all = await listOwnEventTypes(app, alice);
  assert.equal(all.length, 1);
  const winner = results.find((r) => r.ok)!;
  assert.ok(winner.ok);
  assert.equal((await getEventTypeBySlug(app.kv, alice.id, "intro"))?.id, winner.record.id);
  app.close();
});

Deno.test("createEventType: the same slug for two different hosts is fine", async () => {
  const { app, alice, bob } = await setup();
  assert.ok((await createEventType(app, alice, input())).ok);
  assert.ok((await createEventType(app, bob, input())).ok);
  assert.equal((await listOwnEventTypes(app, alice)).length, 1);
  assert.equal((await listOwnEventTypes(app, bob)).length, 1);
  app.close();
});

Deno.test("editEventType: updating another host's event type is not found and changes nothing", async () => {
  const { app, alice, bob } = await setup();
  const created = await createEventType(app, alice, input());
  assert.ok(created.ok);
  const res = await editEventType(
    app,
    bob,
    created.record.id,
    input({ title: "Hijacked", slug: "hijacked" }),
  );
  assert.deepEqual(res, { ok: false, reason: "not_found" });
  assert.deepEqual(await setEventTypeActive(app, bob, created.record.id, false), {
    ok: false,
    reason: "not_found",
  });
  assert.equal(await deleteEventType(app, bob, created.record.id), false);
  assert.equal(await findEventType(app, bob, created.record.id), null);
  const mine = await findEventType(app, alice, created.record.id);
  assert.equal(mine?.title, "Intro call");
  assert.equal(mine?.active, true);
  assert.equal(await getEventTypeBySlug(app.kv, bob.id, "hijacked"), null);
  app.close();
});

Deno.test("editEventType: renaming to a slug the host already uses is refused and keeps both", async () => {
  const { app, alice } = await setup();
  const a = await createEventType(app, alice, input({ slug: "a" }));
  const b = await createEventType(app, alice, input({ slug: "b" }));
  assert.ok(a.ok && b.ok);
  const res = await editEventType(app, alice, b.record.id, input({ slug: "a" }));
  assert.deepEqual(res, { ok: false, reason: "slug_taken" });
  assert.equal((await getEventTypeBySlug(app.kv, alice.id, "a"))?.id, a.record.id);
  assert.equal((await getEventTypeBySlug(app.kv, alice.id, "b"))?.id, b.record.id);
  app.close();
});

Deno.test("editEventType: a new slug frees the old one for reuse", async () => {
  const { app, alice } = await setup();
  const a = await createEventType(app, alice, input({ slug: "old" }));
  assert.ok(a.ok);
  app.clock.ms += 60_000;
  const res = await editEventType(
    app,
    alice,
    a.record.id,
    input({ slug: "new", title: "Renamed" }),
  );
  assert.ok(res.ok);
  assert.equal(res.record.updatedAtMs, app.clock.ms);
  assert.equal(res.record.createdAtMs, a.record.createdAtMs);
  assert.equal(await getEventTypeBySlug(app.kv, alice.id, "old"), null);
  assert.ok((await createEventType(app, alice, input({ slug: "old" }))).ok);
  app.close();
});

Deno.test("setEventTypeActive: deactivating keeps everything else", async () => {
  const { app, alice } = await setup();
  const a = await createEventType(app, alice, input({ description: "Hello" }));
  assert.ok(a.ok);
  const res = await setEventTypeActive(app, alice, a.record.id, false);
  assert.ok(res.ok);
  assert.equal(res.record.active, false);
  assert.equal(res.record.description, "Hello");
  assert.equal(res.record.slug, "intro");
  app.close();
});

Deno.test("deleteEventType: removes the event type and frees its slug; a second delete is not found", async () => {
  const { app, alice } = await setup();
  const a = await createEventType(app, alice, input());
  assert.ok(a.ok);
  assert.equal(await deleteEventType(app, alice, a.record.id), true);
  assert.equal(await deleteEventType(app, alice, a.record.id), false);
  assert.equal(await findEventType(app, alice, a.record.id), null);
  assert.ok((await createEventType(app, alice, input())).ok);
  app.close();
});

Deno.test("findEventType: ids that cannot be ours (too long, odd characters) are not found without reaching KV limits", async () => {
  const { app, alice } = await setup();
  assert.equal(await findEventType(app, alice, "a".repeat(5000)), null);
  assert.equal(await findEventType(app, alice, "../x"), null);
  assert.equal(await findEventType(app, alice, ""), null);
  assert.deepEqual(await editEventType(app, alice, "a".repeat(5000), input()), {
    ok: false,
    reason: "not_found",
  });
  assert.equal(await deleteEventType(app, alice, "a".repeat(5000)), false);
  app.close();
});
