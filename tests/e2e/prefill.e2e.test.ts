/**
 * Prefill from the link and the embed options (issue 29), against the built server: name, email,
 * answers by question key, the place, the time zone and the day or month to open reach the
 * booking page as the guest's starting values; a value that cannot be one is ignored without a
 * word to the guest (no alert, no note) — while a zone the guest typed into the zone field is
 * still answered with a message. A host who locks prefill locks the answers too. In Chromium, the
 * embed options arrive in the widget, and a bad zone from the link gives way to the browser's.
 */
import assert from "node:assert/strict";
import { type AppHandle, startApp } from "../support/app.ts";
import { createEventType, createHost, memoryApp } from "../support/memory-app.ts";
import { EVERY_DAY_ALL_DAY } from "../support/teams.ts";
import { fullDay } from "../support/slots.ts";
import { freePort } from "../support/ports.ts";
import { borrowBrowser, trackPageErrors } from "../support/browser.ts";
import { Temporal } from "../../src/lib/server/domain/temporal.ts";
import type { EventTypeRecord } from "../../src/lib/server/domain/model/records.ts";
import { makeDataDir } from "../support/data-dir.ts";

const QUESTIONS: NonNullable<EventTypeRecord["questions"]> = [
  { id: "company", label: "Company", type: "short", required: false },
  { id: "size", label: "Team size", type: "choice", required: false, options: ["1-10", "11-50"] },
  { id: "agree", label: "Send me the slides", type: "checkbox", required: false },
  { id: "about", label: "About", type: "long", required: false },
  { id: "tel", label: "Mobile", type: "phone", required: false },
];

