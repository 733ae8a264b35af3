/**
 * A guest who opens a booking link (no `tz=`) sees their own times from the first frame: the
 * server can only guess the zone (the host's) and the clock (the first Accept-Language tag), and
 * the browser, which knows both, goes to the page in its own before anything is painted. Before,
 * the guessed page was painted, the scripts loaded, and the times were then replaced (a second
 * data request and a second render of the whole panel, which a phone spends a third of a second
 * on).
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { borrowBrowser, hydrated, trackPageErrors } from "../support/browser.ts";
import type { Page } from "playwright-core";
import { datePath, fullDay } from "../support/slots.ts";

/**
 * How many `Intl` formatters the visit's documents made while still being read (their head
 * scripts): the first one this early blocks a phone for hundreds of milliseconds (ADR 056).
 */
async function earlyFormattersOf(page: Page): Promise<() => number> {
  let made = 0;
  await page.exposeFunction("noteEarlyFormatter", () => made++);
  await page.addInitScript(() => {
    const Original = Intl.DateTimeFormat;
    const count = () =>
      // deno-lint-ignore no-explicit-any
      document.readyState === "loading" && (globalThis as any).noteEarlyFormatter();
    Intl.DateTimeFormat = new Proxy(Original, {
      construct: (target, args) => (count(), Reflect.construct(target, args)),
      apply: (target, self, args) => (count(), Reflect.apply(target, self, args)),
    });
  });
  return () => made;
}

/**
 * The `Intl` objects the visit's documents made, by kind, from the first script on: the first
 * one of a document loads ICU's locale data, and hydrating the page needs none (ADR 058).
 */
async function intlObjectsOf(page: Page): Promise<() => string[]> {
  const made: string[] = [];
  await page.exposeFunction("noteIntlObject", (kind: string) => made.push(kind));
  await page.addInitScript(() => {
    for (
      const kind of [
        "DateTimeFormat",
        "NumberFormat",
        "PluralRules",
        "Locale",
        "RelativeTimeFormat",
        "ListFormat",
        "DisplayNames",
        "Collator",
        "Segmenter",
      ] as const
    ) {
      const Original = Intl[kind] as unknown as new (...a: unknown[]) => object;
      if (!Original) continue;
      // deno-lint-ignore no-explicit-any
      const note = () => (globalThis as any).noteIntlObject(kind);
      // deno-lint-ignore no-explicit-any
      (Intl as any)[kind] = new Proxy(Original, {
        construct: (target, args) => (note(), Reflect.construct(target, args)),
        apply: (target, self, args) => (note(), Reflect.apply(target, self, args)),
      });
    }
  });
  return () => made;
}

/** Whether the browser has Temporal (it names its zone without ICU). */
const hasTemporal = (page: Page) => page.evaluate(() => "Temporal" in globalThis);

/**
 * What each document of the visit painted in its first 15 s: the zone line and the first time,
 * recorded on every frame where either changed.
 */
