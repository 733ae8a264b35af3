/**
 * Every page of Invito with something on it, for tests that look at all of them (the
 * pseudo-locale run, the HTML validator): on a demo app, a guest's pending request gives the
 * guest's result, cancel and reschedule pages and the host's confirm and reject pages; the demo
 * host signs in with an email link in Chromium, as a person would, for the dashboard. The host
 * then makes what the newer pages list (an API key, a webhook, a single-use link, a team with an
 * event type, an open invitation and a booking), so the developers, webhook log, links,
 * troubleshooter, insights and team pages show their content; a picked poll meeting gives an
 * invitee's "I can't come" page, and a second request confirmed from its mail the page after the
 * press.
 *
 * ```ts
 * await using app = await startApp({ demo: true, env: TOUR_ENV });
 * const tour = await pageTour(app, browser);
 * for (const p of tour.guestPages) ...          // no session
 * for (const p of tour.hostPages) ...           // with tour.hostState (Playwright) or tour.hostCookie (fetch)
 * ```
 */
import assert from "node:assert/strict";
import type { Browser, BrowserContext } from "playwright-core";
import type { AppHandle } from "./app.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";
import { fullDay } from "./slots.ts";

export type PageSpec = { name: string; path: string; status?: number };

/**
 * What the app of a tour runs with: webhooks may point at this machine (the tour's webhook goes
 * to a closed local port), and Google and Microsoft look configured, so the calendars page shows
 * its "Connect Google or Microsoft" part (nothing contacts them).
 */
export const TOUR_ENV: Record<string, string> = {
  INVITO_ALLOW_PRIVATE_WEBHOOKS: "true",
  // The demo host is the instance's admin too, so the tour shows the admin area (issue 32).
  INVITO_ADMINS: DEMO_EMAIL,
  INVITO_GOOGLE_CLIENT_ID: "tour-client",
  INVITO_GOOGLE_CLIENT_SECRET: "tour-secret",
  INVITO_MICROSOFT_CLIENT_ID: "tour-client",
  INVITO_MICROSOFT_CLIENT_SECRET: "tour-secret",
};

