/**
 * Insights tell apart how bookings came (issue 28): a guest on the booking page or through the
 * API, a host's move, a booking the host made for a guest, a poll's pick — counted by the runner
 * after each commit, shown on /dashboard/insights and in its CSV. The meeting polls' figures
 * follow the chosen period and event type.
 */
import assert from "node:assert/strict";
import { fullDayOf, startsIn } from "../support/slots.ts";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInByLink } from "../support/auth.ts";
import { createClient } from "../support/http.ts";
import { parseCsv } from "../../src/lib/server/http/csv.ts";
import { waitFor } from "../support/wait.ts";
import { borrowBrowser, checkA11y, contextWithSession } from "../support/browser.ts";

const day = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

Deno.test({
  name:
    "insights over HTTP: bookings counted by how they came (page, host's move, for a guest, poll), page and CSV; poll figures follow the period and event type",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ demo: true, smtp: { host: smtp.host, port: smtp.port } });
    const key = (await app.waitForLog(/Demo API key \(read, write\): (inv_\S+)/))[1];
    const host = await signInByLink(app, "demo@invito.example", { smtp });
    const api = async (method: string, path: string, body: unknown, idem: string) => {
      const res = await fetch(app.url(`/api/v1${path}`), {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          "content-type": "application/json",
          "idempotency-key": idem,
        },
        body: JSON.stringify(body),
      });
      // deno-lint-ignore no-explicit-any
      return { status: res.status, body: await res.json() as any };
    };
    const page = await host.get("/dashboard/polls?type=quick-chat");
    const free = fullDayOf(startsIn(page.body));
    assert.ok(free.length >= 8, "the demo offers enough times");

    // A guest books on the page; the host moves that booking; the host books for a guest.
    const guest = await createClient(app.baseUrl).post("/calendar/demo/quick-chat?/book", {
      name: "Gus Guest",
      email: "gus@example.test",
      note: "",
      start: free[0],
      tz: "UTC",
    });
    assert.equal(guest.status, 303, guest.body.slice(0, 300));
    const bookings = await fetch(app.url("/api/v1/bookings"), {
      headers: { authorization: `Bearer ${key}` },
    }).then((r) => r.json());
    const gus = (bookings.data as { id: string }[]).find((b) =>
      JSON.stringify(b).includes("gus@example.test")
    );
    assert.ok(gus, "the guest's booking is listed");
    const moved = await api("POST", `/bookings/${gus.id}/reschedule`, {
      start: free[2],
      reason: "Clash",
    }, "move-1");
    assert.equal(moved.status, 201, JSON.stringify(moved.body));
    const forGuest = await api("POST", "/bookings/for-guest", {
      eventType: "quick-chat",
      start: free[4],
      name: "Phoned In",
      email: "phoned@example.test",
    }, "for-guest-1");
    assert.equal(forGuest.status, 201, JSON.stringify(forGuest.body));
    // A guest books through the public API (an integrator's site, an assistant over MCP): not on
    // the booking page, which counts its own views.
    const viaApi = await fetch(app.url("/api/v1/bookings"), {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": "api-guest-1" },
      body: JSON.stringify({
        username: "demo",
        eventType: "quick-chat",
        start: free.at(-1),
        name: "Ada Api",
        email: "ada@example.test",
        timeZone: "UTC",
      }),
    });
    assert.equal(viaApi.status, 201, await viaApi.text());

    // A poll, answered and picked from the dashboard.
    const form = new URLSearchParams({ type: "quick-chat", title: "Planning" });
    for (const s of [free[6], free[7]]) form.append("start", s);
    const made = await host.post("/dashboard/polls?/create", form);
    assert.equal(made.status, 200, made.body.slice(0, 300));
    const pollId = /href="\/dashboard\/polls\/([0-9A-Z]{26})"/.exec(made.body)![1];
    const pollPath = new URL(/data-testid="poll-url">([^<]+)</.exec(made.body)![1]).pathname;
    const vote = await createClient(app.baseUrl).post(`${pollPath}?/vote`, {
      name: "Vera",
      email: "vera@example.test",
      t0: "yes",
    });
    assert.equal(vote.status, 200);
    const picked = await host.post(`/dashboard/polls/${pollId}?/pick`, { start: free[6] });
    assert.equal(picked.status, 303, picked.body.slice(0, 300));

    // The CSV of "How bookings came" for the default period: each way counted once (counts are
    // written in the background after each commit).
    const origins = async (search = "") => {
      const res = await host.get(`/dashboard/insights/origins.csv${search}`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /text\/csv/);
      return Object.fromEntries(parseCsv(res.body).slice(1).map((r) => [r[0], r[1]]));
    };
    const expected = {
      "Guest on your booking page": 1,
      "Guest through the API or an assistant": 1,
      "Single-use or one-off link": 0,
      "Meeting poll": 1,
      "Booked by you for a guest": 1,
      "Moved by you": 1,
      "Moved by the guest": 0,
      "New time after you asked": 0,
      "Handed over to you": 0,
    };
    await waitFor(async () => JSON.stringify(await origins()) === JSON.stringify(expected), {
      timeoutMs: 15_000,
      message: () => "the origins CSV to count each booking by how it came",
    });
    assert.deepEqual(await origins(), expected);
    const insights = (await host.get("/dashboard/insights")).body;
    assert.match(insights, /How bookings came/);
    assert.match(insights, /href="\/dashboard\/insights\/origins\.csv\?[^"]*"/);

    // Poll figures: this period has the poll; a period long ago has none; another event type
    // has none.
    const cell = (html: string, k: string) =>
      new RegExp(`data-polls="${k}"[^>]*>(\\d+)<`).exec(html)?.[1];
    const figures = (html: string) =>
      ["made", "answered", "answers", "booked", "closed", "open"].map((k) => cell(html, k));
    assert.deepEqual(figures(insights), ["1", "1", "1", "1", "0", "0"]);
    const past = `?range=custom&from=${day(-200)}&to=${day(-150)}`;
    const old = (await host.get(`/dashboard/insights${past}`)).body;
    assert.deepEqual(figures(old), ["0", "0", "0", "0", "0", "0"]);
    assert.deepEqual(
      Object.values(await origins(past)).every((n) => n === 0),
      true,
      "nothing came in a period long ago",
    );
    const types = [...insights.matchAll(/<option value="([0-9A-Z]{26})"[^>]*>([^<]+)</g)]
      .map((m) => ({ id: m[1], title: m[2] }));
    const other = types.find((t) => !/quick/i.test(t.title));
    const quick = types.find((t) => /quick/i.test(t.title));
    assert.ok(other && quick, JSON.stringify(types));
    assert.deepEqual(
      figures((await host.get(`/dashboard/insights?type=${other.id}`)).body),
      ["0", "0", "0", "0", "0", "0"],
    );
    assert.deepEqual(
      figures((await host.get(`/dashboard/insights?type=${quick.id}`)).body),
      ["1", "1", "1", "1", "0", "0"],
    );

    // On a 360 px phone the polls table scrolls sideways: its region takes keyboard focus and
    // is named, in English and in German (longer headings), so axe finds nothing (it once
    // failed scrollable-region-focusable, serious, as soon as the host had a poll).
    const browser = await borrowBrowser();
    try {
      for (const lang of ["en", "de"]) {
        const ctx = await contextWithSession(browser, host, {
          viewport: { width: 360, height: 800 },
          timezoneId: "Europe/Berlin",
        });
        const p = await ctx.newPage();
        await p.goto(app.url(`/dashboard/insights?lang=${lang}`));
        const polls = p.locator("[data-poll-insights] [role=region]");
        assert.equal(await polls.getAttribute("tabindex"), "0", lang);
        assert.ok(await polls.getAttribute("aria-label"), `${lang}: the region is named`);
        // Moderate findings too: the section and its table's region were both named "Meeting
        // polls", two landmarks of one name in a screen reader's list (landmark-unique).
        assert.deepEqual(
          await checkA11y(p, { impacts: ["serious", "critical", "moderate"] }),
          [],
          `axe on insights at 360 px (${lang})`,
        );
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  },
});
