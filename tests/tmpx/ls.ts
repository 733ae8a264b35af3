import { chromium } from "playwright-core";
import { chromiumArgs, chromiumPath, launchBrowser } from "../support/browser.ts";
const server = await chromium.launchServer({ executablePath: chromiumPath, args: chromiumArgs });
for (let i = 0; i < 4; i++) {
  const t0 = performance.now();
  const b = await chromium.connect(server.wsEndpoint());
  const t1 = performance.now();
  const p = await b.newPage();
  const t2 = performance.now();
  await p.setContent("<p>hi</p>");
  const t3 = performance.now();
  await b.close();
  console.log("connect", Math.round(t1 - t0), "newPage", Math.round(t2 - t1), "content", Math.round(t3 - t2));
}
await server.close();
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const b = await launchBrowser();
  const t1 = performance.now();
  const p = await b.newPage();
  const t2 = performance.now();
  await p.setContent("<p>hi</p>");
  const t3 = performance.now();
  await b.close();
  console.log("launch", Math.round(t1 - t0), "newPage", Math.round(t2 - t1), "content", Math.round(t3 - t2), "close", Math.round(performance.now() - t3));
}
