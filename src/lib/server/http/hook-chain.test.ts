import assert from "node:assert/strict";
import type { Handle, RequestEvent, ResolveOptions } from "@sveltejs/kit";
import { chain } from "./hook-chain.ts";

const event = (path: string) => ({ url: new URL(`http://x${path}`), locals: {} }) as RequestEvent;

/** What SvelteKit's resolve would do with the options: run the page through them. */
const render = (log: string[]) => async (e: RequestEvent, opts?: ResolveOptions) => {
  log.push(`render ${e.url.pathname}`);
  const html = (await opts?.transformPageChunk?.({ html: "<p>", done: true })) ?? "<p>";
  log.push(`preload ${opts?.preload?.({ type: "js", path: "/a.js" })}`);
  log.push(`filter ${opts?.filterSerializedResponseHeaders?.("x-a", "1")}`);
  return new Response(html);
};

Deno.test("hook chain: hooks run in order before and in reverse after resolve; transforms apply inner first, the outer preload and header filter win", async () => {
  const log: string[] = [];
  const first: Handle = async ({ event, resolve }) => {
    log.push("first pre");
    const res = await resolve(event, {
      transformPageChunk: ({ html }) => `${html}[first]`,
      preload: () => false,
    });
    log.push("first post");
    return res;
  };
  const middle: Handle = ({ event, resolve }) => {
    log.push("middle pre");
    return resolve(event);
  };
  const last: Handle = async ({ event, resolve }) => {
    log.push("last pre");
    const res = await resolve(event, {
      transformPageChunk: ({ html }) => Promise.resolve(`${html}[last]`),
      preload: () => true,
      filterSerializedResponseHeaders: () => true,
    });
    log.push("last post");
    return res;
  };
  const res = await chain(first, middle, last)({ event: event("/a"), resolve: render(log) });
  assert.equal(await res.text(), "<p>[last][first]");
  assert.deepEqual(log, [
    "first pre",
    "middle pre",
    "last pre",
    "render /a",
    "preload false",
    "filter true",
    "last post",
    "first post",
  ]);
});

Deno.test("hook chain: a hook may answer without resolving, or pass on another event", async () => {
  const log: string[] = [];
  const gate: Handle = ({ event, resolve }) =>
    event.url.pathname === "/closed" ? new Response("no", { status: 404 }) : resolve(event);
  const rewrite: Handle = ({ event, resolve }) => resolve({ ...event, url: new URL("http://x/b") });
  const handle = chain(gate, rewrite);
  const closed = await handle({ event: event("/closed"), resolve: render(log) });
  assert.equal(closed.status, 404);
  assert.deepEqual(log, []);
  await handle({ event: event("/a"), resolve: render(log) });
  assert.equal(log[0], "render /b");
  const none = await chain()({ event: event("/c"), resolve: render(log) });
  assert.equal(await none.text(), "<p>");
});
