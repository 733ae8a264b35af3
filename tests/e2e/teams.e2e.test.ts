/**
 * Teams end to end in Chromium, as people do it: an owner creates a team and invites two people
 * by email (the SMTP test server catches the mails), each follows the link, signs in and
 * accepts; the owner creates a round-robin and a collective event type; a guest books each, one
 * on the team page and one in the widget; the right members get the mails. Every page is
 * checked with axe, and screenshots are taken at desktop width (light) and on a 360 px phone
 * (dark). Last, a German guest reads the team's pages, her result page and her mails in German.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import {
  borrowBrowser,
  checkA11y,
  hydrated,
  screenshot,
  trackPageErrors,
} from "../support/browser.ts";
import { signInWithEmail } from "../support/team-signin.ts";
import { fullDay } from "../support/slots.ts";
import type { BrowserContext, Page } from "playwright-core";

async function a11y(page: Page, name: string) {
  assert.deepEqual(await checkA11y(page), [], `axe on ${name}`);
  await screenshot(page, name);
}

const INVITE = /https?:\/\/\S+\/team-invitation\/[A-Za-z0-9_-]+/;

Deno.test({
  name:
    "e2e teams: create a team, invite two people by email, they accept, round-robin and collective event types are booked on the team page and in the widget, and the right members get the mails",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using smtp = await startSmtp();
    await using app = await startApp({ smtp: { host: smtp.host, port: smtp.port } });
    const browser = await borrowBrowser();
    const contexts: BrowserContext[] = [];
    const context = async (
      timezoneId: string,
      extra: Parameters<typeof browser.newContext>[0] = {},
    ) => {
      const c = await browser.newContext({
        timezoneId,
        viewport: { width: 1280, height: 900 },
        ...extra,
      });
      contexts.push(c);
      return c;
    };
    try {
      // ── the owner creates the team ──
      const ownerCtx = await context("Europe/Berlin");
      const owner = await ownerCtx.newPage();
      const ownerErrors = trackPageErrors(owner);
      await signInWithEmail(owner, {
        baseUrl: app.baseUrl,
        smtp,
        email: "olga@example.test",
        next: "/dashboard/teams",
      });
      await owner.goto(`${app.baseUrl}/dashboard/profile`);
      // Filled as the scripts take over, perhaps: the name once landed beside the one the field
      // was rendered with ("olgaOlga Owner", then "annAnn Archer" below), ADR 051's addendum of
      // 2026-11-30.
      await owner.getByLabel("Display name").fill("Olga Owner");
      await owner.getByRole("button", { name: "Save profile" }).click();
      await owner.getByText(/saved/i).first().waitFor();

      await owner.goto(`${app.baseUrl}/dashboard/teams`);
      await hydrated(owner); // the address follows the name by script
      await a11y(owner, "team-0-teams-empty");
      await owner.getByLabel("Team name").fill("Acme Support");
      assert.equal(await owner.getByLabel("Address").inputValue(), "acme-support");
      await owner.getByLabel("Address").fill("acme");
      await owner.getByRole("button", { name: "Create team" }).click();
      await owner.waitForURL(/\/dashboard\/teams\/[0-9A-Z]{26}\?created=1$/);
      const teamUrl = owner.url().replace(/\?.*$/, "");
      await owner.getByText("Team created").waitFor();

      // A bad address is refused with a message (in place: a form post's 400 page logs an
      // error); two good ones are invited.
      await hydrated(owner);
      await owner.getByLabel("Email address").fill("not an address");
      await owner.getByRole("button", { name: "Send invitation" }).click();
      await owner.getByText(/valid email address/).waitFor();
      for (const email of ["ann@example.test", "ben@example.test"]) {
        await owner.getByLabel("Email address").fill(email);
        await owner.getByRole("button", { name: "Send invitation" }).click();
        await owner.getByText(`Invitation sent to ${email}`).waitFor();
      }
      await owner.locator("[data-invitation='ben@example.test']").waitFor();
      await a11y(owner, "team-1-team-page");

      // ── each invitee follows the mail's link, signs in and accepts ──
      for (
        const [email, name, zone] of [
          ["ann@example.test", "Ann Archer", "Europe/Berlin"],
          ["ben@example.test", "Ben Baker", "America/New_York"],
        ] as const
      ) {
        const mail = await smtp.waitForMail((m) => m.to.includes(email) && INVITE.test(m.text));
        assert.match(mail.subject, /Join Acme Support/);
        const ctx = await context(zone);
        const p = await ctx.newPage();
        const errors = trackPageErrors(p);
        const link = INVITE.exec(mail.text)![0];
        await p.goto(link);
        // Not signed in yet: the link leads to sign-in and back.
        await p.waitForURL(/\/signin\?next=/);
        await signInWithEmail(p, {
          baseUrl: app.baseUrl,
          smtp,
          email,
          next: new URL(link).pathname,
        });
        await p.getByRole("heading", { name: "Join Acme Support?" }).waitFor();
        if (email.startsWith("ann")) await a11y(p, "team-2-invitation");
        await p.getByRole("button", { name: "Accept and join" }).click();
        await p.waitForURL(/\/dashboard\/teams\/[0-9A-Z]{26}\?joined=1$/);
        await p.getByText("Welcome to Acme Support").waitFor();
        await p.goto(`${app.baseUrl}/dashboard/profile`);
        await p.getByLabel("Display name").fill(name);
        await p.getByRole("button", { name: "Save profile" }).click();
        await p.getByText(/saved/i).first().waitFor();
        assert.deepEqual(errors(), []);
      }

      // ── the owner sees them, and makes the round-robin and collective event types ──
      await owner.goto(teamUrl);
      await owner.locator("[data-member='ann@example.test']").waitFor();
      await owner.locator("[data-member='ben@example.test']").waitFor();
      assert.equal(await owner.locator("[data-invitation]").count(), 0, "no invitation pending");

      await owner.goto(`${teamUrl}/event-types/new`);
      await owner.getByLabel("Round robin").check();
      await owner.getByLabel("Olga Owner (owner)").uncheck();
      await owner.getByLabel("Title").fill("Support call");
      await owner.getByLabel("Default duration (minutes)").fill("30");
      await owner.getByLabel("Guests book instantly").check();
      await a11y(owner, "team-3-new-round-robin");
      await owner.getByRole("button", { name: "Create event type" }).click();
      await owner.waitForURL(/\/event-types\/[0-9A-Z]{26}\?created=1$/);

      await owner.goto(`${teamUrl}/event-types/new`);
      await owner.getByLabel("Collective").check();
      await owner.getByLabel("Title").fill("Panel interview");
      await owner.getByLabel("Default duration (minutes)").fill("45");
      // Guests book instantly unless the owner chooses requests (the collective one is confirmed by an owner).
      await owner.getByLabel("I confirm each request by mail").check();
      await owner.getByRole("button", { name: "Create event type" }).click();
      await owner.waitForURL(/\/event-types\/[0-9A-Z]{26}\?created=1$/);
      await owner.goto(`${teamUrl}/event-types`);
      await owner.getByRole("heading", { name: "Support call" }).waitFor();
      await a11y(owner, "team-4-event-types");
      assert.deepEqual(ownerErrors(), []);

      // ── a guest books the round robin on the team page ──
      const guestCtx = await context("Europe/Lisbon");
      const guest = await guestCtx.newPage();
      const guestErrors = trackPageErrors(guest);
      await guest.goto(`${app.baseUrl}/team/acme/`);
      await guest.getByRole("heading", { name: "Acme Support" }).waitFor();
      await guest.locator("[data-team-people]").first().getByText("Ann Archer").waitFor();
      await a11y(guest, "team-5-public-team-page");
      await guest.getByRole("link", { name: "Support call" }).click();
      await guest.waitForURL(/\/team\/acme\/support-call/);
      await guest.getByRole("heading", { name: "Support call" }).waitFor();
      // On to a full day from tomorrow on, for the booking and its move: the page opens on its
      // first free day, which may be today with a time or two left (gone before the click, or
      // no fourth to move to).
      const { date: rrDate } = await fullDay(app.baseUrl, "/team/acme/support-call", {
        tz: "Europe/Lisbon",
      });
      const onDate = async (date: string) => {
        const url = new URL(guest.url());
        url.searchParams.set("date", date);
        await guest.goto(url.href);
      };
      await onDate(rrDate);
      await guest.getByRole("heading", { name: "Support call" }).waitFor();
      await guest.locator("[data-slot]").first().click();
      await guest.getByLabel("Name").fill("Gina Guest");
      await guest.getByLabel("Email").fill("gina@example.test");
      await a11y(guest, "team-6-book-round-robin");
      const beforeRr = smtp.mails.length;
      await guest.getByRole("button", { name: /Book this time|Request this time/ }).click();
      await guest.waitForURL(/\/booking\/[A-Za-z0-9_-]+$/);
      const metRr = await guest.getByTestId("booking-with").innerText();
      assert.match(metRr, /^(Ann Archer|Ben Baker) \(Acme Support\)$/);
      await a11y(guest, "team-7-booked-round-robin");
      const assignee = metRr.startsWith("Ann") ? "ann@example.test" : "ben@example.test";
      const other = assignee.startsWith("ann") ? "ben@example.test" : "ann@example.test";
      await smtp.waitForMail((m) =>
        smtp.mails.indexOf(m) >= beforeRr && m.to.includes(assignee) &&
        /Support call with Gina Guest/.test(m.subject)
      );
      await smtp.waitForMail((m) =>
        smtp.mails.indexOf(m) >= beforeRr && m.to.includes("gina@example.test")
      );
      // The guest moves it: the same member keeps it while free at the new time.
      await guest.getByRole("link", { name: "Reschedule" }).click();
      await guest.waitForURL(/\/reschedule/);
      await onDate(rrDate);
      await guest.locator("[data-slot]").nth(3).click();
      await guest.getByRole("button", { name: "Move my booking" }).click();
      // (A form post without the script keeps the time link's "#book" on the redirect.)
      await guest.waitForURL(/\/booking\/[A-Za-z0-9_-]+\?moved=1(#.*)?$/);
      await guest.getByRole("heading", { name: /^Your booking was moved|^Moved — waiting for/ })
        .waitFor();
      assert.equal(await guest.getByTestId("booking-with").innerText(), metRr);

      // ── and the collective in the widget ──
      const beforeCol = smtp.mails.length;
      const { date: colDate } = await fullDay(app.baseUrl, "/team/acme/panel-interview", {
        tz: "Europe/Lisbon",
        min: 1,
      });
      await guest.goto(
        `${app.baseUrl}/widget/team/acme/panel-interview?theme=light&date=${colDate}`,
      );
      await guest.getByRole("heading", { name: "Panel interview" }).waitFor();
      await guest.locator("[data-slot]").first().click();
      await guest.getByLabel("Name").fill("Gina Guest");
      await guest.getByLabel("Email").fill("gina@example.test");
      await guest.getByRole("button", { name: "Request this time" }).click();
      await guest.waitForURL(/\/widget\/booking\/[A-Za-z0-9_-]+/);
      await guest.getByRole("heading", { name: "Your request has been sent" }).waitFor();
      const metCol = await guest.getByTestId("booking-with").innerText();
      assert.match(metCol, /Olga Owner/);
      assert.match(metCol, /Ann Archer/);
      assert.match(metCol, /Ben Baker/);
      await a11y(guest, "team-8-requested-collective-widget");
      // The organiser (the owner) gets the request with its confirm link; the others are told.
      const request = await smtp.waitForMail((x) =>
        smtp.mails.indexOf(x) >= beforeCol && x.to.includes("olga@example.test") &&
        /Booking request: Panel interview with Gina Guest/.test(x.subject)
      );
      assert.match(request.text, /\/confirm/);
      for (const who of ["ann@example.test", "ben@example.test"]) {
        const m = await smtp.waitForMail((x) =>
          smtp.mails.indexOf(x) >= beforeCol && x.to.includes(who) &&
          /Booking request: Panel interview with Gina Guest/.test(x.subject)
        );
        assert.doesNotMatch(m.text, /\/confirm/, `${who} does not decide`);
      }
      const guestMail = await smtp.waitForMail((x) =>
        smtp.mails.indexOf(x) >= beforeCol && x.to.includes("gina@example.test") &&
        /Panel interview/.test(x.subject)
      );
      assert.match(guestMail.subject, /Panel interview with Olga Owner, Ann Archer and Ben Baker/);

      // The owner confirms it on the team's bookings page; every member gets the invitation.
      const beforeConfirm = smtp.mails.length;
      const uids = new Set<string | undefined>();
      await owner.goto(`${teamUrl}/bookings`);
      await owner.getByRole("button", { name: "Confirm" }).click();
      await owner.getByText(/Confirmed; the guest and the members/).waitFor();
      for (const who of ["olga@example.test", "ann@example.test", "ben@example.test"]) {
        const m = await smtp.waitForMail((x) =>
          smtp.mails.indexOf(x) >= beforeConfirm && x.to.includes(who) &&
          /Confirmed: Panel interview with Gina Guest/.test(x.subject)
        );
        // One meeting: the same UID, every member and the guest attendees.
        const ics = (m.calendar ?? "").replace(/\r\n[ \t]/g, "");
        uids.add(/^UID:(.+)$/m.exec(ics)?.[1]?.trim());
        assert.match(ics, /ORGANIZER;CN=Olga Owner:mailto:olga@example\.test/);
        for (const attendee of ["gina@example.test", "ann@example.test", "ben@example.test"]) {
          assert.match(
            ics,
            new RegExp(`ATTENDEE;[^\\r\\n]*:mailto:${attendee.replace(".", "\\.")}`),
          );
        }
        // Each member's entry in their own words, linking their dashboard — never the guest's
        // page, whose link cancels the meeting without signing in.
        assert.match(ics, /SUMMARY:Panel interview with Gina Guest/);
        assert.doesNotMatch(ics, /\/booking\//);
      }
      assert.equal(uids.size, 1, "every member's invitation is the same meeting");
      // The round-robin member who was not assigned got nothing about the support call.
      assert.ok(
        !smtp.mails.some((m) => m.to.includes(other) && /Support call/.test(m.subject)),
        `${other} was not assigned the support call`,
      );
      assert.deepEqual(guestErrors(), []);

      // ── the owner sees both bookings on the team's bookings page ──
      // (the moved round-robin booking's old time is listed as closed; two are confirmed)
      await owner.goto(`${teamUrl}/bookings?status=confirmed`);
      await owner.getByText("Gina Guest").first().waitFor();
      assert.equal(await owner.locator("[data-booking]").count(), 2);
      await a11y(owner, "team-9-team-bookings");
      const state = await ownerCtx.storageState();

      // ── the same pages on a 360 px phone in dark mode ──
      const phone = await context("Europe/Berlin", {
        viewport: { width: 360, height: 780 },
        colorScheme: "dark",
        storageState: state,
      });
      const p2 = await phone.newPage();
      for (
        const [path, name] of [
          [new URL(teamUrl).pathname, "team-phone-team"],
          [`${new URL(teamUrl).pathname}/bookings`, "team-phone-bookings"],
          ["/dashboard/teams", "team-phone-teams"],
          ["/team/acme/", "team-phone-public"],
          ["/team/acme/support-call", "team-phone-slots"],
        ] as const
      ) {
        await p2.goto(app.baseUrl + path);
        assert.ok(await p2.evaluate(() => document.documentElement.classList.contains("dark")));
        const width = await p2.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 360, `${path} scrolls sideways (${width}px)`);
        await a11y(p2, name);
      }

      // ── a German guest: the team's pages, result and mails follow their language ──
      const de = { "accept-language": "de-DE,de;q=0.9,en;q=0.5" };
      const teamPage = await (await fetch(`${app.baseUrl}/team/acme/`, { headers: de })).text();
      assert.match(teamPage, /<html lang="de-DE"[ >]/);
      assert.match(teamPage, /Wählen Sie, was Sie buchen möchten\./);
      assert.match(teamPage, /Sie treffen eine dieser Personen:/);
      assert.match(teamPage, /Sie treffen alle:/);
      // A day from tomorrow on: today's last time could pass before the post.
      const deDay = await fullDay(app.baseUrl, "/team/acme/support-call", {
        tz: "Europe/Berlin",
        headers: de,
        min: 1,
      });
      const slots = await (await fetch(app.baseUrl + deDay.path, { headers: de })).text();
      assert.match(slots, /Ihre Zeitzone/);
      assert.match(slots, /Welche Zeiten frei sind, bestimmen die Arbeitszeiten/);
      assert.doesNotMatch(slots, /You meet|Times below are in/);
      const beforeDe = smtp.mails.length;
      const booked = await fetch(`${app.baseUrl}/team/acme/support-call?/book`, {
        method: "POST",
        headers: {
          ...de,
          origin: app.baseUrl,
          accept: "text/html",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({
          name: "Dora Deutsch",
          email: "dora@example.test",
          start: deDay.slots[0],
          tz: "Europe/Berlin",
        }),
        redirect: "manual",
      });
      await booked.body?.cancel();
      assert.equal(booked.status, 303);
      // Her booking keeps her language: the result page is German without any header.
      const result = await (await fetch(app.baseUrl + booked.headers.get("location")!)).text();
      assert.match(result, /<html lang="de-DE"[ >]/);
      assert.match(result, /Ihr Termin ist gebucht/);
      assert.match(
        result,
        /data-testid="booking-with"[^>]*>(?:<!--[^>]*-->)*(Ann Archer|Ben Baker) \(Acme Support\)</,
      );
      const doraMail = await smtp.waitForMail((m) =>
        smtp.mails.indexOf(m) >= beforeDe && m.to.includes("dora@example.test")
      );
      assert.match(doraMail.subject, /^Bestätigt: Support call mit (Ann Archer|Ben Baker)$/);
      assert.match(doraMail.text, /^Verschieben: http/m);
      assert.match(doraMail.text, /^Absagen: http/m);
      // The member it went to reads English (their profile language), not the guest's.
      const memberMail = await smtp.waitForMail((m) =>
        smtp.mails.indexOf(m) >= beforeDe &&
        m.subject === "Confirmed: Support call with Dora Deutsch"
      );
      assert.ok(
        memberMail.to.includes("ann@example.test") || memberMail.to.includes("ben@example.test"),
      );
    } finally {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
    }
  },
});