async function withServer(fn: (app: AppHandle) => Promise<void>) {
  const dataDir = await makeDataDir("invito-prefill-");
  try {
    const kv = await Deno.openKv(`${dataDir}/invito.kv`);
    try {
      const app = await memoryApp({ kv, guard: false, nowIso: new Date().toISOString() });
      const host = await createHost(app, {
        username: "pia",
        timeZone: "Europe/Berlin",
        weekly: EVERY_DAY_ALL_DAY,
      });
      const base = {
        requiresConfirmation: false,
        minNoticeMin: 0,
        questions: QUESTIONS,
        locations: [
          { kind: "in_person" as const, value: "Main Street 1" },
          { kind: "guest_phone" as const, value: "" },
        ],
      };
      await createEventType(app, host, { slug: "call", title: "Call", ...base });
      await createEventType(app, host, {
        slug: "locked",
        title: "Locked",
        ...base,
        lockPrefill: true,
      });
    } finally {
      kv.close();
    }
    // (The fill-time check is not what these tests are about.)
    const app = await startApp({ dataDir, env: { INVITO_MIN_FILL_TIME: "0s" } });
    try {
      await fn(app);
    } finally {
      await app.stop();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

/**
 * The booking form's part of a page (from its `#book` on): the zone form above it carries what
 * the link carried as hidden fields of the same names (BookingPanel.svelte `zoneFormKeeps`).
 */
const formOf = (html: string) =>
  html.includes('id="book"') ? html.slice(html.indexOf('id="book"')) : html;

/** The value of the booking form's `<input>` named `name` in `html` (null: no such input). */
function inputValue(html: string, name: string): string | null {
  for (const m of formOf(html).matchAll(/<input\b[^>]*>/g)) {
    if (!m[0].includes(` name="${name}"`)) continue;
    return /\svalue="([^"]*)"/.exec(m[0])?.[1] ?? "";
  }
  return null;
}
const tagOf = (html: string, re: RegExp) => re.exec(html)?.[0] ?? "";
/** A tag of the booking form (`formOf`). */
const fieldOf = (html: string, re: RegExp) => tagOf(formOf(html), re);
const noWord = (html: string, what: string) => {
  assert.doesNotMatch(html, /role="alert"/, `${what}: no alert`);
  assert.doesNotMatch(html, /data-testid="date-notice"/, `${what}: no note`);
  assert.doesNotMatch(html, /not a date|not one we understand|has passed|beyond the booking/);
  assert.doesNotMatch(html, /No time zone matches/, `${what}: no zone message`);
};

const get = async (app: AppHandle, path: string) => {
  const res = await fetch(app.url(path));
  assert.equal(res.status, 200, path);
  return await res.text();
};

Deno.test({
  name:
    "prefill: answers by key, place, zone, day and month from the link fill the booking page; invalid values are ignored without a word; a typed zone still gets its message",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withServer(async (app) => {
      const day = await fullDay(app.baseUrl, "/calendar/pia/call", { tz: "Asia/Tokyo", min: 2 });
      const good = new URLSearchParams({
        tz: "Asia/Tokyo",
        date: day.date,
        slot: day.slots[1],
        name: "Ann Prefill",
        email: "ann@example.test",
        q_company: "Acme & Co",
        q_size: "11-50",
        q_agree: "true",
        q_about: "Line one\nLine two",
        q_tel: "+49 30 1234567",
        location: "1",
        phone: "+49 30 7654321",
      });
      const page = await get(app, `/calendar/pia/call?${good}`);
      noWord(page, "good prefill");
      assert.equal(inputValue(page, "tz"), "Asia/Tokyo", "the zone from the link");
      assert.equal(inputValue(page, "start"), day.slots[1], "the day and time from the link");
      assert.equal(inputValue(page, "name"), "Ann Prefill");
      assert.equal(inputValue(page, "email"), "ann@example.test");
      assert.equal(inputValue(page, "q_company"), "Acme &amp; Co");
      assert.match(fieldOf(page, /<option value="11-50"[^>]*>/), /selected/);
      assert.match(fieldOf(page, /<input[^>]*name="q_agree"[^>]*>/), /checked/);
      assert.match(page, /<textarea[^>]*name="q_about"[^>]*>Line one\nLine two<\/textarea>/);
      assert.equal(inputValue(page, "q_tel"), "+49 30 1234567");
      assert.match(fieldOf(page, /<input[^>]*name="location"[^>]*value="1"[^>]*>/), /checked/);
      assert.doesNotMatch(
        fieldOf(page, /<input[^>]*name="location"[^>]*value="0"[^>]*>/),
        /checked/,
      );
      assert.equal(inputValue(page, "phone"), "+49 30 7654321");
      // Editable (the host did not lock them).
      assert.doesNotMatch(fieldOf(page, /<input[^>]*name="q_company"[^>]*>/), /readonly/);

      // A month to open: its days are shown, the first free one chosen.
      const next = Temporal.PlainYearMonth.from(day.date.slice(0, 7)).add({ months: 1 });
      const month = await get(app, `/calendar/pia/call?tz=UTC&month=${next}`);
      noWord(month, "month");
      assert.match(
        tagOf(month, /<a[^>]*aria-current="date"[^>]*>/),
        new RegExp(`date=${next}-\\d\\d`),
      );

      // Each value that cannot be one is left out: the page opens as if it were not there.
      const bad: [string, string][] = [
        ["tz", "Mars/Olympus"],
        ["tz", "xyzzy"],
        ["date", "2026-02-30"],
        ["date", "1999-01-01"],
        ["date", "2999-01-01"],
        ["date", "tomorrow"],
        ["month", "13-99"],
        ["month", "1999-01"],
        ["location", "7"],
        ["location", "x"],
        ["email", "not-an-address"],
        ["name", "x".repeat(101)],
        ["name", "Two\nLines"],
        ["q_company", "y".repeat(301)],
        ["q_company", "two\nlines"],
        ["q_size", "Gold"],
        ["q_agree", "maybe"],
        ["q_tel", "call me"],
        ["q_nope", "unknown question"],
      ];
      for (const [k, val] of bad) {
        const q = new URLSearchParams({ [k]: val });
        const html = await get(app, `/calendar/pia/call?${q}`);
        noWord(html, `${k}=${val}`);
        assert.match(html, /data-slot="/, `${k}=${val}: free times are offered`);
      }
      // …and with a time chosen, the fields they would have filled are empty.
      const all = new URLSearchParams([
        ["tz", "UTC"],
        ["date", day.slots[0].slice(0, 10)],
        ...bad.filter(([k]) => k !== "tz" && k !== "date"),
      ]);
      const withTime = await get(
        app,
        `/calendar/pia/call?${all}&slot=${encodeURIComponent(day.slots[0])}`,
      );
      // (The slot's UTC date may differ from the Tokyo one: then the day's times are shown.)
      noWord(withTime, "all bad");
      if (inputValue(withTime, "start")) {
        for (const k of ["name", "email", "q_company", "q_tel"]) {
          assert.equal(inputValue(withTime, k), "", k);
        }
        assert.doesNotMatch(fieldOf(withTime, /<input[^>]*name="q_agree"[^>]*>/), /checked/);
        assert.doesNotMatch(withTime, /<option value="Gold"/);
        assert.doesNotMatch(formOf(withTime), /<input[^>]*name="location"[^>]*checked/);
      }

      // A zone the guest typed into the zone field is answered: none matches, several do.
      const typed = await get(app, `/calendar/pia/call?tz=Europe%2FBerlin&zone=xyzzy`);
      assert.match(typed, /role="alert"[^>]*>No time zone matches “xyzzy”/);
      assert.equal(inputValue(typed, "zone"), "xyzzy", "what was typed stays in the field");
      const sydney = await get(app, `/calendar/pia/call?zone=Sydney`);
      assert.match(sydney, /Which “Sydney” do you mean\?/);
      const tokyo = await get(app, `/calendar/pia/call?zone=Tokyo`);
      assert.match(tokyo, /“Tokyo” is Asia\/Tokyo\./);
    });
  },
});

Deno.test({
  name:
    "prefill: a host who locks prefill locks the answers the link filled in (not the ones it left empty)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withServer(async (app) => {
      const day = await fullDay(app.baseUrl, "/calendar/pia/locked", { min: 1 });
      const q = new URLSearchParams({
        tz: "UTC",
        date: day.date,
        slot: day.slots[0],
        name: "Ann",
        q_company: "Acme",
        q_size: "1-10",
        q_agree: "on",
      });
      const page = await get(app, `/calendar/pia/locked?${q}`);
      assert.match(fieldOf(page, /<input[^>]*name="name"[^>]*>/), /readonly/);
      assert.doesNotMatch(fieldOf(page, /<input[^>]*name="email"[^>]*>/), /readonly/);
      assert.match(fieldOf(page, /<input[^>]*name="q_company"[^>]*>/), /readonly/);
      assert.doesNotMatch(fieldOf(page, /<input[^>]*name="q_tel"[^>]*>/), /readonly/);
      // A choice and a tick cannot be read-only: shown disabled, sent by a hidden field.
      assert.match(tagOf(page, /<select[^>]*id="q_size"[^>]*>/), /disabled/);
      assert.match(formOf(page), /<input type="hidden" name="q_size" value="1-10"/);
      assert.match(fieldOf(page, /<input[^>]*id="q_agree"[^>]*>/), /disabled/);
      assert.match(formOf(page), /<input type="hidden" name="q_agree" value="on"/);

      // Booked with the locked answers as they were.
      const form = new FormData();
      for (const m of formOf(page).matchAll(/<input\b[^>]*>/g)) {
        const name = /\sname="([^"]+)"/.exec(m[0])?.[1];
        if (!name || / disabled/.test(m[0]) || /type="(radio|checkbox)"/.test(m[0])) continue;
        form.set(name, (/\svalue="([^"]*)"/.exec(m[0])?.[1] ?? "").replaceAll("&amp;", "&"));
      }
      form.set("email", "ann@example.test");
      form.set("location", "0");
      const res = await fetch(app.url(`/calendar/pia/locked?/book&${q}`), {
        method: "POST",
        body: form,
        headers: { origin: app.baseUrl },
        redirect: "manual",
      });
      assert.equal(res.status, 303, (await res.text()).slice(0, 600));
    });
  },
});

