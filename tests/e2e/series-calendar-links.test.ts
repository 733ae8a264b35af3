/**
 * A series' "Add to calendar" links (issue 25, ADR 048): Google Calendar's covered the first date
 * only, with nothing saying so. A regular series' Google link now carries its rule (`recur` with
 * the host's zone as `ctz`), so one click adds every date; the Outlook links, which cannot repeat,
 * and a series with a gap (free dates only) say that they add the first date and series.ics all —
 * after the list of dates, just above the links (the line stood above the dates).
 * The rule is checked against series.ics: ical.js expands it at the host's wall time and the
 * instants must be exactly the events the mail attaches.
 */
import assert from "node:assert/strict";
import ICAL from "ical.js";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { Temporal } from "../../src/lib/server/domain/temporal.ts";

const WEEK = 7 * 86_400_000;
const ZONE = "Europe/Berlin";
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

async function post(base: string, path: string, form: Record<string, string>) {
  const res = await fetch(base + path, {
    method: "POST",
    headers: {
      origin: base,
      accept: "text/html",
      "accept-language": "en",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(form),
    redirect: "manual",
  });
  return { status: res.status, location: res.headers.get("location"), body: await res.text() };
}

/** series.ics' event starts, in order. */
function icsStarts(ics: string): number[] {
  return new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents("vevent")
    .map((v) => new ICAL.Event(v).startDate.toJSDate().getTime()).sort((a, b) => a - b);
}

/** What Google makes of the link: `dates`' start at its wall time in `ctz`, repeated by `recur`. */
function expand(link: string): number[] {
  const q = new URL(link).searchParams;
  const start = q.get("dates")!.split("/")[0];
  const zone = q.get("ctz")!;
  const recur = q.get("recur")!;
  assert.match(recur, /^RRULE:/);
  const wall = Temporal.Instant.from(
    start.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z"),
  ).toZonedDateTimeISO(zone).toPlainDateTime();
  const rule = ICAL.Recur.fromString(recur.slice("RRULE:".length));
  const it = rule.iterator(ICAL.Time.fromDateTimeString(wall.toString().slice(0, 19)));
  const out: number[] = [];
  for (let t = it.next(); t; t = it.next()) {
    out.push(
      Temporal.PlainDateTime.from(t.toString()).toZonedDateTime(zone).epochMilliseconds,
    );
  }
  return out;
}

/**
 * Where `what` stands in a mail part: after every one of `dates` (the last line of the series'
 * list) and before the first "Add to calendar" link. The line saying what the links add stood
 * above the list of dates, before the reader knew which dates it spoke of.
 */
function assertAfterDates(part: string, what: string, dates: string[], name: string) {
  const at = part.indexOf(what);
  assert.ok(at >= 0, `${name}: ${what} in ${part}`);
  for (const d of dates) {
    const dateAt = part.indexOf(d);
    assert.ok(dateAt >= 0, `${name}: ${d} listed`);
    assert.ok(dateAt < at, `${name}: the date ${d} comes before "${what}"`);
  }
  const linkAt = part.indexOf("https://calendar.google.com/");
  assert.ok(at < linkAt, `${name}: "${what}" comes before the links`);
}
const dayNy = (ms: number) =>
  new Intl.DateTimeFormat("en", {
    timeZone: "America/New_York",
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
  }).format(ms);

const googleOf = (text: string) =>
  /https:\/\/calendar\.google\.com\/calendar\/render\?[^\s"<]+/.exec(text)?.[0]
    .replaceAll("&amp;", "&");

Deno.test({
  name:
    "series calendar links: a regular series' Google link adds every date (its rule, expanded by ical.js, gives series.ics' dates); a series with a skipped date says its links add the first date and series.ics every date",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, kv, app: seedApp } = await seedStore("invito-series-links-");
    const allDay = [{ start: "00:00", end: "24:00" }];
    const host = await createHost(seedApp, {
      username: "coach",
      email: "coach@example.test",
      timeZone: ZONE,
      weekly: { 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay, 7: allDay },
    });
    await createEventType(seedApp, host, {
      slug: "fortnightly",
      durationMin: 60,
      requiresConfirmation: false,
      bookingWindowDays: 120,
      series: { everyWeeks: 2, count: 4, freeOnly: false },
    });
    await createEventType(seedApp, host, {
      slug: "free",
      durationMin: 60,
      requiresConfirmation: false,
      series: { everyWeeks: 1, count: 4, freeOnly: true },
    });
    await createEventType(seedApp, host, { slug: "call", durationMin: 60 });
    kv.close();
    const smtp = await startSmtp();
    try {
      await using app = await startApp({ dataDir, smtp });
      const first = Date.parse(new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)) +
        9 * 3_600_000;
      const guest = { note: "", tz: "America/New_York" };

      // A regular series: every other week, four dates.
      const r = await post(app.baseUrl, "/calendar/coach/fortnightly?/book", {
        ...guest,
        name: "Reg",
        email: "reg@example.test",
        start: iso(first),
      });
      assert.equal(r.status, 303, r.body.slice(0, 300));
      const mail = await smtp.waitForMail((m) => m.to.includes("reg@example.test"));
      const ics = mail.attachments.find((a) => a.filename === "series.ics")!.content;
      assert.deepEqual(icsStarts(ics), [0, 1, 2, 3].map((i) => first + i * 2 * WEEK));
      const link = googleOf(mail.text);
      assert.ok(link, mail.text);
      assert.equal(new URL(link).searchParams.get("ctz"), ZONE);
      assert.deepEqual(expand(link), icsStarts(ics), "Google adds exactly series.ics' dates");
      assert.match(mail.text, /Google Calendar adds all 4 dates/);
      assert.match(mail.text, /Outlook links add the first date/);
      const regularDates = [0, 1, 2, 3].map((i) => dayNy(first + i * 2 * WEEK));
      for (const [name, part] of [["text", mail.text], ["html", mail.html]] as const) {
        assertAfterDates(part, "Google Calendar adds all 4 dates", regularDates, name);
      }
      // The first date's page: the same link and words.
      const page = await (await fetch(app.baseUrl + r.location!, {
        headers: { "accept-language": "en" },
      })).text();
      const pageLink = googleOf(page);
      assert.ok(pageLink);
      assert.deepEqual(expand(pageLink), icsStarts(ics));
      assert.match(page, /Google Calendar adds all 4 dates/);

      // A series with a gap: the third week is taken, the guest books the other three.
      const taken = await post(app.baseUrl, "/calendar/coach/call?/book", {
        note: "",
        tz: "UTC",
        name: "Other",
        email: "other@example.test",
        start: iso(first + 2 * WEEK + 3_600_000),
      });
      assert.equal(taken.status, 303);
      const gap = await post(app.baseUrl, "/calendar/coach/free?/book", {
        ...guest,
        name: "Gap",
        email: "gap@example.test",
        start: iso(first + 3_600_000),
        skip: "2",
      });
      assert.equal(gap.status, 303, gap.body.slice(0, 300));
      const gapMail = await smtp.waitForMail((m) => m.to.includes("gap@example.test"));
      const gapLink = googleOf(gapMail.text)!;
      assert.equal(new URL(gapLink).searchParams.get("recur"), null);
      assert.match(gapMail.text, /These links add the first date only; series\.ics/);
      // The booked dates and the one left out, then what the links add.
      const gapDates = [0, 1, 2, 3].map((i) => dayNy(first + 3_600_000 + i * WEEK));
      for (const [name, part] of [["text", gapMail.text], ["html", gapMail.html]] as const) {
        assertAfterDates(part, "These links add the first date only", gapDates, name);
      }
      const gapPage = await (await fetch(app.baseUrl + gap.location!, {
        headers: { "accept-language": "en" },
      })).text();
      assert.match(gapPage, /These links add this date only/);
    } finally {
      await smtp.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
