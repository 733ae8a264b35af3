/**
 * Requests that enter SvelteKit while it renders another page (the built server, in process).
 *
 * With relative asset paths SvelteKit set its one process-wide `base` to the rendered page's
 * "../.." and put it back only after an await. A request entering SvelteKit in that microtask
 * failed its check against `base` and was answered a bare "Not found": under load, a guest's
 * booking now and then came back 404 (the team history test and the seats crowd in CI).
 *
 * Over HTTP that window is a matter of luck; here it is not. One page is rendered with no I/O
 * (the 404 page), and a request starts at every microtask until it is done, so one of them
 * surely arrives in the tick after the render (on the commit before the fix, exactly one did).
 */
import assert from "node:assert/strict";
import { APP_HOLDER } from "../../src/lib/server/app-holder.ts";
import { settleCounts } from "../../src/lib/server/services/insights-count.ts";
import { createEventType, createHost, memoryApp } from "../support/memory-app.ts";
import { repoRoot } from "../support/app.ts";
import { join } from "node:path";

Deno.test({
  name:
    "a request that starts while another page renders is answered by its own route, never a bare 404",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const app = await memoryApp({ nowIso: new Date().toISOString() });
    try {
      const host = await createHost(app, { username: "crosstalk", timeZone: "UTC" });
      await createEventType(app, host, { slug: "call", durationMin: 30 });
      // The build's init takes the App already held (app-holder.ts) instead of opening a store.
      (globalThis as Record<symbol, unknown>)[APP_HOLDER] = Promise.resolve(app);
      const build = join(repoRoot, ".deno-deploy");
      const { prepareServer } = await import(join(build, "handler.ts"));
      const read = async (f: string) => JSON.parse(await Deno.readTextFile(join(build, f)));
      // As server.ts builds it: static files are answered before this handler.
      const handler: Deno.ServeHandler<Deno.NetAddr> = prepareServer(
        await read("svelte.json"),
        { ...(await read("deploy.json")), staticFiles: [], headers: [] },
        build,
      );
      const info = {
        remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 40_000 },
        completed: Promise.resolve(),
      } as Deno.ServeHandlerInfo<Deno.NetAddr>;
      const base = app.config.baseUrl.origin;
      const paths = ["/healthz", "/calendar/crosstalk/call?tz=UTC", "/calendar/crosstalk"];
      // Each once before: the routes' modules loaded, so every request below takes its usual path.
      for (const p of [...paths, "/no/such/page"]) {
        await (await handler(new Request(base + p), info)).body?.cancel();
      }

      for (const depth of ["/no/such/page", "/a/b/c/d/e"]) {
        const others: Promise<Response>[] = [];
        let rendered = false;
        const render = Promise.resolve(handler(new Request(base + depth), info)).finally(() =>
          rendered = true
        );
        const start = () => {
          const path = paths[others.length % paths.length];
          others.push(Promise.resolve(handler(new Request(base + path), info)));
          if (!rendered && others.length < 5_000) queueMicrotask(start);
        };
        queueMicrotask(start);
        const page = await render;
        assert.equal(page.status, 404);
        assert.match(await page.text(), /This page does not exist/);
        const answers = await Promise.all(others.map(async (p, i) => {
          const res = await p;
          const text = await res.text();
          return `${paths[i % paths.length]} ${res.status}${res.status === 200 ? "" : ` ${text}`}`;
        }));
        assert.ok(answers.length > 10, `only ${answers.length} requests started during the render`);
        assert.deepEqual(
          answers.filter((a) => !a.endsWith(" 200")),
          [],
          `requests started while ${depth} rendered`,
        );
      }
    } finally {
      // The build counts with its own copy of the counting code, which closing a memory app's
      // store does not reach (tests/support/memory-app.ts): its page views are written first.
      await settleCounts();
      app.close();
    }
  },
});
