/**
 * The team forms posted as the pages post them, against the built server, with the real-length
 * ids the pages carry (26-character ULIDs): an invited person who has not finished first-run
 * setup finds the invitation on the setup page and accepts it there; the owner saves the new
 * member's weight and priority (without scripts, and the way `use:enhance` posts it), changes
 * their role, and resends and revokes a pending invitation.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInClient } from "../support/team-signin.ts";
import { formsOf, submitForm } from "../support/auth.ts";

Deno.test({
  name:
    "team forms over HTTP: the invitation is on the setup page, and weight, priority, role, resend and revoke are saved with real member and invitation ids",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ smtp: { host: smtp.host, port: smtp.port } });
    const owner = await signInClient(app, "owner@example.test", smtp);
    const created = await owner.post("/dashboard/teams?/create", {
      name: "Crew",
      slug: "crew",
      timeZone: "Europe/Berlin",
    });
    assert.equal(created.status, 303, created.body.slice(0, 300));
    const teamId = /\/dashboard\/teams\/([0-9A-Z]{26})/.exec(created.location!)![1];
    const base = `/dashboard/teams/${teamId}`;
    assert.equal((await owner.post(`${base}?/invite`, { email: "ann@example.test" })).status, 200);

    // ── Ann signs in for the first time: the dashboard sends her to setup, which shows the
    // invitation with its own accept button.
    const ann = await signInClient(app, "ann@example.test", smtp);
    const home = await ann.get("/dashboard");
    assert.equal(home.status, 303);
    assert.match(home.location!, /\/dashboard\/setup$/);
    const setup = await ann.get("/dashboard/setup");
    assert.equal(setup.status, 200);
    assert.match(setup.body, /data-testid="pending-invitations"/, "the invitation is shown");
    assert.match(setup.body, /Crew/);
    const answer = formsOf(setup).find((f) => f.action.endsWith("/dashboard/teams?/answer"));
    assert.ok(answer, "an answer form on the setup page");
    const accepted = await submitForm(ann, answer, { button: "1" });
    assert.equal(accepted.status, 303, accepted.body.slice(0, 300));
    assert.match(accepted.location!, new RegExp(`${base}\\?joined=1$`));

    // ── the owner's member rows carry Ann's 26-character id ──
    const page = await owner.get(base);
    const weightForms = formsOf(page).filter((f) => f.action.endsWith("?/weight"));
    assert.equal(weightForms.length, 2, "one weight form per member");
    const ids = weightForms.map((f) => f.fields.find(([k]) => k === "member")![1]);
    for (const id of ids) assert.match(id, /^[0-9A-Z]{26}$/);
    const annId = /data-member="ann@example.test"[^]*?name="member" value="([0-9A-Z]{26})"/
      .exec(page.body)![1];
    assert.ok(ids.includes(annId), "Ann's row has its weight form");

    // Without scripts: the form as the page sends it, weight 3 and priority 4.
    const form = weightForms.find((f) => f.fields.some(([k, v]) => k === "member" && v === annId))!;
    const fields = new URLSearchParams(form.fields.filter(([k]) => !k.startsWith("button:")));
    fields.set("weight", "3");
    fields.set("priority", "4");
    const saved = await owner.post(form.action, fields);
    assert.equal(saved.status, 200, `weight saved: ${saved.status}`);
    const after = await owner.get(base);
    assert.match(after.body, new RegExp(`id="w-${annId}"[^>]*value="3"`), "weight 3 shown");

    // With scripts (use:enhance): the same action answers JSON success.
    fields.set("weight", "2");
    const enhanced = await owner.post(form.action, fields, {
      headers: { accept: "application/json", "x-sveltekit-action": "true" },
    });
    assert.equal(enhanced.status, 200);
    assert.equal(enhanced.json<{ type: string }>().type, "success", enhanced.body);
    assert.match((await owner.get(base)).body, new RegExp(`id="w-${annId}"[^>]*value="2"`));

    // Role: Ann becomes an owner and back.
    for (const role of ["owner", "member"]) {
      const res = await owner.post(`${base}?/role`, { member: annId, role });
      assert.equal(res.status, 200, `role ${role}: ${res.status}`);
    }

    // Invitations: resend and revoke with the invitation's own id, as its row posts them.
    assert.equal((await owner.post(`${base}?/invite`, { email: "zed@example.test" })).status, 200);
    const withInvite = await owner.get(base);
    const resend = formsOf(withInvite).find((f) => f.action.endsWith("?/resend"))!;
    const inviteId = resend.fields.find(([k]) => k === "id")![1];
    assert.match(inviteId, /^[0-9A-Z]{26}$/);
    const mailsBefore = smtp.mails.filter((m) => m.to.includes("zed@example.test")).length;
    assert.equal((await submitForm(owner, resend)).status, 200);
    await smtp.waitForMail((m) =>
      m.to.includes("zed@example.test") &&
      smtp.mails.filter((x) => x.to.includes("zed@example.test")).length > mailsBefore
    );
    const revoke = formsOf(withInvite).find((f) => f.action.endsWith("?/revoke"))!;
    assert.equal((await submitForm(owner, revoke)).status, 200);
    assert.doesNotMatch((await owner.get(base)).body, /data-invitation="zed@example.test"/);
  },
});
