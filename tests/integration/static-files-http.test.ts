/**
 * Static files are answered from memory by server.ts (http/static-files.ts); what is not among
 * them is SvelteKit's to answer. A browser that kept a page open across an upgrade asks for the
 * old build's chunks: that is a 404, not a 500 (the adapter's own file route used to open the
 * missing file and fail), and a static file is no answer to a POST.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";

Deno.test({
  name:
    "static files: a build chunk that is not there is a 404, never a 5xx; a static file answers GET and HEAD, not POST",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const html = await (await fetch(app.url("/calendar/demo/intro-call"))).text();
    const chunk = /\/_app\/immutable\/[^"'\s]+\.js/.exec(html)?.[0];
    assert.ok(chunk, "the page names its build chunks");
    const served = await fetch(app.url(chunk));
    assert.equal(served.status, 200);
    assert.match(served.headers.get("cache-control") ?? "", /immutable/);
    await served.body?.cancel();

    for (const path of ["/_app/immutable/chunks/gone-1a2b3c.js", "/_app/immutable/x/y/z.css"]) {
      for (const method of ["GET", "HEAD"]) {
        const res = await fetch(app.url(path), { method });
        await res.body?.cancel();
        assert.equal(res.status, 404, `${method} ${path}`);
      }
    }
    // Other spellings of asset paths: encoded dots and slashes, a broken escape.
    for (
      const [path, status] of [
        ["/_app/immutable/%2e%2e/%2e%2e/deploy.json", 404],
        ["/_app/immutable/chunks%2Fgone.js", 404],
        ["/%5Fapp/immutable/gone.js", 404],
        ["/_app/immutable/%E0%A4%A.js", 400],
      ] as const
    ) {
      const res = await fetch(app.url(path));
      await res.body?.cancel();
      assert.equal(res.status, status, path);
    }
    const head = await fetch(app.url("/favicon.svg"), { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-type"), "image/svg+xml");
    for (const path of ["/favicon.svg", chunk, "/_app/immutable/chunks/gone-1a2b3c.js"]) {
      const res = await fetch(app.url(path), {
        method: "POST",
        headers: { origin: app.baseUrl, "content-type": "application/x-www-form-urlencoded" },
        body: "a=1",
      });
      await res.body?.cancel();
      assert.ok(res.status >= 400 && res.status < 500, `POST ${path}: ${res.status}`);
      assert.doesNotMatch(res.headers.get("content-type") ?? "", /svg|javascript/, `POST ${path}`);
    }
    assert.doesNotMatch(app.logs(), /request failed/);
  },
});

Deno.test({
  name:
    "static files: a script asked for without compression comes whole with its length, the same bytes as the brotli copy a browser gets, and HEAD says the same length",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const page = await fetch(app.url("/calendar/demo/intro-call"));
    // The page's scripts, named in its Link header (preloads) and its HTML.
    const names = (page.headers.get("link") ?? "") + await page.text();
    const chunks = [
      ...new Set([...names.matchAll(/\/_app\/immutable\/[^"'>\s]+\.js/g)].map((m) => m[0])),
    ];
    assert.ok(chunks.length >= 2, "the page names its build chunks");
    let compressed = 0;
    for (const chunk of chunks) {
      const plain = await fetch(app.url(chunk), { headers: { "accept-encoding": "identity" } });
      const bytes = new Uint8Array(await plain.arrayBuffer());
      assert.equal(plain.status, 200, chunk);
      assert.equal(plain.headers.get("content-encoding"), null);
      assert.equal(plain.headers.get("content-length"), String(bytes.length), chunk);
      assert.match(plain.headers.get("content-type") ?? "", /javascript/);
      // The brotli copy, where the build made one (its tag says so; fetch decodes it).
      const br = await fetch(app.url(chunk), { headers: { "accept-encoding": "br" } });
      if (/-br"$/.test(br.headers.get("etag") ?? "")) compressed++;
      assert.deepEqual(new Uint8Array(await br.arrayBuffer()), bytes, `${chunk}: the same bytes`);
      const head = await fetch(app.url(chunk), {
        method: "HEAD",
        headers: { "accept-encoding": "identity" },
      });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get("content-length"), String(bytes.length));
      // A second plain request is answered the same (and with the same tag).
      const again = await fetch(app.url(chunk), { headers: { "accept-encoding": "identity" } });
      assert.equal(again.headers.get("etag"), plain.headers.get("etag"));
      assert.equal((await again.arrayBuffer()).byteLength, bytes.length);
    }
    assert.ok(compressed >= 2, `${compressed} of the page's scripts have a brotli copy`);
  },
});