Deno.test({
  name:
    "prefill in Chromium: Invito.inline's prefill (answers, place, zone, day) reaches the widget's form; a bad zone from the link gives way to the browser's without a word",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withServer(async (app) => {
      const day = await fullDay(app.baseUrl, "/widget/pia/call", { tz: "Asia/Tokyo", min: 2 });
      const port = freePort();
      const options = {
        url: "/calendar/pia/call",
        parent: "#book",
        prefill: {
          name: "Ann Embed",
          email: "ann@example.test",
          // By id, and by label ("Team size"): hosts see labels, not ids.
          answers: { company: "Acme", "Team size": "11-50" },
          location: 1,
          timeZone: "Asia/Tokyo",
          date: day.date,
        },
      };
      const server = Deno.serve({ hostname: "127.0.0.2", port, onListen() {} }, () =>
        new Response(
          `<!doctype html><html lang="en"><head><title>Shop</title></head><body><div id="book"></div>
<script src="${app.baseUrl}/embed.js"></script>
<script>Invito.inline(${JSON.stringify(options)});</script></body></html>`,
          { headers: { "content-type": "text/html; charset=utf-8" } },
        ));
      const browser = await borrowBrowser();
      try {
        const ctx = await browser.newContext({ timezoneId: "America/New_York" });
        const page = await ctx.newPage();
        const errors = trackPageErrors(page);
        await page.goto(`http://127.0.0.2:${port}/`);
        const frame = page.frameLocator("#book iframe");
        await frame.locator(`a[aria-current=date][href*='date=${day.date}']`).waitFor();
        await frame.locator(`a[data-slot="${day.slots[1]}"]`).click();
        await frame.locator("#b-name").waitFor();
        assert.equal(await frame.locator("#b-name").inputValue(), "Ann Embed");
        assert.equal(await frame.locator("#q_company").inputValue(), "Acme");
        assert.equal(await frame.locator("#q_size").inputValue(), "11-50");
        assert.ok(await frame.locator("#book input[name=location][value='1']").isChecked());
        assert.equal(await frame.locator("#book input[name=tz]").inputValue(), "Asia/Tokyo");

        // A zone from the link that is none: ignored, and the browser's own zone is used.
        const own = await ctx.newPage();
        await own.goto(app.url("/calendar/pia/call?tz=Mars%2FOlympus"));
        await own.waitForURL(/tz=America%2FNew_York/);
        assert.equal(await own.getByRole("alert").count(), 0);
        assert.deepEqual(errors(), []);
        await ctx.close();
      } finally {
        await browser.close();
        await server.shutdown();
      }
    });
  },
});
