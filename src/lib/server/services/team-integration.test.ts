/**
 * Teams next to the rest of the product: a team booking's webhooks and insights reach the members
 * it belongs to, a member's export holds it, a team's last owner cannot just disappear, and team
 * slugs respect the hold on a username a host gave up.
 */
import assert from "node:assert/strict";
import { bookTeamSlot } from "./team-bookings.ts";
import { fanOutEvent } from "./webhook-delivery.ts";
import { settleCounts } from "./insights-count.ts";
import { getInsights } from "./insights.ts";
import { exportHostJson } from "./host-data.ts";
import { deleteAccount, lastOwnerMessage } from "./account-closing.ts";
import { createTeam, setMemberRole } from "./teams.ts";
import { updateUser } from "../store/users.ts";
import { getTeam } from "../store/teams.ts";
import { insertSubscription } from "../store/webhooks.ts";
import { readCounts } from "../store/insights.ts";
import { keys } from "../store/keys.ts";
import type {
  BookingRecord,
  OutboxRecord,
  WebhookEvent,
  WebhookSubscriptionRecord,
} from "../domain/model/records.ts";
import { memoryApp, type TestApp } from "../../../../tests/support/memory-app.ts";
import { guest, seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";

async function subscribe(app: TestApp, hostId: string, events: WebhookEvent[]) {
  const nowMs = app.now();
  const sub: WebhookSubscriptionRecord = {
    v: 1,
    id: `sub-${hostId}`,
    hostId,
    url: "https://hooks.example.test/in",
    description: "",
    events,
    enabled: true,
    disabledReason: null,
    secrets: [],
    failingSinceMs: null,
    lastSuccessMs: null,
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
  };
  await insertSubscription(app.kv, sub);
}

async function outbox(app: TestApp): Promise<OutboxRecord[]> {
  const out: OutboxRecord[] = [];
  for await (const e of app.kv.list<OutboxRecord>({ prefix: ["outbox"] })) out.push(e.value);
  return out;
}

/** Runs the booking's webhook fan-out; returns whose subscriptions got a delivery. */
async function deliveredTo(app: TestApp, bookingId: string): Promise<string[]> {
  const event = (await outbox(app)).find((j) =>
    j.payload.kind === "webhook_event" && j.payload.bookingId === bookingId
  );
  assert.ok(event, "the booking queued its webhook event");
  await fanOutEvent(app, event);
  return (await outbox(app)).flatMap((j) =>
    j.payload.kind === "webhook_delivery" ? [j.payload.hostId] : []
  ).sort();
}

async function clearOutbox(app: TestApp) {
  for await (const e of app.kv.list({ prefix: ["outbox"] })) await app.kv.delete(e.key);
}

Deno.test("team webhooks: a round-robin booking reaches its assignee's webhooks, a collective one every attendee's, never a bystander's", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const { team, users } = await seedTeam(app, {
      members: [{ username: "ann" }, { username: "ben" }, { username: "cat" }],
    });
    for (const u of users) await subscribe(app, u.id, ["booking.confirmed"]);
    await seedTeamEventType(app, team, {
      slug: "rr",
      teamMode: "round_robin",
      hostIds: [users[0].id, users[1].id],
    });
    await seedTeamEventType(app, team, {
      slug: "pair",
      teamMode: "collective",
      hostIds: [users[1].id, users[2].id],
    });

    const rr = await bookTeamSlot(app, {
      team: "crew",
      slug: "rr",
      start: "2026-11-23T10:00:00Z",
      ...guest(1),
    });
    assert.ok(rr.ok, JSON.stringify(rr));
    const assignee = (await app.kv.get<BookingRecord>(keys.booking(rr.bookingId))).value!.hostId;
    assert.deepEqual(await deliveredTo(app, rr.bookingId), [assignee]);

    await clearOutbox(app);
    const pair = await bookTeamSlot(app, {
      team: "crew",
      slug: "pair",
      start: "2026-11-23T12:00:00Z",
      ...guest(2),
    });
    assert.ok(pair.ok, JSON.stringify(pair));
    assert.deepEqual(await deliveredTo(app, pair.bookingId), [users[1].id, users[2].id].sort());
  } finally {
    app.close();
  }
});

