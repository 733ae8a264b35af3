/**
 * The audit log (issue 32) over HTTP: each security-relevant event, done the way people do it
 * (the dashboard's own forms, the mailed sign-in link, the profile's import), appears in
 * /admin/audit and its CSV with its actor, target, time and hashed address. Ownership of a team
 * changes by a role change, by an invitation accepted as owner, and by an owner leaving: each is
 * recorded; a press that changes nothing is not.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { bearerApi, type Client, createClient } from "../support/http.ts";
import {
  finishMagicLink,
  formsOf,
  signInByLink,
  submitForm,
  verifyLinkIn,
} from "../support/auth.ts";
import { serveLocal } from "../support/local-server.ts";
import { slotsAhead } from "../reliability/harness.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";
import { parseCsv } from "../../src/lib/server/http/csv.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const ADMIN = "ops@example.test";

type Row = {
  when: string;
  kind: string;
  actor: string;
  target: string;
  ip: string;
  detail: string;
};

/** The audit CSV's rows of one kind, newest first. */
async function audited(admin: Client, kind: string): Promise<Row[]> {
  const res = await admin.get(`/admin/audit.csv?kind=${kind}`);
  assert.equal(res.status, 200);
  const [head, ...rows] = parseCsv(res.body);
  const col = (name: string) => head.indexOf(name);
  return rows.map((r) => ({
    when: String(r[col("when")]),
    kind: String(r[col("kind")]),
    actor: String(r[col("actor")]),
    target: String(r[col("target")]),
    ip: String(r[col("ip_hash")]),
    detail: String(r[col("detail")]),
  }));
}

/** Every row: at a time within the test, from a hashed address (never the address itself). */
function wellFormed(rows: Row[], sinceMs: number, kind: string) {
  assert.ok(rows.length > 0, `${kind} is in the audit log`);
  for (const r of rows) {
    const at = Date.parse(r.when);
    assert.ok(at >= sinceMs - 1000 && at <= Date.now() + 1000, `${kind}: when ${r.when}`);
    assert.match(r.ip, /^[0-9a-f]{16}$/, `${kind}: the address as a hash`);
    assert.ok(!r.ip.includes("127.0.0.1"));
  }
}

async function onPage(admin: Client, kind: string) {
  const page = await admin.get(`/admin/audit?kind=${kind}`);
  assert.equal(page.status, 200);
  assert.match(page.body, new RegExp(`data-kind="${kind}"`), `${kind} on the page`);
}

/**
 * The demo host's server with an admin, both signed in, and a local receiver its webhooks may
 * reach; `since` is taken before anything is audited.
 */
async function withAdmin() {
  const rx = serveLocal(() => new Response("ok"));
  const app = await startApp({
    demo: true,
    env: { INVITO_ADMINS: ADMIN, INVITO_ALLOW_PRIVATE_WEBHOOKS: "true" },
  });
  const since = Date.now();
  return {
    rx,
    app,
    since,
    admin: await signInByLink(app, ADMIN),
    host: await signInByLink(app, DEMO_EMAIL),
    async [Symbol.asyncDispose]() {
      await app[Symbol.asyncDispose]();
      await rx[Symbol.asyncDispose]();
    },
  };
}

