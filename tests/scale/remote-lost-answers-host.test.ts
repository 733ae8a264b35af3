/**
 * The rarer host-side checked writes over remote KV (ADR 038, amendment of 2026-11-27 "host-side
 * writes"): two service instances on the KV Connect test server, each with Deno's own client,
 * the commit's answer lost after the write landed — which Deno's client answers `{ ok: false }`
 * for, after sending the write again. Each change is made once and the person is told it was
 * made, with what follows it done: never "not found" or "unchanged" for their own change.
 */
import assert from "node:assert/strict";
import { createEventType, createHost } from "../support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../support/teams.ts";
import { remoteApps } from "../support/remote-apps.ts";
import { createKvAdapter } from "../../src/lib/server/store/auth-adapter.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { deleteAccount } from "../../src/lib/server/services/account-closing.ts";
import { reactivateUser, suspendUser } from "../../src/lib/server/services/admin-users.ts";
import { createApiKey } from "../../src/lib/server/services/api-keys.ts";
import { listApiKeys } from "../../src/lib/server/store/api-keys.ts";
import { getBooking } from "../../src/lib/server/store/bookings.ts";
import { getUser } from "../../src/lib/server/store/users.ts";
import { deleteTeam, listMyTeams } from "../../src/lib/server/services/teams.ts";
import { inviteMember } from "../../src/lib/server/services/team-invites.ts";
import { listInvites } from "../../src/lib/server/store/teams.ts";
import { listEventTypes } from "../../src/lib/server/store/event-types.ts";
import { keys } from "../../src/lib/server/store/keys.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

async function count(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

Deno.test({
  ...opts,
  name:
    "remote KV: closing an account whose answer was lost — said closed (not 'not found'), its meeting ahead cancelled, its sign-ins and sessions gone",
  async fn() {
    await using r = await remoteApps({ nowIso: "2026-11-23T06:00:00Z" });
    const host = await createHost(r.a, { username: "ida" });
    await createEventType(r.a, host, { slug: "call", requiresConfirmation: false });
    const booked = await bookSlot(r.a, {
      username: "ida",
      slug: "call",
      start: "2026-11-24T09:00:00Z",
      name: "Gus",
      email: "gus@example.test",
      note: "",
      timeZone: "UTC",
    });
    assert.ok(booked.ok, JSON.stringify(booked));
    const adapter = createKvAdapter(r.a.kv, { now: r.a.now } as never);
    await adapter.linkAccount!({
      userId: host.id,
      type: "oidc",
      provider: "idp",
      providerAccountId: "sub-ida",
    } as never);
    await adapter.createSession!({
      sessionToken: "ida-session",
      userId: host.id,
      expires: new Date(r.a.now() + 86_400_000),
    });

    r.server.faults.set({ loseAnswer: 1, matchKey: "closed_account" });
    const closed = await deleteAccount(r.b, host, "ida");
    assert.equal(r.server.stats().injected.loseAnswer, 1, "the close's answer was lost");
    assert.deepEqual(closed, { ok: true, cancelled: 1 }, "said closed, one meeting cancelled");
    assert.equal((await getBooking(r.kv, booked.bookingId))?.status, "CANCELLED");
    assert.equal(await count(r.kv, keys.accountByUserPrefix(host.id)), 0, "no sign-in left");
    assert.equal(await count(r.kv, keys.sessionByUserPrefix(host.id)), 0, "no session left");
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: suspending and reactivating an account, each answer lost — each said done (not 'unchanged'), the suspension's API keys and sessions gone",
  async fn() {
    await using r = await remoteApps();
    const host = await createHost(r.a, { username: "jon" });
    const key = await createApiKey(r.a, host, {
      name: "ci",
      scopes: ["bookings:read"] as never,
      expiresAtMs: null,
    });
    assert.ok(key.ok);
    const adapter = createKvAdapter(r.a.kv, { now: r.a.now } as never);
    await adapter.createSession!({
      sessionToken: "jon-session",
      userId: host.id,
      expires: new Date(r.a.now() + 86_400_000),
    });
    const admin = { id: null, label: "cli" } as Parameters<typeof suspendUser>[1];

    r.server.faults.set({ loseAnswer: 1, matchKey: "user" });
    const suspended = await suspendUser(r.b, admin, host.id);
    assert.equal(r.server.stats().injected.loseAnswer, 1, "the suspension's answer was lost");
    assert.ok(suspended.ok, `suspended, not refused: ${JSON.stringify(suspended)}`);
    assert.equal((await listApiKeys(r.kv, host.id)).length, 0, "its API keys removed");
    assert.equal(await count(r.kv, keys.sessionByUserPrefix(host.id)), 0, "no session left");

    r.server.faults.set({ loseAnswer: 1, matchKey: "user" });
    const back = await reactivateUser(r.a, admin, host.id);
    assert.equal(r.server.stats().injected.loseAnswer, 2, "the reactivation's answer was lost");
    assert.ok(back.ok, `reactivated, not refused: ${JSON.stringify(back)}`);
    assert.equal((await getUser(r.kv, host.id))?.suspendedAtMs, undefined);
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: deleting a team whose answer was lost — said deleted (not 'not found'), its event types and invitations gone, no member still in it",
  async fn() {
    await using r = await remoteApps();
    const { team, users: [owner, ann] } = await seedTeam(r.a, {
      name: "The Crew",
      members: [{ username: "olga" }, { username: "ann" }],
    });
    await seedTeamEventType(r.a, team, { slug: "call", teamMode: "round_robin" });
    assert.ok((await inviteMember(r.a, owner, team.id, "zed@example.test", "member")).ok);

    r.server.faults.set({ loseAnswer: 1, matchKey: "team" });
    const res = await deleteTeam(r.b, owner, team.id, "The Crew");
    assert.equal(r.server.stats().injected.loseAnswer, 1, "the deletion's answer was lost");
    assert.ok(res.ok, `deleted, not refused: ${JSON.stringify(res)}`);
    assert.deepEqual(await listMyTeams(r.a, owner), []);
    assert.deepEqual(await listMyTeams(r.a, ann), []);
    assert.deepEqual(await listEventTypes(r.kv, team.id), [], "its event types gone");
    assert.deepEqual(await listInvites(r.kv, team.id), [], "its invitations gone");
  },
});
