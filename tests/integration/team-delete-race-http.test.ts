/**
 * An owner deletes a team while other requests of the team's pages are under way (a second tab
 * posting the delete with a misspelt name, a member opening the event types): each of those is
 * answered with the page or "not found", never a server error. The team's layout finds the team
 * and its page reads it again; a delete can land between the two.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInClient } from "../support/team-signin.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const ROUNDS = 6;
const OTHERS = 40;

Deno.test({
  ...opts,
  name:
    "a team deleted while its pages are being answered: the other posts and views get the page or 404 in words, never a 5xx",
  async fn() {
    await using app = await startApp();
    const owner = await signInClient(app, "owner@example.test");
    const seen: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const created = await owner.post("/dashboard/teams?/create", {
        name: `Crew ${round}`,
        slug: `crew-${round}`,
        timeZone: "UTC",
      });
      assert.equal(created.status, 303, created.body.slice(0, 300));
      const base = /\/dashboard\/teams\/[0-9A-Z]{26}/.exec(created.location!)![0];
      const others = Array.from(
        { length: OTHERS },
        (_, i) =>
          i % 2 === 0
            ? owner.post(`${base}?/delete`, { confirm: "not the name" })
            : owner.get(`${base}/event-types`),
      );
      const [deleted, ...rest] = await Promise.all([
        owner.post(`${base}?/delete`, { confirm: `Crew ${round}` }),
        ...others,
      ]);
      assert.equal(deleted.status, 303, deleted.body.slice(0, 300));
      for (const r of rest) {
        seen.push(r.status);
        assert.ok(
          [200, 400, 404].includes(r.status),
          `answered ${r.status}: ${r.body.replace(/<[^>]+>/g, " ").slice(0, 300)}`,
        );
        if (r.status === 404) assert.match(r.body, /not found/i);
      }
      assert.equal((await owner.get(base)).status, 404, "the deleted team's page is gone");
    }
    // Both sides of the race happened: some requests came before the delete, some after it.
    assert.ok(seen.includes(404), `some requests came after the delete (${seen.length} answers)`);
  },
});
