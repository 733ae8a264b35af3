/**
 * Every page in the pseudo-locale (`?lang=en-XA`: every message accented, ~35 % longer and
 * bracketed ⟦…⟧) in Chromium, at desktop width and on a 360 px phone, light and dark:
 *
 * - no hard-coded English: visible text and accessible names hold only translated messages and
 *   the data they carry (names, titles, times, addresses, Intl's own date words);
 * - nothing sticks out of the page: longer text wraps instead of overflowing the viewport;
 * - a screenshot of each for a person to look at (test-results/screenshots/pseudo-*.png).
 *
 * The newer pages (developers, webhook log, insights, troubleshooter, single-use links, setup,
 * calendars, the team pages) are also opened in German — real long words, not pseudo ones — on a 360 px phone,
 * light and dark: nothing may overflow there either (screenshots de-*.png).
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { startApp } from "../support/app.ts";
import {
  borrowBrowser,
  screenshot,
  scriptsRan,
  trackPageErrors,
  turnScheme,
} from "../support/browser.ts";
import { type PageSpec, pageTour, TOUR_ENV } from "../support/page-tour.ts";

/** Words that are data, not interface: what the demo seed, this test and Intl put on pages. */
const DATA = [
  "Demo Host",
  "Intro call",
  "Quick chat",
  "A first 30-minute conversation. I confirm every request personally.",
  "15 minutes, confirmed at once.",
  "Looking forward to talking with you!",
  "Sorry, that time does not work for me. Please pick another.",
  "See you soon!",
  "Pseudo Guest",
  // made by the page tour: an API key, a webhook, a single-use link
  "Tour key",
  "Demo key",
  "Tour hook",
  "For the tour",
  "Tour Team",
  "Team call",
  // and a meeting poll with an invitee's answer
  "Tour poll",
  "Pseudo Invitee",
  // a poll meeting two invitees answered, and a second request the host confirmed
  "Tour meeting",
  "First Invitee",
  "Second Invitee",
  "Decided Guest",
  "Invito",
  "English",
  "Deutsch",
  "Français",
  "Español",
];

function englishDateWords(): string[] {
  const out = new Set<string>();
  for (const width of ["long", "short", "narrow"] as const) {
    for (let d = 1; d <= 7; d++) {
      out.add(
        new Intl.DateTimeFormat("en", { weekday: width, timeZone: "UTC" }).format(
          Date.UTC(2024, 0, d),
        ),
      );
    }
    for (let m = 0; m < 12; m++) {
      out.add(
        new Intl.DateTimeFormat("en", { month: width, timeZone: "UTC" }).format(
          Date.UTC(2024, m, 1),
        ),
      );
    }
  }
  // Intl's relative times and units, and time-of-day markers, as the pseudo-locale formats English.
  for (
    const w of [
      "AM",
      "PM",
      "minutes",
      "minute",
      "hours",
      "hour",
      "days",
      "day",
      "seconds",
      "min",
      "hr",
      "ago",
      "now",
      "at",
    ]
  ) out.add(w);
  return [...out].sort((a, b) => b.length - a.length);
}

/** What is left of a text once messages (⟦…⟧), data and formatted values are taken out. */
function leftover(text: string, dateWords: string[]): string | null {
  // Innermost first, until none is left: a message may carry another (the settings line's
  // "Times in {zone} · {clock}" carries "12-hour clock").
  let t = text;
  for (let was = ""; was !== t;) {
    was = t;
    t = t.replace(/⟦[^⟦⟧]*⟧/g, " ");
  }
  // Messages nest data (⟦… Demo Host …⟧) and are taken out first; then the data alone.
  for (const d of DATA) t = t.split(d).join(" ");
  t = t
    .replace(/https?:\/\/\S+/g, " ")
    .replace(/\S+@\S+/g, " ")
    .replace(/\b[A-Z][A-Za-z_]+\/[A-Za-z_/ ]+\b/g, " ") // zones: Europe/Berlin, America/New York
    .replace(/\bGMT[+-]?\d*(:\d\d)?\b/g, " ")
    .replace(/\/calendar\/\S*/g, " ")
    .replace(/\/team\/\S*/g, " ");
  for (const w of dateWords) t = t.replace(new RegExp(`\\b${w}\\b\\.?`, "g"), " ");
  const words = t.match(/[A-Za-z]{3,}/g);
  return words ? words.join(" ") : null;
}

