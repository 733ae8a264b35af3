import { chromium } from "playwright-core";
import { startApp } from "./tests/support/app.ts";
const app = await startApp({ demo: true, env: { INVITO_RATE_LIMIT: "off" } });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless=new", "--no-sandbox", "--disable-gpu"] });
const path = Deno.args[0] ?? "/calendar/demo/intro-call";
for (let i = 0; i < 5; i++) await (await fetch(app.url(path))).body?.cancel();
const agg = new Map<string, number>();
let total = 0;
for (let run = 0; run < 4; run++) {
  const ctx = await browser.newContext({ timezoneId: "UTC" });
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.send("Profiler.start");
  await page.goto(app.url(path), { waitUntil: "networkidle" });
  await page.waitForTimeout(200);
  const { profile } = await cdp.send("Profiler.stop") as any;
  const byId = new Map(profile.nodes.map((n: any) => [n.id, n]));
  const dt: number[] = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const n: any = byId.get(profile.samples[i]);
    const f = n.callFrame;
    const key = `${f.functionName || "(anon)"} ${f.url.split("/").pop()}:${f.lineNumber}`;
    if (f.functionName === "(idle)" || f.functionName === "(program)") continue;
    agg.set(key, (agg.get(key) ?? 0) + dt[i] / 1000);
    total += dt[i] / 1000;
  }
  await ctx.close();
}
console.log("total ms (4 runs)", Math.round(total));
for (const [k, v] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(Math.round(v), k);
await browser.close(); await app.stop();
