/**
 * Zoom per booking (issue 27) through the doors people use, against the built server and the
 * local Zoom of tests/support/zoom.ts: the host presses "Connect Zoom" on the Calendars page and
 * "Allow" at Zoom, offers Zoom in the event type editor, a guest books on the public form; the
 * result page, the mails and the .ics carry the Zoom link; the guest's reschedule moves the same
 * Zoom meeting and the guest's cancellation deletes it.
 */
import assert from "node:assert/strict";
import ICAL from "ical.js";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInByLink } from "../support/auth.ts";
import { createClient } from "../support/http.ts";
import { waitFor } from "../support/wait.ts";
import { borrowBrowser, checkA11y, screenshot, trackPageErrors } from "../support/browser.ts";
import { startZoom, zoomEnv } from "../support/zoom.ts";
import { fullDay } from "../support/slots.ts";

const LINK = /https:\/\/us05web\.zoom\.us\/j\/\d+\?pwd=[0-9a-f-]+/;

Deno.test({
  name:
    "zoom: connect on the Calendars page, book on the form; page, mails and ICS carry the Zoom link; reschedule keeps one meeting, cancel leaves none",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using zoom = await startZoom();
    await using smtp = await startSmtp();
    await using app = await startApp({
      demo: true,
      smtp: { host: smtp.host, port: smtp.port },
      env: { INVITO_MIN_FILL_TIME: "0s", ...zoomEnv(zoom) },
    });
    const host = await signInByLink(app, "demo@invito.example", { smtp });

    // Zoom cannot be offered before it is connected: a 400 that says what to do.
    const form = {
      title: "Zoom call",
      slug: "zoom-call",
      durationMin: "30",
      bookingWindowDays: "60",
      color: "#2549ea",
      active: "on",
      locationKind: "zoom",
      locationValue: "",
      intent: "save",
    };
    const early = await host.post("/dashboard/event-types/new", form);
    assert.equal(early.status, 400);
    assert.match(early.body, /Zoom needs your Zoom account connected on the Calendars page/);

    // "Connect Zoom" → Zoom's consent page (code + PKCE + state) → "Allow" → back to Invito.
    const page = await host.get("/dashboard/calendars");
    assert.match(page.body, /Connect Zoom/);
    const started = await host.post("/dashboard/calendars?/zoomConnect", {});
    assert.equal(started.status, 303, started.body.slice(0, 500));
    const authorize = new URL(started.location!);
    assert.equal(authorize.origin, zoom.base);
    assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
    const back = new URL(zoom.oauth.callbackFor(authorize.searchParams, true));
    assert.equal(back.pathname, "/dashboard/calendars/oauth/zoom");
    const done = await host.get(back.pathname + back.search);
    assert.equal(done.status, 303, done.body.slice(0, 500));
    assert.equal(done.location, app.url("/dashboard/calendars?connected=zoom"));
    assert.match((await host.get("/dashboard/calendars?connected=zoom")).body, /Zoom is connected/);

    const saved = await host.post("/dashboard/event-types/new", form);
    assert.equal(saved.status, 303, saved.body.slice(0, 2000));

    const guest = createClient(app.baseUrl);
    // One full day from tomorrow on for every booking below: the page's own first day may be
    // today with one time left, gone before it is booked.
    const { path } = await fullDay(app.baseUrl, "/calendar/demo/zoom-call");
    const offer = await guest.get(path);
    assert.match(offer.body, /Zoom video call \(link after booking\)/);
    const slots = [...offer.body.matchAll(/data-slot="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(slots.length >= 2, "slots offered");
    const booked = await guest.post("/calendar/demo/zoom-call?/book", {
      name: "Gina Guest",
      email: "gina@example.test",
      note: "",
      tz: "UTC",
      start: slots[0],
      // A colleague invited along: their invitation carries the same link.
      guests: "pat@example.test",
    });
    assert.equal(booked.status, 303, booked.body.slice(0, 500));

    // The outbox makes the meeting; the result page shows its link once it exists.
    const link = await waitFor(
      async () => (await guest.get(booked.location!)).body.match(LINK)?.[0],
      {
        timeoutMs: 30_000,
        message: () => `no Zoom link; Zoom saw: ${zoom.log.join(", ")}`,
      },
    );
    assert.equal(zoom.meetings.size, 1);
    const meeting = [...zoom.meetings.values()][0];
    assert.equal(meeting.join_url, link.replaceAll("&amp;", "&"));
    assert.equal(meeting.start_time, new Date(slots[0]).toISOString().replace(/\.000Z$/, "Z"));

    const mail = await smtp.waitForMail((m) => m.to.includes("gina@example.test") && !!m.calendar);
    assert.ok(mail.text.includes(meeting.join_url), "the guest's confirmation has the link");
    const ev = new ICAL.Component(ICAL.parse(mail.calendar!)).getFirstSubcomponent("vevent")!;
    assert.equal(ev.getFirstPropertyValue("location"), `Zoom: ${meeting.join_url}`);
    assert.equal(ev.getFirstPropertyValue("url"), meeting.join_url);
    await smtp.waitForMail((m) =>
      m.to.includes("demo@invito.example") && m.text.includes(meeting.join_url)
    );
    const pat = await smtp.waitForMail((m) => m.to.includes("pat@example.test") && !!m.calendar);
    assert.ok(
      pat.text.includes(meeting.join_url),
      `the additional guest's invitation: ${pat.text}`,
    );
    assert.equal(
      new ICAL.Component(ICAL.parse(pat.calendar!)).getFirstSubcomponent("vevent")!
        .getFirstPropertyValue("url"),
      meeting.join_url,
    );

    // The guest moves it: the same Zoom meeting, PATCHed to the new time.
    const moved = await guest.post(`${booked.location!}/reschedule`, { start: slots[1] });
    assert.equal(moved.status, 303, moved.body.slice(0, 500));
    const newStart = new Date(slots[1]).toISOString().replace(/\.000Z$/, "Z");
    await waitFor(() => zoom.meetings.get(meeting.id)?.start_time === newStart, {
      timeoutMs: 30_000,
      message: () => `not moved; Zoom saw: ${zoom.log.join(", ")}`,
    });
    assert.equal(zoom.meetings.size, 1, "never two meetings");
    assert.ok((await guest.get(moved.location!)).body.includes(link), "the same link");

    // The guest cancels: no meeting left.
    const movedPath = new URL(moved.location!, app.baseUrl).pathname;
    const cancelled = await guest.post(`${movedPath}/cancel`, { reason: "" });
    assert.ok(cancelled.status === 303 || cancelled.status === 200, `${cancelled.status}`);
    await waitFor(() => zoom.meetings.size === 0, {
      timeoutMs: 30_000,
      message: () => `still there; Zoom saw: ${zoom.log.join(", ")}`,
    });
    assert.ok(zoom.log.includes(`DELETE /v2/meetings/${meeting.id}`));

    // A guest in Chromium: the form offers Zoom, the result page links the new meeting.
    const browser = await borrowBrowser();
    try {
      const tab = await browser.newPage();
      const errors = trackPageErrors(tab);
      await tab.goto(app.url(path));
      await tab.locator("a[data-slot]").nth(2).click();
      await tab.getByRole("heading", { name: "Your details" }).waitFor();
      await tab.getByLabel("Name").fill("Ivy Guest");
      await tab.getByLabel("Email").fill("ivy@example.test");
      assert.deepEqual(await checkA11y(tab), []);
      await tab.getByRole("button", { name: /Book/ }).click();
      await tab.waitForURL(/\/booking\/[A-Za-z0-9_-]+$/);
      const href = await waitFor(async () => {
        await tab.reload();
        return await tab.getByTestId("booking-where").locator("a").getAttribute("href", {
          timeout: 500,
        }).catch(() => null);
      }, { timeoutMs: 30_000, intervalMs: 300 });
      assert.match(href, LINK);
      assert.equal(zoom.meetings.size, 1);
      assert.equal([...zoom.meetings.values()][0].join_url, href);
      await screenshot(tab, "location-zoom-booked");
      assert.deepEqual(errors(), []);
    } finally {
      await browser.close();
    }
  },
});
