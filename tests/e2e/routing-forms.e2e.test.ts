/**
 * Routing forms over HTTP against the built server (issue 30), as visitors without JavaScript
 * send them: each opens the form, answers, and is sent on — to a host's booking page and a team's
 * round robin with their answers filled in, to a named member of the round robin, to another
 * site — books there, and the host's dashboard counts views → submissions → routed → booked per
 * route. A routed visitor who picks a time already taken gets the same refusal as anyone else.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { EVERY_DAY_ALL_DAY, seedTeam, seedTeamEventType } from "../support/teams.ts";
import { createClient, type HttpResult } from "../support/http.ts";
import { signInByLink } from "../support/auth.ts";
import { waitFor } from "../support/wait.ts";
import { createForm, saveForm } from "../../src/lib/server/services/routing-forms.ts";
import type { RoutingFormDefinition } from "../../src/lib/server/domain/routing.ts";
import type {
  BookingRecord,
  RoutingResponseRecord,
} from "../../src/lib/server/domain/model/records.ts";
import { keys } from "../../src/lib/server/store/keys.ts";

const unescape = (s: string) =>
  s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&amp;/g, "&");

/** The value of the input named `name` in a page, as rendered (null when there is none). */
function inputValue(html: string, name: string): string | null {
  for (const m of html.matchAll(/<input\b[^>]*>/g)) {
    if (!new RegExp(`\\sname="${name}"`).test(m[0])) continue;
    const v = /\svalue="([^"]*)"/.exec(m[0]);
    return v ? unescape(v[1]) : "";
  }
  return null;
}

function slotsOf(html: string): string[] {
  return [...html.matchAll(/data-slot="([^"]+)"/g)].map((m) => m[1]);
}

