/**
 * A kept booking page is answered before SvelteKit (issue 26, ADR 049): the answer a guest gets
 * is the one SvelteKit gave (every header but what differs per response), it still stays exact
 * — a booking made in this process, in another process on the same KV file, or in another
 * process on remote KV (KV Connect) shows on the very next view — and the page's rate limit
 * still counts it. Which way a view was answered is told by `invito_page_cache_total`.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { postEnhanced } from "../support/http.ts";
import { startCluster } from "../support/cluster.ts";
import { fullDay, slotsIn } from "../support/slots.ts";
import { waitFor } from "../support/wait.ts";
import { metricByLabel, METRICS_ENV, metricsText } from "../support/metrics.ts";

const PAGE = "/calendar/demo/intro-call?tz=UTC";
const slotsOf = slotsIn;

/**
 * The page for a date from tomorrow on with a full day of times, asked of `via` (another
 * process than the one under test, whose kept pages must stay unseen). The page's own first day
 * may be today with one time left, or move to the next day once the test books it.
 */
const fullPage = async (via: string) =>
  (await fullDay(via, "/calendar/demo/intro-call", { min: 4 })).path;

/** How many views each way has answered so far. */
async function answers(base: string): Promise<Record<string, number>> {
  return {
    early: 0,
    kept: 0,
    rendered: 0,
    ...metricByLabel(await metricsText(base), "invito_page_cache_total", "answer"),
  };
}

async function viewOf(base: string, headers: Record<string, string> = {}, page = PAGE) {
  const res = await fetch(base + page, { headers });
  const body = await res.text();
  return { status: res.status, headers: res.headers, body };
}

/** The headers a guest would compare, without what differs per response by design. */
function comparable(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of h) {
    // The size and the tag are how these bytes travel. The encoding is not: a kept page is
    // gzipped from its parts deflated once, from its first view on (issue 26).
    const travel = ["content-length", "transfer-encoding", "etag"];
    if (k === "date" || k === "x-request-id" || travel.includes(k)) continue;
    // The nonce, and the booker cookie a browser without one gets (ADR 060), are each answer's own.
    out[k] = k === "content-security-policy"
      ? v.replace(/'nonce-[^']+'/, "'nonce-N'")
      : k === "set-cookie"
      ? v.replace(/^invito_booker=[^;]+/, "invito_booker=V")
      : v;
  }
  return out;
}

/**
 * Two processes sharing a store the way users run them: on remote KV (a local KV file is for one
 * process; two on one file meet "database is locked"), with their metrics readable.
 */
const twoProcesses = () =>
  startCluster({
    processes: 2,
    demo: true,
    env: { ...METRICS_ENV, INVITO_DISABLE_CRON: "true" },
  });

const book = (base: string, start: string, who: string, origin = base) =>
  postEnhanced(base, "/calendar/demo/intro-call?/book", {
    name: `Guest ${who}`,
    email: `guest-${who}@example.test`,
    note: "",
    start,
    tz: "UTC",
  }, origin);

Deno.test({
  name:
    "page early: a kept page is answered before SvelteKit with SvelteKit's headers and its own nonce, and a booking in this process or another one on the same store shows on the next view",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using c = await twoProcesses();
    const [a, b] = c.apps;
    const page = await fullPage(b.baseUrl);
    const view = (base: string, headers: Record<string, string> = {}) =>
      viewOf(base, headers, page);

    const rendered = await view(a.baseUrl);
    assert.equal(rendered.status, 200);
    const before = await answers(a.baseUrl);
    const early = await view(a.baseUrl);
    const after = await answers(a.baseUrl);
    assert.equal(
      after.early,
      before.early + 1,
      `answered before SvelteKit: ${JSON.stringify(after)}`,
    );
    assert.equal(early.status, 200);
    assert.deepEqual(comparable(early.headers), comparable(rendered.headers));
    const nonce = /'nonce-([^']+)'/.exec(early.headers.get("content-security-policy")!)![1];
    const firstNonce = /'nonce-([^']+)'/.exec(rendered.headers.get("content-security-policy")!)![1];
    assert.notEqual(nonce, firstNonce, "a nonce of its own");
    const scripts = [...early.body.matchAll(/<script nonce="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(scripts.length >= 1 && scripts.every((n) => n === nonce), scripts.join(" "));
    assert.deepEqual(slotsOf(early.body), slotsOf(rendered.body));

    // Another language is another answer (SvelteKit decides it; then it is kept as well).
    const de = await view(a.baseUrl, { "accept-language": "de-DE,de;q=0.9" });
    assert.match(de.body, /<html lang="de(-DE)?"/);
    assert.match(early.body, /<html lang="en"/);

    // A booking in another process on the same store: the next view is computed again.
    const [first, second] = slotsOf(early.body);
    const byB = await book(b.baseUrl, first, "b", c.baseUrl);
    assert.equal(byB.type, "redirect", JSON.stringify(byB));
    const n0 = await answers(a.baseUrl);
    const afterB = await view(a.baseUrl);
    assert.ok(!slotsOf(afterB.body).includes(first), "A no longer offers the time B booked");
    assert.equal((await answers(a.baseUrl)).early, n0.early, "not from the kept page");
    // Kept again from here on …
    await view(a.baseUrl);
    assert.equal((await answers(a.baseUrl)).early, n0.early + 1);
    // … until this process books.
    const byA = await book(a.baseUrl, second, "a", c.baseUrl);
    assert.equal(byA.type, "redirect", JSON.stringify(byA));
    const afterA = await view(a.baseUrl);
    assert.ok(!slotsOf(afterA.body).includes(second), "A no longer offers its own booking");
    assert.deepEqual(
      slotsOf(afterA.body),
      slotsOf(early.body).filter((s) => s !== first && s !== second),
    );
  },
});

