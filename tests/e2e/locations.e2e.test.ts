/**
 * Meeting places (issue 27) through the doors people use: the host offers several places in the
 * event type editor (its form, posted as the page does), the guest picks one on the booking form,
 * and the place — a Jitsi room of its own per booking, or the guest's number for a call — reaches
 * the result page, the mails and the calendar file. A reschedule keeps the room.
 */
import assert from "node:assert/strict";
import ICAL from "ical.js";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { signInByLink } from "../support/auth.ts";
import { createClient } from "../support/http.ts";
import { borrowBrowser, checkA11y, screenshot, trackPageErrors } from "../support/browser.ts";
import { fullDay } from "../support/slots.ts";

const ROOM = /https:\/\/meet\.jit\.si\/Invito[A-Za-z0-9_-]{20}(?![A-Za-z0-9_-])/;

Deno.test({
  name:
    "locations: the guest picks Jitsi or a call; each Jitsi booking gets its own room in page, mails and ICS; a reschedule keeps it",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({
      demo: true,
      smtp: { host: smtp.host, port: smtp.port },
      env: { INVITO_MIN_FILL_TIME: "0s" },
    });
    const host = await signInByLink(app, "demo@invito.example", { smtp });
    const saved = await host.post("/dashboard/event-types/new", {
      title: "Places",
      slug: "places",
      durationMin: "30",
      bookingWindowDays: "60",
      color: "#2549ea",
      active: "on",
      locationKind: "jitsi",
      locationValue: "",
      location2Kind: "guest_phone",
      location2Value: "",
      location3Kind: "in_person",
      location3Value: "Main St 1",
      intent: "save",
    });
    assert.equal(saved.status, 303, saved.body.slice(0, 2000));
    // A Jitsi server that is not https is refused with a message, not saved.
    const bad = await host.post("/dashboard/event-types/new", {
      title: "Bad",
      slug: "bad",
      durationMin: "30",
      bookingWindowDays: "60",
      color: "#2549ea",
      active: "on",
      locationKind: "jitsi",
      locationValue: "http://jitsi.example.org",
      intent: "save",
    });
    assert.equal(bad.status, 400);
    const alerts = [...bad.body.matchAll(/role="alert"[^>]*>([^<]*)</g)].map((m) => m[1]);
    assert.ok(
      alerts.some((a) => /Jitsi server.s address, starting with https:\/\//.test(a)),
      alerts.join(" | "),
    );

    const guest = createClient(app.baseUrl);
    // A full day from tomorrow on: the page's own first day may be today with fewer than four
    // times, or with a first one that passes before it is booked.
    const { date, path } = await fullDay(app.baseUrl, "/calendar/demo/places");
    const page = await guest.get(path);
    assert.equal(page.status, 200);
    assert.match(page.body, /Jitsi Meet video call \(link after booking\)/);
    assert.match(page.body, /Phone call \(the host calls you\)/);
    assert.match(page.body, /In person: Main St 1/);
    const slots = [...page.body.matchAll(/data-slot="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(slots.length >= 4, "slots offered");
    const bookingPage = await guest.get(
      `/calendar/demo/places?tz=UTC&date=${date}&slot=${slots[0]}`,
    );
    assert.match(bookingPage.body, /name="location" value="0"/, "a radio per place, no JS needed");
    assert.match(bookingPage.body, /name="phone"/);

    const book = (form: Record<string, string>) =>
      guest.post("/calendar/demo/places?/book", {
        name: "Gina Guest",
        email: "gina@example.test",
        note: "",
        tz: "UTC",
        ...form,
      });
    // No place chosen: a clear 400 that says so.
    const none = await book({ start: slots[0] });
    assert.equal(none.status, 400);
    assert.match(none.body, /Choose where the meeting happens/);
    // A call to the guest without a number, or with a bad one: 400 with the field's message.
    const noPhone = await book({ start: slots[0], location: "1" });
    assert.equal(noPhone.status, 400);
    assert.match(noPhone.body, /Enter the number the host should call/);
    const badPhone = await book({ start: slots[0], location: "1", phone: "call me maybe" });
    assert.equal(badPhone.status, 400);
    assert.match(badPhone.body, /Enter a phone number, like/);

    const called = await book({ start: slots[0], location: "1", phone: "+49 30 1234567" });
    assert.equal(called.status, 303, called.body.slice(0, 500));
    const calledPage = await guest.get(called.location!);
    assert.match(calledPage.body, /Phone call: the host calls \+49 30 1234567/);

    const first = await book({ start: slots[1], location: "0", email: "jo@example.test" });
    const second = await book({ start: slots[2], location: "0", email: "kim@example.test" });
    assert.equal(first.status, 303);
    assert.equal(second.status, 303);
    const room1 = (await guest.get(first.location!)).body.match(ROOM)?.[0];
    const room2 = (await guest.get(second.location!)).body.match(ROOM)?.[0];
    assert.ok(room1 && room2, "the result page shows the room");
    assert.notEqual(room1, room2, "every booking has a room of its own");
    // The host's bookings list links each room.
    const list = await host.get("/dashboard/bookings");
    assert.ok(list.body.includes(`href="${room1}"`), "the dashboard links the room");

    // The guest's and the host's mails carry the link; the invitation has it as LOCATION, URL,
    // CONFERENCE and in the DESCRIPTION.
    const mail = await smtp.waitForMail((m) => m.to.includes("jo@example.test") && !!m.calendar);
    assert.ok(mail.text.includes(room1), "the guest's mail text has the link");
    assert.ok(mail.html.includes(`href="${room1}"`), "and a clickable one");
    const ev = new ICAL.Component(ICAL.parse(mail.calendar!)).getFirstSubcomponent("vevent")!;
    assert.equal(ev.getFirstPropertyValue("location"), `Jitsi Meet: ${room1}`);
    assert.equal(ev.getFirstPropertyValue("url"), room1);
    assert.equal(ev.getFirstPropertyValue("conference"), room1);
    assert.ok(String(ev.getFirstPropertyValue("description")).includes(room1));
    // The host's mail about this booking has it too (waits for it; fails after the timeout).
    await smtp.waitForMail((m) => m.to.includes("demo@invito.example") && m.text.includes(room1));
    const file = await guest.get(first.location! + "/invite.ics");
    const fileEvent = new ICAL.Component(ICAL.parse(file.body)).getFirstSubcomponent("vevent")!;
    assert.equal(fileEvent.getFirstPropertyValue("url"), room1, "the .ics on the booking page too");

    // A reschedule keeps the same room.
    const moved = await guest.post(`${first.location!}/reschedule`, { start: slots[3] });
    assert.equal(moved.status, 303, moved.body.slice(0, 500));
    const movedPage = await guest.get(moved.location!);
    assert.equal(movedPage.body.match(ROOM)?.[0], room1, "the moved meeting keeps its room");
  },
});

/** Signs in as the demo host and saves a new event type from the editor's form fields. */
async function newEventType(
  app: Awaited<ReturnType<typeof startApp>>,
  smtp: Awaited<ReturnType<typeof startSmtp>>,
  fields: Record<string, string>,
) {
  const host = await signInByLink(app, "demo@invito.example", { smtp });
  const saved = await host.post("/dashboard/event-types/new", {
    durationMin: "30",
    bookingWindowDays: "60",
    color: "#2549ea",
    active: "on",
    intent: "save",
    ...fields,
  });
  assert.equal(saved.status, 303, saved.body.slice(0, 500));
  return host;
}

Deno.test({
  name:
    "locations: a request's Jitsi room is not handed out before the host confirms; the confirmation carries it",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({
      demo: true,
      smtp: { host: smtp.host, port: smtp.port },
      env: { INVITO_MIN_FILL_TIME: "0s" },
    });
    const host = await newEventType(app, smtp, {
      title: "Talk",
      slug: "talk",
      requiresConfirmation: "on",
      locationKind: "jitsi",
      locationValue: "https://jitsi.example.org/",
    });
    const guest = createClient(app.baseUrl);
    // From tomorrow on: today's last time could pass before the post.
    const [slot] = (await fullDay(app.baseUrl, "/calendar/demo/talk", { min: 1 })).slots;
    // One place offered: no choice to make.
    const booked = await guest.post("/calendar/demo/talk?/book", {
      name: "Pat",
      email: "pat@example.test",
      note: "",
      tz: "UTC",
      start: slot,
    });
    assert.equal(booked.status, 303, booked.body.slice(0, 500));
    const ownRoom = /https:\/\/jitsi\.example\.org\/Invito[A-Za-z0-9_-]{20}/;
    const pending = await guest.get(booked.location!);
    assert.match(pending.body, /Video call \(link once the host confirms\)/);
    assert.doesNotMatch(pending.body, ownRoom);
    const request = await smtp.waitForMail((m) =>
      m.to.includes("demo@invito.example") && /request/i.test(m.subject)
    );
    assert.doesNotMatch(request.text, ownRoom, "the request mail has no room yet");
    assert.match(request.text, /link once the host confirms/);

    const confirm = new URL(request.text.match(/https?:\/\/\S+\/confirm/)![0]).pathname;
    const done = await host.post(confirm, {});
    assert.equal(done.status, 200);
    const confirmed = await smtp.waitForMail((m) =>
      m.to.includes("pat@example.test") && /^Confirmed/.test(m.subject)
    );
    const room = confirmed.text.match(ownRoom)?.[0];
    assert.ok(room, "the confirmation carries the room, on the host's Jitsi server");
    const ev = new ICAL.Component(ICAL.parse(confirmed.calendar!)).getFirstSubcomponent("vevent")!;
    assert.equal(ev.getFirstPropertyValue("url"), room);
    assert.match((await guest.get(booked.location!)).body, new RegExp(room.replace(/[.]/g, "\\.")));
  },
});

Deno.test({
  name:
    "locations in Chromium: the guest picks a call, the number becomes required, and the booking page names it",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({
      demo: true,
      smtp: { host: smtp.host, port: smtp.port },
      env: { INVITO_MIN_FILL_TIME: "0s" },
    });
    await newEventType(app, smtp, {
      title: "Chat",
      slug: "chat",
      locationKind: "jitsi",
      location2Kind: "guest_phone",
    });
    const browser = await borrowBrowser();
    try {
      const page = await browser.newPage();
      const errors = trackPageErrors(page);
      // One full day from tomorrow on for both bookings: the page's own first day may be today
      // with one time left (gone before the click, and no second one).
      const { path } = await fullDay(app.baseUrl, "/calendar/demo/chat");
      await page.goto(app.url(path));
      await page.locator("a[data-slot]").first().click();
      await page.getByRole("heading", { name: "Your details" }).waitFor();
      await page.getByLabel("Name").fill("Ivy Guest");
      await page.getByLabel("Email").fill("ivy@example.test");
      assert.equal(await page.getByLabel("Your phone number").getAttribute("required"), null);
      await page.getByLabel("Phone call (the host calls you)").check();
      await page.waitForFunction(() =>
        (document.getElementById("b-phone") as HTMLInputElement).required
      );
      assert.deepEqual(await checkA11y(page), []);
      await page.getByLabel("Your phone number").fill("+33 1 23 45 67 89");
      await page.getByRole("button", { name: /Book/ }).click();
      await page.waitForURL(/\/booking\/[A-Za-z0-9_-]+$/);
      assert.match(
        await page.getByTestId("booking-where").innerText(),
        /Phone call: the host calls \+33 1 23 45 67 89/,
      );
      // The same booking with Jitsi: the room is a link on the page.
      await page.goto(app.url(path));
      await page.locator("a[data-slot]").nth(1).click();
      await page.getByRole("heading", { name: "Your details" }).waitFor();
      await page.getByLabel("Name").fill("Ivy Guest");
      await page.getByLabel("Email").fill("ivy@example.test");
      await page.getByLabel(/Jitsi Meet/).check();
      await page.getByRole("button", { name: /Book/ }).click();
      await page.waitForURL(/\/booking\/[A-Za-z0-9_-]+$/);
      const href = await page.getByTestId("booking-where").locator("a").getAttribute("href");
      assert.match(href ?? "", ROOM);
      await screenshot(page, "location-jitsi-booked");
      assert.deepEqual(errors(), []);
    } finally {
      await browser.close();
    }
  },
});
