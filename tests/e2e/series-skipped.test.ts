/**
 * A series booked "free dates only" says which dates were left out (issue 25, ADR 048): the
 * guest's and the host's mails, the host's confirm page, the guest's booking page and the host's
 * booking list name the date that was not free, each in its reader's language and zone. They said "This series has 3
 * dates" and listed the booked ones only, so a guest could not tell the series had a gap.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { signInByLink } from "../support/auth.ts";
import { vnuErrors } from "../support/vnu.ts";

const WEEK = 7 * 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
const dayOf = (ms: number, zone: string, locale: string) =>
  new Intl.DateTimeFormat(locale, {
    timeZone: zone,
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
  }).format(ms);

/** "09:00": the wall clock in New York at `ms`, as the German mail and page write it. */
const nyClock = (ms: number) =>
  new Intl.DateTimeFormat("de", {
    timeZone: "America/New_York",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(ms);

async function post(base: string, path: string, form: Record<string, string>, lang = "en") {
  const res = await fetch(base + path, {
    method: "POST",
    headers: {
      origin: base,
      accept: "text/html",
      "accept-language": lang,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(form),
    redirect: "manual",
  });
  return { status: res.status, location: res.headers.get("location"), body: await res.text() };
}

Deno.test({
  name:
    "series, free dates only: 3 of 4 dates booked — the guest's mail (German, New York) and the host's (English, UTC), the host's confirm page and the guest's page name the date not free and not booked",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seedApp } = await seedStore("invito-series-skipped-");
    const allDay = [{ start: "00:00", end: "24:00" }];
    const host = await createHost(seedApp, {
      username: "coach",
      email: "coach@example.test",
      timeZone: "UTC",
      weekly: { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay },
    });
    await createEventType(seedApp, host, {
      slug: "free",
      durationMin: 60,
      requiresConfirmation: true,
      series: { everyWeeks: 1, count: 4, freeOnly: true },
    });
    await createEventType(seedApp, host, {
      slug: "call",
      durationMin: 60,
      requiresConfirmation: false,
    });
    kv.close();
    const smtp = await startSmtp();
    try {
      await using app = await startApp({ dataDir, smtp });
      const first = Date.parse(new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)) +
        14 * 3_600_000;
      const third = first + 2 * WEEK;
      const single = await post(app.baseUrl, "/calendar/coach/call?/book", {
        name: "Someone",
        email: "someone@example.test",
        note: "",
        start: iso(third),
        tz: "UTC",
      });
      assert.equal(single.status, 303, single.body.slice(0, 300));
      await smtp.waitForMail((m) => m.to.includes("someone@example.test"));
      const booked = await post(app.baseUrl, "/calendar/coach/free?/book&lang=de", {
        name: "Gabi",
        email: "gabi@example.test",
        note: "",
        start: iso(first),
        tz: "America/New_York",
        skip: "2",
      }, "de");
      assert.equal(booked.status, 303, booked.body.slice(0, 300));

      const guestMail = await smtp.waitForMail((m) => m.to.includes("gabi@example.test"));
      const hostMail = await smtp.waitForMail((m) =>
        m.to.includes("coach@example.test") && /\/confirm/.test(m.text)
      );
      // The guest: German, New York.
      assert.match(guestMail.text, /3 von 4 Terminen der Serie gebucht/, guestMail.text);
      assert.doesNotMatch(guestMail.text, /hat 3 Termine/);
      const guestGap = guestMail.text.slice(guestMail.text.indexOf("nicht frei"));
      assert.ok(
        guestGap.includes(dayOf(third, "America/New_York", "de")),
        `the skipped date in the guest's words: ${guestMail.text}`,
      );
      // 2 PM UTC is 9 AM in New York in winter, 10 AM from March to November (it said 9 AM
      // whatever the date, and failed once the series fell in summer time).
      assert.ok(
        guestGap.includes(`${nyClock(third)}–${nyClock(third + 3_600_000)}`),
        `the skipped date at its New York time: ${guestGap}`,
      );
      // The host: English, UTC.
      assert.match(hostMail.text, /3 of 4 dates of the series booked/, hostMail.text);
      const hostGap = hostMail.text.slice(hostMail.text.indexOf("not free"));
      assert.ok(hostGap.includes(dayOf(third, "UTC", "en")), hostMail.text);
      assert.match(hostGap, /14:00–15:00|2:00\s?–\s?3:00\sPM/);

      // The host's confirm page (before pressing) names it too.
      const confirm = /\/booking\/[A-Za-z0-9_-]+\/confirm/.exec(hostMail.text)![0];
      const page = await (await fetch(app.baseUrl + confirm, {
        headers: { "accept-language": "en" },
      })).text();
      const skippedList = page.match(/data-testid="series-skipped"[^]*?<\/ul>/)?.[0] ?? "";
      assert.ok(skippedList.includes(dayOf(third, "UTC", "en")), page.slice(0, 200));
      assert.match(page, /was not free and is not booked/);

      // The guest's page: German, New York.
      const guestPage = await (await fetch(app.baseUrl + booked.location!, {
        headers: { "accept-language": "de" },
      })).text();
      const guestList = guestPage.match(/data-testid="series-skipped"[^]*?<\/ul>/)?.[0] ?? "";
      assert.ok(guestList.includes(dayOf(third, "America/New_York", "de")), guestList);
      assert.ok(guestList.includes(nyClock(third)), guestList);

      // The host's booking list: the series' row says how many dates were skipped and which, in
      // every language (it showed "date 1 of 3" and the booked dates only).
      const hostClient = await signInByLink(app, "coach@example.test", { smtp });
      const lists = new Map<string, string>();
      for (
        const [lang, intl, label] of [
          ["en", "en", /1 date skipped:/],
          ["de", "de", /1 Termin ausgelassen:/],
          ["fr", "fr", /1 date sautée\u00a0:/],
          ["es", "es", /1 fecha omitida:/],
          ["en-XA", "en", /⟦1 ðáţé~* šķíþþéð~*:⟧/],
        ] as const
      ) {
        const list = await hostClient.get(`/dashboard/bookings?lang=${lang}`);
        assert.equal(list.status, 200, `${lang}: ${list.status}`);
        const rowGap = list.body.match(/data-testid="series-row-skipped"[^]*?<\/p>/)?.[0] ?? "";
        assert.match(rowGap, label, `${lang}: ${rowGap || list.body.slice(0, 300)}`);
        assert.ok(rowGap.includes(dayOf(third, "UTC", intl)), `${lang}: ${rowGap}`);
        lists.set(`bookings-series-skipped.${lang}`, list.body);
      }
      // The lists as sent, the series' row with its skipped dates, are valid HTML.
      assert.deepEqual(await vnuErrors(lists), []);
    } finally {
      await smtp.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
