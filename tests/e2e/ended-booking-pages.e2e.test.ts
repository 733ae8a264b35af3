/**
 * A booking's cancel and reschedule links after it ended (cancelled, rejected), over HTTP against
 * the built server, in each language: the pages say what the booking is — as the booking's own
 * page does — and lead to booking again on the host's page while that page exists. They used to
 * contradict themselves: "Moving Intro call with Demo Host, now on …" above "This booking cannot
 * be moved", and "Cancel this booking?" above "This booking is cancelled…", with no way forward.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import {
  borrowBrowser,
  checkA11y,
  hydrated,
  inEachScheme,
  screenshot,
  sidewaysScroll,
  trackPageErrors,
} from "../support/browser.ts";
import { createEventType, createHost, seedStore } from "../support/memory-app.ts";
import { EVERY_DAY_ALL_DAY } from "../support/teams.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { cancelByGuest, decideBooking } from "../../src/lib/server/services/decide-booking.ts";
import { setSuspended } from "../../src/lib/server/store/host-data.ts";
import { settleCounts } from "../../src/lib/server/ops/counts-in-flight.ts";
import type { App } from "../../src/lib/server/app.ts";

const LANGS = ["en", "de", "fr", "es"] as const;
type Catalog = Record<string, string>;
const catalogs = Object.fromEntries(
  await Promise.all(LANGS.map(async (l) => [
    l,
    JSON.parse(
      await Deno.readTextFile(new URL(`../../src/lib/messages/${l}.json`, import.meta.url)),
    ) as Catalog,
  ])),
) as Record<(typeof LANGS)[number], Catalog>;
/** A message's text before its first placeholder or tag (what every rendering of it starts with). */
const lead = (lang: (typeof LANGS)[number], key: string) =>
  catalogs[lang][key].split(/[{<]/)[0].trim();
const unescape = (s: string) =>
  s.replaceAll("&amp;", "&").replaceAll("&#39;", "'").replaceAll("&quot;", '"');
const h1Of = (html: string) =>
  unescape(/<h1\b[^>]*>([\s\S]*?)<\/h1>/.exec(html)?.[1].replace(/<[^>]+>/g, "").trim() ?? "");

async function book(app: App, slug: string, name: string, hour: number) {
  const day = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
  const r = await bookSlot(app, {
    username: slug === "other" ? "gone" : "dana",
    slug,
    start: `${day}T${String(hour).padStart(2, "0")}:00:00Z`,
    name,
    email: `${name.toLowerCase()}@example.test`,
    note: "",
    timeZone: "UTC",
  });
  assert.ok(r.ok, JSON.stringify(r));
  return r;
}

/**
 * Host "dana" (an instant "intro", an "ask" that waits for her) and a suspended host "gone"; a
 * booking of each ended: cancelled by its guest, rejected, cancelled (its host then suspended).
 */
async function seed() {
  const { dataDir, kv, app: seedApp } = await seedStore("invito-ended-pages-");
  const host = await createHost(seedApp, {
    username: "dana",
    timeZone: "UTC",
    weekly: EVERY_DAY_ALL_DAY,
  });
  const open = { minNoticeMin: 0, durationMin: 30 };
  await createEventType(seedApp, host, {
    slug: "intro",
    title: "Intro call",
    requiresConfirmation: false,
    ...open,
  });
  await createEventType(seedApp, host, {
    slug: "ask",
    title: "Ask first",
    requiresConfirmation: true,
    ...open,
  });
  // A host who no longer takes bookings (suspended): no page to book again on.
  const gone = await createHost(seedApp, {
    username: "gone",
    timeZone: "UTC",
    weekly: EVERY_DAY_ALL_DAY,
  });
  await createEventType(seedApp, gone, {
    slug: "other",
    title: "Other call",
    requiresConfirmation: false,
    ...open,
  });
  const cancelled = await book(seedApp, "intro", "Cleo", 9);
  assert.ok((await cancelByGuest(seedApp, cancelled.guestToken, "")).ok);
  const rejected = await book(seedApp, "ask", "Rita", 11);
  assert.ok((await decideBooking(seedApp, rejected.bookingId, "reject", "host")).ok);
  const orphan = await book(seedApp, "other", "Olga", 13);
  assert.ok((await cancelByGuest(seedApp, orphan.guestToken, "")).ok);
  assert.ok(await setSuspended(kv, gone.id, Date.now(), Date.now()));
  await settleCounts();
  kv.close();
  return { dataDir, cancelled, rejected, orphan };
}

/** The server over the seeded store, with the seeding app's secret: the links it made work. */
const serve = (dataDir: string) =>
  startApp({ dataDir, env: { INVITO_SESSION_SECRET: "seed-secret-".padEnd(48, "x") } });

Deno.test({
  name:
    "an ended booking's cancel and reschedule pages say what it is, in each language, and lead to booking again on the host's page while it exists",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, cancelled, rejected, orphan } = await seed();
    try {
      await using app = await serve(dataDir);
      const cases = [
        { token: cancelled.guestToken, heading: "result.cancelled", again: "/calendar/dana/intro" },
        { token: rejected.guestToken, heading: "result.rejected", again: "/calendar/dana/ask" },
        { token: orphan.guestToken, heading: "result.cancelled", again: null },
      ];
      for (const lang of LANGS) {
        for (const c of cases) {
          for (const page of ["reschedule", "cancel"]) {
            const path = `/booking/${c.token}/${page}?lang=${lang}`;
            const res = await fetch(app.url(path), { headers: { "accept-language": lang } });
            const html = await res.text();
            assert.equal(res.status, 200, path);
            const what = `${lang} ${page} (${c.heading}, ${c.again ?? "no page"})`;
            assert.equal(h1Of(html), lead(lang, c.heading), `${what}: the heading`);
            // One title, the same words (the page's own "Reschedule" or "Cancel booking" is not it).
            const titles = [...html.matchAll(/<title>([^<]*)<\/title>/g)].map((m) =>
              unescape(m[1])
            );
            assert.deepEqual(titles, [`${lead(lang, c.heading)} · Invito`], `${what}: the title`);
            // Nothing on the page offers or announces a change it cannot make.
            for (
              const key of ["manage.moving", "manage.cancel_heading", "manage.cannot_move_heading"]
            ) {
              assert.ok(!unescape(html).includes(lead(lang, key)), `${what}: says ${key}`);
            }
            assert.doesNotMatch(html, /<form\b[^>]*method="POST"/i, `${what}: a form`);
            const again = [...html.matchAll(/<a\b[^>]*href="([^"]*)"[^>]*>([^<]*)<\/a>/g)]
              .filter((m) => unescape(m[2]).trim() === lead(lang, "result.book_again"))
              .map((m) => m[1]);
            assert.deepEqual(again, c.again ? [c.again] : [], `${what}: book again`);
          }
        }
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "e2e an ended booking's reschedule and cancel pages at 360 and 1280 px, light and dark: nothing scrolls sideways, axe finds nothing, and 'Pick another time' opens the host's page",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dataDir, cancelled } = await seed();
    const browser = await borrowBrowser();
    try {
      await using app = await serve(dataDir);
      for (const width of [360, 1280]) {
        const ctx = await browser.newContext({ viewport: { width, height: 800 } });
        const page = await ctx.newPage();
        const errors = trackPageErrors(page);
        for (const which of ["reschedule", "cancel"]) {
          for (const lang of ["en", "de"]) {
            await page.goto(app.url(`/booking/${cancelled.guestToken}/${which}?lang=${lang}`));
            await hydrated(page);
            await inEachScheme(page, async (scheme) => {
              const where = `${which} ${lang} ${width}px ${scheme}`;
              assert.equal(await sidewaysScroll(page), "", where);
              assert.deepEqual(await checkA11y(page), [], where);
              await screenshot(page, `ended-booking-${which}-${width}-${scheme}-${lang}`);
            });
          }
        }
        await page.goto(app.url(`/booking/${cancelled.guestToken}/reschedule`));
        await page.getByRole("link", { name: "Pick another time" }).click();
        await page.waitForURL(/\/calendar\/dana\/intro/);
        await page.getByRole("heading", { name: "Intro call" }).waitFor();
        assert.deepEqual(errors(), []);
        await ctx.close();
      }
    } finally {
      await browser.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
