import assert from "node:assert/strict";
import { createHost, memoryApp } from "../../../../tests/support/memory-app.ts";
import { seedTeam } from "../../../../tests/support/teams.ts";
import { updateProfile } from "./profile.ts";
import { updateTeamSettings } from "./teams.ts";
import { renamedHost, usernameRedirect } from "./username-history.ts";

async function renamed() {
  const app = await memoryApp();
  const ann = await createHost(app, { username: "ann" });
  const res = await updateProfile(app, ann, { name: ann.name, username: "anna", timeZone: "UTC" });
  assert.ok(res.ok);
  const { team, users } = await seedTeam(app, { slug: "crew", members: [{ username: "tom" }] });
  const moved = await updateTeamSettings(app, users[0], team.id, {
    name: team.name,
    slug: "crew2",
    timeZone: "UTC",
  });
  assert.ok(moved.ok);
  return app;
}

const at = (path: string) => new URL(`http://invito.test${path}`);

Deno.test("usernameRedirect: a renamed host's and team's routing forms, widget forms and markdown pages forward to the new name", async () => {
  const app = await renamed();
  const cases: [string, Record<string, string>, string, string | null][] = [
    [
      "/forms/[owner]/[slug]",
      { owner: "ann", slug: "contact" },
      "/forms/ann/contact?q_x=1",
      "/forms/anna/contact?q_x=1",
    ],
    [
      "/widget/forms/[owner]/[slug]",
      { owner: "ann", slug: "contact" },
      "/widget/forms/ann/contact",
      "/widget/forms/anna/contact",
    ],
    [
      "/forms/[owner]/[slug]",
      { owner: "crew", slug: "ask" },
      "/forms/crew/ask",
      "/forms/crew2/ask",
    ],
    [
      "/widget/forms/[owner]/[slug]",
      { owner: "crew", slug: "ask" },
      "/widget/forms/crew/ask",
      "/widget/forms/crew2/ask",
    ],
    [
      "/calendar/[username]/[slug]",
      { username: "ann", slug: "intro.md" },
      "/calendar/ann/intro.md",
      "/calendar/anna/intro.md",
    ],
    ["/calendar/[username]", { username: "ann.md" }, "/calendar/ann.md", "/calendar/anna.md"],
    ["/calendar/[username]", { username: "ANNA.md" }, "/calendar/ANNA.md", "/calendar/anna.md"],
    // Current names, and names nobody held: nothing to forward.
    ["/forms/[owner]/[slug]", { owner: "anna", slug: "contact" }, "/forms/anna/contact", null],
    ["/forms/[owner]/[slug]", { owner: "crew2", slug: "ask" }, "/forms/crew2/ask", null],
    ["/forms/[owner]/[slug]", { owner: "nobody", slug: "ask" }, "/forms/nobody/ask", null],
    ["/calendar/[username]", { username: "anna.md" }, "/calendar/anna.md", null],
    ["/calendar/[username]", { username: "nobody.md" }, "/calendar/nobody.md", null],
  ];
  for (const [route, params, path, to] of cases) {
    assert.equal(await usernameRedirect(app, route, params, at(path)), to, path);
  }
  app.close();
});

Deno.test("renamedHost: a host's old name gives their current one while it is held; a current, a team's or an unknown name gives null", async () => {
  const app = await renamed();
  assert.equal(await renamedHost(app, "ann"), "anna");
  assert.equal(await renamedHost(app, "ANN"), "anna");
  assert.equal(await renamedHost(app, "anna"), null);
  assert.equal(await renamedHost(app, "crew"), null, "a team's old slug is not a host");
  assert.equal(await renamedHost(app, "nobody"), null);
  // After 90 days the name is nobody's.
  app.clock.ms += 91 * 86_400_000;
  assert.equal(await renamedHost(app, "ann"), null);
  app.close();
});
