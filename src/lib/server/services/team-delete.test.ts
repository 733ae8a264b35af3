/**
 * Deleting a team (ADR 016, "Deleting a team"): an owner who types its name; refused while any
 * of its bookings is still ahead; afterwards nothing of it is reachable, its address is held
 * for nobody, and its bookings stay with their members. The KV is guarded by remote KV's write
 * limits (tests/support/kv-guard.ts) in every test here.
 */
import assert from "node:assert/strict";
import { messageRef } from "../../shared/i18n.ts";
import { memoryApp } from "../../../../tests/support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../../../../tests/support/teams.ts";
import { createTeam, deleteTeam, listMyTeams, updateTeamSettings } from "./teams.ts";
import { invitationsFor, inviteMember } from "./team-invites.ts";
import { bookTeamSlot } from "./team-bookings.ts";
import { decideTeamBooking } from "./team-dashboard.ts";
import { createForm, listForms } from "./routing-forms.ts";
import { updateProfile } from "./profile.ts";
import { usernameRedirect } from "./username-history.ts";
import { getTeam, getTeamBySlug, listInvites } from "../store/teams.ts";
import { listEventTypes } from "../store/event-types.ts";
import { getBooking } from "../store/bookings.ts";
import { TEAM_DELETION_MAX } from "../domain/team-deletion.ts";
import { MAX_MEMBERS } from "../domain/team-membership.ts";

const T0 = Date.parse("2026-11-23T09:00:00Z");
const guest = { name: "Gus", email: "gus@example.test", note: "", timeZone: "UTC" };

async function setup() {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const { team, users } = await seedTeam(app, {
    name: "The Crew",
    members: [{ username: "olga" }, { username: "ann" }],
  });
  return { app, team, owner: users[0], ann: users[1] };
}

Deno.test("deleteTeam: an owner who types the name deletes the team; its pages, event types, forms, invitations and memberships go, and its address is held for nobody", async () => {
  const { app, team, owner, ann } = await setup();
  await seedTeamEventType(app, team, { slug: "call", teamMode: "round_robin" });
  assert.ok((await createForm(app, team.id, { title: "Ask", slug: "ask" })).ok);
  assert.ok((await inviteMember(app, owner, team.id, "zed@example.test", "member")).ok);

  const res = await deleteTeam(app, owner, team.id, "  The   Crew ");
  assert.equal(res.ok, true, JSON.stringify(res));
  assert.equal(await getTeam(app.kv, team.id), null);
  assert.equal(await getTeamBySlug(app.kv, "crew"), null);
  assert.deepEqual(await listMyTeams(app, owner), []);
  assert.deepEqual(await listMyTeams(app, ann), []);
  assert.deepEqual(await listEventTypes(app.kv, team.id), []);
  assert.deepEqual(await listForms(app, team.id), []);
  assert.deepEqual(await listInvites(app.kv, team.id), []);
  const zed = { id: "z", email: "zed@example.test" } as Parameters<typeof invitationsFor>[1];
  assert.deepEqual(await invitationsFor(app, zed), [], "the invitation is gone");
  // Its old links lead nowhere: no forward, and nobody else may take the address.
  const at = new URL("http://invito.test/team/crew/call");
  assert.equal(
    await usernameRedirect(app, "/team/[team]/[slug]", { team: "crew", slug: "call" }, at),
    null,
  );
  const taken = await createTeam(app, ann, { name: "Mine", slug: "crew", timeZone: "UTC" });
  assert.equal(taken.ok, false);
  const named = await updateProfile(app, ann, { name: "Ann", username: "crew", timeZone: "UTC" });
  assert.equal(named.ok, false);
  // After 90 days the address is free again.
  app.clock.ms += 91 * 86_400_000;
  assert.ok((await createTeam(app, ann, { name: "Mine", slug: "crew", timeZone: "UTC" })).ok);
  app.close();
});

Deno.test("deleteTeam: refused to a member, for another name, and while a booking lies ahead — then allowed once it is cancelled, the booking staying with its member", async () => {
  const { app, team, owner, ann } = await setup();
  await seedTeamEventType(app, team, { slug: "call", teamMode: "round_robin", hostIds: [ann.id] });
  assert.deepEqual(await deleteTeam(app, ann, team.id, "The Crew"), {
    ok: false,
    reason: "forbidden",
  });
  assert.deepEqual(await deleteTeam(app, owner, team.id, "crew"), {
    ok: false,
    reason: "name_mismatch",
  });
  const booked = await bookTeamSlot(app, {
    team: "crew",
    slug: "call",
    start: new Date(T0).toISOString(),
    ...guest,
  });
  assert.ok(booked.ok, JSON.stringify(booked));
  const id = booked.bookingId;
  assert.deepEqual(await deleteTeam(app, owner, team.id, "The Crew"), {
    ok: false,
    reason: "upcoming",
    upcoming: 1,
  });
  assert.ok(await getTeam(app.kv, team.id), "the team is still there");
  assert.ok((await decideTeamBooking(app, owner, team.id, id, "cancel")).ok);
  assert.equal((await deleteTeam(app, owner, team.id, "The Crew")).ok, true);
  const kept = await getBooking(app.kv, id);
  assert.equal(kept?.hostId, ann.id, "the (cancelled) booking stays its member's");
  assert.deepEqual(await deleteTeam(app, owner, team.id, "The Crew"), {
    ok: false,
    reason: "not_found",
  });
  app.close();
});

