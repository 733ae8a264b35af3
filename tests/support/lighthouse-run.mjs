// Runs Lighthouse 12 (npm `lighthouse`) under Node on each URL given, in one Debian Chromium
// (CHROME_PATH, default /usr/bin/chromium), offline, and prints one JSON line per URL:
//
//   {"url": "...", "scores": {"accessibility": 1, ...}, "failed": [{"id", "title", "items"}]}
//
// Usage: node tests/support/lighthouse-run.mjs URL...
// Only the accessibility, best-practices and SEO categories run (performance is for a real
// network and device, not a test machine). The form factor is Lighthouse's default (a phone).
// Used by tests/e2e/lighthouse.e2e.test.ts; needs Node ≥ 18.16 (Debian's Node 20 does).
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const urls = process.argv.slice(2);
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  chromeFlags: [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
  logLevel: "silent",
});
try {
  for (const url of urls) {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["accessibility", "best-practices", "seo"],
      disableFullPageScreenshot: true,
    });
    const lhr = result.lhr;
    const scores = {};
    const failed = [];
    for (const [id, cat] of Object.entries(lhr.categories)) {
      scores[id] = cat.score;
      for (const ref of cat.auditRefs) {
        const audit = lhr.audits[ref.id];
        if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
          const items = (audit.details?.items ?? []).slice(0, 5).map((it) =>
            JSON.stringify(it).slice(0, 400)
          );
          failed.push({ category: id, id: ref.id, title: audit.title, items });
        }
      }
    }
    console.log(JSON.stringify({ url, scores, failed, warnings: lhr.runWarnings }));
  }
} finally {
  await chrome.kill();
}
