/**
 * A team event type's fixed page language, as a guest meets it: the team's booking page and
 * widget are shown in it whatever the browser asks for, also when the page cache keeps them
 * (the language is part of what a kept page is filed under); without one, the guest's.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { seedStore } from "../support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../support/teams.ts";

async function lang(base: string, path: string, acceptLanguage: string) {
  const res = await fetch(base + path, { headers: { "accept-language": acceptLanguage } });
  const body = await res.text();
  assert.equal(res.status, 200, path);
  return /<html lang="([^"]+)"/.exec(body)?.[1] ?? null;
}

Deno.test({
  name:
    "team pages: a team event type's fixed language beats an English browser and ?lang= on the page (its title and link preview too) and the widget, kept pages too",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app } = await seedStore("invito-team-lang-");
    try {
      const { team } = await seedTeam(app, { slug: "crew", members: [{ username: "ana" }] });
      await seedTeamEventType(app, team, {
        slug: "fixed",
        teamMode: "round_robin",
        language: "de",
        title: "Beratung",
      });
      await seedTeamEventType(app, team, { slug: "open", teamMode: "round_robin" });
      kv.close();
      await using server = await startApp({ dataDir, env: { INVITO_DISABLE_CRON: "true" } });
      const base = server.baseUrl;
      for (const page of ["/team/crew/fixed?tz=UTC", "/widget/team/crew/fixed?tz=UTC"]) {
        // Twice: the second view is the kept page.
        assert.equal(await lang(base, page, "en-US,en"), "de", page);
        assert.equal(await lang(base, page, "en-US,en"), "de", `${page} (kept)`);
        assert.equal(await lang(base, `${page}&lang=es`, "en-US,en"), "de", `${page}&lang=es`);
      }
      // Its title and link preview speak the page's language too.
      const html = await (await fetch(`${base}/team/crew/fixed?tz=UTC`)).text();
      const title = /<title>([^<]*)<\/title>/.exec(html)?.[1];
      assert.equal(title, "Beratung mit The Crew · Invito");
      assert.equal(/<meta property="og:title" content="([^"]*)"/.exec(html)?.[1], title);
      // Without a fixed language the guest's; the kept English page is not another's answer.
      assert.equal(await lang(base, "/team/crew/open?tz=UTC", "en-US,en"), "en-US");
      assert.equal(await lang(base, "/team/crew/open?tz=UTC", "fr-FR,fr"), "fr-FR");
    } finally {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
