/**
 * A routing form's route that names a round robin's member who has since left the team: the
 * visitor is booked through the rotation (as the page, which shows everyone's times, promises),
 * never sent to times that every booking then refuses.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { seedStore } from "../support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../support/teams.ts";
import { createClient } from "../support/http.ts";
import { inputValue, publishedForm } from "../support/routing.ts";
import { removeFromTeam } from "../../src/lib/server/services/teams.ts";
import { fullDay } from "../support/slots.ts";

Deno.test({
  name:
    "routing forms: a route to a member who left the team books the visitor through the rotation; the booking page keeps the form address's source and layout",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, app: seed, kv } = await seedStore("invito-routing-left-");
    const { team, users } = await seedTeam(seed, {
      slug: "sales",
      name: "Sales",
      members: [{ username: "anna" }, { username: "ben" }, { username: "cara" }],
    });
    const [anna, ben, cara] = users;
    const et = await seedTeamEventType(seed, team, {
      slug: "enterprise",
      title: "Enterprise",
      teamMode: "round_robin",
      hostIds: [ben.id, cara.id],
    });
    await publishedForm(seed, anna.id, "sizing", {
      questions: [
        { key: "name", type: "short", label: "Name", required: true },
        { key: "email", type: "email", label: "Email", required: true },
      ],
      routes: [{
        id: "r_cara",
        match: "any",
        conditions: [],
        destination: {
          kind: "event_type",
          ownerId: team.id,
          eventTypeId: et.id,
          memberId: cara.id,
        },
      }],
      fallback: { kind: "message", text: "Thanks" },
    }, "Sizing");
    await removeFromTeam(seed, team.id, cara.id);
    kv.close();

    const app = await startApp({ dataDir });
    try {
      const visitor = createClient(app.baseUrl);
      // From a newsletter, with the column layout: the booking page it leads to keeps both.
      const address = "/forms/anna/sizing?utm_source=newsletter&ref=blog&layout=column";
      const form = await visitor.get(address);
      assert.equal(form.status, 200);
      const sent = await visitor.post(address, {
        ft: inputValue(form.body, "ft"),
        website: "",
        name: "Zoë",
        email: "zoe@example.test",
      });
      assert.equal(sent.status, 303, sent.body.slice(0, 300));
      const to = new URL(sent.location!, app.baseUrl).searchParams;
      assert.deepEqual(
        [to.get("utm_source"), to.get("ref"), to.get("layout")],
        ["newsletter", "blog", "column"],
      );
      // Times of a day from tomorrow on: the page's own first day may be today, whose first time
      // can pass before the post.
      const { date, slots } = await fullDay(app.baseUrl, sent.location!, {
        min: 1,
        get: async (p) => (await visitor.get(p)).body,
      });
      assert.ok(slots.length > 0, "times are offered");
      // The booking form as the page gives it (the response it came from rides in it).
      const u = new URL(sent.location!, app.baseUrl);
      u.searchParams.set("tz", "UTC");
      u.searchParams.set("date", date);
      u.searchParams.set("slot", slots[0]);
      const chosen = await visitor.get(u.pathname + u.search);
      const fields: Record<string, string> = {};
      for (const m of chosen.body.matchAll(/<input\b[^>]*\sname="([^"]+)"[^>]*>/g)) {
        fields[m[1]] = inputValue(chosen.body, m[1]);
      }
      assert.ok(fields.routing, "the booking form names the response");
      const booked = await visitor.post(`${u.pathname}?/book`, {
        ...fields,
        name: "Zoë",
        email: "zoe@example.test",
        note: "",
        start: slots[0],
        tz: "UTC",
      });
      assert.equal(booked.status, 303, booked.body.replace(/<[^>]+>/g, " ").slice(0, 400));
    } finally {
      await app.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
