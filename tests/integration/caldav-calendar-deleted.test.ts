/**
 * The calendar that receives bookings is deleted on the server (Radicale, a real DELETE of the
 * collection): the next sync cannot add bookings anywhere, and the host is told so on the
 * calendars page, in their language, until they choose another calendar — in the service and on
 * the built server in Chromium (German and French, 360 px and desktop).
 */
import assert from "node:assert/strict";
import { setupCaldav } from "./caldav-helpers.ts";
import {
  listCalendarAccounts,
  saveCalendarSettings,
  syncAccountNow,
} from "../../src/lib/server/services/calendar-accounts.ts";
import { translator } from "../../src/lib/server/i18n.ts";
import { startApp } from "../support/app.ts";
import { createClient } from "../support/http.ts";
import { finishMagicLink } from "../support/auth.ts";
import { startRadicale } from "../support/radicale.ts";
import {
  checkA11y,
  contextWithSession,
  launchBrowser,
  screenshot,
  sidewaysScroll,
  trackPageErrors,
} from "../support/browser.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name:
    "caldav: the calendar receiving bookings deleted on the server is named on the calendars page (en, de, fr) until another is chosen; it vanished silently",
  async fn() {
    await using s = await setupCaldav({ calendars: ["work", "home"] });
    const { app, dav, host } = s;
    const first = await listCalendarAccounts(app, host.id);
    const work = first.accounts[0].calendars.find((c) => c.name === "Work")!;
    assert.ok(
      (await saveCalendarSettings(app, host.id, {
        conflicts: first.accounts[0].calendars.map((c) => c.id),
        writeback: work.id,
      })).ok,
    );

    const res = await fetch(dav.calendarUrl("work"), {
      method: "DELETE",
      headers: { authorization: dav.authHeader },
    });
    await res.body?.cancel();
    assert.ok(res.ok, `DELETE answered ${res.status}`);
    app.clock.ms += 15 * 60_000;
    assert.equal((await syncAccountNow(app, host.id, s.accountId))?.ok, true);

    const en = (await listCalendarAccounts(app, host.id)).accounts[0];
    assert.deepEqual(en.calendars.map((c) => [c.name, c.writeback]), [["Home", false]]);
    assert.match(en.notice ?? "", /“Work”.*deleted.*not added to any calendar/);
    const de = (await listCalendarAccounts(app, host.id, translator("de"))).accounts[0];
    assert.match(de.notice ?? "", /„Work“/);
    const fr = (await listCalendarAccounts(app, host.id, translator("fr"))).accounts[0];
    assert.match(fr.notice ?? "", /«\u202fWork\u202f»/);

    // Still said after the next sync; gone once the host chooses where bookings go.
    app.clock.ms += 15 * 60_000;
    await syncAccountNow(app, host.id, s.accountId);
    assert.ok((await listCalendarAccounts(app, host.id)).accounts[0].notice);
    const home = en.calendars[0];
    assert.ok(
      (await saveCalendarSettings(app, host.id, { conflicts: [home.id], writeback: home.id })).ok,
    );
    assert.equal((await listCalendarAccounts(app, host.id)).accounts[0].notice, null);
    app.clock.ms += 15 * 60_000;
    await syncAccountNow(app, host.id, s.accountId);
    assert.equal((await listCalendarAccounts(app, host.id)).accounts[0].notice, null);
  },
});

Deno.test({
  ...opts,
  name:
    "caldav in Chromium: after the bookings calendar is deleted on the server, the calendars page says so in German and French, fits 360 px and passes axe",
  async fn() {
    await using dav = await startRadicale();
    await dav.mkcalendar("work", "Work");
    await dav.mkcalendar("family", "Family");
    await using app = await startApp({ env: { INVITO_ALLOW_PRIVATE_CALDAV: "true" } });
    const c = createClient(app.baseUrl);
    const since = app.logs().length;
    await c.post("/signin?/email", {
      providerId: "email",
      email: "gone-host@example.test",
      next: "/dashboard",
    });
    const [link] = await app.waitForLog(/https?:\/\/\S+\/signin\/verify\?(\S+)/, { since });
    await finishMagicLink(c, link);
    const added = await c.post("/dashboard/calendars?/add", {
      serverUrl: dav.url,
      username: dav.username,
      password: dav.password,
    });
    assert.equal(added.status, 200);
    const page = await c.get("/dashboard/calendars");
    const ids = [...page.body.matchAll(/name="conflict" value="([0-9a-f]{20})"/g)].map((m) => m[1]);
    const names = [...page.body.matchAll(/name="writeback" value="([0-9a-f]{20})"/g)];
    assert.equal(ids.length, 2);
    // Bookings go to "Work" (the calendar listed second: "Family" sorts first).
    const work = names[1][1];
    assert.equal(
      (await c.post("/dashboard/calendars?/save", { conflict: ids, writeback: work })).status,
      200,
    );
    const del = await fetch(dav.calendarUrl("work"), {
      method: "DELETE",
      headers: { authorization: dav.authHeader },
    });
    await del.body?.cancel();
    assert.ok(del.ok);
    const accountId = (await c.get("/dashboard/calendars")).body
      .match(/name="account" value="([0-9A-Z]{26})"/)![1];
    await c.post("/dashboard/calendars?/sync", { account: accountId });

    const browser = await launchBrowser();
    try {
      const expected = {
        de:
          "Der Kalender „Work“, in den Ihre Buchungen eingetragen wurden, wurde auf dem Server gelöscht",
        fr:
          "L’agenda «\u202fWork\u202f», qui recevait vos réservations, a été supprimé sur le serveur",
      };
      for (const [lang, says] of Object.entries(expected)) {
        for (const width of [360, 1280]) {
          const ctx = await contextWithSession(browser, c, {
            viewport: { width, height: 900 },
            locale: lang,
          });
          try {
            const p = await ctx.newPage();
            const errors = trackPageErrors(p);
            await p.goto(app.url(`/dashboard/calendars?lang=${lang}`));
            const notice = p.locator("[data-writeback-deleted]");
            await notice.waitFor();
            assert.ok((await notice.innerText()).startsWith(says), await notice.innerText());
            assert.equal(await sidewaysScroll(p), "");
            assert.deepEqual(await checkA11y(p), []);
            await screenshot(p, `calendars-writeback-deleted-${lang}-${width}`);
            assert.deepEqual(errors(), []);
          } finally {
            await ctx.close();
          }
        }
      }
    } finally {
      await browser.close();
    }
  },
});
