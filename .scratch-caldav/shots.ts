import { startApp } from "../tests/support/app.ts";
import { createClient } from "../tests/support/http.ts";
import { startRadicale } from "../tests/support/radicale.ts";
import { launchBrowser, screenshot } from "../tests/support/browser.ts";
import { haltRadicale } from "../tests/integration/caldav-helpers.ts";
import { waitFor } from "../tests/support/wait.ts";

await using dav = await startRadicale();
await dav.mkcalendar("work", "Work");
await using app = await startApp({ demo: true, env: { INVITO_ALLOW_PRIVATE_CALDAV: "true", INVITO_SYNC_INTERVAL: "2s" } });
const c = createClient(app.baseUrl);
const since = app.logs().length;
await c.post("/signin?/email", { providerId: "email", email: "demo@invito.example", next: "/dashboard" });
const [, query] = await app.waitForLog(/\/signin\/verify\?(\S+)/, { since });
const u = new URLSearchParams(query);
await c.get(`/auth/callback/email?token=${u.get("token")}&email=${encodeURIComponent(u.get("email")!)}&callbackUrl=%2Fdashboard`);
const added = await c.post("/dashboard/calendars?/add", { serverUrl: dav.url, username: dav.username, password: dav.password });
console.log("added", added.status);
await haltRadicale(dav);
await new Promise((r) => setTimeout(r, 4500));
const acct = (await c.get("/dashboard/calendars")).body.match(/name="account" value="([0-9A-Z]{26})"/)![1];
await c.post("/dashboard/calendars?/sync", { account: acct });
const browser = await launchBrowser();
try {
  for (const width of [1280, 360]) {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    await context.addCookies(c.cookies({ all: true }).map((k) => ({ name: k.name, value: k.value, domain: k.domain, path: k.path, secure: false, httpOnly: k.httpOnly, sameSite: "Lax" as const })));
    const page = await context.newPage();
    await page.goto(app.url("/dashboard/calendars"));
    console.log(await screenshot(page, `scratch-calendars-error-${width}`));
    await page.goto(app.url("/calendar/demo/intro-call"));
    console.log(await screenshot(page, `scratch-booking-unavailable-${width}`));
    await context.close();
  }
} finally {
  await browser.close();
}
