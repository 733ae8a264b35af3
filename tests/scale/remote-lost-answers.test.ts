/**
 * The checked writes a host meets every day, over remote KV (ADR 038, amendment of 2026-11-27
 * "lost answers"): two service instances on the KV Connect test server, each with Deno's own
 * client, the commit's answer lost after the write landed — which Deno's client answers
 * `{ ok: false }` for, after sending the write again. Each change is made once and the person
 * is told it was made: never "taken", "not found" or "already a member" for their own change.
 */
import assert from "node:assert/strict";
import { createEventType as createHostEventType, createHost } from "../support/memory-app.ts";
import { remoteApps } from "../support/remote-apps.ts";
import { createKvAdapter } from "../../src/lib/server/store/auth-adapter.ts";
import { getUser } from "../../src/lib/server/store/users.ts";
import { disconnectIdentity, OIDC_PROVIDER } from "../../src/lib/server/services/identity-link.ts";
import { updateProfile } from "../../src/lib/server/services/profile.ts";
import {
  createEventType,
  deleteEventType,
  editEventType,
} from "../../src/lib/server/services/event-types.ts";
import { listEventTypes } from "../../src/lib/server/store/event-types.ts";
import { createApiKey, revokeApiKey } from "../../src/lib/server/services/api-keys.ts";
import { listApiKeys } from "../../src/lib/server/store/api-keys.ts";
import {
  createTeam,
  setMemberRole,
  updateTeamSettings,
} from "../../src/lib/server/services/teams.ts";
import {
  answerInvite,
  inviteMember,
  resendInvite,
  revokeInvite,
} from "../../src/lib/server/services/team-invites.ts";
import { getTeam, listInvites, listTeamsOf } from "../../src/lib/server/store/teams.ts";
import { keys } from "../../src/lib/server/store/keys.ts";
import { createSubscription, deleteSubscription } from "../../src/lib/server/services/webhooks.ts";
import { listSubscriptions } from "../../src/lib/server/store/webhooks.ts";
import { createForm } from "../../src/lib/server/services/routing-forms.ts";
import { listRoutingForms } from "../../src/lib/server/store/routing-forms.ts";
import { mintSingleUseLink } from "../../src/lib/server/services/single-use-links.ts";
import { countSingleUseLinks } from "../../src/lib/server/store/single-use-links.ts";
import { feedForToken, feedUrls, regenerateFeed } from "../../src/lib/server/services/ics-feed.ts";
import type { EventTypeRecord, OutboxRecord } from "../../src/lib/server/domain/model/records.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** Outbox jobs whose mail goes to `to`. */
async function mailJobsTo(kv: Deno.Kv, to: string) {
  let n = 0;
  for await (const e of kv.list<OutboxRecord>({ prefix: [keys.outbox(0, "x")[0]] })) {
    if (JSON.stringify(e.value.payload).includes(to)) n++;
  }
  return n;
}

