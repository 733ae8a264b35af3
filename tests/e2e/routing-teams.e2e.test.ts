/**
 * A team's routing forms reach as far as its owners' responsibility does (issue 30 audit), over
 * HTTP against the built server: a team owner's "erase a guest" (ADR 022) empties that guest's
 * answers to the team's forms too, a plain member's does not reach them (they cannot read them
 * either); and an API key reads the team forms and responses of the teams its host owns, read
 * only, while a plain member's key sees none of them.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { seedStore } from "../support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../support/teams.ts";
import { createClient } from "../support/http.ts";
import { signInByLink } from "../support/auth.ts";
import { createForm, saveForm } from "../../src/lib/server/services/routing-forms.ts";
import { createApiKey } from "../../src/lib/server/services/api-keys.ts";
import type { UserRecord } from "../../src/lib/server/domain/model/records.ts";

function inputValue(html: string, name: string): string | null {
  for (const m of html.matchAll(/<input\b[^>]*>/g)) {
    if (!new RegExp(`\\sname="${name}"`).test(m[0])) continue;
    return /\svalue="([^"]*)"/.exec(m[0])?.[1] ?? "";
  }
  return null;
}

/** A team (owner olga, member max) with a form that thanks everyone, and olga's own form. */
async function seed(prefix: string) {
  const { dataDir, kv, app } = await seedStore(prefix);
  const { team, users } = await seedTeam(app, {
    slug: "support",
    name: "Support",
    members: [{ username: "olga" }, { username: "max" }],
  });
  await seedTeamEventType(app, team, {
    slug: "help",
    title: "Help call",
    teamMode: "round_robin",
    hostIds: users.map((u) => u.id),
  });
  const form = async (ownerId: string, slug: string, title: string) => {
    const made = await createForm(app, ownerId, { title, slug });
    assert.ok(made.ok);
    const saved = await saveForm(app, ownerId, made.form.id, {
      title,
      slug,
      description: "",
      active: true,
    }, {
      questions: [
        { key: "name", type: "short", label: "Name", required: true },
        { key: "email", type: "email", label: "Email", required: true },
        { key: "topic", type: "short", label: "Topic", required: false },
      ],
      routes: [],
      fallback: { kind: "message", text: "Thanks!" },
    });
    assert.ok(saved.ok, JSON.stringify(saved));
    return made.form.id;
  };
  const teamFormId = await form(team.id, "help-me", "Get help");
  const ownFormId = await form(users[0].id, "ask", "Ask Olga");
  return { dataDir, kv, app, team, users, teamFormId, ownFormId };
}

/** A visitor answers a form over HTTP. */
async function answer(baseUrl: string, path: string, answers: Record<string, string>) {
  const c = createClient(baseUrl);
  const page = await c.get(path);
  assert.equal(page.status, 200, path);
  const res = await c.post(path, { ft: inputValue(page.body, "ft")!, website: "", ...answers });
  assert.equal(res.status, 200, res.body.slice(0, 300));
  assert.match(res.body, /Thanks!/);
}

Deno.test({
  name:
    "e2e routing teams: a team owner's erase-a-guest empties the guest's answers to the team's forms too; a plain member's reaches only their own",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const s = await seed("invito-routing-team-erase-");
    s.kv.close();
    const app = await startApp({ dataDir: s.dataDir });
    try {
      const teamForm = "/forms/support/help-me";
      await answer(app.baseUrl, teamForm, {
        name: "Uma",
        email: "Uma@Example.test",
        topic: "Printer on fire",
      });
      await answer(app.baseUrl, teamForm, {
        name: "Vic",
        email: "vic@example.test",
        topic: "Keep me",
      });
      const responses = `/dashboard/teams/${s.team.id}/routing/${s.teamFormId}/responses`;
      const owner = await signInByLink(app, "olga@example.test");
      assert.match((await owner.get(`${responses}?q=printer`)).body, /1 response\b/);

      // A plain member erases Uma from their own data: the team's forms are not theirs to read,
      // nor to erase.
      const member = await signInByLink(app, "max@example.test");
      const byMember = await member.post("/dashboard/profile?/eraseGuest", {
        email: "uma@example.test",
        confirm: "yes",
      });
      assert.equal(byMember.status, 200);
      assert.match((await owner.get(`${responses}?q=printer`)).body, /1 response\b/);

      // The team's owner erases her: her answers to the team's form go, Vic's stay.
      const byOwner = await owner.post("/dashboard/profile?/eraseGuest", {
        email: "uma@example.test",
        confirm: "yes",
      });
      assert.equal(byOwner.status, 200);
      const after = await owner.get(`${responses}?q=printer`);
      assert.match(after.body, /0 responses/);
      assert.match((await owner.get(`${responses}?q=keep`)).body, /1 response\b/);
      const csv = await owner.get(
        `/dashboard/teams/${s.team.id}/routing/${s.teamFormId}/responses.csv`,
      );
      assert.equal(csv.status, 200);
      assert.doesNotMatch(csv.body, /Uma|Printer on fire/i);
      assert.match(csv.body, /Vic/);
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await app.stop();
      await Deno.remove(s.dataDir, { recursive: true }).catch(() => {});
    }
  },
});