/** The day after tomorrow (UTC), where every seeded person is free all day. */
function day(offset: number): string {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

Deno.test({
  name:
    "e2e routing forms: three visitors reach three destinations (a host's event type, a team round robin with prefilled answers, another site), a named member gets the booking, and the funnel counts match",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, dbPath, kv, app: seed } = await seedStore("invito-routing-");
    const { team, users } = await seedTeam(seed, {
      slug: "sales",
      name: "Sales",
      members: [{ username: "anna" }, { username: "ben" }, { username: "cara" }],
    });
    const [anna, ben, cara] = users;
    const intro = await createEventType(seed, anna, {
      slug: "intro",
      title: "Intro",
      requiresConfirmation: false,
      questions: [{ id: "company", label: "Company", type: "short", required: false }],
    });
    const enterprise = await seedTeamEventType(seed, team, {
      slug: "enterprise",
      title: "Enterprise demo",
      teamMode: "round_robin",
      hostIds: [ben.id, cara.id],
      questions: [{ id: "k7", label: "Company size", type: "short", required: false }],
    });
    void EVERY_DAY_ALL_DAY;
    const created = await createForm(seed, anna.id, { title: "Talk to us", slug: "talk" });
    assert.ok(created.ok);
    const formId = created.form.id;
    const definition: RoutingFormDefinition = {
      questions: [
        { key: "name", type: "short", label: "Your name", required: true },
        { key: "email", type: "email", label: "Work email", required: true },
        { key: "company_size", type: "number", label: "Company size", required: true },
        {
          key: "country",
          type: "select",
          label: "Country",
          required: true,
          options: ["DE", "FR", "US"],
        },
        { key: "company", type: "short", label: "Company", required: false },
      ],
      routes: [
        {
          id: "r_de",
          match: "all",
          conditions: [{ key: "country", op: "equals", values: ["DE"] }],
          destination: { kind: "event_type", ownerId: anna.id, eventTypeId: intro.id },
        },
        {
          id: "r_fr",
          match: "all",
          conditions: [{ key: "country", op: "equals", values: ["FR"] }],
          destination: {
            kind: "event_type",
            ownerId: team.id,
            eventTypeId: enterprise.id,
            memberId: cara.id,
          },
        },
        {
          id: "r_big",
          match: "any",
          conditions: [{ key: "company_size", op: "gt", values: ["50"] }],
          destination: { kind: "event_type", ownerId: team.id, eventTypeId: enterprise.id },
        },
      ],
      fallback: { kind: "url", url: "https://example.com/self-serve", appendAnswers: true },
    };
    const saved = await saveForm(seed, anna.id, formId, {
      title: "Talk to us",
      slug: "talk",
      description: "",
      active: true,
    }, definition);
    assert.ok(saved.ok, JSON.stringify(saved));
    kv.close();

    const app = await startApp({ dataDir });
    try {
      /** A visitor opens the form and sends these answers; returns the answer to the post. */
      const visit = async (answers: Record<string, string>): Promise<HttpResult> => {
        const c = createClient(app.baseUrl);
        const page = await c.get("/forms/anna/talk");
        assert.equal(page.status, 200);
        const ft = inputValue(page.body, "ft");
        assert.ok(ft, "the form carries its fill-time token");
        return await c.post("/forms/anna/talk", { ft, website: "", ...answers });
      };
      /** A visitor opens a booking page at a chosen time (the page's links keep their answers). */
      const open = async (location: string, start: string) => {
        const c = createClient(app.baseUrl);
        const u = new URL(location, app.baseUrl);
        u.searchParams.set("tz", "UTC");
        u.searchParams.set("date", start.slice(0, 10));
        u.searchParams.set("slot", start);
        const page = await c.get(u.pathname + u.search);
        assert.equal(page.status, 200, location);
        return { c, page, path: u.pathname, start };
      };
      /** …and sends its form as it was filled in (plus `extra`, what the visitor typed). */
      const send = async (
        o: Awaited<ReturnType<typeof open>>,
        extra: Record<string, string> = {},
      ) => ({
        page: o.page,
        res: await o.c.post(`${o.path}?/book`, {
          name: inputValue(o.page.body, "name") ?? "",
          email: inputValue(o.page.body, "email") ?? "",
          note: "",
          start: o.start,
          tz: "UTC",
          ft: inputValue(o.page.body, "ft") ?? "",
          routing: inputValue(o.page.body, "routing") ?? "",
          // The booking questions as the page filled them in.
          ...Object.fromEntries(
            [...o.page.body.matchAll(/<input\b[^>]*\sname="(q_[^"]+)"/g)].map((
              m,
            ) => [m[1], inputValue(o.page.body, m[1]) ?? ""]),
          ),
          ...extra,
        }),
      });
      const book = async (location: string, start: string) =>
        await send(await open(location, start));

      // A visitor whose name spans two lines is refused with a message (counted as a submission).
      const bad = await visit({
        name: "Mallory\nBcc: x@example.test",
        email: "m@example.test",
        company_size: "3",
        country: "US",
      });
      assert.equal(bad.status, 400);
      assert.match(bad.body, /This answer cannot contain line breaks or control characters/);

      const annaSlots = slotsOf(
        (await createClient(app.baseUrl).get(
          `/calendar/anna/intro?tz=UTC&date=${day(2)}`,
        )).body,
      );
      const teamSlots = slotsOf(
        (await createClient(app.baseUrl).get(
          `/team/sales/enterprise?tz=UTC&date=${day(2)}`,
        )).body,
      );
      assert.ok(annaSlots.length > 4 && teamSlots.length > 4, "everyone is free that day");

      // Two more guests look at Vera's time before she books it: one routed, one direct.
      const v5 = await visit({
        name: "Zoe",
        email: "zoe@example.test",
        company_size: "10",
        country: "DE",
      });
      assert.equal(v5.status, 303);
      const late = await open(v5.location!, annaSlots[0]);
      const lateDirect = await open(`/calendar/anna/intro`, annaSlots[0]);

      // 1. Germany → Anna's own event type, name, email and company filled in.
      const v1 = await visit({
        name: "Vera",
        email: "vera@example.test",
        company_size: "10",
        country: "DE",
        company: "Vera GmbH",
      });
      assert.equal(v1.status, 303);
      assert.match(v1.location!, /\/calendar\/anna\/intro\?/);
      const b1 = await book(v1.location!, annaSlots[0]);
      assert.equal(inputValue(b1.page.body, "name"), "Vera");
      assert.equal(inputValue(b1.page.body, "email"), "vera@example.test");
      assert.equal(inputValue(b1.page.body, "q_company"), "Vera GmbH");
      assert.equal(b1.res.status, 303, b1.res.body.slice(0, 300));

      // 2. A big company → the team's round robin, the size filled into the team's question.
      const v2 = await visit({
        name: "Walt",
        email: "walt@example.test",
        company_size: "120",
        country: "US",
      });
      assert.equal(v2.status, 303);
      assert.match(v2.location!, /\/team\/sales\/enterprise\?/);
      const b2 = await book(v2.location!, teamSlots[1]);
      assert.equal(inputValue(b2.page.body, "name"), "Walt");
      assert.equal(inputValue(b2.page.body, "q_k7"), "120");
      assert.equal(b2.res.status, 303, b2.res.body.slice(0, 300));

      // 3. A small company elsewhere → another site, with the answers appended.
      const v3 = await visit({
        name: "Xena",
        email: "xena@example.test",
        company_size: "5",
        country: "US",
      });
      assert.equal(v3.status, 200);
      const sentTo = /http-equiv="refresh" content="0;url=([^"]+)"/.exec(v3.body)?.[1];
      assert.ok(sentTo, "the page sends the visitor on");
      const u = new URL(unescape(sentTo));
      assert.equal(u.origin + u.pathname, "https://example.com/self-serve");
      assert.equal(u.searchParams.get("company_size"), "5");
      assert.equal(u.searchParams.get("email"), "xena@example.test");

      // 4. France → the route names Cara: she gets the booking, not the rotation's choice.
      const v4 = await visit({
        name: "Yann",
        email: "yann@example.test",
        company_size: "500",
        country: "FR",
      });
      assert.equal(v4.status, 303);
      const b4 = await book(v4.location!, teamSlots[3]);
      // Their page offers Cara's times: only she is named there, while the team page names both.
      assert.match(b4.page.body, /Host cara/);
      assert.doesNotMatch(b4.page.body, /Host ben/);
      assert.match(
        (await createClient(app.baseUrl).get(`/team/sales/enterprise?tz=UTC&date=${day(2)}`)).body,
        /Host ben/,
      );
      assert.equal(b4.res.status, 303, b4.res.body.slice(0, 300));

      // 5. The routed visitor sends the time Vera took: the same refusal as the direct guest's.
      const routed = await send(late);
      const direct = await send(lateDirect, { name: "Dora", email: "dora@example.test" });
      assert.equal(routed.res.status, 409);
      assert.equal(direct.res.status, 409);
      const alert = (html: string) => /role="alert"[^>]*>\s*([^<]+)</.exec(html)?.[1].trim();
      assert.ok(alert(routed.res.body));
      assert.equal(alert(routed.res.body), alert(direct.res.body));
      // The routed visitor's answers are still there to pick another time with.
      assert.equal(inputValue(routed.res.body, "routing"), inputValue(routed.page.body, "routing"));

      // The host's dashboard counts it all.
      const host = await signInByLink(app, "anna@example.test");
      const row = (body: string, id: string) => {
        const m = new RegExp(
          `data-funnel-route="${id}"[\\s\\S]*?data-routed[^>]*>(\\d+)<[\\s\\S]*?data-booked[^>]*>(\\d+)<`,
        ).exec(body);
        return m ? [Number(m[1]), Number(m[2])] : null;
      };
      // Bookings are linked and counted on the runner's path after their commits: wait for the
      // last one (the refused one never is).
      const dash = await waitFor(async () => {
        const p = await host.get(`/dashboard/routing/${formId}`);
        return row(p.body, "r_fr")?.[1] === 1 ? p : null;
      }, { message: "the routed bookings are counted" });
      assert.equal(dash.status, 200);
      assert.match(dash.body, /6 views → 6 submissions/);
      assert.deepEqual(row(dash.body, "r_de"), [2, 1]);
      assert.deepEqual(row(dash.body, "r_fr"), [1, 1]);
      assert.deepEqual(row(dash.body, "r_big"), [1, 1]);
      assert.deepEqual(row(dash.body, "fallback"), [1, 0]);
      // Insights list the form's funnel too: views → submissions → routed → booked. Their
      // counters are written within a second of the steps (services/insights-count.ts): read
      // until the booked column has caught up, then every column must match.
      const funnel = async () => {
        const insights = await host.get("/dashboard/insights");
        assert.equal(insights.status, 200);
        const cells = new RegExp(`data-routing-form-id="${formId}"[^>]*>([\\s\\S]*?)</tr>`)
          .exec(insights.body)?.[1] ?? "";
        return [...cells.matchAll(/<td[^>]*>(\d+)<\/td>/g)].map((m) => Number(m[1]));
      };
      const counted = await waitFor(async () => {
        const f = await funnel();
        return f.length === 4 && f[0] >= 6 && f[3] >= 3 ? f : null;
      }, { message: "the routing funnel's insight counts" });
      assert.deepEqual(counted, [6, 6, 5, 3]);

      // Responses: filtered by route, and as formula-safe CSV.
      const list = await host.get(`/dashboard/routing/${formId}/responses?route=r_de`);
      assert.match(list.body, /2 responses/);
      const csv = await host.get(`/dashboard/routing/${formId}/responses.csv?booked=yes`);
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get("content-type") ?? "", /text\/csv/);
      assert.equal(csv.body.trim().split("\r\n").length, 4, "a header and three booked");

      // The booking shows the response it came from.
      const bookings = await host.get("/dashboard/bookings");
      const block =
        /data-routing-response[\s\S]*?<\/div>\s*<\/div>|data-routing-response[\s\S]{0,1500}/
          .exec(bookings.body)?.[0] ?? "";
      assert.match(block, /Talk to us/);
      assert.match(block, /Vera GmbH/);

      // Vera asks to be forgotten: her answers go from the responses too (ADR 022).
      const erased = await host.post("/dashboard/profile?/eraseGuest", {
        email: "vera@example.test",
        confirm: "yes",
      });
      assert.equal(erased.status, 200);
      const search = await host.get(`/dashboard/routing/${formId}/responses?q=vera`);
      assert.match(search.body, /0 responses/);
      assert.doesNotMatch((await host.get("/dashboard/bookings")).body, /Vera GmbH/);
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await app.stop({ keepData: true });
    }

    // What was stored: each booking links to its response; Cara has France's booking.
    const after = await Deno.openKv(dbPath);
    try {
      const responses: RoutingResponseRecord[] = [];
      for await (
        const e of after.list<RoutingResponseRecord>({ prefix: keys.routingResponsePrefix(formId) })
      ) responses.push(e.value);
      assert.equal(responses.length, 5, "five routed; the refused post stored nothing");
      const yann = responses.find((r) => r.answers.email === "yann@example.test")!;
      assert.ok(yann.bookingId);
      const booking = (await after.get<BookingRecord>(keys.booking(yann.bookingId!))).value!;
      assert.equal(booking.hostId, cara.id);
      const vera = responses.find((r) => r.erasedAtMs)!;
      assert.deepEqual(vera.answers, {}, "Vera's answers are erased");
      assert.equal(vera.routeId, "r_de", "the count's route stays");
      const walt = responses.find((r) => r.answers.email === "walt@example.test")!;
      const wb = (await after.get<BookingRecord>(keys.booking(walt.bookingId!))).value!;
      assert.equal(wb.teamId, team.id);
      assert.deepEqual(
        wb.answers?.map((a) => [a.label, a.value]),
        [["Company size", "120"]],
      );
    } finally {
      after.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "e2e routing forms: a form sent faster than a person could is refused with a message, too-long and multi-line answers get 400 with messages, the widget routes to the widget's booking page, and the per-IP limit answers 429",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-routing-limits-");
    const host = await createHost(seed, { username: "hana", weekly: EVERY_DAY_ALL_DAY });
    const et = await createEventType(seed, host, { slug: "chat", requiresConfirmation: false });
    const created = await createForm(seed, host.id, { title: "Ask", slug: "ask" });
    assert.ok(created.ok);
    const saved = await saveForm(seed, host.id, created.form.id, {
      title: "Ask",
      slug: "ask",
      description: "",
      active: true,
    }, {
      questions: [
        { key: "name", type: "short", label: "Name", required: true },
        { key: "about", type: "long", label: "About", required: false },
      ],
      routes: [],
      fallback: { kind: "event_type", ownerId: host.id, eventTypeId: et.id },
    });
    assert.ok(saved.ok, JSON.stringify(saved));
    kv.close();
    const app = await startApp({
      dataDir,
      // Long enough that a loaded machine's GET → POST never looks like a person's pace.
      env: { INVITO_MIN_FILL_TIME: "4s", INVITO_RATE_LIMIT: "booking=5/10m" },
    });
    try {
      const c = createClient(app.baseUrl);
      const page = await c.get("/forms/hana/ask");
      const ft = inputValue(page.body, "ft")!;
      // At once: a bot's speed.
      const quick = await c.post("/forms/hana/ask", { ft, website: "", name: "Bo" });
      assert.equal(quick.status, 400);
      assert.match(quick.body, /very quick/);
      // A person's pace: wait until the token is old enough (a condition, not a fixed sleep).
      const ready = Number(ft.split(".")[0]) + 4_000;
      while (Date.now() < ready + 50) await new Promise((r) => setTimeout(r, 50));
      const long = await c.post("/forms/hana/ask", {
        ft,
        website: "",
        name: "x".repeat(201),
        about: "y".repeat(4001),
      });
      assert.equal(long.status, 400);
      assert.match(long.body, /This answer is too long/);
      assert.equal([...long.body.matchAll(/field-error">This answer is too long/g)].length, 2);
      const twoLines = await c.post("/forms/hana/ask", { ft, website: "", name: "A\r\nB" });
      assert.equal(twoLines.status, 400);
      assert.match(twoLines.body, /cannot contain line breaks/);
      // The widget sends the visitor on inside the widget, and may be framed as hana's widget is.
      const w = await c.get("/widget/forms/hana/ask");
      assert.equal(w.status, 200);
      assert.match(w.headers.get("content-security-policy") ?? "", /frame-ancestors \*/);
      assert.ok(inputValue(w.body, "ft"));
      // (sent with the older token: the visitor has been on the page long enough)
      const inWidget = await c.post("/widget/forms/hana/ask?theme=dark&accent=0d9488", {
        ft,
        website: "",
        name: "Di",
      });
      assert.equal(inWidget.status, 303);
      assert.match(inWidget.location!, /\/widget\/hana\/chat\?name=Di&routing=/);
      assert.match(inWidget.location!, /&theme=dark&accent=0d9488$/, "the widget's looks go along");
      // Five posts from this address so far with the fifth; the sixth within ten minutes is refused.
      const fifth = await c.post("/forms/hana/ask", { ft, website: "", name: "Ed" });
      assert.equal(fifth.status, 303);
      const sixth = await c.post("/forms/hana/ask", { ft, website: "", name: "Ed" });
      assert.equal(sixth.status, 429);
      // A form that does not exist is a 404, not an error.
      assert.equal((await c.get("/forms/hana/nope")).status, 404);
      assert.equal((await c.get("/forms/nobody/ask")).status, 404);
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await app.stop();
    }
  },
});

Deno.test({
  name:
    "e2e routing forms: a host creates a form in the dashboard, adds questions and a route with the editor's own fields, tests a sample answer, and the public page asks the new questions",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-routing-editor-");
    const host = await createHost(seed, { username: "ines", weekly: EVERY_DAY_ALL_DAY });
    const et = await createEventType(seed, host, { slug: "demo", title: "Demo" });
    kv.close();
    const app = await startApp({ dataDir });
    try {
      const c = await signInByLink(app, "ines@example.test");
      // The dashboard's More menu leads here.
      assert.match((await c.get("/dashboard")).body, /href="\/dashboard\/routing"/);
      const bad = await c.post("/dashboard/routing?/create", { title: "Sales", slug: "Not OK" });
      assert.equal(bad.status, 400);
      assert.match(bad.body, /lower-case letters, digits and hyphens/);
      const made = await c.post("/dashboard/routing?/create", { title: "Sales", slug: "sales" });
      assert.equal(made.status, 303);
      const editor = made.location!;
      assert.match(editor, /\/dashboard\/routing\/[0-9A-Z]{26}\?created=1$/);
      const page = await c.get(editor);
      assert.equal(page.status, 200);
      // The starter form asks name and email; the host adds a number and a route, as the
      // editor's fields send them (the blank rows stay blank).
      const fields = {
        title: "Sales",
        slug: "sales",
        description: "Tell us a little.",
        active: "on",
        q0_key: "name",
        q0_type: "short",
        q0_label: "Name",
        q0_required: "on",
        q1_key: "email",
        q1_type: "email",
        q1_label: "Email",
        q1_required: "on",
        q2_key: "seats",
        q2_type: "number",
        q2_label: "How many seats?",
        q2_required: "on",
        r0_id: "new",
        r0_match: "all",
        r0_c0_key: "seats",
        r0_c0_op: "gte",
        r0_c0_value: "10",
        r0_dest: `et:${host.id}:${et.id}`,
        fb_dest: "message",
        fb_message: "We will write to you.",
      };
      // A broken URL destination is refused with a message and nothing is saved.
      const refused = await c.post(editor.replace(/\?.*/, "?/save"), {
        ...fields,
        fb_dest: "url",
        fb_url: "http://plain.example/",
      });
      assert.equal(refused.status, 400);
      assert.match(refused.body, /full https:\/\/ address/);
      const saved = await c.post(editor.replace(/\?.*/, "?/save"), fields);
      assert.equal(saved.status, 200, saved.body.slice(0, 500));
      const tested = await c.post(editor.replace(/\?.*/, "?/test"), { t_seats: "12" });
      assert.match(tested.body, /These answers take: Route 1/);
      const fallback = await c.post(editor.replace(/\?.*/, "?/test"), { t_seats: "2" });
      assert.match(fallback.body, /These answers take: Everyone else/);
      // The public page asks the new question, in German for a German browser.
      const pub = await createClient(app.baseUrl).get("/forms/ines/sales", {
        headers: { "accept-language": "de-DE" },
      });
      assert.equal(pub.status, 200);
      assert.match(pub.body, /How many seats\?/);
      assert.match(pub.body, />Weiter</);
      // Deleting takes the tick; then the public page is gone.
      const untick = await c.post(editor.replace(/\?.*/, "?/delete"), {});
      assert.equal(untick.status, 400);
      assert.match(untick.body, /Tick the box/);
      assert.equal((await createClient(app.baseUrl).get("/forms/ines/sales")).status, 200);
      const gone = await c.post(editor.replace(/\?.*/, "?/delete"), { confirm: "yes" });
      assert.equal(gone.status, 303);
      assert.equal((await createClient(app.baseUrl).get("/forms/ines/sales")).status, 404);
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await app.stop();
    }
  },
});

