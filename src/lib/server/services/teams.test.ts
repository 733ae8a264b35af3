/**
 * Teams as their members manage them: one namespace for team slugs and usernames under
 * concurrent claims, at least one owner under concurrent role changes, invitations by mail that
 * only the invited address can answer, and owners-only actions.
 */
import assert from "node:assert/strict";
import {
  answerInvite,
  answerInviteByToken,
  invitationsFor,
  inviteByToken,
  inviteMember,
  resendInvite,
  revokeInvite,
} from "./team-invites.ts";
import {
  createTeam,
  removeMember,
  setMemberRole,
  setMemberWeight,
  teamForMember,
  updateTeamSettings,
} from "./teams.ts";
import { updateProfile } from "./profile.ts";
import { deliverOutbox } from "../jobs/deliver-outbox.ts";
import { getTeam } from "../store/teams.ts";
import { getUserByUsername, insertUser } from "../store/users.ts";
import { createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import type { TeamRecord, UserRecord } from "../domain/model/records.ts";

const LINK = /http:\/\/invito\.test\/team-invitation\/([A-Za-z0-9_-]+)/;

async function newTeam(
  app: Awaited<ReturnType<typeof memoryApp>>,
  owner: UserRecord,
  slug = "crew",
) {
  const r = await createTeam(app, owner, { name: "The Crew", slug, timeZone: "Europe/Berlin" });
  assert.ok(r.ok, JSON.stringify(r));
  return r.team;
}

/** Invites `email` and returns the token from the mail the outbox sent. */
async function invite(
  app: Awaited<ReturnType<typeof memoryApp>>,
  owner: UserRecord,
  team: TeamRecord,
  email: string,
  role: "owner" | "member" = "member",
) {
  const r = await inviteMember(app, owner, team.id, email, role);
  assert.ok(r.ok, JSON.stringify(r));
  await deliverOutbox(app, app.now());
  const mail = app.mailer.sent.findLast((m) => m.to === email.toLowerCase())!;
  return { invite: r.invite, token: LINK.exec(mail.text!)![1], mail };
}

Deno.test("namespace: a team slug and a username claimed at once, 20 times over, never both succeed", async () => {
  const app = await memoryApp();
  const owner = await createHost(app, { username: "owner" });
  for (let i = 0; i < 20; i++) {
    const name = `clash${i}`;
    const [team, user] = await Promise.all([
      createTeam(app, owner, { name: "X", slug: name, timeZone: "UTC" }),
      insertUser(app.kv, {
        email: `${name}@example.test`,
        name,
        wantedUsername: name,
        timeZone: "UTC",
        emailVerifiedMs: null,
        image: null,
      }, app.now()),
    ]);
    assert.ok(user.ok);
    // The user always gets an account; if the team won the name, the user's is "name-2".
    const byName = await getUserByUsername(app.kv, name);
    assert.equal(team.ok, byName === null, `round ${i}`);
    if (team.ok) assert.equal(user.user.username, `${name}-2`);
  }
  app.close();
});

Deno.test("a team sent without an address (no scripts to fill it in) takes one from its name, cut to 40 and never ending on a dash; a name with nothing usable asks for one", async () => {
  const app = await memoryApp();
  const owner = await createHost(app, { username: "owner" });
  for (
    const [name, slug, want] of [
      ["Zoë's Support Crew", " ", "zoe-s-support-crew"],
      [
        "The quite extraordinarily long-named customer-success team",
        "",
        "the-quite-extraordinarily-long-named-cus",
      ],
    ]
  ) {
    const made = await createTeam(app, owner, { name, slug, timeZone: "UTC" });
    assert.ok(made.ok, name);
    assert.equal(made.team.slug, want);
  }
  const none = await createTeam(app, owner, { name: "日本チーム", slug: "", timeZone: "UTC" });
  assert.equal(none.ok, false);
  assert.ok(!none.ok && none.errors.slug, "the address is asked for");
  app.close();
});

Deno.test("namespace: a team cannot take a username, a user cannot rename to a team's slug, and reserved names are refused", async () => {
  const app = await memoryApp();
  const owner = await createHost(app, { username: "owner" });
  const taken = await createTeam(app, owner, { name: "X", slug: "owner", timeZone: "UTC" });
  assert.equal(taken.ok, false);
  assert.match(!taken.ok ? taken.errors.slug ?? "" : "", /taken/);
  const team = await newTeam(app, owner, "sales");
  const rename = await updateProfile(app, owner, {
    name: owner.name,
    username: "sales",
    timeZone: owner.timeZone,
    clock: "24h",
  });
  assert.equal(rename.ok, false);
  const other = await newTeam(app, owner, "support");
  const moved = await updateTeamSettings(app, owner, other.id, {
    name: "Support",
    slug: "sales",
    timeZone: "UTC",
  });
  assert.equal(moved.ok, false);
  for (const slug of ["team", "dashboard", "Bad Slug", "-x"]) {
    const r = await createTeam(app, owner, { name: "X", slug, timeZone: "UTC" });
    assert.equal(r.ok, false, slug);
  }
  assert.ok(team);
  app.close();
});

Deno.test("owners: two owners stepping down at once leave the team with one owner; the last owner cannot leave", async () => {
  for (let round = 0; round < 10; round++) {
    const app = await memoryApp();
    const a = await createHost(app, { username: "a" });
    const b = await createHost(app, { username: "b" });
    const team = await newTeam(app, a);
    const { token } = await invite(app, a, team, b.email, "owner");
    assert.ok((await answerInviteByToken(app, b, token, true)).ok);
    const res = await Promise.all([
      setMemberRole(app, a, team.id, a.id, "member"),
      setMemberRole(app, b, team.id, b.id, "member"),
    ]);
    const after = (await getTeam(app.kv, team.id))!;
    assert.equal(after.members.filter((m) => m.role === "owner").length, 1, `round ${round}`);
    assert.equal(res.filter((r) => r.ok).length, 1);
    const owner = after.members.find((m) => m.role === "owner")!.userId === a.id ? a : b;
    assert.deepEqual(await removeMember(app, owner, team.id, owner.id), {
      ok: false,
      reason: "last_owner",
    });
    app.close();
  }
});

Deno.test("invitations: mailed through the outbox, answered only by the invited address, shown on their dashboard; revoked links stop working", async () => {
  const app = await memoryApp();
  const owner = await createHost(app, { username: "owner" });
  const ann = await createHost(app, { username: "ann" });
  const eve = await createHost(app, { username: "eve" });
  const team = await newTeam(app, owner);
  const { token, mail, invite: inv } = await invite(app, owner, team, "ANN@example.test");
  assert.equal(mail.subject, "Join The Crew on Invito");
  assert.equal(inv.email, "ann@example.test");
  assert.equal((await inviteByToken(app, token))!.teamName, "The Crew");
  assert.equal((await invitationsFor(app, ann)).length, 1);
  // A second invitation to the same address is refused; a member cannot invite.
  const again = await inviteMember(app, owner, team.id, "ann@example.test", "member");
  assert.equal(again.ok, false);
  // Someone else holding the link cannot accept it.
  assert.deepEqual(await answerInviteByToken(app, eve, token, true), {
    ok: false,
    reason: "wrong_account",
  });
  // Resend keeps the link working.
  assert.ok((await resendInvite(app, owner, team.id, inv.id)).ok);
  await deliverOutbox(app, app.now());
  assert.equal(app.mailer.sent.filter((m) => m.to === "ann@example.test").length, 2);
  assert.ok((await answerInviteByToken(app, ann, token, true)).ok);
  assert.equal((await teamForMember(app, ann, team.id))!.role, "member");
  assert.equal((await invitationsFor(app, ann)).length, 0);
  assert.equal(await inviteByToken(app, token), null, "answered: the link is gone");

  const { token: t2, invite: i2 } = await invite(app, owner, team, eve.email);
  assert.deepEqual(await inviteMember(app, ann, team.id, "x@example.test", "member"), {
    ok: false,
    reason: "forbidden",
  });
  assert.ok((await revokeInvite(app, owner, team.id, i2.id)).ok);
  assert.deepEqual(await answerInviteByToken(app, eve, t2, true), {
    ok: false,
    reason: "not_found",
  });
  assert.equal(await teamForMember(app, eve, team.id), null);
  // Declining from the dashboard removes it too.
  const { invite: i3 } = await invite(app, owner, team, eve.email);
  assert.ok((await answerInvite(app, eve, { teamId: team.id, inviteId: i3.id }, false)).ok);
  assert.equal((await invitationsFor(app, eve)).length, 0);
  app.close();
});

Deno.test("owners only: members get 'forbidden' for owner actions, strangers 'not_found'", async () => {
  const app = await memoryApp();
  const owner = await createHost(app, { username: "owner" });
  const ann = await createHost(app, { username: "ann" });
  const eve = await createHost(app, { username: "eve" });
  const team = await newTeam(app, owner);
  const { token } = await invite(app, owner, team, ann.email);
  assert.ok((await answerInviteByToken(app, ann, token, true)).ok);
  const settings = { name: "Hijacked", slug: "crew", timeZone: "UTC" };
  assert.deepEqual(await updateTeamSettings(app, ann, team.id, settings), {
    ok: false,
    reason: "forbidden",
  });
  assert.deepEqual(await updateTeamSettings(app, eve, team.id, settings), {
    ok: false,
    reason: "not_found",
  });
  assert.deepEqual(await setMemberWeight(app, ann, team.id, ann.id, 5, 4), {
    ok: false,
    reason: "forbidden",
  });
  assert.deepEqual(await removeMember(app, ann, team.id, owner.id), {
    ok: false,
    reason: "forbidden",
  });
  assert.deepEqual(await setMemberRole(app, eve, team.id, eve.id, "owner"), {
    ok: false,
    reason: "not_found",
  });
  // A member may leave.
  assert.ok((await removeMember(app, ann, team.id, ann.id)).ok);
  assert.equal(await teamForMember(app, ann, team.id), null);
  assert.equal((await getTeam(app.kv, team.id))!.name, "The Crew");
  app.close();
});

Deno.test("team settings: 30 saves pressed at once are each saved (the last to land stays), none throws", async () => {
  const app = await memoryApp();
  const owner = await createHost(app, { username: "owner" });
  const team = await newTeam(app, owner);
  const names = Array.from({ length: 30 }, (_, i) => `The Crew ${i}`);
  const saves = await Promise.allSettled(
    names.map((name) =>
      updateTeamSettings(app, owner, team.id, { name, slug: "crew", timeZone: "Europe/Berlin" })
    ),
  );
  assert.deepEqual(
    saves.map((s) => s.status === "fulfilled" && s.value.ok),
    names.map(() => true),
    JSON.stringify(saves.find((s) => s.status === "rejected")),
  );
  assert.ok(names.includes((await getTeam(app.kv, team.id))!.name));
});

Deno.test("invitations: an owner's invitation sent while a co-owner saves the team's settings 30 times at once is sent, not refused as 'changed meanwhile'", async () => {
  const app = await memoryApp();
  const owner = await createHost(app, { username: "owner" });
  const co = await createHost(app, { username: "co" });
  const team = await newTeam(app, owner);
  const { token } = await invite(app, owner, team, co.email, "owner");
  assert.ok((await answerInviteByToken(app, co, token, true)).ok);
  const settings = { name: "The Crew", slug: "crew", timeZone: "Europe/Berlin" };
  const [sent, ...saves] = await Promise.all([
    inviteMember(app, owner, team.id, "zed@example.test", "member"),
    ...Array.from({ length: 30 }, () => updateTeamSettings(app, co, team.id, settings)),
  ]);
  assert.ok(sent.ok, JSON.stringify(sent));
  for (const s of saves) assert.ok(s.ok, JSON.stringify(s));
});