/** A dashboard form action, posted as the browser would (same origin, the host's session). */
async function act(app: AppHandle, cookie: string, path: string, fields: [string, string][]) {
  const res = await fetch(app.url(path), {
    method: "POST",
    headers: {
      origin: app.baseUrl,
      cookie,
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(fields),
    redirect: "manual",
  });
  const html = await res.text();
  assert.ok(res.status < 400, `${path}: status ${res.status}`);
  return html;
}

export type Tour = {
  guestPages: PageSpec[];
  hostPages: PageSpec[];
  hostState: Awaited<ReturnType<BrowserContext["storageState"]>>;
  /** The host's cookies as a `Cookie` header, for fetch. */
  hostCookie: string;
};

export async function pageTour(app: AppHandle, browser: Browser): Promise<Tour> {
  // The first free time of a full day from tomorrow on is requested; the second stays free for
  // the page with its form open. (The page's own first day may be today with one time left.)
  const [slot, free] = (await fullDay(app.baseUrl, "/calendar/demo/intro-call")).slots;
  assert.ok(slot && free, "the demo event offers two times");
  const since = app.logs().length;
  const booked = await fetch(app.url("/calendar/demo/intro-call?/book"), {
    method: "POST",
    headers: {
      origin: app.baseUrl,
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({
      name: "Pseudo Guest",
      email: "pseudo@example.test",
      start: slot,
      tz: "America/New_York",
    }),
    redirect: "manual",
  });
  await booked.body?.cancel();
  assert.equal(booked.status, 303);
  const result = booked.headers.get("location")!;
  const confirm = new URL((await app.waitForLog(/https?:\/\/\S+\/confirm\b/, { since }))[0]);
  const reject = new URL((await app.waitForLog(/https?:\/\/\S+\/reject\b/, { since }))[0]);

  const ctx = await browser.newContext();
  try {
    const page = await ctx.newPage();
    const before = app.logs().length;
    await page.goto(app.url("/signin"));
    await page.getByLabel("Email address").fill("demo@invito.example");
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await page.waitForURL(/check-email/);
    const link = (await app.waitForLog(/http:\/\/\S+\/signin\/verify\?\S+/, { since: before }))[0];
    await page.goto(link);
    await page.getByRole("button", { name: "Sign in to Invito" }).click();
    await page.waitForURL(/\/dashboard/);
    await page.goto(app.url("/dashboard/event-types"));
    const editHref = await page.locator(
      'a[href^="/dashboard/event-types/0"], a[href^="/dashboard/event-types/1"]',
    ).first().getAttribute("href");
    assert.ok(editHref);
    const hostState = await ctx.storageState();
    const hostCookie = (await ctx.cookies(app.baseUrl)).map((c) => `${c.name}=${c.value}`)
      .join("; ");

    // What the newer pages list: a key, a webhook with a delivery log, a single-use link.
    await act(app, hostCookie, "/dashboard/developers?/createKey", [
      ["name", "Tour key"],
      ["write", "on"],
      ["expires", "30"],
    ]);
    await act(app, hostCookie, "/dashboard/developers?/createWebhook", [
      ["url", "http://127.0.0.1:9/invito-hooks"],
      ["description", "Tour hook"],
      ["events", "booking.requested"],
      ["events", "booking.confirmed"],
    ]);
    const developers = await (await fetch(app.url("/dashboard/developers"), {
      headers: { cookie: hostCookie },
    })).text();
    const hookLog = /href="(\/dashboard\/developers\/webhooks\/[0-9A-Z]{26})"/.exec(developers)
      ?.[1];
    assert.ok(hookLog, "the webhook is listed");
    // Its first delivery fails (nothing listens there): the log has an attempt to show.
    await act(app, hostCookie, "/dashboard/developers?/testWebhook", [
      ["id", hookLog.split("/").pop()!],
    ]);
    const minted = await act(app, hostCookie, `${editHref}/links?/mint`, [
      ["label", "For the tour"],
      ["expiresOn", ""],
      ["guestEmail", ""],
    ]);
    const once = /data-testid="minted"[\s\S]*?<code[^>]*>([^<]+)<\/code>/.exec(minted)?.[1];
    assert.ok(once, "a single-use link was made");
    const eventTypeId = editHref.split("/").pop()!;
    const day = slot.slice(0, 10);

    // Hosts schedule (issue 28): a meeting poll with an answer, and a one-off link.
    const pollForm = await (await fetch(app.url("/dashboard/polls?type=quick-chat"), {
      headers: { cookie: hostCookie },
    })).text();
    const pollFree = [...pollForm.matchAll(/name="start" value="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(pollFree.length >= 9, "the poll picker offers times");
    const madePoll = await act(app, hostCookie, "/dashboard/polls?/create", [
      ["type", "quick-chat"],
      ["title", "Tour poll"],
      ["start", pollFree[2]],
      ["start", pollFree[5]],
    ]);
    const pollId = /href="\/dashboard\/polls\/([0-9A-Z]{26})"[^>]*data-testid="poll-open"/
      .exec(madePoll)?.[1];
    const pollPath = new URL(/data-testid="poll-url">([^<]+)</.exec(madePoll)![1]).pathname;
    assert.ok(pollId, "a poll was made");
    const voted = await fetch(app.url(`${pollPath}?/vote`), {
      method: "POST",
      headers: {
        origin: app.baseUrl,
        accept: "text/html",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({
        name: "Pseudo Invitee",
        email: "invitee-poll@example.test",
        t0: "yes",
        t1: "maybe",
      }),
    });
    await voted.body?.cancel();
    assert.equal(voted.status, 200, "the invitee answered");
    // A poll meeting two invitees answered, its time picked: the second invitee's own "I can't
    // come" page (its link is in their mail, here the log). A poll of its own, so the first one
    // stays open for the poll pages above.
    assert.ok(pollFree.length >= 12, "the poll picker offers times past the ones used above");
    const meeting = await act(app, hostCookie, "/dashboard/polls?/create", [
      ["type", "quick-chat"],
      ["title", "Tour meeting"],
      ["start", pollFree.at(-2)!],
      ["start", pollFree.at(-1)!],
    ]);
    const meetingId = /href="\/dashboard\/polls\/([0-9A-Z]{26})"[^>]*data-testid="poll-open"/
      .exec(meeting)?.[1];
    const meetingPath = new URL(/data-testid="poll-url">([^<]+)</.exec(meeting)![1]).pathname;
    for (const who of ["First", "Second"]) {
      const res = await fetch(app.url(`${meetingPath}?/vote`), {
        method: "POST",
        headers: {
          origin: app.baseUrl,
          accept: "text/html",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({
          name: `${who} Invitee`,
          email: `${who.toLowerCase()}-invitee@example.test`,
          t0: "yes",
          t1: "no",
        }),
      });
      await res.body?.cancel();
      assert.equal(res.status, 200, `${who} invitee answered`);
    }
    const beforePick = app.logs().length;
    await act(app, hostCookie, `/dashboard/polls/${meetingId}?/pick`, [[
      "start",
      pollFree.at(-2)!,
    ]]);
    const decline = new URL(
      (await app.waitForLog(/https?:\/\/\S+\/booking\/\S+\/decline\b/, { since: beforePick }))[0],
    );
    // A second request, confirmed from its mail: the page as the host sees it after the press.
    const [decidedSlot] = (await fullDay(app.baseUrl, "/calendar/demo/intro-call")).slots.slice(-1);
    const beforeDecided = app.logs().length;
    const decidedRequest = await fetch(app.url("/calendar/demo/intro-call?/book"), {
      method: "POST",
      headers: {
        origin: app.baseUrl,
        accept: "text/html",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({
        name: "Decided Guest",
        email: "decided@example.test",
        start: decidedSlot,
        tz: "America/New_York",
      }),
      redirect: "manual",
    });
    await decidedRequest.body?.cancel();
    assert.equal(decidedRequest.status, 303, "the second request is made");
    const decided = new URL(
      (await app.waitForLog(/https?:\/\/\S+\/confirm\b/, { since: beforeDecided }))[0],
    );
    await act(app, "", decided.pathname, []);
    await act(app, hostCookie, "/dashboard/bookings/offer?/create", [
      ["type", "quick-chat"],
      ["start", pollFree[8]],
      ["note", "For the tour"],
    ]);

    // A team the demo host owns (docs/decisions/016-teams.md), made as a person makes it: a
    // round-robin event type, an invitation still open, and a guest's booking of it.
    await page.goto(app.url("/dashboard/teams"));
    await page.getByLabel("Team name").fill("Tour Team");
    await page.getByLabel("Address").fill("tour-team");
    await page.getByRole("button", { name: "Create team" }).click();
    await page.waitForURL(/\/dashboard\/teams\/[0-9A-Z]{26}\?created=1$/);
    const teamPath = new URL(page.url()).pathname;
    const beforeInvite = app.logs().length;
    await page.getByLabel("Email address").fill("invitee@example.test");
    await page.getByRole("button", { name: "Send invitation" }).click();
    await page.getByText("Invitation sent to invitee@example.test").waitFor();
    const invitation = new URL(
      (await app.waitForLog(/https?:\/\/\S+\/team-invitation\/[A-Za-z0-9_-]+/, {
        since: beforeInvite,
      }))[0],
    );
    await page.goto(app.url(`${teamPath}/event-types/new`));
    await page.getByLabel("Title").fill("Team call");
    await page.getByRole("button", { name: "Create event type" }).click();
    await page.waitForURL(/\/event-types\/[0-9A-Z]{26}\?created=1$/);
    const teamEventPath = new URL(page.url()).pathname;
    // From tomorrow on: today's last time could pass before the post.
    const [teamSlot] = (await fullDay(app.baseUrl, "/team/tour-team/team-call", { min: 1 })).slots;
    assert.ok(teamSlot, "the team event offers a time");
    const teamBooked = await fetch(app.url("/team/tour-team/team-call?/book"), {
      method: "POST",
      headers: {
        origin: app.baseUrl,
        accept: "text/html",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({
        name: "Pseudo Guest",
        email: "pseudo-team@example.test",
        start: teamSlot,
        tz: "America/New_York",
      }),
      redirect: "manual",
    });
    await teamBooked.body?.cancel();
    assert.equal(teamBooked.status, 303, "the team booking is made");
    const teamResult = teamBooked.headers.get("location")!;
    // The host moves a booking from the list (the team booking is theirs to move).
    const list = await (await fetch(app.url("/dashboard/bookings"), {
      headers: { cookie: hostCookie },
    })).text();
    const movePath = /href="(\/dashboard\/bookings\/[0-9A-Z]{26}\/reschedule)"/.exec(list)?.[1];
    assert.ok(movePath, "a booking offers Move…");

    const guestPages: PageSpec[] = [
      { name: "home", path: "/" },
      { name: "signin", path: "/signin" },
      { name: "check-email", path: "/signin/check-email" },
      { name: "verify", path: "/signin/verify?token=abcdefghijklmnop&email=a%40example.test" },
      { name: "verify-incomplete", path: "/signin/verify" },
      { name: "host-page", path: "/calendar/demo/" },
      { name: "booking", path: "/calendar/demo/intro-call?tz=America%2FNew_York" },
      {
        name: "booking-form",
        path: `/calendar/demo/intro-call?tz=America%2FNew_York&date=${free.slice(0, 10)}&slot=${
          encodeURIComponent(free)
        }`,
      },
      { name: "widget-host", path: "/widget/demo/" },
      { name: "widget", path: "/widget/demo/quick-chat?tz=America%2FNew_York" },
      { name: "result", path: result },
      { name: "cancel", path: `${result}/cancel` },
      { name: "reschedule", path: `${result}/reschedule?tz=America%2FNew_York` },
      { name: "confirm", path: confirm.pathname },
      { name: "reject", path: reject.pathname },
      { name: "decided", path: decided.pathname },
      { name: "decline", path: decline.pathname },
      { name: "single-use", path: new URL(once.trim()).pathname },
      { name: "poll", path: `${pollPath}?tz=America%2FNew_York` },
      {
        name: "single-use-spent",
        path: "/calendar/demo/once/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        status: 404,
      },
      { name: "team-page", path: "/team/tour-team/" },
      { name: "team-booking", path: "/team/tour-team/team-call?tz=America%2FNew_York" },
      { name: "widget-team", path: "/widget/team/tour-team/" },
      {
        name: "widget-team-booking",
        path: "/widget/team/tour-team/team-call?tz=America%2FNew_York",
      },
      { name: "team-result", path: teamResult },
      { name: "not-found", path: "/no/such/page", status: 404 },
      { name: "bad-link", path: "/booking/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", status: 404 },
    ];
    const hostPages: PageSpec[] = [
      { name: "dashboard", path: "/dashboard" },
      { name: "setup", path: "/dashboard/setup" },
      { name: "bookings", path: "/dashboard/bookings" },
      { name: "event-types", path: "/dashboard/event-types" },
      { name: "event-type-new", path: "/dashboard/event-types/new" },
      { name: "event-type-edit", path: editHref },
      { name: "event-type-delete", path: `${editHref}/delete` },
      { name: "availability", path: "/dashboard/availability" },
      { name: "calendars", path: "/dashboard/calendars" },
      { name: "calendar-oauth-error", path: "/dashboard/calendars/oauth/google?state=x&code=y" },
      { name: "embed", path: "/dashboard/embed" },
      { name: "profile", path: "/dashboard/profile" },
      { name: "links", path: `${editHref}/links` },
      { name: "developers", path: "/dashboard/developers" },
      { name: "webhook-log", path: hookLog },
      { name: "insights", path: "/dashboard/insights" },
      { name: "teams", path: "/dashboard/teams" },
      { name: "polls", path: "/dashboard/polls" },
      { name: "poll-answers", path: `/dashboard/polls/${pollId}` },
      { name: "offer-times", path: "/dashboard/bookings/offer" },
      { name: "book-for-guest", path: "/dashboard/bookings/new" },
      { name: "move-booking", path: movePath },
      { name: "team", path: teamPath },
      { name: "team-event-types", path: `${teamPath}/event-types` },
      { name: "team-event-type-new", path: `${teamPath}/event-types/new` },
      { name: "team-event-type-edit", path: teamEventPath },
      { name: "team-event-type-delete", path: `${teamEventPath}/delete` },
      { name: "team-bookings", path: `${teamPath}/bookings` },
      // The invitation as someone signed in with another address sees it.
      { name: "team-invitation", path: invitation.pathname },
      {
        name: "insights-error",
        path: "/dashboard/insights?range=custom&from=2026-03-02&to=2026-03-01",
        status: 400,
      },
      {
        name: "troubleshoot",
        path: `/dashboard/troubleshoot?et=${eventTypeId}&date=${day}&at=${
          encodeURIComponent(new Date(slot).toISOString().slice(11, 16))
        }`,
      },
      { name: "admin-users", path: "/admin" },
      { name: "admin-instance", path: "/admin/instance" },
      { name: "admin-audit", path: "/admin/audit" },
    ];
    return { guestPages, hostPages, hostState, hostCookie };
  } finally {
    await ctx.close();
  }
}