Deno.test({
  name:
    "e2e routing forms: a team owner makes a team form under the team, it routes to the team's round robin at /forms/{team}/…, and a plain member cannot open the team's forms",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seed } = await seedStore("invito-routing-team-");
    const { team, users } = await seedTeam(seed, {
      slug: "support",
      name: "Support",
      members: [{ username: "olga" }, { username: "max" }],
    });
    const et = await seedTeamEventType(seed, team, {
      slug: "help",
      title: "Help call",
      teamMode: "round_robin",
      hostIds: users.map((u) => u.id),
    });
    kv.close();
    const app = await startApp({ dataDir });
    try {
      const owner = await signInByLink(app, "olga@example.test");
      const base = `/dashboard/teams/${team.id}/routing`;
      assert.match(
        (await owner.get(`/dashboard/teams/${team.id}`)).body,
        new RegExp(`href="${base}"`),
      );
      const made = await owner.post(`${base}?/create`, { title: "Get help", slug: "help-me" });
      assert.equal(made.status, 303);
      const editor = made.location!.replace(/\?.*/, "");
      assert.match(editor, new RegExp(`${base}/[0-9A-Z]{26}$`));
      const page = await owner.get(editor);
      assert.match(page.body, new RegExp(`value="et:${team.id}:${et.id}"`));
      const saved = await owner.post(`${editor}?/save`, {
        title: "Get help",
        slug: "help-me",
        description: "",
        active: "on",
        q0_key: "name",
        q0_type: "short",
        q0_label: "Name",
        q0_required: "on",
        q1_key: "email",
        q1_type: "email",
        q1_label: "Email",
        q1_required: "on",
        fb_dest: `et:${team.id}:${et.id}`,
      });
      assert.equal(saved.status, 200, saved.body.slice(0, 400));
      const visitor = createClient(app.baseUrl);
      const form = await visitor.get("/forms/support/help-me");
      assert.equal(form.status, 200);
      const sent = await visitor.post("/forms/support/help-me", {
        ft: inputValue(form.body, "ft")!,
        website: "",
        name: "Uma",
        email: "uma@example.test",
      });
      assert.equal(sent.status, 303);
      assert.match(
        sent.location!,
        /\/team\/support\/help\?name=Uma&email=uma%40example.test&routing=/,
      );
      const list = await owner.get(base);
      assert.match(list.body, /1 view · 1 submission · 1 routed · 0 booked/);
      // A member who is not an owner: not found, as for any team page they may not see.
      const member = await signInByLink(app, "max@example.test");
      assert.equal((await member.get(base)).status, 404);
      assert.equal((await member.get(editor)).status, 404);
      assert.doesNotMatch(app.logs(), /\[error /);
    } finally {
      await app.stop();
    }
  },
});
