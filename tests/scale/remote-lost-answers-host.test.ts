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
import { googleFixture, startGoogle } from "../support/google.ts";
import { readBusyCache } from "../../src/lib/server/store/calendar-busy.ts";
import { backupStore, pendingRestore, restoreStore } from "../../src/lib/server/store/backup.ts";
import { startKvConnect } from "../support/kv-connect-server.ts";
import { migrateStore } from "../../src/lib/server/store/migrate.ts";
import { publicPhoto, removeHostPhoto, setHostPhoto } from "../../src/lib/server/services/photo.ts";
import { PHOTO_MAX_BYTES } from "../../src/lib/server/domain/photo.ts";
import { translator } from "../../src/lib/server/i18n.ts";
import {
  finishOAuthConnect,
  startOAuthConnect,
} from "../../src/lib/server/services/calendar-oauth.ts";
import {
  removeCalendarAccount,
  saveCalendarSettings,
} from "../../src/lib/server/services/calendar-accounts.ts";
import { tokenSource } from "../../src/lib/server/services/calendar-tokens.ts";
import { listAccounts, listHostCalendars } from "../../src/lib/server/store/calendars.ts";
import { getTokenEntry } from "../../src/lib/server/store/calendar-tokens.ts";
import { type TestApp, WORKDAYS } from "../support/memory-app.ts";
import { startZoom, zoomEnv } from "../support/zoom.ts";
import {
  finishZoomConnect,
  startZoomConnect,
} from "../../src/lib/server/services/zoom-meetings.ts";
import { deliverOutbox } from "../../src/lib/server/jobs/deliver-outbox.ts";
import { registerWriteback } from "../../src/lib/server/jobs/writeback.ts";
import type { UserRecord } from "../../src/lib/server/domain/model/records.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
registerWriteback();

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

/** The connect the way a browser does it: authorize URL, "Allow", the callback on `done`. */
async function connectGoogle(
  g: Awaited<ReturnType<typeof startGoogle>>,
  start: TestApp,
  done: TestApp,
  host: UserRecord,
  beforeCallback: () => void = () => {},
) {
  const started = await startOAuthConnect(start, host, "google", null);
  assert.ok(started.ok, JSON.stringify(started));
  beforeCallback();
  const callback = new URL(g.oauth.callbackFor(new URL(started.url).searchParams, true));
  return await finishOAuthConnect(done, host, "google", callback);
}

