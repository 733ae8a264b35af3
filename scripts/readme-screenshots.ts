/**
 * Takes the README's screenshots from the built server (`npm run build` first):
 * `deno run -A scripts/readme-screenshots.ts` → docs/screenshots/*.png (viewport only, so the
 * files stay small). Desktop 1366×768 and phone 390×844, light and dark, English and German.
 */
import { join } from "node:path";
import { repoRoot, startApp } from "../tests/support/app.ts";
import { launchBrowser } from "../tests/support/browser.ts";
import { signIn } from "../tests/reliability/harness.ts";

const out = join(repoRoot, "docs", "screenshots");
await Deno.mkdir(out, { recursive: true });
const app = await startApp({ demo: true });
const browser = await launchBrowser();
try {
  const c = await signIn(app, "demo@invito.example");
  const cookies = c.cookies({ all: true }).map((k) => ({
    name: k.name,
    value: k.value,
    domain: k.domain,
    path: k.path,
    httpOnly: k.httpOnly,
    secure: false,
    sameSite: "Lax" as const,
  }));
  const shots: {
    name: string;
    path: string;
    width: number;
    height: number;
    scheme: "light" | "dark";
    locale: string;
    host?: boolean;
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
  ];
  for (const s of shots) {
    const ctx = await browser.newContext({
      viewport: { width: s.width, height: s.height },
      colorScheme: s.scheme,
      locale: s.locale,
      timezoneId: "America/New_York",
    });
    if (s.host) await ctx.addCookies(cookies);
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
