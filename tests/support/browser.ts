/**
 * Chromium (Debian's /usr/bin/chromium) driven by playwright-core, plus accessibility checks with
 * axe-core and screenshots for a person to look at.
 *
 * ```ts
 * const browser = await borrowBrowser(); // a test with sanitizers off; else launchBrowser()
 * try {
 *   const page = await browser.newPage();
 *   const errors = trackPageErrors(page);
 *   await page.goto(app.url("/"));
 *   assert.deepEqual(await checkA11y(page), []);
 *   await screenshot(page, "home");
 *   assert.deepEqual(errors(), []);
 * } finally {
 *   await browser.close();
 * }
 * ```
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Frame,
  type LaunchOptions,
  type Locator,
  type Page,
} from "playwright-core";
import { repoRoot } from "./app.ts";
import type { Client } from "./http.ts";

/** Debian's full browser: Lighthouse runs there, as in a person's Chrome (ADR 064). */
export const fullChromiumPath = "/usr/bin/chromium";

/**
 * The browser the tests drive: Debian's `chromium-headless-shell`, built from the same source and
 * version as the full browser, and what Playwright itself runs for headless tests (ADR 064). The
 * same Blink lays out, paints and runs the same pages; the shell leaves out the full browser's
 * tab machinery, which cost ~0.6 CPU-s per new page against ~0.2 on the suite's boxes.
 * `INVITO_TEST_CHROMIUM=/usr/bin/chromium` runs the tests in the full browser instead.
 */
export const chromiumPath = Deno.env.get("INVITO_TEST_CHROMIUM") ??
  (existsSync("/usr/bin/chromium-headless-shell")
    ? "/usr/bin/chromium-headless-shell"
    : fullChromiumPath);

export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** A Chromium of the test's own, closed by its `close()`: for launch options of its own. */
export async function launchBrowser(opts: LaunchOptions = {}): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    ...opts,
    args: [...chromiumArgs, ...(opts.args ?? [])],
  });
  return lent(browser, () => browser.close());
}

/**
 * A browser lent from one Chromium that the module's browser tests share (`npm test` loads a
 * dozen test files into one module, scripts/test-all.sh). Launching Chromium cost ~1.6 CPU-s on
 * the suite's boxes, a context and its first page ~0.4 (ten of each, 2026-12-01). The test sees
 * what it saw of a browser of its own: the contexts it makes (each with its own cookies, storage,
 * cache and permissions in Chromium), and `close()` closes those and no more.
 *
 * For tests that turn Deno's sanitizers off, as every e2e file does: the shared Chromium's pipe
 * outlives the test, an open resource and a pending read the sanitizers would count. It closes
 * after the module's last test (a crashed one is launched again on the next loan).
 */
export async function borrowBrowser(): Promise<Browser> {
  if (!shared) {
    const launched = chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
    shared = launched;
    const forget = () => {
      if (shared === launched) shared = null;
    };
    launched.then((b) => b.once("disconnected", forget), forget);
  }
  return lent(await shared, async () => {});
}

let shared: Promise<Browser> | null = null;
Deno.test.afterAll(async () => {
  const browser = shared;
  shared = null;
  await (await browser?.catch(() => null))?.close();
});

/**
 * `browser` as a test holds it: its contexts() are the ones made through it, and close() closes
 * them, then calls `release`. With INVITO_TEST_SLOW_SCRIPTS set, every context's scripts arrive
 * late: a run with it finds the steps that race the page's hydration (README).
 */