async function paintedOf(page: Page): Promise<{ line: string; first: string }[]> {
  const painted: { line: string; first: string }[] = [];
  await page.exposeFunction(
    "notePainted",
    (line: string, first: string) => painted.push({ line, first }),
  );
  await page.addInitScript(() => {
    let last = "";
    const look = () => {
      const line = document.querySelector("[data-testid=settings-line]")?.textContent ?? "";
      const first = document.querySelector("a[data-slot]")?.textContent?.trim() ?? "";
      if (line && `${line}|${first}` !== last) {
        last = `${line}|${first}`;
        // deno-lint-ignore no-explicit-any
        (globalThis as any).notePainted(line, first);
      }
      if (performance.now() < 15_000) requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
  });
  return painted;
}

/**
 * What the first document of the visit (the page the browser leaves) asked for, by resource
 * type, and how each request ended (its loader's requests in DevTools). The page in the guest's
 * zone is held until the page left has loaded and each of its requests has ended, as on a
 * phone's link, where the next page takes a while: whatever the page left would still load is
 * asked for, and a request it cancels itself shows as cancelled, not as cut off by the next page.
 */
async function firstDocumentAsked(
  page: Page,
): Promise<() => { type: string; url: string; ended: string }[]> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  let first: string | null = null;
  const asked = new Map<string, { type: string; url: string; ended: string }>();
  let complete = false;
  let settled!: () => void;
  const leftSettled = new Promise<void>((r) => settled = r);
  const check = () => {
    if (complete && [...asked.values()].every((r) => r.ended)) settled();
  };
  cdp.on("Network.requestWillBeSent", (e) => {
    if (e.type === "Document" && first === null) first = e.loaderId;
    else if (e.loaderId === first && e.type !== "Document") {
      asked.set(e.requestId, {
        type: e.type ?? "",
        url: new URL(e.request.url).pathname,
        ended: "",
      });
    }
  });
  cdp.on("Network.loadingFinished", (e) => {
    const r = asked.get(e.requestId);
    if (r) (r.ended = "finished", check());
  });
  cdp.on("Network.loadingFailed", (e) => {
    const r = asked.get(e.requestId);
    if (r) (r.ended = e.canceled ? "cancelled" : `failed: ${e.errorText}`, check());
  });
  await page.exposeFunction("noteLeftLoaded", () => (complete = true, check()));
  await page.addInitScript(() => {
    if (location.search.includes("tz=Asia")) return;
    document.addEventListener("readystatechange", () => {
      // deno-lint-ignore no-explicit-any
      if (document.readyState === "complete") (globalThis as any).noteLeftLoaded();
    });
  });
  let held = false;
  await page.route(/tz=Asia%2FTokyo/, async (route) => {
    if (!held && route.request().isNavigationRequest()) {
      held = true;
      await leftSettled;
    }
    await route.continue();
  });
  return () => [...asked.values()];
}

/** The page's data requests from now on: each is the page asking again for what it shows. */
function dataRequestsOf(page: Page): string[] {
  const urls: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("__data.json")) urls.push(r.url());
  });
  return urls;
}