type Finding = { where: string; text: string };

/** Text nodes and accessible names outside code, datalists and the zone picker's options. */
async function untranslated(page: Page, dateWords: string[]): Promise<Finding[]> {
  const items = await page.evaluate(() => {
    const out: { where: string; text: string }[] = [];
    // `translate="no"` marks data (URLs, slugs): HTML's own way to say "not words to translate".
    const skip = (el: Element | null) =>
      !!el?.closest('code, pre, datalist, script, style, [translate="no"]');
    const visible = (el: Element) => {
      const s = getComputedStyle(el);
      return s.display !== "none" && s.visibility !== "hidden";
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = (n.textContent ?? "").trim();
      if (!text || !el || skip(el)) continue;
      // Visually hidden (sr-only) text is read by screen readers: it counts.
      if (!visible(el) && !el.closest(".sr-only")) continue;
      out.push({ where: el.tagName.toLowerCase() + (el.id ? `#${el.id}` : ""), text });
    }
    for (const el of document.querySelectorAll("[aria-label], [title], [placeholder], img[alt]")) {
      if (skip(el)) continue;
      for (const a of ["aria-label", "title", "placeholder", "alt"]) {
        const v = el.getAttribute(a);
        if (v) out.push({ where: `${el.tagName.toLowerCase()}[${a}]`, text: v });
      }
    }
    out.push({ where: "title", text: document.title });
    return out;
  });
  const found: Finding[] = [];
  for (const item of items) {
    const rest = leftover(item.text, dateWords);
    if (rest) found.push({ where: item.where, text: `${item.text} → ${rest}` });
  }
  return found;
}

/** Elements whose box reaches past the right edge of the viewport (outside scroll containers). */
function overflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    if (document.documentElement.scrollWidth > width + 1) {
      out.push(`page is ${document.documentElement.scrollWidth}px wide in a ${width}px viewport`);
    }
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= width + 1) continue;
      // Inside a container that scrolls sideways on purpose (the dashboard's tab bar, code).
      let p = el.parentElement;
      let scrolls = false;
      while (p && p !== document.body) {
        const o = getComputedStyle(p).overflowX;
        if (o === "auto" || o === "scroll" || o === "hidden" || o === "clip") scrolls = true;
        p = p.parentElement;
      }
      if (scrolls || el.closest(".sr-only, dialog:not([open])")) continue;
      out.push(
        `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}.${
          (el.getAttribute("class") ?? "").split(" ").slice(0, 3).join(".")
        } ends at ${Math.round(r.right)}px: ${(el.textContent ?? "").trim().slice(0, 60)}`,
      );
    }
    return out.slice(0, 10);
  });
}

/**
 * Each page is loaded once per width, in light, and then viewed in dark as the system turns
 * (the page follows it, `turnScheme`); a widget, whose theme its address fixes, is loaded again.
 * Four contexts and loads per page were half of this file's time.
 */
const WIDTHS = [{ name: "desktop", width: 1280 }, { name: "phone", width: 360 }];
const SCHEMES = ["light", "dark"] as const;

/** Loads `path` light (a widget: in `scheme`), then yields each scheme's view of it. */
async function* schemes(page: Page, href: string) {
  const widget = new URL(href).pathname.startsWith("/widget/");
  for (const scheme of SCHEMES) {
    if (scheme === "light" || widget) {
      const url = new URL(href);
      if (widget) url.searchParams.set("theme", scheme);
      await page.emulateMedia({ colorScheme: scheme });
      const res = await page.goto(url.href);
      yield { scheme, status: res?.status() };
    } else {
      await turnScheme(page, scheme);
      yield { scheme, status: undefined };
    }
  }
}