function lent(browser: Browser, release: () => Promise<void>): Browser {
  const lateMs = Number(Deno.env.get("INVITO_TEST_SLOW_SCRIPTS") ?? 0);
  const contexts = new Set<BrowserContext>();
  let closed = false;
  const newContext: Browser["newContext"] = async (opts) => {
    if (closed) throw new Error("this browser was closed");
    const ctx = await browser.newContext(opts);
    contexts.add(ctx);
    ctx.once("close", () => contexts.delete(ctx));
    if (lateMs > 0) await slowScripts(ctx, lateMs);
    return ctx;
  };
  const own: Partial<Browser> = {
    newContext,
    // As Playwright's own: a page in a context of its own, which closes with it.
    newPage: async (opts) => {
      const ctx = await newContext(opts);
      const page = await ctx.newPage();
      page.once("close", () => void ctx.close().catch(() => {}));
      return page;
    },
    contexts: () => [...contexts],
    close: async () => {
      if (closed) return;
      closed = true;
      await Promise.all([...contexts].map((ctx) => ctx.close().catch(() => {})));
      await release();
    },
  };
  return new Proxy(browser, {
    get(target, prop) {
      if (Object.hasOwn(own, prop)) return own[prop as keyof Browser];
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * Waits until the page's scripts run (the root layout marks `<html data-hydrated>`). Before it a
 * click on a link or a form takes the no-JavaScript path, a full page load: right for a person,
 * but not what a step needs that tests the scripted page.
 */
export async function hydrated(page: Page | Frame | Locator): Promise<void> {
  if ("waitForSelector" in page) {
    await page.waitForSelector("html[data-hydrated]", { state: "attached" });
    return;
  }
  // An <iframe>'s locator: the page inside it (the widget, whose script forwards Escape).
  const frame = await (await page.elementHandle())?.contentFrame();
  if (!frame) throw new Error("hydrated(): the locator is not an iframe with a page");
  await hydrated(frame);
}

/**
 * Waits until a loaded page's scripts have run, if it has any: an app page (app.html, every one
 * hydrates) marks `<html data-hydrated>`; a plain page the server writes itself (a refusal's
 * message page) has no scripts. No component fetches on its own once mounted (only on input: a
 * zone search, a holiday country), so this is the page as it stays, without `networkidle`'s
 * 500 ms of quiet per page.
 */
export async function scriptsRan(page: Page): Promise<void> {
  if (await page.locator("body[data-sveltekit-preload-data]").count()) await hydrated(page);
}

/**
 * Waits until a widget that just showed its form has settled: the form's heading has the focus
 * (the script moves it there after the navigation, which scrolls the embedding page to it), and
 * the frame is as tall as the widget inside it (the parent page resizes it on the widget's
 * message). A click aimed before either can land on the parent page instead of the widget's
 * button — seen in e2e runs: no click reached the widget and nothing was sent.
 */
export async function widgetFits(frame: Frame): Promise<void> {
  await frame.waitForFunction(() => document.activeElement?.id === "details-heading");
  const content = await frame.evaluate(() =>
    Math.ceil(document.querySelector("[data-widget]")?.getBoundingClientRect().height ?? 0)
  );
  if (content === 0) throw new Error("widgetFits(): no [data-widget] in the frame");
  const iframe = await frame.frameElement();
  await frame.page().waitForFunction(
    ([el, h]) => Math.abs((el as Element).getBoundingClientRect().height - (h as number)) <= 2,
    [iframe, content] as const,
  );
}

/**
 * A browser context carrying `client`'s cookies (a session made over HTTP, e.g. by
 * `signInByLink`), so a test starts signed in without driving the sign-in pages.
 */
export async function contextWithSession(
  browser: Browser,
  client: Client,
  opts: Parameters<Browser["newContext"]>[0] = {},
): Promise<BrowserContext> {
  const ctx = await browser.newContext(opts);
  await ctx.addCookies(sessionCookies(client));
  return ctx;
}

/** `client`'s cookies as a browser context takes them (plain HTTP: never `secure`). */
export function sessionCookies(client: Client) {
  return client.cookies({ all: true }).map((k) => ({
    name: k.name,
    value: k.value,
    domain: k.domain,
    path: k.path,
    httpOnly: k.httpOnly,
    secure: false,
    sameSite: "Lax" as const,
  }));
}

/**
 * WCAG contrast of two CSS colours as the browser paints them: any syntax, through a canvas, so
 * `oklch(…)` (Tailwind 4's palette) is read as the sRGB it paints, not as three numbers.
 */
export function contrastIn(page: Page, a: string, b: string): Promise<number> {
  return page.evaluate(([a, b]) => {
    const ctx = document.createElement("canvas").getContext("2d")!;
    const lum = (css: string) => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, bl] = ctx.getImageData(0, 0, 1, 1).data;
      const ch = (c: number) => {
        const s = c / 255;
        return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(bl);
    };
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  }, [a, b] as const);
}

let axeSource: string | null = null;

export interface A11yOptions {
  /** axe rule ids to skip */
  disableRules?: string[];
  /** a CSS selector to check instead of the whole document */
  include?: string;
  /** impacts to report (default serious and critical) */
  impacts?: string[];
}

/**
 * Runs axe-core on the page and returns its serious and critical violations, one readable string
 * each (`rule (impact): help — N node(s): selectors… <helpUrl>`), so `assert.deepEqual(…, [])`
 * prints what is wrong.
 */
export async function checkA11y(page: Page, opts: A11yOptions = {}): Promise<string[]> {
  axeSource ??= await Deno.readTextFile(join(repoRoot, "node_modules", "axe-core", "axe.min.js"));
  await styled(page);
  // Colours read mid-transition (a menu opening, a tab turning current as the page's script
  // takes over) are neither the old nor the new ones: axe judges the page once they have settled.
  await settled(page);
  const hasAxe = await page.evaluate(() => "axe" in globalThis);
  // Evaluated through the DevTools protocol, which the page's CSP (nonce-only scripts) does not
  // govern; a <script> tag would be blocked, as it should be. Passed as an argument to an eval
  // rather than as Playwright's string expression: the same 560 KB took 1.1-1.9 s of Chromium's
  // time per document that way against 0.3-1.0 s.
  if (!hasAxe) {
    await page.evaluate((src) => {
      (0, eval)(src);
    }, `${axeSource}\n;globalThis.axe = axe;`);
  }
  const impacts = opts.impacts ?? ["serious", "critical"];
  const violations = await page.evaluate(
    async ({ disableRules, include, impacts }) => {
      // deno-lint-ignore no-explicit-any
      const axe = (globalThis as any).axe;
      // A rule whose own impact is not asked for is not run: axe gives each of its violations
      // the rule's impact (its _finalizeRuleResult), so it could only report what is filtered
      // out below. The answer is the same; the page's time is not (region, landmarks, headings).
      const unasked = axe._audit.rules
        // deno-lint-ignore no-explicit-any
        .filter((r: any) => r.impact && !impacts.includes(r.impact))
        // deno-lint-ignore no-explicit-any
        .map((r: any) => r.id);
      const rules = Object.fromEntries(
        [...disableRules, ...unasked].map((id: string) => [id, { enabled: false }]),
      );
      // Only violations are read: axe then skips building selectors for every passing node.
      const result = await axe.run(include ? { include: [include] } : document, {
        rules,
        resultTypes: ["violations"],
      });
      // deno-lint-ignore no-explicit-any
      return result.violations.map((v: any) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        // deno-lint-ignore no-explicit-any
        nodes: v.nodes.map((n: any) => ({
          target: n.target.join(" "),
          summary: n.failureSummary,
        })),
      }));
    },
    { disableRules: opts.disableRules ?? [], include: opts.include ?? null, impacts },
  ) as {
    id: string;
    impact: string;
    help: string;
    helpUrl: string;
    nodes: { target: string; summary: string }[];
  }[];
  return violations
    .filter((v) => impacts.includes(v.impact))
    .map((v) => {
      const shown = v.nodes.slice(0, 5).map((n) => n.target).join(", ");
      const more = v.nodes.length > 5 ? `, … (${v.nodes.length - 5} more)` : "";
      return `${v.id} (${v.impact}): ${v.help} — ${v.nodes.length} node(s): ${shown}${more} <${v.helpUrl}>`;
    });
}

/** Waits until the page's finite animations and transitions have ended (looping ones aside). */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    document.getAnimations().every((a) =>
      a.playState !== "running" || a.effect?.getTiming().iterations === Infinity
    )
  );
}