Deno.test({
  ...opts,
  name:
    "audit log over HTTP: api_key_revoked, webhook_created/changed/deleted, team_ownership_changed (role, invitation as owner, an owner leaving) and sign_in_refused, each with actor, target, time and hashed address",
  async fn() {
    await using w = await withAdmin();
    const { rx, app, since, admin, host } = w;

    // An API key made and revoked from the developers page.
    const made = await host.post("/dashboard/developers?/createKey", {
      name: "laptop",
      expires: "never",
    });
    assert.equal(made.status, 200);
    const dev = await host.get("/dashboard/developers");
    const revoke = formsOf(dev).find((f) => f.action.endsWith("?/revokeKey"))!;
    assert.equal((await submitForm(host, revoke)).status, 200);
    const revoked = await audited(admin, "api_key_revoked");
    wellFormed(revoked, since, "api_key_revoked");
    assert.deepEqual(
      revoked.map((r) => [r.actor, r.target]),
      [[DEMO_EMAIL, "laptop"]],
    );
    await onPage(admin, "api_key_revoked");

    // A webhook endpoint made, switched off, given other events, its secret rotated, deleted.
    const url = `${rx.base}/hooks`;
    const hook = await host.post("/dashboard/developers?/createWebhook", {
      url,
      events: ["booking.confirmed"],
      description: "crm",
    });
    assert.equal(hook.status, 200, hook.body.slice(0, 300));
    const hookForm = (action: string) =>
      formsOf(hostPage).find((f) => f.action.endsWith(`?/${action}`))!;
    let hostPage = await host.get("/dashboard/developers");
    assert.equal((await submitForm(host, hookForm("toggleWebhook"))).status, 200);
    hostPage = await host.get("/dashboard/developers");
    const id = hookForm("rotateWebhook").fields.find(([k]) => k === "id")![1];
    const events = await host.post("/dashboard/developers?/eventsWebhook", {
      id,
      events: ["booking.confirmed", "booking.cancelled"],
    });
    assert.equal(events.status, 200, events.body.slice(0, 300));
    // The same events saved again: nothing changed, so nothing is recorded.
    const again = await host.post("/dashboard/developers?/eventsWebhook", {
      id,
      events: ["booking.cancelled", "booking.confirmed"],
    });
    assert.equal(again.status, 200, again.body.slice(0, 300));
    assert.equal((await submitForm(host, hookForm("rotateWebhook"))).status, 200);
    assert.equal((await submitForm(host, hookForm("deleteWebhook"))).status, 200);
    for (const kind of ["webhook_created", "webhook_changed", "webhook_deleted"]) {
      const rows = await audited(admin, kind);
      wellFormed(rows, since, kind);
      for (const r of rows) {
        assert.equal(r.actor, DEMO_EMAIL, kind);
        assert.equal(r.target, url, `${kind}: the endpoint`);
      }
      await onPage(admin, kind);
    }
    assert.deepEqual(
      (await audited(admin, "webhook_changed")).map((r) => r.detail),
      ["new signing secret", "2 events", "switched off"],
    );

    // A team: Ann joins as an owner by invitation, is made a member, an owner again, pressed
    // "owner" once more (no change), and the demo host, an owner, leaves.
    const created = await host.post("/dashboard/teams?/create", {
      name: "Crew",
      slug: "crew",
      timeZone: "Europe/Berlin",
    });
    assert.equal(created.status, 303, created.body.slice(0, 300));
    const base = new URL(created.location!).pathname;
    assert.equal(
      (await host.post(`${base}?/invite`, { email: "ann@example.test", role: "owner" })).status,
      200,
    );
    const ann = await signInByLink(app, "ann@example.test");
    const teams = await ann.get("/dashboard/teams");
    const answer = formsOf(teams).find((f) => f.action.endsWith("/dashboard/teams?/answer"))!;
    assert.equal((await submitForm(ann, answer, { button: "1" })).status, 303);
    const members = await host.get(base);
    const annId = /data-member="ann@example.test"[^]*?name="member" value="([0-9A-Z]{26})"/
      .exec(members.body)![1];
    const demoId =
      new RegExp(`data-member="${DEMO_EMAIL}"[^]*?name="member" value="([0-9A-Z]{26})"`)
        .exec(members.body)![1];
    for (const role of ["member", "owner", "owner"]) {
      const r = await host.post(`${base}?/role`, { member: annId, role });
      assert.equal(r.status, 200, r.body.slice(0, 300));
    }
    const left = await host.post(`${base}?/remove`, { member: demoId });
    assert.equal(left.status, 303, left.body.slice(0, 300));
    const owned = await audited(admin, "team_ownership_changed");
    wellFormed(owned, since, "team_ownership_changed");
    assert.deepEqual(owned.map((r) => [r.actor, r.target, r.detail]).reverse(), [
      ["ann@example.test", "ann", "crew: owner by invitation"],
      [DEMO_EMAIL, "ann", "crew: now a member"],
      [DEMO_EMAIL, "ann", "crew: now an owner"],
      [DEMO_EMAIL, "demo", "crew: owner left the team"],
    ]);
    await onPage(admin, "team_ownership_changed");

    // Ann is suspended; her next sign-in is refused, and the refusal is recorded.
    const annUserId = /data-user="ann"[\s\S]*?name="userId" value="([0-9A-Z]{26})"/
      .exec((await admin.get("/admin?q=ann")).body)![1];
    assert.equal(
      (await admin.post("/admin?/suspend", { userId: annUserId, confirm: "yes" })).status,
      200,
    );
    const c = createClient(app.baseUrl);
    const at = app.logs().length;
    assert.equal(
      (await c.post("/signin?/email", { providerId: "email", email: "ann@example.test" })).status,
      303,
    );
    const link = verifyLinkIn(
      (await app.waitForLog(/https?:\/\/\S+\/signin\/verify\?\S+/, { since: at }))[0],
    );
    assert.match((await finishMagicLink(c, link)).location ?? "", /error=Suspended/);
    const refused = await audited(admin, "sign_in_refused");
    wellFormed(refused, since, "sign_in_refused");
    assert.deepEqual(refused.map((r) => [r.actor, r.target]), [["system", "ann@example.test"]]);
    await onPage(admin, "sign_in_refused");
  },
});

