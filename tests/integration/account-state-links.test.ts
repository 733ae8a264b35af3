/**
 * A host's secret links follow their account's state (ADR 030, 043): a meeting poll and a
 * single-use link of a suspended or closed account open nothing and take nothing, over HTTP
 * against the built server; reactivated, they work again.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createClient } from "../support/http.ts";
import { signInByLink } from "../support/auth.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";
import { fullDayOf, startsIn } from "../support/slots.ts";

const ADMIN = "ops@example.test";

Deno.test({
  sanitizeResources: false,
  sanitizeOps: false,
  name:
    "account state (issue 32): a suspended host's meeting poll and single-use link answer 404 and take no vote or booking; reactivated they open again; closed, they are gone",
  async fn() {
    await using app = await startApp({ demo: true, env: { INVITO_ADMINS: ADMIN } });
    const admin = await signInByLink(app, ADMIN);
    const host = await signInByLink(app, DEMO_EMAIL);
    const list = await admin.get("/admin?q=demo");
    const demoId = /data-user="demo"[\s\S]*?name="userId" value="([0-9A-Z]{26})"/.exec(list.body)
      ?.[1];
    assert.ok(demoId);

    // A poll of three times.
    const page = await host.get("/dashboard/polls?type=quick-chat");
    // Times of a full day from tomorrow on (the picker starts today, whose times may pass).
    const free = fullDayOf(startsIn(page.body));
    const form = new URLSearchParams({ type: "quick-chat", title: "Team sync" });
    for (const s of [free[1], free[4], free[7]]) form.append("start", s);
    const made = await host.post("/dashboard/polls?/create", form);
    assert.equal(made.status, 200);
    const poll = new URL(/data-testid="poll-url">([^<]+)</.exec(made.body)![1]).pathname;

    // A single-use link of the same event type.
    const types = await host.get("/dashboard/event-types");
    const etId = /href="\/dashboard\/event-types\/([0-9A-Z]{26})"[^>]*>[^<]*Quick chat/.exec(
      types.body,
    )?.[1] ?? /\/dashboard\/event-types\/([0-9A-Z]{26})/.exec(types.body)![1];
    const minted = await host.post(`/dashboard/event-types/${etId}/links?/mint`, {
      label: "for Ann",
      expiresOn: "",
      guestEmail: "",
    });
    const once = new URL(/https?:\/\/[^\s<"]+\/once\/[A-Za-z0-9_-]+/.exec(minted.body)![0])
      .pathname;

    const guest = createClient(app.baseUrl);
    const vote = (name: string) =>
      guest.post(`${poll}?/vote`, {
        name,
        email: `${name.toLowerCase()}@example.test`,
        t0: "yes",
        t1: "no",
        t2: "maybe",
      });
    const book = (start: string) =>
      guest.post(`${once}?/book`, {
        name: "Ann",
        email: "ann@example.test",
        note: "",
        start,
        tz: "UTC",
      });
    assert.equal((await guest.get(poll)).status, 200);
    assert.equal((await guest.get(once)).status, 200);

    assert.equal(
      (await admin.post("/admin?/suspend", { userId: demoId, confirm: "yes" })).status,
      200,
    );
    assert.equal((await guest.get(poll)).status, 404, "a suspended host's poll");
    assert.equal((await vote("Ben")).status, 404, "a vote on it");
    const closedLink = await guest.get(once);
    assert.ok(
      [404, 410].includes(closedLink.status),
      `their single-use link: ${closedLink.status}`,
    );
    assert.doesNotMatch(closedLink.body, /data-slot=/);
    const refused = await book(free[2]);
    assert.ok([404, 410].includes(refused.status), `a booking on it: ${refused.status}`);

    assert.equal((await admin.post("/admin?/reactivate", { userId: demoId })).status, 200);
    assert.equal((await guest.get(poll)).status, 200, "reactivated: the poll opens");
    assert.equal((await vote("Cy")).status, 200);
    assert.equal((await guest.get(once)).status, 200, "and the link");

    const deleted = await admin.post("/admin?/delete", { userId: demoId, confirm: "demo" });
    assert.equal(deleted.status, 200, deleted.body.slice(0, 300));
    assert.equal((await guest.get(poll)).status, 404, "a closed account's poll");
    assert.equal((await vote("Dee")).status, 404);
    assert.equal((await guest.get(once)).status, 404, "a closed account's link");
  },
});