Deno.test("team insights: a collective booking counts for each attendee, under the team event type named with the team", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const { team, users } = await seedTeam(app, {
      members: [{ username: "ann" }, { username: "ben" }, { username: "cat" }],
    });
    const et = await seedTeamEventType(app, team, {
      slug: "pair",
      title: "Pair call",
      teamMode: "collective",
      hostIds: [users[0].id, users[1].id],
    });
    const res = await bookTeamSlot(app, {
      team: "crew",
      slug: "pair",
      start: "2026-11-23T12:00:00Z",
      ...guest(1),
    });
    assert.ok(res.ok);
    await settleCounts();
    const confirmed = async (userId: string) =>
      (await readCounts(app.kv, userId, "ev", "2026-01-01", "2027-12-31"))
        .filter((r) => r.metric === "confirmed" && r.eventTypeId === et.id)
        .reduce((s, r) => s + r.n, 0);
    assert.equal(await confirmed(users[0].id), 1);
    assert.equal(await confirmed(users[1].id), 1);
    assert.equal(await confirmed(users[2].id), 0, "cat does not attend");

    const page = await getInsights(app, users[0], {
      range: null,
      from: null,
      to: null,
      eventType: et.id,
    });
    assert.ok(page.ok, JSON.stringify(page));
    assert.ok(
      page.data.eventTypes.some((t) => t.id === et.id && t.title === "The Crew: Pair call"),
    );
  } finally {
    app.close();
  }
});

Deno.test("team export: a member's data export holds the collective bookings they attend", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const { team, users } = await seedTeam(app, {
      members: [{ username: "ann" }, { username: "ben" }],
    });
    await seedTeamEventType(app, team, { slug: "pair", teamMode: "collective" });
    const res = await bookTeamSlot(app, {
      team: "crew",
      slug: "pair",
      start: "2026-11-23T12:00:00Z",
      ...guest(1),
    });
    assert.ok(res.ok);
    for (const u of users) {
      let text = "";
      for await (const part of exportHostJson(app, u)) text += part;
      const ids = (JSON.parse(text).bookings as BookingRecord[]).map((b) => b.id);
      assert.deepEqual(ids, [res.bookingId], `${u.username}'s export`);
    }
  } finally {
    app.close();
  }
});

Deno.test("account deletion: a team's last owner is refused with what to do; after handing over, the account goes and leaves the team", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const { team, users } = await seedTeam(app, {
      members: [{ username: "ann" }, { username: "ben" }],
    });
    const [ann, ben] = users;
    const refused = await deleteAccount(app, ann, "ann");
    assert.deepEqual(refused, { ok: false, reason: "last_owner", teams: ["The Crew"] });
    assert.match(lastOwnerMessage(["The Crew"]), /last owner of the team “The Crew”.*owner first/);
    assert.equal((await getTeam(app.kv, team.id))!.members.length, 2, "nothing changed");

    assert.ok((await setMemberRole(app, ann, team.id, ben.id, "owner")).ok);
    const done = await deleteAccount(app, ann, "ann");
    assert.ok(done.ok, JSON.stringify(done));
    assert.deepEqual((await getTeam(app.kv, team.id))!.members.map((m) => m.userId), [ben.id]);

    // A team with nobody else in it is no obstacle: it keeps its record, with nobody to offer.
    const solo = await createTeam(app, ben, { name: "Solo", slug: "solo", timeZone: "UTC" });
    assert.ok(solo.ok);
    assert.ok((await deleteAccount(app, ben, "ben")).ok);
  } finally {
    app.close();
  }
});

Deno.test("team slugs: a username its host gave up stays held for them; no team can take it while it is", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  try {
    const { users } = await seedTeam(app, { members: [{ username: "ann" }] });
    const [ann] = users;
    assert.ok((await updateUser(app.kv, ann.id, { username: "ann-b" }, app.now())).ok);
    const taken = await createTeam(app, ann, { name: "Ann's", slug: "ann", timeZone: "UTC" });
    assert.ok(!taken.ok && /taken/.test(taken.errors.slug ?? ""), JSON.stringify(taken));
    const other = await createTeam(app, ann, { name: "Ann's", slug: "anns", timeZone: "UTC" });
    assert.ok(other.ok);
    // 91 days later the hold is over and the name is free for a team too.
    app.clock.ms += 91 * 86_400_000;
    const later = await createTeam(app, ann, { name: "Ann", slug: "ann", timeZone: "UTC" });
    assert.ok(later.ok, JSON.stringify(later));
  } finally {
    app.close();
  }
});
