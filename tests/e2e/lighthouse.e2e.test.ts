/**
 * Lighthouse 12 (npm `lighthouse`, run by Node with Debian's Chromium, offline): accessibility,
 * best practices and SEO score 100 on the booking page and on the host's page, in every language,
 * and the pages carry their Open Graph / Twitter card with a reachable image.
 *
 * Two Node processes share the pages (one Chromium each). Needs `node` ≥ 18.16 and
 * `npm run build`; CHROME_PATH defaults to /usr/bin/chromium.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot, startApp } from "../support/app.ts";
import { fullChromiumPath } from "../support/browser.ts";
import { LANGUAGES } from "../../src/lib/shared/i18n.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

type Report = {
  url: string;
  scores: Record<string, number | null>;
  failed: { category: string; id: string; title: string; items: string[] }[];
};

async function lighthouse(urls: string[]): Promise<Report[]> {
  const out = await new Deno.Command("node", {
    args: [join(repoRoot, "tests", "support", "lighthouse-run.mjs"), ...urls],
    env: { CHROME_PATH: Deno.env.get("CHROME_PATH") ?? fullChromiumPath },
    cwd: repoRoot,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.ok(out.success, `lighthouse failed: ${new TextDecoder().decode(out.stderr).slice(-2000)}`);
  return stdout.trim().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

Deno.test({
  ...opts,
  name:
    "Lighthouse: accessibility, best practices and SEO are 100 on the booking page and the host's page in every language",
  async fn() {
    await using app = await startApp({ demo: true });
    // The booking page in the zone and clock of Lighthouse's browser (UTC), the page a guest
    // lands on: without them the page goes at once to that address (app.html, ADR 056), and
    // DevTools never reports the first document's request as ended, so Lighthouse waited out its
    // 45 s page-load limit on each (8 runs took 133 s of the suite; now ~3 s each).
    const urls = LANGUAGES.flatMap((lang) => [
      app.url(`/calendar/demo/intro-call?lang=${lang}&tz=UTC&clock=24h`),
      app.url(`/calendar/demo/?lang=${lang}`),
    ]);
    const half = Math.ceil(urls.length / 2);
    const reports = (await Promise.all([
      lighthouse(urls.slice(0, half)),
      lighthouse(urls.slice(half)),
    ])).flat();
    assert.equal(reports.length, urls.length);
    const below: string[] = [];
    for (const r of reports) {
      for (const [category, score] of Object.entries(r.scores)) {
        if (score !== 1) below.push(`${r.url} ${category} ${score}`);
      }
      for (const f of r.failed) {
        below.push(`${r.url} ${f.category}/${f.id}: ${f.title} ${f.items.join(" | ")}`);
      }
    }
    assert.deepEqual(below, []);
    assert.deepEqual(
      reports.map((r) => Object.keys(r.scores).sort()),
      urls.map(() => ["accessibility", "best-practices", "seo"]),
    );
  },
});

Deno.test({
  ...opts,
  name:
    "link previews: the booking and host pages carry Open Graph and Twitter card tags in the page's language, with a 1200×630 PNG",
  async fn() {
    await using app = await startApp({ demo: true });
    const meta = (html: string, attr: "property" | "name", key: string) =>
      new RegExp(`<meta ${attr}="${key.replace(/[:.]/g, "\\$&")}" content="([^"]*)"`).exec(html)
        ?.[1];
    for (const lang of LANGUAGES) {
      for (const path of ["/calendar/demo/intro-call", "/calendar/demo/"]) {
        const html = await (await fetch(app.url(`${path}?lang=${lang}`))).text();
        const where = `${path}?lang=${lang}`;
        for (const key of ["og:title", "og:description", "og:url", "og:image", "og:image:alt"]) {
          assert.ok(meta(html, "property", key), `${where}: ${key}`);
        }
        assert.equal(meta(html, "name", "twitter:card"), "summary_large_image", where);
        assert.equal(meta(html, "name", "twitter:image"), meta(html, "property", "og:image"));
        assert.equal(meta(html, "property", "og:url"), app.url(`${path}?lang=${lang}`));
        assert.match(html, new RegExp(`<html lang="${lang}"`));
        assert.match(meta(html, "property", "og:locale")!, new RegExp(`^${lang}_`));
        assert.match(html, /<meta name="description" content="[^"]{20,}"/);
        for (const l of LANGUAGES) {
          assert.match(
            html,
            new RegExp(`<link rel="alternate" hreflang="${l}" href="[^"]+lang=${l}"`),
          );
        }
      }
    }
    // The titles follow the language; the host page describes itself in it.
    const de = await (await fetch(app.url("/calendar/demo/?lang=de"))).text();
    assert.equal(meta(de, "property", "og:title"), "Einen Termin mit Demo Host buchen · Invito");
    assert.match(
      meta(de, "name", "twitter:description")!,
      /^Buchen Sie einen Termin mit Demo Host/,
    );
    // The image is served, a PNG of the size announced.
    const img = await fetch(meta(de, "property", "og:image")!);
    assert.equal(img.status, 200);
    assert.equal(img.headers.get("content-type"), "image/png");
    const bytes = new Uint8Array(await img.arrayBuffer());
    const view = new DataView(bytes.buffer);
    assert.deepEqual([view.getUint32(16), view.getUint32(20)], [1200, 630]);
  },
});