Deno.test({
  name:
    "e2e: a guest in Tokyo opening a link to the Berlin host's page or widget sees Tokyo times at once, without the Berlin ones being replaced, and the page they leave fetches only its stylesheet, which it lets finish for the next page; a link whose tz= the server does not know (Mars/Base; Nowhere/Town with clock=25h) counts as naming none",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const browser = await borrowBrowser();
    try {
      for (
        const path of [
          "/calendar/demo/intro-call",
          "/widget/demo/intro-call",
          // Before, the head script left any link with a tz= alone: Berlin times were painted,
          // and replaced once the page had hydrated.
          "/calendar/demo/intro-call?tz=Mars%2FBase",
          "/calendar/demo/intro-call?tz=Nowhere%2FTown&clock=25h",
        ]
      ) {
        const ctx = await browser.newContext({ timezoneId: "Asia/Tokyo", locale: "en-GB" });
        const page = await ctx.newPage();
        const errors = trackPageErrors(page);
        const dataRequests = dataRequestsOf(page);
        const leftAsked = await firstDocumentAsked(page);
        const earlyFormatters = await earlyFormattersOf(page);
        // A guest who is shown Berlin times even for a moment has seen the wrong page.
        const painted = await paintedOf(page);
        await page.goto(`${app.baseUrl}${path}`);
        await page.waitForURL(/tz=Asia%2FTokyo/);
        await page.getByText(/Times in Tokyo/).first().waitFor();
        await hydrated(page);
        assert.ok(painted.length > 0, `${path}: nothing was painted`);
        assert.deepEqual(
          painted.map((p) => p.line).filter((line) => !/Tokyo/.test(line)),
          [],
          `${path}: a frame showed other times than Tokyo's`,
        );
        assert.deepEqual(dataRequests, [], `${path}: the page asked for its data again`);
        // The page left asks for its stylesheet and lets it finish, so the next page finds it
        // cached (window.stop() cancelled it: the phone asked for it twice), and asks for
        // nothing else: no script (its `Link` header once named ~28, each started and then
        // stopped as the guest left), nothing its body would load.
        const left = leftAsked();
        assert.deepEqual(
          left.map((r) => `${r.type} ${r.ended}`),
          ["Stylesheet finished"],
          `${path}: what the page left asked for: ${JSON.stringify(left)}`,
        );
        // Sent on by its zone's name from Temporal where there is one, with no ICU formatter.
        if (await hasTemporal(page)) assert.equal(earlyFormatters(), 0, `${path}: early Intl`);
        // The browser's clock (en-GB: 24 hours), an unknown clock= being no choice either.
        const first = await page.locator("a[data-slot]").first().textContent();
        assert.match(first ?? "", /^\s*\d{2}:\d{2}\s*$/, `${path}: first time ${first}`);
        assert.deepEqual(errors(), []);
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name:
    "e2e: a browser whose language writes 12-hour times but whose first Accept-Language tag writes 24-hour ones gets 12-hour times from the first frame",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const browser = await borrowBrowser();
    try {
      // No `locale`: Playwright would send it as Accept-Language too. Chromium's own is en-US.
      const ctx = await browser.newContext({
        timezoneId: "Europe/Berlin",
        extraHTTPHeaders: { "accept-language": "de-DE,de;q=0.9" },
      });
      const page = await ctx.newPage();
      const dataRequests = dataRequestsOf(page);
      // No `?lang=`: a language the guest chose brings its own clock (ADR 056, amended), so the
      // page is German, guessed on 24 hours, and the head script sends it on to the browser's.
      await page.goto(`${app.baseUrl}/calendar/demo/intro-call`);
      await page.waitForURL(/clock=12h/);
      const first = page.locator("a[data-slot]").first();
      await first.waitFor();
      assert.match((await first.textContent())!.trim(), /^\d{1,2}:\d\d [AP]M$/);
      await hydrated(page);
      assert.deepEqual(dataRequests, []);
      // A link that says its zone and clock is shown as it says, with no detour.
      const asked =
        `${app.baseUrl}/calendar/demo/intro-call?lang=en&tz=America%2FChicago&clock=24h`;
      await page.goto(asked);
      await hydrated(page);
      assert.equal(page.url(), asked);
      assert.match(
        (await page.locator("a[data-slot]").first().textContent())!.trim(),
        /^\d\d:\d\d$/,
      );
      assert.deepEqual(dataRequests, []);
      await ctx.close();
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name:
    "e2e: a guest where the server guessed right costs the page no ICU work while it loads and hydrates, and what the browser formats afterwards reads as the server writes it; a guest in a zone with the same offsets reads the same times and gets its name once loaded",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const browser = await borrowBrowser();
    try {
      for (const [zone, city] of [["Europe/Berlin", "Berlin"], ["Europe/Paris", "Paris"]]) {
        const ctx = await browser.newContext({ timezoneId: zone, locale: "en-GB" });
        const page = await ctx.newPage();
        const errors = trackPageErrors(page);
        const earlyFormatters = await earlyFormattersOf(page);
        const intlObjects = await intlObjectsOf(page);
        const painted = await paintedOf(page);
        // Paris compares the first time of each frame, across the page's move to its zone (a
        // second request): on a day from tomorrow on, as the page's own first day may be today,
        // whose first time can pass between the two.
        const path = city === "Berlin" ? "/calendar/demo/intro-call" : datePath(
          "/calendar/demo/intro-call",
          (await fullDay(app.baseUrl, "/calendar/demo/intro-call", { tz: zone, min: 1 })).date,
        );
        await page.goto(`${app.baseUrl}${path}`);
        await page.getByText(new RegExp(`Times in ${city}`)).first().waitFor();
        await hydrated(page);
        if (city === "Berlin") {
          assert.equal(earlyFormatters(), 0, "Intl formatters made before the page had loaded");
          assert.doesNotMatch(page.url(), /tz=/, "the page sent itself on");
          // Hydrated, and its effects (the guest's zone and clock) done, from the server's
          // formats and without ICU (ADR 058): Temporal names the zone.
          await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r))));
          if (await hasTemporal(page)) {
            assert.deepEqual(intlObjects(), [], "Intl objects made while the page hydrated");
          }
          // What the browser formats itself afterwards reads as the server writes it: the
          // next month's name and its days' labels.
          const title = page.locator("#month-title");
          const before = await title.textContent();
          await page.getByRole("link", { name: /next month/i }).click();
          await page.waitForURL(/month=/);
          await page.waitForFunction(
            (t) => document.getElementById("month-title")?.textContent !== t,
            before,
          );
          assert.ok(intlObjects().length > 0, "the next month was not formatted in the browser");
          const served = await (await fetch(page.url(), {
            headers: { "accept-language": "en-GB" },
          })).text();
          const shown = [
            (await title.textContent())!,
            ...await page.locator("ul[aria-labelledby='month-title'] a").evaluateAll((as) =>
              as.map((a) => a.getAttribute("aria-label")!)
            ),
          ];
          assert.ok(shown.length > 1, "the next month has no free day");
          for (const text of shown) {
            assert.ok(served.includes(text), `the browser wrote "${text}", the server did not`);
          }
        } else {
          // Paris shows Berlin's times on every date, so the page is not sent on before it
          // paints; once loaded it names the guest's own zone, and no time changes.
          await page.waitForURL(/tz=Europe%2FParis/);
          const firsts = new Set(painted.map((p) => p.first).filter(Boolean));
          assert.equal(firsts.size, 1, `the times changed: ${JSON.stringify(painted)}`);
        }
        assert.deepEqual(errors(), []);
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name:
    "e2e: a guest where the server guessed right gets the page's scripts preloaded from its head (a page names them on its head script, not in its Link header, which names only its stylesheet), every one before the page is hydrated",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const browser = await borrowBrowser();
    try {
      for (const path of ["/calendar/demo/intro-call", "/widget/demo/intro-call"]) {
        // A guessed page's header names its stylesheet and no script: a guest it sends on lets
        // the stylesheet finish for the next page, and starts no script.
        const plain = await fetch(`${app.baseUrl}${path}`);
        const link = plain.headers.get("link") ?? "";
        assert.match(link, /^<[^>]+\.css>; rel="preload"; as="style"[^,]*$/, `${path}: ${link}`);
        const named = (await plain.text()).match(/data-preloads="([^"]+)"/)?.[1].split(" ") ?? [];
        assert.ok(named.length >= 10, `${path}: ${named.length} scripts named on the head script`);
        // A link that names its zone and clock names its scripts the same way (its stylesheet
        // may stay in the header: no head script leaves that page).
        const said = await fetch(`${app.baseUrl}${path}?tz=Europe%2FBerlin&clock=24h`);
        assert.doesNotMatch(said.headers.get("link") ?? "", /modulepreload/, `${path}: named link`);
        assert.match(await said.text(), /data-preloads="[^"]+\.js/, `${path}: named link`);

        // The host's own zone and clock: the head script stays and preloads what <html> names.
        const ctx = await browser.newContext({ timezoneId: "Europe/Berlin", locale: "de-DE" });
        const page = await ctx.newPage();
        const asked: string[] = [];
        page.on("request", (r) => {
          if (r.resourceType() === "script") asked.push(new URL(r.url()).pathname);
        });
        await page.goto(`${app.baseUrl}${path}`);
        await hydrated(page);
        assert.equal(new URL(page.url()).search, "", `${path}: the page stayed`);
        const preloaded = await page.$$eval(
          "link[rel=modulepreload]",
          (ls) => ls.map((l) => new URL((l as HTMLLinkElement).href).pathname),
        );
        // (SvelteKit's client adds its error page's own once it runs.)
        assert.deepEqual(
          named.filter((s) => !preloaded.includes(s)),
          [],
          `${path}: preloaded from the head`,
        );
        for (const s of named) assert.ok(asked.includes(s), `${path}: ${s} was asked for`);
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
  },
});