type FormJson = {
  id: string;
  slug: string;
  team: { id: string; slug: string; name: string } | null;
  funnel: { views: number; submitted: number };
};

Deno.test({
  name:
    "e2e routing teams: an API key reads the forms and responses of the teams its host owns (read only), a plain member's key sees none of them",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const s = await seed("invito-routing-team-api-");
    const key = async (u: UserRecord, scopes: ("read" | "write")[]) => {
      const k = await createApiKey(s.app, u, { name: "k", scopes, expiresAtMs: null });
      assert.ok(k.ok);
      return { authorization: `Bearer ${k.secret}` };
    };
    const [olga, max] = s.users;
    const ownerKey = await key(olga, ["read"]);
    const memberKey = await key(max, ["write"]);
    s.kv.close();
    const app = await startApp({ dataDir: s.dataDir });
    try {
      await answer(app.baseUrl, "/forms/support/help-me", {
        name: "Uma",
        email: "uma@example.test",
        topic: "Printer",
      });
      const get = async (path: string, headers: Record<string, string>) => {
        const res = await fetch(app.url(`/api/v1${path}`), { headers });
        return { status: res.status, body: await res.json() };
      };
      // The owner's key: her own form and her team's, each saying whose it is.
      const list = await get("/forms", ownerKey);
      assert.equal(list.status, 200, JSON.stringify(list.body));
      const forms = list.body.data as FormJson[];
      assert.deepEqual(forms.map((f) => f.slug).sort(), ["ask", "help-me"]);
      const teamForm = forms.find((f) => f.slug === "help-me")!;
      assert.deepEqual(teamForm.team, { id: s.team.id, slug: "support", name: "Support" });
      assert.equal(forms.find((f) => f.slug === "ask")!.team, null);
      assert.equal(teamForm.funnel.submitted, 1);
      const one = await get(`/forms/${s.teamFormId}`, ownerKey);
      assert.equal(one.status, 200);
      assert.equal((one.body as FormJson).team?.id, s.team.id);
      const responses = await get(`/forms/${s.teamFormId}/responses`, ownerKey);
      assert.equal(responses.status, 200);
      assert.deepEqual(
        (responses.body.data as { answers: Record<string, string> }[]).map((r) => r.answers.name),
        ["Uma"],
      );
      // Read only: the API edits no form, the owner's or the team's.
      const change = await fetch(app.url(`/api/v1/forms/${s.teamFormId}`), {
        method: "DELETE",
        headers: ownerKey,
      });
      assert.ok(change.status === 404 || change.status === 405, String(change.status));
      await change.body?.cancel();

      // A plain member's key, even one that may write: none of the team's forms or answers.
      const theirs = await get("/forms", memberKey);
      assert.equal(theirs.status, 200);
      assert.deepEqual(theirs.body.data, []);
      assert.equal((await get(`/forms/${s.teamFormId}`, memberKey)).status, 404);
      assert.equal((await get(`/forms/${s.teamFormId}/responses`, memberKey)).status, 404);
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await app.stop();
      await Deno.remove(s.dataDir, { recursive: true }).catch(() => {});
    }
  },
});