/**
 * Turns the system's colour scheme to `scheme` on a loaded page and waits until the page shows it
 * and its colour transitions have ended. Every page follows the system while it is open
 * (app.html's head script; pages without it follow through CSS alone), so a tour views one load
 * in light and then dark instead of loading it again in a second browser context: a context and
 * a load cost Chromium ~0.6 s and injecting axe again ~0.5 s, the switch ~10 ms. A page whose
 * theme is fixed (`?theme=light`, an embed's choice) does not follow: it is refused here rather
 * than checked in the wrong scheme.
 */
export async function turnScheme(page: Page, scheme: "light" | "dark"): Promise<void> {
  await page.emulateMedia({ colorScheme: scheme });
  const theme = await page.evaluate(() => document.documentElement.dataset.theme ?? null);
  if (theme !== null && theme !== "system") {
    throw new Error(`turnScheme: ${page.url()} has a fixed theme (${theme}); load it again`);
  }
  await page.waitForFunction(
    (s) =>
      !document.documentElement.dataset.theme || document.documentElement.classList.contains(s),
    scheme,
  );
  await settled(page);
}

/**
 * Runs `check` on a page loaded in light, then again once it has turned dark (`turnScheme`), and
 * turns it light again for the tour's next load.
 */
export async function inEachScheme(
  page: Page,
  check: (scheme: "light" | "dark") => Promise<void>,
): Promise<void> {
  await check("light");
  await turnScheme(page, "dark");
  await check("dark");
  await page.emulateMedia({ colorScheme: "light" });
}