Deno.test({
  name: "page early: the booking page's rate limit counts views answered before SvelteKit",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({
      demo: true,
      env: { ...METRICS_ENV, INVITO_RATE_LIMIT: "page=4/1m" },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await viewOf(app.baseUrl)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 429, 429]);
    assert.ok((await answers(app.baseUrl)).early >= 1, "some were answered before SvelteKit");
  },
});

Deno.test({
  name:
    "page early on remote KV (KV Connect): a kept view costs one KV read, and a booking through the other process shows on the next view",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using c = await startCluster({
      processes: 2,
      demo: true,
      env: { INVITO_DISABLE_CRON: "true", ...METRICS_ENV },
    });
    const [a, b] = c.apps;
    const page = await fullPage(b.baseUrl);
    const view = (base: string) => viewOf(base, {}, page);
    const before = (await view(a.baseUrl)).body;
    await view(a.baseUrl);
    // An unchanged host: one read of its revision. The settings copy refreshes once a second,
    // so of a few tries one falls inside such a second.
    const reads: number[] = [];
    for (let i = 0; i < 5 && !reads.includes(1); i++) {
      const r0 = c.kv.stats().reads;
      await view(a.baseUrl);
      reads.push(c.kv.stats().reads - r0);
    }
    assert.ok(reads.includes(1), `KV reads per kept view: ${reads.join(", ")}`);
    const e0 = (await answers(a.baseUrl)).early;
    assert.ok(e0 >= reads.length, `answered before SvelteKit: ${e0}`);

    const [taken] = slotsOf(before);
    const res = await fetch(`${b.baseUrl}/calendar/demo/intro-call?/book`, {
      method: "POST",
      headers: { origin: c.baseUrl, accept: "application/json", "x-sveltekit-action": "true" },
      body: new URLSearchParams({
        name: "Guest in B",
        email: "guest-b@example.test",
        note: "",
        start: taken,
        tz: "UTC",
      }),
    });
    assert.equal((await res.json()).type, "redirect");
    const after = await view(a.baseUrl);
    assert.ok(!slotsOf(after.body).includes(taken), "A no longer offers B's booking");
    const e1 = await answers(a.baseUrl);
    assert.equal(e1.early, e0, `that view was computed again: ${JSON.stringify(e1)} ${e0}`);
  },
});

Deno.test({
  name:
    "page cache: thirty guests opening a page nobody has seen yet at once cause one render; the others get that page with their own nonce",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true, env: { ...METRICS_ENV } });
    const path = `${await fullPage(app.baseUrl)}&lang=fr`; // not asked for yet: in French
    const before = await answers(app.baseUrl);
    const views = await Promise.all(Array.from({ length: 30 }, async () => {
      const res = await fetch(app.baseUrl + path);
      return {
        status: res.status,
        csp: res.headers.get("content-security-policy"),
        body: await res.text(),
      };
    }));
    assert.ok(views.every((v) => v.status === 200));
    const after = await answers(app.baseUrl);
    assert.equal(after.rendered - before.rendered, 1, JSON.stringify(after));
    const nonces = new Set(views.map((v) => /'nonce-([^']+)'/.exec(v.csp!)![1]));
    assert.equal(nonces.size, 30, "every answer has its own nonce");
    assert.ok(views.every((v) => slotsOf(v.body).join() === slotsOf(views[0].body).join()));
  },
});

/**
 * What a client-side navigation asks for (SvelteKit's `__data.json` of the booking page): the
 * page data, in SvelteKit's flattened form — the root object's keys point at values by index.
 */
async function clickOf(base: string, page: string) {
  const at = page.indexOf("?");
  const path = `${page.slice(0, at)}/__data.json${page.slice(at)}&x-sveltekit-invalidated=001`;
  const res = await fetch(base + path);
  assert.equal(res.status, 200);
  const flat = (await res.json()).nodes.at(-1).data as unknown[];
  const root = flat[0] as Record<string, number>;
  const value = (i: number) => flat[i];
  const slots = (value(root.slots) as number[]).map((i) =>
    value((value(i) as { start: number }).start) as string
  );
  return { slots, fillToken: value(root.fillToken) as string };
}