Deno.test("deleteTeam: of 10 deletions and 10 renames of one team at once, exactly one deletion lands and the team is gone", async () => {
  const { app, team, owner } = await setup();
  const { updateTeamSettings } = await import("./teams.ts");
  const results = await Promise.all([
    ...Array.from({ length: 10 }, () => deleteTeam(app, owner, team.id, "The Crew")),
    ...Array.from(
      { length: 10 },
      (_, i) =>
        updateTeamSettings(app, owner, team.id, {
          name: "The Crew",
          slug: `crew-${i}`,
          timeZone: "UTC",
        }),
    ),
  ]);
  assert.equal(results.slice(0, 10).filter((r) => r.ok).length, 1, "one deletion");
  assert.equal(await getTeam(app.kv, team.id), null);
  app.close();
});

Deno.test("deleteTeam: the largest team there can be (owner, members and invitations up to the limit) is deleted in writes remote KV takes", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const { team, users } = await seedTeam(app, {
    members: Array.from({ length: 40 }, (_, i) => ({ username: `m${i}` })),
  });
  for (let i = 0; i < MAX_MEMBERS - 40; i++) {
    const r = await inviteMember(app, users[0], team.id, `i${i}@example.test`, "member");
    assert.ok(r.ok, `invitation ${i}: ${JSON.stringify(r)}`);
  }
  assert.ok(TEAM_DELETION_MAX.mutations <= 1000 && TEAM_DELETION_MAX.checks <= 10);
  // The guarded KV throws on a write over the limits.
  assert.equal((await deleteTeam(app, users[0], team.id, team.name)).ok, true);
  assert.deepEqual(await listInvites(app.kv, team.id), []);
  app.close();
});

Deno.test("deleteTeam: an owner deleting the team while its settings are saved 60 times at once (another tab) deletes it; no save or deletion throws", async () => {
  const { app, team, owner } = await setup();
  const settings = { name: "The Crew", slug: team.slug, timeZone: "Europe/Berlin" };
  const [deleted, ...saves] = await Promise.allSettled([
    deleteTeam(app, owner, team.id, "The Crew"),
    ...Array.from({ length: 60 }, () => updateTeamSettings(app, owner, team.id, settings)),
  ]);
  assert.equal(
    deleted.status,
    "fulfilled",
    String(deleted.status === "rejected" && deleted.reason),
  );
  assert.ok(deleted.value.ok, JSON.stringify(deleted.value));
  for (const s of saves) {
    assert.equal(s.status, "fulfilled", String(s.status === "rejected" && s.reason));
    assert.ok(s.value.ok || s.value.reason === "not_found", JSON.stringify(s.value));
  }
  assert.equal(await getTeam(app.kv, team.id), null);
});

Deno.test("invitations sent at once past the team's limit: members and pending invitations stay within MAX_MEMBERS, so the team can still be deleted in one write remote KV takes", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const { team, users } = await seedTeam(app, {
    members: Array.from({ length: 40 }, (_, i) => ({ username: `m${i}` })),
  });
  // Twice the room left, all at once (an owner's script, two owners in two tabs).
  const sent = await Promise.all(
    Array.from(
      { length: 2 * (MAX_MEMBERS - 40) },
      (_, i) => inviteMember(app, users[0], team.id, `i${i}@example.test`, "member"),
    ),
  );
  const pending = await listInvites(app.kv, team.id);
  assert.equal(sent.filter((s) => s.ok).length, MAX_MEMBERS - 40);
  assert.equal(pending.length, MAX_MEMBERS - 40);
  for (const s of sent.filter((s) => !s.ok)) {
    assert.deepEqual(s, {
      ok: false,
      reason: "invalid",
      errors: { form: messageRef("team.err_too_many", { max: MAX_MEMBERS }) },
    });
  }
  assert.equal((await deleteTeam(app, users[0], team.id, team.name)).ok, true);
  app.close();
});