Deno.test({
  ...opts,
  name:
    "remote KV: sign-in whose commit answers were lost — the account is made once, the identity linked, the emailed link signs in (not 'link used'), a second use of it is refused",
  async fn() {
    await using r = await remoteApps();
    const adapter = (app: typeof r.a) => createKvAdapter(app.kv, { now: app.now } as never);

    r.server.faults.set({ loseAnswer: 1, matchKey: "user" });
    const made = await adapter(r.a).createUser!({
      id: "",
      email: "ada@example.test",
      emailVerified: null,
      name: "Ada",
      image: null,
    } as never);
    assert.equal(r.server.stats().injected.loseAnswer, 1, "the new account's answer was lost");
    assert.equal(made.email, "ada@example.test", "the first sign-in makes the account");
    assert.ok(await getUser(r.kv, made.id as never), "the account is stored");

    r.server.faults.set({ loseAnswer: 1, matchKey: "account" });
    await adapter(r.b).linkAccount!({
      userId: made.id,
      type: "oidc",
      provider: "idp",
      providerAccountId: "sub-1",
    } as never);
    assert.equal(r.server.stats().injected.loseAnswer, 2, "the link's answer was lost");

    await adapter(r.a).createVerificationToken!({
      identifier: "ada@example.test",
      token: "t0k3n",
      expires: new Date(r.a.now() + 600_000),
    });
    r.server.faults.set({ loseAnswer: 1, matchKey: "verification_token" });
    const used = await adapter(r.b).useVerificationToken!({
      identifier: "ada@example.test",
      token: "t0k3n",
    });
    assert.equal(r.server.stats().injected.loseAnswer, 3, "the link's use lost its answer");
    assert.ok(used, "the emailed link signs in");
    const again = await adapter(r.a).useVerificationToken!({
      identifier: "ada@example.test",
      token: "t0k3n",
    });
    assert.equal(again, null, "the link is single-use still");

    // Disconnect from the issuer, its answer lost: said disconnected (and audited) once.
    await adapter(r.a).linkAccount!({
      userId: made.id,
      type: "oidc",
      provider: OIDC_PROVIDER,
      providerAccountId: "sub-2",
    } as never);
    r.server.faults.set({ loseAnswer: 1, matchKey: "account" });
    assert.equal(await disconnectIdentity(r.b, made.id as never), 1, "one identity disconnected");
    assert.equal(r.server.stats().injected.loseAnswer, 4, "the disconnect's answer was lost");
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: a settings save and a new username whose answer was lost are saved and said saved (not 'username taken')",
  async fn() {
    await using r = await remoteApps();
    const host = await createHost(r.a, { username: "bea" });
    r.server.faults.set({ loseAnswer: 1, matchKey: "user" });
    const saved = await updateProfile(r.b, host, {
      name: "Bea B.",
      username: "bea-b",
      timeZone: "Europe/Paris",
    });
    assert.equal(r.server.stats().injected.loseAnswer, 1, "the save's answer was lost");
    assert.ok(saved.ok, `saved, not refused: ${JSON.stringify(saved)}`);
    const stored = await getUser(r.kv, host.id);
    assert.equal(stored?.username, "bea-b");
    assert.equal(stored?.timeZone, "Europe/Paris");
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: an event type created, renamed and deleted with each answer lost — one event type, each step said done (not 'address taken' or 'not found')",
  async fn() {
    await using r = await remoteApps();
    const host = await createHost(r.a, { username: "cai" });
    const input = {
      title: "Chat",
      slug: "chat",
      description: "",
      durationMin: 30,
      requiresConfirmation: false,
      bookingWindowDays: 60,
      color: "#2549ea",
      active: true,
      confirmedMessage: "",
      rejectedMessage: "",
      location: { kind: "none", value: "" },
    } as unknown as Parameters<typeof createEventType>[2];

    r.server.faults.set({ loseAnswer: 1, matchKey: "event_type" });
    const made = await createEventType(r.a, host, input);
    assert.equal(r.server.stats().injected.loseAnswer, 1, "the create's answer was lost");
    assert.ok(made.ok, `created, not refused: ${JSON.stringify(made)}`);
    assert.equal((await listEventTypes(r.kv, host.id)).length, 1, "one event type");

    r.server.faults.set({ loseAnswer: 1, matchKey: "event_type" });
    const edited = await editEventType(r.b, host, made.record.id, { ...input, slug: "talk" });
    assert.equal(r.server.stats().injected.loseAnswer, 2, "the save's answer was lost");
    assert.ok(edited.ok, `saved, not refused: ${JSON.stringify(edited)}`);
    const [stored] = await listEventTypes(r.kv, host.id) as EventTypeRecord[];
    assert.equal(stored.slug, "talk");

    r.server.faults.set({ loseAnswer: 1, matchKey: "event_type" });
    assert.ok(await deleteEventType(r.a, host, made.record.id), "deleted, and said so");
    assert.equal(r.server.stats().injected.loseAnswer, 3, "the delete's answer was lost");
    assert.equal((await listEventTypes(r.kv, host.id)).length, 0);
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: an API key made and revoked with each answer lost — its secret shown once, one key stored; revoked and said revoked",
  async fn() {
    await using r = await remoteApps();
    const host = await createHost(r.a, { username: "dov" });
    r.server.faults.set({ loseAnswer: 1, matchKey: "api_key" });
    const made = await createApiKey(r.a, host, {
      name: "ci",
      scopes: ["bookings:read"] as never,
      expiresAtMs: null,
    });
    assert.equal(r.server.stats().injected.loseAnswer, 1, "the key's answer was lost");
    assert.ok(made.ok);
    const stored = await listApiKeys(r.kv, host.id);
    assert.deepEqual(
      stored.map((k) => k.id),
      [made.key.id],
      "one key: the one whose secret was shown",
    );

    r.server.faults.set({ loseAnswer: 1, matchKey: "api_key" });
    assert.ok(await revokeApiKey(r.b, host, made.key.id), "revoked, and said so");
    assert.equal(r.server.stats().injected.loseAnswer, 2, "the revoke's answer was lost");
    assert.equal((await listApiKeys(r.kv, host.id)).length, 0);
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: a team made, renamed, an invitation sent, resent, accepted, a role changed — each answer lost, each step done once and said done",
  async fn() {
    await using r = await remoteApps();
    const owner = await createHost(r.a, { username: "eva" });
    const guest = await createHost(r.a, { username: "fin", email: "fin@example.test" });

    r.server.faults.set({ loseAnswer: 1, matchKey: "team" });
    const made = await createTeam(r.a, owner, { name: "Sales", slug: "sales", timeZone: "UTC" });
    assert.equal(r.server.stats().injected.loseAnswer, 1, "the team's answer was lost");
    assert.ok(made.ok, `made, not refused: ${JSON.stringify(made)}`);
    assert.equal((await listTeamsOf(r.kv, owner.id)).length, 1, "one team");
    const teamId = made.team.id;

    r.server.faults.set({ loseAnswer: 1, matchKey: "team" });
    const renamed = await updateTeamSettings(r.b, owner, teamId, {
      name: "Sales EU",
      slug: "sales-eu",
      timeZone: "UTC",
    });
    assert.equal(r.server.stats().injected.loseAnswer, 2, "the rename's answer was lost");
    assert.ok(renamed.ok, `renamed, not refused: ${JSON.stringify(renamed)}`);

    r.server.faults.set({ loseAnswer: 1, matchKey: "team_invite" });
    const invited = await inviteMember(r.a, owner, teamId, "fin@example.test", "member");
    assert.equal(r.server.stats().injected.loseAnswer, 3, "the invitation's answer was lost");
    assert.ok(invited.ok, `invited, not refused: ${JSON.stringify(invited)}`);
    assert.equal((await listInvites(r.kv, teamId)).length, 1, "one invitation");
    assert.equal(await mailJobsTo(r.kv, "fin@example.test"), 1, "one mail queued");

    r.server.faults.set({ loseAnswer: 1, matchKey: "team_invite" });
    const resent = await resendInvite(r.b, owner, teamId, invited.invite.id);
    assert.equal(r.server.stats().injected.loseAnswer, 4, "the resend's answer was lost");
    assert.ok(resent.ok, `resent, not "not found": ${JSON.stringify(resent)}`);
    assert.equal(await mailJobsTo(r.kv, "fin@example.test"), 2, "one more mail, not two");

    r.server.faults.set({ loseAnswer: 1, matchKey: "team" });
    const joined = await answerInvite(r.a, guest, { teamId, inviteId: invited.invite.id }, true);
    assert.equal(r.server.stats().injected.loseAnswer, 5, "the accept's answer was lost");
    assert.ok(joined.ok, `joined, not refused: ${JSON.stringify(joined)}`);

    r.server.faults.set({ loseAnswer: 1, matchKey: "team" });
    const promoted = await setMemberRole(r.b, owner, teamId, guest.id, "owner");
    assert.equal(r.server.stats().injected.loseAnswer, 6, "the role's answer was lost");
    assert.ok(promoted.ok, `changed, not refused: ${JSON.stringify(promoted)}`);
    const team = await getTeam(r.kv, teamId);
    assert.equal(team?.slug, "sales-eu");
    assert.deepEqual(
      team?.members.map((m) => [m.userId, m.role]).sort(),
      [[owner.id, "owner"], [guest.id, "owner"]].sort(),
    );

    // An invitation revoked with its answer lost is said revoked.
    const other = await inviteMember(r.a, owner, teamId, "gus@example.test", "member");
    assert.ok(other.ok);
    r.server.faults.set({ loseAnswer: 1, matchKey: "team_invite" });
    const revoked = await revokeInvite(r.b, owner, teamId, other.invite.id);
    assert.equal(r.server.stats().injected.loseAnswer, 7, "the revoke's answer was lost");
    assert.ok(revoked.ok, `revoked, not "not found": ${JSON.stringify(revoked)}`);
    assert.equal((await listInvites(r.kv, teamId)).length, 0);
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: a webhook subscription made and deleted with each answer lost — one subscription, then none, and the delete said done (not 'not found')",
  async fn() {
    await using r = await remoteApps();
    const host = await createHost(r.a, { username: "gil" });
    await using hooks = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => new Response("ok"),
    );
    // INVITO_ALLOW_PRIVATE_WEBHOOKS=true: the receiver is on loopback.
    Object.assign(r.a.config, { allowPrivateWebhooks: true });
    r.server.faults.set({ loseAnswer: 1, matchKey: "webhook_sub" });
    const made = await createSubscription(r.a, host, {
      url: `http://127.0.0.1:${hooks.addr.port}/in`,
      description: "",
      events: ["form.submitted"],
    } as never);
    assert.ok(made.ok, JSON.stringify(made));
    assert.equal(r.server.stats().injected.loseAnswer, 1, "the create's answer was lost");
    assert.equal((await listSubscriptions(r.kv, host.id)).length, 1, "one subscription");

    r.server.faults.set({ loseAnswer: 1, matchKey: "webhook_sub" });
    assert.ok(await deleteSubscription(r.b, host, made.subscription.id), "deleted, and said so");
    assert.equal(r.server.stats().injected.loseAnswer, 2, "the delete's answer was lost");
    assert.equal((await listSubscriptions(r.kv, host.id)).length, 0);
  },
});

Deno.test({
  ...opts,
  name:
    "remote KV: a routing form, a one-off link and a new calendar feed address made with each answer lost — made once and handed over (not 'address taken', a server error, or an address that does not work)",
  async fn() {
    await using r = await remoteApps();
    const host = await createHost(r.a, { username: "hal" });
    const et = await createHostEventType(r.a, host, { slug: "chat" });

    r.server.faults.set({ loseAnswer: 1, matchKey: "routing_form" });
    const form = await createForm(r.a, host.id, { title: "Ask", slug: "ask" });
    assert.equal(r.server.stats().injected.loseAnswer, 1, "the form's answer was lost");
    assert.ok(form.ok, `made, not refused: ${JSON.stringify(form)}`);
    assert.equal((await listRoutingForms(r.kv, host.id)).length, 1, "one form");

    r.server.faults.set({ loseAnswer: 1, matchKey: "single_use_link" });
    const link = await mintSingleUseLink(r.b, host, et.id, {
      expiresOn: "",
      guestEmail: "",
      label: "for Ivo",
    });
    assert.equal(r.server.stats().injected.loseAnswer, 2, "the link's answer was lost");
    assert.ok(link.ok, `made: ${JSON.stringify(link)}`);
    assert.equal(await countSingleUseLinks(r.kv, host.id), 1, "one link");

    const first = await feedUrls(r.a, host);
    r.server.faults.set({ loseAnswer: 1, matchKey: "ics_feed" });
    const next = await regenerateFeed(r.b, host);
    assert.equal(r.server.stats().injected.loseAnswer, 3, "the new address's answer was lost");
    const token = (u: string) => u.split("/").pop()!.replace(/\.ics$/, "");
    assert.ok(await feedForToken(r.a, token(next.https)), "the address handed over works");
    assert.equal(await feedForToken(r.a, token(first.https)), null, "the old one stopped");
  },
});