async function visitAll(
  browser: Browser,
  pages: PageSpec[],
  baseUrl: string,
  storageState:
    | Awaited<ReturnType<import("playwright-core").BrowserContext["storageState"]>>
    | undefined,
  dateWords: string[],
): Promise<string[]> {
  const problems: string[] = [];
  for (const w of WIDTHS) {
    const ctx = await browser.newContext({
      viewport: { width: w.width, height: 900 },
      colorScheme: "light",
      timezoneId: "America/New_York",
      locale: "en-US",
      storageState,
    });
    const page = await ctx.newPage();
    for (const p of pages) {
      const errors = trackPageErrors(page);
      const url = new URL(p.path, baseUrl);
      url.searchParams.set("lang", "en-XA");
      // The text check reads the page after its scripts ran; the other views need the layout only.
      const full = w.name === "desktop";
      for await (const { scheme, status } of schemes(page, url.href)) {
        const view = `${w.name}-${scheme}`;
        if (status !== undefined && status !== (p.status ?? 200)) {
          problems.push(`${p.name} (${view}): status ${status}`);
        }
        if (full && scheme === "light") {
          await scriptsRan(page);
          for (const f of await untranslated(page, dateWords)) {
            problems.push(`${p.name}: hard-coded text in ${f.where}: ${f.text}`);
          }
        }
        for (const o of await overflow(page)) problems.push(`${p.name} (${view}): ${o}`);
        await screenshot(page, `pseudo-${p.name}-${view}`);
      }
      // An intended error page logs its own status as a failed load; nothing else may fail.
      for (const e of errors()) {
        if (p.status && e.includes(`status of ${p.status}`)) continue;
        problems.push(`${p.name} (${w.name}): ${e}`);
      }
      page.removeAllListeners("pageerror");
      page.removeAllListeners("console");
    }
    await ctx.close();
  }
  return problems;
}

/** German at 360 px: only layout (no text check: German is not the pseudo-locale). */
async function visitGerman(
  browser: Browser,
  pages: PageSpec[],
  baseUrl: string,
  storageState: Awaited<ReturnType<import("playwright-core").BrowserContext["storageState"]>>,
): Promise<string[]> {
  const problems: string[] = [];
  const ctx = await browser.newContext({
    viewport: { width: 360, height: 900 },
    colorScheme: "light",
    timezoneId: "Europe/Berlin",
    locale: "de-DE",
    storageState,
  });
  const page = await ctx.newPage();
  for (const p of pages) {
    const url = new URL(p.path, baseUrl);
    url.searchParams.set("lang", "de");
    for await (const { scheme, status } of schemes(page, url.href)) {
      const view = `phone-${scheme}`;
      if (status !== undefined && status !== (p.status ?? 200)) {
        problems.push(`${p.name} (de, ${view}): status ${status}`);
      }
      for (const o of await overflow(page)) problems.push(`${p.name} (de, ${view}): ${o}`);
      await screenshot(page, `de-${p.name}-${view}`);
    }
  }
  await ctx.close();
  return problems;
}

const NEWER = [
  "developers",
  "webhook-log",
  "insights",
  "troubleshoot",
  "links",
  "setup",
  "calendars",
  "teams",
  "team",
  "team-event-types",
  "team-event-type-new",
  "team-bookings",
];

Deno.test({
  name:
    "pseudo-locale: every page shows only translated text and nothing overflows, at 1280 and 360 px, light and dark (the newer dashboard pages in German too)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true, env: TOUR_ENV });
    const dateWords = englishDateWords();
    const browser = await borrowBrowser();
    try {
      const { guestPages, hostPages, hostState } = await pageTour(app, browser);
      const problems = [
        ...await visitAll(browser, guestPages, app.baseUrl, undefined, dateWords),
        ...await visitAll(browser, hostPages, app.baseUrl, hostState, dateWords),
        ...await visitGerman(
          browser,
          hostPages.filter((p) => NEWER.includes(p.name)),
          app.baseUrl,
          hostState,
        ),
      ];
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  },
});