Deno.test({
  ...opts,
  name:
    "remote KV: connecting a Google calendar, saving its settings, disconnecting it and connecting it again, each answer lost — connected (not 'authorization expired' or 'try again'), saved (not 'changed meanwhile'), one account, disconnected and said so",
  async fn() {
    await using g = await startGoogle();
    g.calendars = [{ id: "kim@example.com", summary: "Kim", accessRole: "owner", primary: true }];
    await using r = await remoteApps({ env: g.env });
    const host = await createHost(r.a, { username: "kim" });

    // The callback takes its started authorization once: that take's answer is lost.
    const first = await connectGoogle(
      g,
      r.a,
      r.b,
      host,
      () => r.server.faults.set({ loseAnswer: 1, matchKey: "oauth_state" }),
    );
    assert.equal(r.server.stats().injected.loseAnswer, 1, "the take's answer was lost");
    assert.ok(first.ok, `connected, not refused: ${JSON.stringify(first)}`);
    const [account] = await listAccounts(r.kv, host.id);
    assert.ok(account, "the account is stored");

    // Its calendar no longer checked for conflicts, that save's answer lost.
    const [calendar] = await listHostCalendars(r.kv, host.id);
    r.server.faults.set({ loseAnswer: 1, matchKey: "calendar" });
    const saved = await saveCalendarSettings(r.b, host.id, {
      conflicts: [],
      writeback: calendar.value.id,
    });
    assert.equal(r.server.stats().injected.loseAnswer, 2, "the save's answer was lost");
    assert.ok(saved.ok, `saved, not 'changed meanwhile': ${JSON.stringify(saved)}`);
    const [off] = await listHostCalendars(r.kv, host.id);
    assert.equal(off.value.checkConflicts, false);
    r.server.faults.set({ loseAnswer: 1, matchKey: "calendar" });
    assert.ok(
      (await saveCalendarSettings(r.a, host.id, {
        conflicts: [calendar.value.id],
        writeback: calendar.value.id,
      })).ok,
      "checked again, and said saved",
    );
    assert.equal(r.server.stats().injected.loseAnswer, 3, "that save's answer was lost too");

    r.server.faults.set({ loseAnswer: 1, matchKey: "calendar_account" });
    assert.ok(
      await removeCalendarAccount(r.a, host.id, account.value.id),
      "disconnected, and said so (not 'not found')",
    );
    assert.equal(r.server.stats().injected.loseAnswer, 4, "the removal's answer was lost");
    assert.deepEqual(await listAccounts(r.kv, host.id), []);
    assert.deepEqual(await listHostCalendars(r.kv, host.id), [], "its calendars gone with it");

    // A new account's write under its fresh id, its answer lost.
    r.server.faults.set({ loseAnswer: 1, matchKey: "calendar_account" });
    const again = await connectGoogle(g, r.b, r.a, host);
    assert.equal(r.server.stats().injected.loseAnswer, 5, "the new account's answer was lost");
    assert.ok(again.ok, `connected, not 'try again': ${JSON.stringify(again)}`);
    assert.equal((await listAccounts(r.kv, host.id)).length, 1, "one account");
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: an access token renewed with the claim's and the new tokens' answers lost — renewed once at the provider, the new token used and stored, no 'reconnect'",
  async fn() {
    await using g = await startGoogle();
    g.calendars = [{ id: "lea@example.com", summary: "Lea", accessRole: "owner", primary: true }];
    await using r = await remoteApps({ env: g.env });
    const host = await createHost(r.a, { username: "lea" });
    assert.ok((await connectGoogle(g, r.a, r.a, host)).ok);
    const [{ value: account }] = await listAccounts(r.kv, host.id);
    const before = g.oauth.calls.refresh_token;

    // Two hours on, the access token is stale: the claim and the new tokens each lose an answer.
    r.b.clock.ms += 2 * 3_600_000;
    r.a.clock.ms += 2 * 3_600_000;
    r.server.faults.set({ loseAnswer: 2, matchKey: "calendar_token" });
    const got = await tokenSource(r.b, account).get();
    assert.equal(r.server.stats().injected.loseAnswer, 2, "both answers were lost");
    assert.ok(got.ok, `a token, not 'reconnect': ${JSON.stringify(got)}`);
    assert.equal(g.oauth.calls.refresh_token - before, 1, "renewed once");
    const stored = (await getTokenEntry(r.kv, host.id, account.id)).value!;
    assert.equal(stored.refreshing, null, "no claim left behind");
    assert.equal(stored.revokedAtMs, null);
    const other = await tokenSource(r.a, account).get();
    assert.ok(
      other.ok && got.ok && other.accessToken === got.accessToken,
      "the new token is shared",
    );
    assert.equal(g.oauth.calls.refresh_token - before, 1, "still renewed once");
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: Zoom connected and a booking's Zoom meeting recorded, each answer lost — connected (not 'expired'), and the guest's link is a live meeting, the only one",
  async fn() {
    await using z = await startZoom();
    await using r = await remoteApps({ env: zoomEnv(z) });
    const host = await createHost(r.a, { username: "max", weekly: WORKDAYS });
    await createEventType(r.a, host, {
      slug: "call",
      requiresConfirmation: false,
      locations: [{ kind: "zoom", value: "" }],
      location: { kind: "zoom", value: "" },
    });
    const started = await startZoomConnect(r.a, host);
    assert.ok(started.ok, JSON.stringify(started));
    const callback = new URL(z.oauth.callbackFor(new URL(started.url).searchParams, true));
    r.server.faults.set({ loseAnswer: 1, matchKey: "oauth_state" });
    const done = await finishZoomConnect(r.b, host, callback);
    assert.equal(r.server.stats().injected.loseAnswer, 1, "the take's answer was lost");
    assert.ok(done.ok, `connected, not refused: ${JSON.stringify(done)}`);

    const booked = await bookSlot(r.a, {
      username: "max",
      slug: "call",
      start: "2026-11-23T13:00:00Z",
      name: "Jane",
      email: "jane@example.test",
      note: "",
      timeZone: "UTC",
    });
    assert.ok(booked.ok, JSON.stringify(booked));
    r.server.faults.set({ loseAnswer: 1, matchKey: "zoom_meeting" });
    // The outbox makes the meeting (the writeback job), on both processes, until it is done.
    for (let i = 0; i < 12 && !(await getBooking(r.kv, booked.bookingId))?.location?.value; i++) {
      await deliverOutbox(r.app(i), r.app(i).now());
      r.a.clock.ms += 5_000;
      r.b.clock.ms += 5_000;
    }
    assert.equal(r.server.stats().injected.loseAnswer, 2, "the meeting record's answer was lost");
    const link = (await getBooking(r.kv, booked.bookingId))?.location?.value;
    const live = [...z.meetings.values()];
    assert.deepEqual(
      live.map((m) => m.join_url),
      [link],
      "the guest's link is the one live meeting",
    );
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: a calendar sync whose new busy times lost their answer — the host's busy times still block (they were dropped as another sync's, and slots offered over them)",
  async fn() {
    await using g = await startGoogle();
    g.calendars = [{ id: "ned@example.com", summary: "Ned", accessRole: "owner", primary: true }];
    g.put("ned@example.com", ...googleFixture("events-week.json"));
    await using r = await remoteApps({ env: g.env });
    const host = await createHost(r.a, { username: "ned" });
    // Only the sync's head commit: the head, the busy revision (and a receipt, if any).
    r.server.faults.set({
      loseAnswer: 1,
      matchOnly: ["calendar_busy_head", "busy_rev", "commit_receipt"],
    });
    const connected = await connectGoogle(g, r.a, r.b, host);
    assert.ok(connected.ok, JSON.stringify(connected));
    assert.equal(r.server.stats().injected.loseAnswer, 1, "the head's answer was lost");
    const from = Date.parse("2026-11-20T00:00:00Z");
    const { heads, windows } = await readBusyCache(r.kv, host.id, from, from + 30 * 86_400_000);
    assert.equal(heads.length, 1);
    assert.ok(heads[0].gen && heads[0].events > 0, JSON.stringify(heads[0]));
    assert.ok(windows.length > 0, "the synced busy times are there to block slots");
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: a restore into a remote store whose start and batches lost their answers — restored and verified (not 'another restore started' or 'the marker changed under us')",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "invito-lost-restore-" });
    const src = await Deno.openKv(":memory:");
    try {
      for (let i = 0; i < 2000; i++) {
        await src.set(["booking", `b${String(i).padStart(5, "0")}`], { i, pad: "x".repeat(200) });
      }
      const file = `${dir}/a.backup.gz`;
      await backupStore(src, ":memory:", file);
      await using target = await startKvConnect({ faults: { latencyMs: [1, 4] } });
      Deno.env.set("DENO_KV_ACCESS_TOKEN", target.token);
      const dst = await Deno.openKv(target.url);
      try {
        // The marker's start and two of the batches (each carries the marker) lose their answers.
        target.faults.set({ loseAnswer: 3, matchKey: "meta" });
        const r = await restoreStore(dst, file, { nowMs: Date.now() });
        assert.equal(target.stats().injected.loseAnswer, 3, "three answers were lost");
        assert.equal(r.restored, 2000, "every entry restored");
        assert.equal(await pendingRestore(dst), null, "the store is complete");
      } finally {
        dst.close();
      }
    } finally {
      src.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: a schema-1 store migrated whose final mark lost its answer — the migration is reported (the start log said nothing)",
  async fn() {
    await using r = await remoteApps({ nowIso: "2026-11-21T07:00:00Z" });
    // A store of the schema-1 code (src/lib/server/store/migrate.test.ts reads the same file).
    const fixture = new URL("../fixtures/store-v1/store.jsonl", import.meta.url);
    for (const line of (await Deno.readTextFile(fixture)).trim().split("\n")) {
      const { key, value } = JSON.parse(line);
      await r.kv.set(key, value);
    }
    r.server.faults.set({ loseAnswer: 1, matchKey: "meta" });
    const report = await migrateStore(r.a.kv, { owner: "a", now: r.a.now });
    assert.equal(r.server.stats().injected.loseAnswer, 1, "the mark's answer was lost");
    assert.deepEqual(report, { from: 1, to: 2, bookings: 8, removed: 24 });
    assert.equal(await migrateStore(r.b.kv, { owner: "b", now: r.b.now }), null, "once");
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: a photo uploaded and removed with each answer lost — said saved and removed, the booking page shows it, then none (safe before: each write sets the whole state again)",
  async fn() {
    await using r = await remoteApps();
    const host = await createHost(r.a, { username: "ola" });
    // A photo at the largest size allowed: its resend is the biggest value a host writes.
    const photo = new Uint8Array(PHOTO_MAX_BYTES).map((_, i) => i % 251);
    photo.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    r.server.faults.set({ loseAnswer: 1, matchKey: "user_photo" });
    const saved = await setHostPhoto(r.b, host, photo, translator("en"));
    assert.equal(r.server.stats().injected.loseAnswer, 1, "the upload's answer was lost");
    assert.ok(saved.ok, JSON.stringify(saved).slice(0, 200));
    assert.deepEqual((await publicPhoto(r.a, "ola"))?.bytes, photo, "the page shows it");

    r.server.faults.set({ loseAnswer: 1, matchKey: "user_photo" });
    assert.ok(await removeHostPhoto(r.a, host), "removed, and said so");
    assert.equal(r.server.stats().injected.loseAnswer, 2, "the removal's answer was lost");
    assert.equal(await publicPhoto(r.b, "ola"), null);
  },
});