Deno.test({
  name:
    "page early: a guest's clicks through days and times (client-side navigation data) are kept too, each with its own fill-time token, and a booking in another process shows on the next click",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using c = await twoProcesses();
    const [a, b] = c.apps;
    const page = await fullPage(b.baseUrl);

    // The kept data holds for the minute; the token names its second. Both clicks fall in one
    // minute, in two different seconds, so a token copied from the first would show.
    await waitFor(() => new Date().getSeconds() < 55, {
      timeoutMs: 10_000,
      intervalMs: 20,
      message: "a minute with time left",
    });
    const first = await clickOf(a.baseUrl, page);
    const tokenMs = (t: string) => Number(t.split(".")[0]);
    await waitFor(() => Date.now() >= tokenMs(first.fillToken) + 1000, {
      intervalMs: 20,
      message: "the next second",
    });
    assert.deepEqual(first.slots, slotsOf(await (await fetch(b.baseUrl + page)).text()));
    const before = await answers(a.baseUrl);
    const again = await clickOf(a.baseUrl, page);
    const after = await answers(a.baseUrl);
    assert.equal(
      after.early,
      before.early + 1,
      `answered from the kept data: ${JSON.stringify(after)}`,
    );
    assert.deepEqual(again.slots, first.slots);
    assert.ok(
      tokenMs(again.fillToken) > tokenMs(first.fillToken),
      `a fill-time token of its own second: ${again.fillToken} after ${first.fillToken}`,
    );

    const [taken] = first.slots;
    const byB = await book(b.baseUrl, taken, "b", c.baseUrl);
    assert.equal(byB.type, "redirect", JSON.stringify(byB));
    const n0 = await answers(a.baseUrl);
    const afterB = await clickOf(a.baseUrl, page);
    assert.deepEqual(afterB.slots, first.slots.filter((s) => s !== taken));
    assert.equal((await answers(a.baseUrl)).early, n0.early, "computed again, not the kept data");
  },
});

Deno.test({
  name:
    "page cache: guests from an ad, each link with its own click id (fbclid, gclid), get the kept page; a link that prefills the form gets its own",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true, env: { ...METRICS_ENV } });
    const first = await viewOf(app.baseUrl, {}, `${PAGE}&fbclid=click-0`);
    assert.equal(first.status, 200);
    const before = await answers(app.baseUrl);
    const views = [];
    for (let i = 1; i <= 4; i++) {
      const id = i % 2 ? `fbclid=IwAR${i}x${crypto.randomUUID()}` : `gclid=Cj0K${i}`;
      views.push(await viewOf(app.baseUrl, {}, `${PAGE}&${id}&utm_source=ad`));
    }
    const after = await answers(app.baseUrl);
    // The first with utm_source renders (the page carries it into its links); the rest are kept.
    assert.equal(after.rendered - before.rendered, 1, JSON.stringify({ before, after }));
    assert.equal(after.kept + after.early - before.kept - before.early, 3);
    for (const v of views) {
      assert.equal(v.status, 200);
      assert.deepEqual(slotsOf(v.body), slotsOf(first.body));
      assert.doesNotMatch(v.body, /fbclid|gclid|click-0/);
    }
    const prefilled = await viewOf(app.baseUrl, {}, `${PAGE}&fbclid=x&name=Ann%20Example`);
    // Its times carry the name on to the form.
    assert.match(prefilled.body, /name=Ann(\+|%20)Example/);
    assert.doesNotMatch(
      (await viewOf(app.baseUrl, {}, `${PAGE}&fbclid=y`)).body,
      /Ann(\+|%20)Example/,
    );
  },
});

Deno.test({
  name:
    "page cache: a guest from an ad whose click id nobody sent before is answered before SvelteKit, as the guest before them was, and the one-off ids do not push out the pages kept there",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true, env: { ...METRICS_ENV } });
    const first = await viewOf(app.baseUrl, {}, `${PAGE}&fbclid=first`);
    assert.equal(first.status, 200);
    const before = await answers(app.baseUrl);
    // More one-off ids than the early answers keep (200): each would have been learned anew.
    const views = await Promise.all(
      Array.from(
        { length: 240 },
        (_, i) => viewOf(app.baseUrl, {}, `${PAGE}&fbclid=IwAR${i}x${crypto.randomUUID()}`),
      ),
    );
    const plain = await viewOf(app.baseUrl, {}, PAGE);
    const after = await answers(app.baseUrl);
    for (const v of [...views, plain]) {
      assert.equal(v.status, 200);
      assert.deepEqual(slotsOf(v.body), slotsOf(first.body));
    }
    // Every ad guest after the first, and the plain address, answered early; none rendered.
    assert.equal(after.rendered, before.rendered, JSON.stringify({ before, after }));
    assert.equal(after.early - before.early, 241, JSON.stringify({ before, after }));
  },
});
