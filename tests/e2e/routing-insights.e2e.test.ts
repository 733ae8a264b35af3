/**
 * Routing forms in insights (issue 30: "Insights show form views → submissions → routed →
 * booked, per route"), over HTTP against the built server: visitors view and answer a host's
 * form and a team's, book where they were sent, and the insights page shows each form's funnel
 * and each route's for the chosen period and event type — a team's forms to its owners and
 * members alike — with the same numbers as a formula-safe CSV. A second booking from one routed
 * visit counts once.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, seedStore } from "../support/memory-app.ts";
import { seedTeam, seedTeamEventType } from "../support/teams.ts";
import { type Client, createClient } from "../support/http.ts";
import { signInByLink } from "../support/auth.ts";
import { waitFor } from "../support/wait.ts";
import { createForm, saveForm } from "../../src/lib/server/services/routing-forms.ts";
import { parseCsv } from "../../src/lib/server/http/csv.ts";

const unescape = (s: string) =>
  s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&amp;/g, "&");

function inputValue(html: string, name: string): string | null {
  for (const m of html.matchAll(/<input\b[^>]*>/g)) {
    if (!new RegExp(`\\sname="${name}"`).test(m[0])) continue;
    const v = /\svalue="([^"]*)"/.exec(m[0]);
    return v ? unescape(v[1]) : "";
  }
  return null;
}

const slotsOf = (html: string) => [...html.matchAll(/data-slot="([^"]+)"/g)].map((m) => m[1]);

/** A date two days ahead (UTC), where everyone seeded is free all day. */
const ahead = () => new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);

/** The numbers of one row of the insights page's routing table (null: no such row). */
function rowNumbers(html: string, attr: string): number[] | null {
  const m = new RegExp(`<tr\\b[^>]*${attr}[^>]*>([\\s\\S]*?)</tr>`).exec(html);
  return m ? [...m[1].matchAll(/<td[^>]*>(\d+)<\/td>/g)].map((x) => Number(x[1])) : null;
}