/**
 * Waits until the page's stylesheets have arrived (its load event). After a click that loads a
 * new page (a form sent before the scripts run, or without them) its elements are there before
 * its styles: the browser paints nothing until they arrive, so no person sees that page, but axe
 * and a measurement would read it — default colours on a dark canvas failed axe's contrast rule
 * under INVITO_TEST_SLOW_SCRIPTS, and could on a loaded box. `goto` waits for it; a click does
 * not. (Not a check run in the page: a context without JavaScript runs no page-side polling.)
 */
export async function styled(page: Page): Promise<void> {
  await page.waitForLoadState("load");
}

/**
 * Whether the tests save screenshots (`INVITO_SCREENSHOTS=1`, as `npm run screenshots` sets it).
 * Off in a plain `npm test`: full-page PNGs were a third of the page tours' time (268 of them took
 * 47 of the pseudo-locale tour's 134 s), and CI keeps none of them. The checks do not depend on
 * them: what a tour asserts (overflow, axe, untranslated text) runs either way.
 */
export const SCREENSHOTS = Deno.env.get("INVITO_SCREENSHOTS") === "1";

/**
 * Saves a full-page PNG to test-results/screenshots/NAME.png for a person to look at and returns
 * its path, when screenshots are on (`SCREENSHOTS`); otherwise does nothing and returns null.
 */
export async function screenshot(page: Page, name: string): Promise<string | null> {
  return SCREENSHOTS ? await saveScreenshot(page, name) : null;
}

/** Saves a full-page PNG to test-results/screenshots/NAME.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  const dir = join(repoRoot, "test-results", "screenshots");
  await Deno.mkdir(dir, { recursive: true });
  const path = join(dir, `${name.replace(/[^\w.-]+/g, "-")}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Collects uncaught page errors and console errors from now on; call the returned function to
 * read them (e.g. `assert.deepEqual(errors(), [])` at the end of an e2e test).
 */