Deno.test({
  ...opts,
  name:
    "audit log over HTTP: bookings brought from another Invito by the profile's import are recorded (bookings_imported) with actor, target, time and hashed address",
  async fn() {
    await using from = await startApp({ demo: true });
    const [start] = await slotsAhead(from.baseUrl, "demo", "quick-chat", 10);
    const booked = await createClient(from.baseUrl).post("/calendar/demo/quick-chat?/book", {
      name: "Gil",
      email: "gil@example.test",
      note: "",
      start,
      tz: "UTC",
    });
    assert.equal(booked.status, 303);
    const file =
      (await (await signInByLink(from, DEMO_EMAIL)).get("/dashboard/profile/export.json"))
        .body;

    await using to = await startApp({ env: { INVITO_ADMINS: ADMIN } });
    const since = Date.now();
    const admin = await signInByLink(to, ADMIN);
    const mover = await signInByLink(to, "mover@example.test");
    const form = new FormData();
    form.set("file", new File([file], "invito-demo.json", { type: "application/json" }));
    const res = await mover.post("/dashboard/profile?/importData", form);
    assert.equal(res.status, 200, res.body.slice(0, 300));
    const rows = await audited(admin, "bookings_imported");
    wellFormed(rows, since, "bookings_imported");
    assert.deepEqual(rows.map((r) => [r.actor, r.detail]), [["mover@example.test", "1 imported"]]);
    assert.ok(rows[0].target.length > 0, "the account the bookings came into");
    await onPage(admin, "bookings_imported");
  },
});

Deno.test({
  ...opts,
  name:
    "audit log over HTTP: a webhook made, changed and deleted through the JSON API is recorded with the caller's hashed address, the same hash the dashboard's forms record for that caller",
  async fn() {
    await using w = await withAdmin();
    const { rx, app, since, admin, host } = w;
    const made = await host.post("/dashboard/developers?/createKey", {
      name: "crm sync",
      write: "on",
      expires: "never",
    });
    const apiKey = /inv_[A-Za-z0-9_-]{43}/.exec(made.body)![0];
    const api = bearerApi(app.baseUrl, apiKey);

    // The dashboard's form, from this client: the hash every row below must carry too.
    const byForm = await host.post("/dashboard/developers?/createWebhook", {
      url: `${rx.base}/form`,
      events: ["booking.confirmed"],
      description: "by form",
    });
    assert.equal(byForm.status, 200, byForm.body.slice(0, 300));
    const [formRow] = await audited(admin, "webhook_created");
    wellFormed([formRow], since, "webhook_created by form");

    const url = `${rx.base}/api`;
    const created = await api("POST", "/webhooks", { url, events: ["booking.confirmed"] });
    assert.equal(created.status, 201, created.body);
    const id = JSON.parse(created.body).subscription.id;
    // An API client sends the whole subscription back with one field changed, or none: the log
    // lists what changed, not what was sent, and a PATCH that changed nothing is not recorded.
    const whole = { url, events: ["booking.confirmed"], description: "", enabled: true };
    const patch = (body: object) => api("PATCH", `/webhooks/${id}`, body);
    assert.equal((await patch(whole)).status, 200);
    assert.equal((await patch({ ...whole, description: "crm" })).status, 200);
    assert.equal((await patch({ ...whole, description: "crm", enabled: false })).status, 200);
    assert.equal((await patch({ enabled: false })).status, 200);
    assert.deepEqual(
      (await audited(admin, "webhook_changed")).filter((r) => r.target === url)
        .map((r) => r.detail),
      ["switched off", "description"],
    );
    assert.equal((await api("DELETE", `/webhooks/${id}`)).status, 204);
    for (const kind of ["webhook_created", "webhook_changed", "webhook_deleted"]) {
      const rows = (await audited(admin, kind)).filter((r) => r.target === url);
      assert.equal(rows.length, kind === "webhook_changed" ? 2 : 1, `${kind} through the API`);
      wellFormed(rows, since, kind);
      for (const r of rows) {
        assert.equal(r.actor, DEMO_EMAIL, kind);
        assert.equal(r.ip, formRow.ip, `${kind}: the caller's address, hashed`);
      }
    }
  },
});