Deno.test({
  name:
    "e2e routing insights: views → submissions → routed → booked per form and per route for the chosen period and event type, team forms for owners and members, the same numbers as CSV, a second booking of one visit counted once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-routing-insights-");
    const { team, users } = await seedTeam(seed, {
      slug: "sales",
      name: "Sales",
      members: [{ username: "anna" }, { username: "ben" }],
    });
    const [anna] = users;
    const intro = await createEventType(seed, anna, {
      slug: "intro",
      title: "Intro",
      requiresConfirmation: false,
    });
    const demo = await seedTeamEventType(seed, team, {
      slug: "demo",
      title: "Team demo",
      teamMode: "round_robin",
      hostIds: users.map((u) => u.id),
    });
    const questions = [
      { key: "name", type: "short" as const, label: "Name", required: true },
      { key: "email", type: "email" as const, label: "Email", required: true },
      {
        key: "country",
        type: "select" as const,
        label: "Country",
        required: true,
        options: ["DE", "US"],
      },
    ];
    const talk = await createForm(seed, anna.id, { title: "Talk to us", slug: "talk" });
    assert.ok(talk.ok);
    assert.ok(
      (await saveForm(seed, anna.id, talk.form.id, {
        title: "Talk to us",
        slug: "talk",
        description: "",
        active: true,
      }, {
        questions,
        routes: [{
          id: "r_de",
          match: "all",
          conditions: [{ key: "country", op: "equals", values: ["DE"] }],
          destination: { kind: "event_type", ownerId: anna.id, eventTypeId: intro.id },
        }],
        fallback: { kind: "event_type", ownerId: team.id, eventTypeId: demo.id },
      })).ok,
    );
    // A team's form, titled like a spreadsheet formula (the CSV must not run it).
    const ask = await createForm(seed, team.id, { title: "=Ask the team", slug: "ask" });
    assert.ok(ask.ok);
    assert.ok(
      (await saveForm(seed, team.id, ask.form.id, {
        title: "=Ask the team",
        slug: "ask",
        description: "",
        active: true,
      }, { questions, routes: [], fallback: { kind: "message", text: "Thanks!" } })).ok,
    );
    kv.close();

    const app = await startApp({ dataDir });
    try {
      const visit = async (path: string, answers: Record<string, string>) => {
        const c = createClient(app.baseUrl);
        const page = await c.get(path);
        assert.equal(page.status, 200);
        return await c.post(path, { ft: inputValue(page.body, "ft")!, website: "", ...answers });
      };
      /** Books the routed visitor's booking page at `start`, as its form comes filled in. */
      const book = async (location: string, start: string) => {
        const c = createClient(app.baseUrl);
        const u = new URL(location, app.baseUrl);
        u.searchParams.set("tz", "UTC");
        u.searchParams.set("date", start.slice(0, 10));
        u.searchParams.set("slot", start);
        const page = await c.get(u.pathname + u.search);
        assert.equal(page.status, 200);
        const res = await c.post(`${u.pathname}?/book`, {
          name: inputValue(page.body, "name") ?? "",
          email: inputValue(page.body, "email") ?? "",
          note: "",
          start,
          tz: "UTC",
          ft: inputValue(page.body, "ft") ?? "",
          routing: inputValue(page.body, "routing") ?? "",
        });
        assert.equal(res.status, 303, res.body.slice(0, 300));
      };
      const annaSlots = slotsOf(
        (await createClient(app.baseUrl).get(`/calendar/anna/intro?tz=UTC&date=${ahead()}`)).body,
      );
      const teamSlots = slotsOf(
        (await createClient(app.baseUrl).get(`/team/sales/demo?tz=UTC&date=${ahead()}`)).body,
      );
      assert.ok(annaSlots.length > 3 && teamSlots.length > 3);

      // Anna's form: three visits, one refused (counted as a submission), two routed and booked.
      const refused = await visit("/forms/anna/talk", { name: "Bo", email: "no", country: "DE" });
      assert.equal(refused.status, 400);
      const de = await visit("/forms/anna/talk", {
        name: "Vera",
        email: "vera@example.test",
        country: "DE",
      });
      assert.equal(de.status, 303);
      const us = await visit("/forms/anna/talk", {
        name: "Walt",
        email: "walt@example.test",
        country: "US",
      });
      assert.equal(us.status, 303);
      await book(de.location!, annaSlots[0]);
      // Vera books again from the same visit: one visit, one booking counted.
      await book(de.location!, annaSlots[2]);
      await book(us.location!, teamSlots[1]);
      // The team's form: one visit, routed to its message.
      const team1 = await visit("/forms/sales/ask", {
        name: "Xena",
        email: "xena@example.test",
        country: "US",
      });
      assert.equal(team1.status, 200);
      assert.match(team1.body, /Thanks!/);

      const talkRow = `data-routing-form-id="${talk.form.id}"`;
      const askRow = `data-routing-form-id="${ask.form.id}"`;
      const route = (form: string, id: string) => `data-routing-route="${form}:${id}"`;
      const owner = await signInByLink(app, "anna@example.test");
      const insights = (c: Client, q = "range=7") => c.get(`/dashboard/insights?${q}`);
      // Visits and bookings are counted on the runner's path after their commits: wait for the
      // last of each form's (the team form's visit was counted after the bookings in a loaded
      // three-shard run, and read as [0, 0, 0, 0]).
      const page = await waitFor(async () => {
        const p = await insights(owner);
        return rowNumbers(p.body, talkRow)?.[3] === 2 && rowNumbers(p.body, askRow)?.[2] === 1
          ? p
          : null;
      }, { message: "both routed bookings and the team form's visit counted" });
      assert.equal(page.status, 200);
      assert.deepEqual(rowNumbers(page.body, talkRow), [3, 3, 2, 2]);
      assert.deepEqual(rowNumbers(page.body, route(talk.form.id, "r_de")), [1, 1]);
      assert.deepEqual(rowNumbers(page.body, route(talk.form.id, "fallback")), [1, 1]);
      // The team's form, for its owner…
      assert.deepEqual(rowNumbers(page.body, askRow), [1, 1, 1, 0]);
      assert.deepEqual(rowNumbers(page.body, route(ask.form.id, "fallback")), [1, 0]);

      // …and for a plain member, who sees the team's counts (not Anna's own form).
      const member = await signInByLink(app, "ben@example.test");
      const theirs = await insights(member);
      assert.equal(theirs.status, 200);
      assert.deepEqual(rowNumbers(theirs.body, askRow), [1, 1, 1, 0]);
      assert.equal(rowNumbers(theirs.body, talkRow), null);

      // One event type: the routes that sent visitors to it, with their form's views.
      const onlyIntro = await insights(owner, `range=7&type=${intro.id}`);
      assert.equal(onlyIntro.status, 200);
      assert.deepEqual(rowNumbers(onlyIntro.body, talkRow), [3, 3, 1, 1]);
      assert.deepEqual(rowNumbers(onlyIntro.body, route(talk.form.id, "r_de")), [1, 1]);
      assert.equal(rowNumbers(onlyIntro.body, route(talk.form.id, "fallback")), null);
      assert.equal(rowNumbers(onlyIntro.body, askRow), null);
      const onlyDemo = await insights(owner, `range=7&type=${demo.id}`);
      assert.deepEqual(rowNumbers(onlyDemo.body, route(talk.form.id, "fallback")), [1, 1]);
      assert.equal(rowNumbers(onlyDemo.body, route(talk.form.id, "r_de")), null);

      // A period before any of it: nothing counted there.
      const before = await insights(owner, "range=custom&from=2020-01-01&to=2020-01-31");
      assert.equal(before.status, 200);
      assert.deepEqual(rowNumbers(before.body, talkRow), [0, 0, 0, 0]);
      assert.deepEqual(rowNumbers(before.body, route(talk.form.id, "r_de")), [0, 0]);

      // The CSV: the table's numbers, with a byte-order mark, formula-safe.
      const csv = await owner.get("/dashboard/insights/routing.csv?range=7");
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get("content-type") ?? "", /text\/csv/);
      // (read as bytes: a text decoder drops the mark)
      const cookie = owner.cookies().map((c) => `${c.name}=${c.value}`).join("; ");
      const bytes = new Uint8Array(
        await (await fetch(app.url("/dashboard/insights/routing.csv?range=7"), {
          headers: { cookie },
        })).arrayBuffer(),
      );
      assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], "a UTF-8 byte-order mark");
      const rows = parseCsv(csv.body);
      assert.deepEqual(rows[0], [
        "Form",
        "Team",
        "Route",
        "Views",
        "Submissions",
        "Routed",
        "Booked",
      ]);
      assert.ok(
        rows.some((r) =>
          JSON.stringify(r) === JSON.stringify(["Talk to us", "", "All routes", 3, 3, 2, 2])
        ),
        JSON.stringify(rows),
      );
      assert.ok(
        rows.some((r) =>
          JSON.stringify(r) ===
            JSON.stringify(["Talk to us", "", "Route 1", "", "", 1, 1])
        ),
        JSON.stringify(rows),
      );
      assert.ok(
        rows.some((r) =>
          JSON.stringify(r) ===
            JSON.stringify(["'=Ask the team", "Sales", "All routes", 1, 1, 1, 0])
        ),
        JSON.stringify(rows),
      );
      // The form's own page still counts since the form was made, with the same totals.
      const dash = await owner.get(`/dashboard/routing/${talk.form.id}`);
      assert.match(dash.body, /3 views → 3 submissions/);
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await app.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