export function trackPageErrors(page: Page): () => string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console.error: ${m.text()}`);
  });
  return () => [...errors];
}

/**
 * How far the page scrolls sideways, with what reaches past the viewport's right edge (boxes and
 * text runs, so a word that overflows its box is named too) — so a failure says what to fix.
 * Returns "" when nothing scrolls.
 */
export async function sidewaysScroll(page: Page): Promise<string> {
  await styled(page);
  return await page.evaluate(() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return "";
    const edge = root.clientWidth;
    const name = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${String(el.className).slice(0, 50)}`;
    const out = [`${root.scrollWidth}px wide in a ${edge}px viewport`];
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.right > edge) out.push(`${name(el)} ends at ${r.right}`);
    }
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(n);
      const r = range.getBoundingClientRect();
      if (r.right > edge && n.parentElement) {
        out.push(
          `"${n.textContent?.trim().slice(0, 40)}" in ${name(n.parentElement)} ends at ${r.right}`,
        );
      }
    }
    return out.join("; ");
  });
}

/**
 * The app's scripts arrive `ms` late in `ctx`, as on a loaded CI machine. Pages work before their
 * scripts run (links and forms are server-rendered), so a test that clicks too early takes the
 * no-JavaScript path — a full page load, where client-side steps (the widget's messages to its
 * parent, the parent's redirect) do not happen. A test that needs them waits for a sign only the
 * running script gives; this makes the race lose every time instead of on a busy day.
 */
export async function slowScripts(ctx: BrowserContext, ms = 400): Promise<void> {
  await ctx.route("**/_app/immutable/**", async (route) => {
    await new Promise((r) => setTimeout(r, ms));
    await route.continue();
  });
}

/**
 * Prints what the browser and the server were doing when a test failed — every open page's and
 * frame's address with the start of its visible text, and the server's last log lines — into
 * the test output, which is all a CI run keeps. For e2e tests that failed rarely on a loaded box
 * (a form sent, then nothing within 30 s) with nothing else to go on.
 */
export async function showFailureState(browser: Browser, logs: () => string): Promise<void> {
  const lines: string[] = [];
  const within = <T>(p: Promise<T>) =>
    Promise.race([p, new Promise<string>((r) => setTimeout(() => r("(no answer in 3 s)"), 3_000))]);
  for (const ctx of browser.contexts()) {
    for (const page of ctx.pages()) {
      for (const frame of page.frames()) {
        const text = await within(
          frame.evaluate(() => document.body?.innerText ?? "").catch((e) => `(unreadable: ${e})`),
        );
        // What the fields hold (innerText leaves it out), and which the browser would refuse.
        const fields = await within(
          frame.evaluate(() =>
            [...document.querySelectorAll<HTMLInputElement>("input, textarea, select")]
              .filter((el) => el.type !== "hidden" && el.name !== "website")
              .map((el) =>
                `${el.name || el.id}=${JSON.stringify(el.value)}${
                  el.validity.valid ? "" : " (invalid)"
                }${el.disabled ? " (disabled)" : ""}`
              ).join(" ")
          ).catch((e) => `(unreadable: ${e})`),
        );
        const hydratedNow = await within(
          frame.evaluate(() => document.documentElement.dataset.hydrated !== undefined)
            .catch(() => "?"),
        );
        lines.push(
          `  ${frame.url()} (scripts running: ${hydratedNow})\n    ${
            String(text).replace(/\s+/g, " ").slice(0, 600)
          }\n    fields: ${String(fields).slice(0, 600)}`,
        );
      }
    }
  }
  console.error(
    [
      "--- at the failure: pages and frames ---",
      ...lines,
      "--- the server's last 40 log lines (static files left out) ---",
      ...logs().trimEnd().split("\n").filter((l) => !l.includes("route=static")).slice(-40),
    ].join("\n"),
  );
}
