/**
 * Connecting an identity at the issuer (services/identity-link.ts): the link intent is good only
 * for the session and user it was issued to, for ten minutes; a Connect links only an identity
 * whose verified address is the account's; an identity is linked to one account, however many
 * links race.
 */
import assert from "node:assert/strict";
import {
  decideIdentityLink,
  disconnectIdentity,
  isLinkIntentValid,
  issueLinkIntent,
  LINK_INTENT_MAX_AGE_S,
  listIdentities,
} from "./identity-link.ts";
import { createKvAdapter, getLinkedUserId } from "../store/auth-adapter.ts";
import { createHost, memoryApp } from "../../../../tests/support/memory-app.ts";

Deno.test("link intent: valid only for the session and user it was issued to, until it expires, and not when altered", async () => {
  const app = await memoryApp();
  try {
    const now = app.now();
    const session = crypto.randomUUID();
    const intent = await issueLinkIntent(app, session, "01USERA", now);
    assert.ok(await isLinkIntentValid(app, intent, session, "01USERA", now));
    assert.ok(await isLinkIntentValid(app, intent, session, "01USERA", now + 9 * 60_000));
    assert.equal(
      await isLinkIntentValid(app, intent, session, "01USERA", now + LINK_INTENT_MAX_AGE_S * 1000),
      false,
      "expired",
    );
    assert.equal(await isLinkIntentValid(app, intent, crypto.randomUUID(), "01USERA", now), false);
    assert.equal(await isLinkIntentValid(app, intent, session, "01USERB", now), false);
    const [expires, mac] = intent.split(".");
    const later = `${Number(expires) + 60_000}.${mac}`;
    assert.equal(await isLinkIntentValid(app, later, session, "01USERA", now), false);
    const flipped = `${expires}.${mac[0] === "A" ? "B" : "A"}${mac.slice(1)}`;
    assert.equal(await isLinkIntentValid(app, flipped, session, "01USERA", now), false);
    for (const junk of [undefined, "", "x", `${expires}.`, `${Number.MAX_SAFE_INTEGER}.${mac}`]) {
      assert.equal(await isLinkIntentValid(app, junk, session, "01USERA", now), false, junk);
    }
    // Another server's secret: not valid here.
    const other = await memoryApp({ env: { INVITO_SESSION_SECRET: "other-".padEnd(48, "y") } });
    try {
      const theirs = await issueLinkIntent(other, session, "01USERA", now);
      assert.equal(await isLinkIntentValid(app, theirs, session, "01USERA", now), false);
    } finally {
      other.close();
    }
  } finally {
    app.close();
  }
});

Deno.test("decideIdentityLink: only a verified address equal to the account's (any case), never an identity of another account, one identity per account", async () => {
  const app = await memoryApp();
  try {
    const olga = await createHost(app, { username: "olga", email: "olga@example.test" });
    const carol = await createHost(app, { username: "carol", email: "carol@example.test" });
    const adapter = createKvAdapter(app.kv, { timeZone: "UTC" });
    await adapter.linkAccount!({
      userId: carol.id,
      type: "oidc",
      provider: "oidc",
      providerAccountId: "carol",
    });
    const link = { userId: olga.id, email: olga.email };
    const decide = (providerAccountId: string, verifiedEmail: string | null) =>
      decideIdentityLink(app, link, { provider: "oidc", providerAccountId, verifiedEmail });
    assert.deepEqual(await decide("olga", "olga@example.test"), { ok: true });
    assert.deepEqual(await decide("olga", "OLGA@Example.Test"), { ok: true });
    assert.deepEqual(await decide("olga", null), { ok: false, reason: "unverified" });
    assert.deepEqual(await decide("x", "carol@example.test"), {
      ok: false,
      reason: "other_address",
    });
    assert.deepEqual(await decide("carol", "olga@example.test"), {
      ok: false,
      reason: "linked_elsewhere",
    });
    await adapter.linkAccount!({
      userId: olga.id,
      type: "oidc",
      provider: "oidc",
      providerAccountId: "olga",
    });
    assert.deepEqual(await decide("olga", "olga@example.test"), { ok: true }, "linked already");
    assert.deepEqual(await decide("olga-2", "olga@example.test"), {
      ok: false,
      reason: "has_identity",
    });
    assert.deepEqual(await listIdentities(app, olga.id), ["olga"]);
    // Disconnecting removes only Olga's identity.
    assert.equal(await disconnectIdentity(app, olga.id), 1);
    assert.deepEqual(await listIdentities(app, olga.id), []);
    assert.equal(await getLinkedUserId(app.kv, "oidc", "olga"), null);
    assert.equal(await getLinkedUserId(app.kv, "oidc", "carol"), carol.id);
    assert.equal(await disconnectIdentity(app, olga.id), 0);
  } finally {
    app.close();
  }
});

Deno.test("linkAccount: of 20 concurrent links of one identity to different accounts exactly one lands", async () => {
  const app = await memoryApp();
  try {
    const adapter = createKvAdapter(app.kv, { timeZone: "UTC" });
    const users = await Promise.all(
      Array.from({ length: 20 }, (_, i) => createHost(app, { username: `u${i}` })),
    );
    const results = await Promise.allSettled(users.map((u) =>
      adapter.linkAccount!({
        userId: u.id,
        type: "oidc",
        provider: "oidc",
        providerAccountId: "same-sub",
      })
    ));
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    const owner = await getLinkedUserId(app.kv, "oidc", "same-sub");
    const winner = users[results.findIndex((r) => r.status === "fulfilled")];
    assert.equal(owner, winner.id);
    for (const u of users) {
      assert.deepEqual(await listIdentities(app, u.id), u.id === owner ? ["same-sub"] : []);
    }
  } finally {
    app.close();
  }
});
