/**
 * Takes every README screenshot from the built server (`npm run build` first):
 * `deno run -A scripts/readme-screenshots.ts` → docs/screenshots/*.png (viewport only, so the
 * files stay small). Desktop 1366×768 and phone 390×844, light and dark, English and German.
 * Before the shots it makes what they show, as a guest and the host would: a request moved by
 * its guest (the old link and the host's list), a confirmed booking (the page after booking),
 * and a newcomer's first-run setup.
 */
import { join } from "node:path";
import { repoRoot, startApp } from "../tests/support/app.ts";
import { launchBrowser, sessionCookies } from "../tests/support/browser.ts";
import { signIn } from "../tests/reliability/harness.ts";
import { fullDay } from "../tests/support/slots.ts";

const out = join(repoRoot, "docs", "screenshots");
await Deno.mkdir(out, { recursive: true });
const app = await startApp({ demo: true });
const browser = await launchBrowser();
try {
  const cookiesOf = sessionCookies;
  const cookies = cookiesOf(await signIn(app, "demo@invito.example"));
  // A newcomer, signed in for the first time: the first-run setup.
  const newcomer = cookiesOf(await signIn(app, "hanna@example.test"));

  // What the shots show, made the way a guest makes it (in a New York browser).
  const guest = await browser.newContext({ timezoneId: "America/New_York", locale: "en-US" });
  const gp = await guest.newPage();
  const book = async (slug: string, name: string, nth: number) => {
    const day = await fullDay(app.baseUrl, `/calendar/demo/${slug}`, {
      tz: "America/New_York",
      min: nth + 1,
    });
    await gp.goto(app.url(day.path));
    await gp.waitForLoadState("networkidle");
    await gp.locator("a[data-slot]").nth(nth).click();
    await gp.getByLabel("Name").fill(name);
    await gp.getByLabel("Email").fill(`${name.split(" ")[0].toLowerCase()}@example.test`);
    await gp.getByRole("button", { name: /Request this time|Book this time/ }).click();
    await gp.waitForURL(/\/booking\//);
    return { url: gp.url().replace(/\?.*$/, ""), date: day.date };
  };
  // Ann asks for an intro call and moves it with her link: the old link reads "moved".
  const ann = await book("intro-call", "Ann Lee", 1);
  const annOld = ann.url;
  await gp.getByRole("link", { name: "Reschedule" }).click();
  await gp.waitForURL(/\/reschedule/);
  // The same full day (the picker opens on the first free day, which may be today's last time).
  const u = new URL(gp.url());
  u.searchParams.set("date", ann.date);
  u.searchParams.set("tz", "America/New_York");
  await gp.goto(u.href);
  await gp.waitForLoadState("networkidle");
  await gp.locator("a[data-slot]").nth(4).click();
  await gp.getByRole("button", { name: /Move my booking|Request/ }).click();
  await gp.waitForURL((u) => !u.href.startsWith(annOld));
  // Ben books a quick chat, confirmed at once: the page after booking.
  const benUrl = (await book("quick-chat", "Ben Okafor", 2)).url;
  await guest.close();
  const shots: {
    name: string;
    path: string;
    width: number;
    height: number;
    scheme: "light" | "dark";
    locale: string;
    host?: boolean;
    /** another signed-in person's cookies (the newcomer) */
    as?: typeof cookies;
    before?: (p: import("playwright-core").Page) => Promise<void>;
  }[] = [
    {
      name: "booking-page",
      path: "/calendar/demo/intro-call?tz=America/New_York",
      width: 1366,
      height: 768,
      scheme: "light",
      locale: "en-US",
    },
    {
      name: "booking-page-phone-dark-de",
      path: "/calendar/demo/intro-call?tz=Europe/Berlin&lang=de",
      width: 390,
      height: 844,
      scheme: "dark",
      locale: "de-DE",
    },
    {
      name: "time-zone-combobox",
      path: "/calendar/demo/quick-chat?tz=America/New_York",
      width: 1366,
      height: 768,
      scheme: "dark",
      locale: "en-GB",
      before: async (p) => {
        await p.waitForLoadState("networkidle");
        await p.getByTestId("guest-settings").locator("summary").click();
        await p.getByRole("combobox").fill("Syd");
        await p.getByRole("listbox").waitFor();
      },
    },
    {
      name: "dashboard-home",
      path: "/dashboard",
      width: 1366,
      height: 768,
      scheme: "light",
      locale: "en-US",
      host: true,
    },
    {
      name: "dashboard-phone-menu",
      path: "/dashboard",
      width: 390,
      height: 844,
      scheme: "dark",
      locale: "en-US",
      host: true,
      before: async (p) => {
        await p.waitForLoadState("networkidle");
        await p.locator("header nav summary").click();
      },
    },
    {
      name: "dashboard-calendars",
      path: "/dashboard/calendars",
      width: 1366,
      height: 768,
      scheme: "light",
      locale: "en-US",
      host: true,
    },
    {
      name: "moved-booking",
      path: new URL(annOld).pathname,
      width: 1366,
      height: 768,
      scheme: "light",
      locale: "en-US",
    },
    {
      name: "bookings-list",
      path: "/dashboard/bookings",
      width: 1366,
      height: 768,
      scheme: "light",
      locale: "en-US",
      host: true,
    },
    {
      name: "after-booking-phone",
      path: new URL(benUrl).pathname,
      width: 390,
      height: 844,
      scheme: "light",
      locale: "en-US",
    },
    {
      name: "embed-preview",
      path: "/dashboard/embed",
      width: 1366,
      height: 768,
      scheme: "light",
      locale: "en-US",
      host: true,
      before: async (p) => {
        await p.waitForLoadState("networkidle");
        await p.getByTestId("embed-preview").scrollIntoViewIfNeeded();
      },
    },
    {
      name: "setup",
      path: "/dashboard/setup",
      width: 1366,
      height: 768,
      scheme: "light",
      locale: "en-US",
      as: newcomer,
    },
    {
      name: "profile-phone-dark-de",
      path: "/dashboard/profile",
      width: 390,
      height: 844,
      scheme: "dark",
      locale: "de-DE",
      host: true,
    },
  ];
  for (const s of shots) {
    const ctx = await browser.newContext({
      viewport: { width: s.width, height: s.height },
      colorScheme: s.scheme,
      locale: s.locale,
      timezoneId: "America/New_York",
    });
    if (s.host) await ctx.addCookies(cookies);
    if (s.as) await ctx.addCookies(s.as);
    const page = await ctx.newPage();
    await page.goto(app.url(s.path));
    await s.before?.(page);
    await page.screenshot({ path: join(out, `${s.name}.png`) });
    await ctx.close();
    console.log(`docs/screenshots/${s.name}.png`);
  }
} finally {
  await browser.close();
  await app.stop();
}
