/**
 * Booking form posts answered before SvelteKit (issue 26, ADR 055): once SvelteKit has answered
 * a page's path and one booked post of its kind, the next posts are decided and answered by
 * server.ts — with exactly the answer SvelteKit gives (status, headers, body), the rate limit
 * counted once, and whatever changed since (a renamed host) still answered as SvelteKit does.
 * Which way a post was answered is told by `invito_book_posts_total`.
 */
import assert from "node:assert/strict";
import * as devalue from "devalue";
import { startApp } from "../support/app.ts";
import { postEnhanced } from "../support/http.ts";
import { signInByLink } from "../support/auth.ts";
import { fullDay } from "../support/slots.ts";
import { startCluster } from "../support/cluster.ts";
import { metricByLabel, METRICS_ENV, metricsText } from "../support/metrics.ts";

const PAGE = "/calendar/demo/intro-call";
const opts = { sanitizeResources: false, sanitizeOps: false };
/** The demo host's server, its metrics readable. */
const demoApp = () => startApp({ demo: true, env: { ...METRICS_ENV } });

/** A counter's values by its `answer` label, each of `labels` 0 until counted. */
async function counts<L extends string>(
  base: string,
  metric: string,
  labels: L[],
): Promise<Record<L, number>> {
  const counted = metricByLabel(await metricsText(base), metric, "answer");
  return Object.fromEntries(labels.map((l) => [l, counted[l] ?? 0])) as Record<L, number>;
}

/** How many booking posts each way has answered so far. */
const answers = (base: string) => counts(base, "invito_book_posts_total", ["early", "sveltekit"]);

/** How many refused posts' pages were filled into a kept template or rendered to make one. */
const refusalPages = (base: string) =>
  counts(base, "invito_refusal_pages_total", ["template", "rendered"]);

/**
 * A post the way a browser without scripts sends it; the answer as it came. `origin` is the
 * page's, when `base` is one process behind a proxy (the public URL).
 */
async function plain(base: string, path: string, form: Record<string, string>, origin = base) {
  const res = await fetch(base + path, {
    method: "POST",
    headers: {
      origin,
      accept: "text/html",
      "accept-encoding": "identity",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(form),
    redirect: "manual",
  });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** A post the way the page's use:enhance sends it; the answer as it came. */
async function enhanced(base: string, path: string, form: Record<string, string>) {
  const res = await fetch(base + path, {
    method: "POST",
    headers: { origin: base, accept: "application/json", "x-sveltekit-action": "true" },
    body: new URLSearchParams(form),
  });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** The headers a guest would compare, without what differs per response by design. */
function comparable(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of h) {
    if (["date", "x-request-id", "content-length", "location"].includes(k)) continue;
    out[k] = k === "content-security-policy" ? v.replace(/'nonce-[^']+'/, "'nonce-N'") : v;
  }
  return out;
}

const guest = (who: string, start: string) => ({
  name: `Guest ${who}`,
  email: `${who}@example.test`,
  note: "",
  start,
  tz: "UTC",
});

Deno.test({
  ...opts,
  name:
    "book early: after SvelteKit's first answer, booking posts are answered before it with the same status, headers and body shape, and each booking is made",
  async fn() {
    await using app = await demoApp();
    const base = app.baseUrl;
    const day = await fullDay(base, PAGE, { min: 6 });
    const [s1, s2, s3, s4, s5] = day.slots;
    const action = `${PAGE}?/book`;

    // Without JavaScript: the first booking is SvelteKit's answer, the second is answered early.
    const first = await plain(base, action, guest("p1", s1));
    const n1 = await answers(base);
    const second = await plain(base, action, guest("p2", s2));
    const n2 = await answers(base);
    assert.equal(first.status, 303);
    assert.equal(second.status, 303);
    assert.equal(n2.early, n1.early + 1, `answered before SvelteKit: ${JSON.stringify(n2)}`);
    assert.deepEqual(comparable(second.headers), comparable(first.headers));
    assert.match(second.headers.get("location")!, /^\/booking\/[\w-]+$/);
    assert.notEqual(second.headers.get("location"), first.headers.get("location"));
    // The booking behind the early answer exists: its page shows the guest and the time.
    const shown = await (await fetch(base + second.headers.get("location"))).text();
    assert.match(shown, /Guest p2/);
    const times = await (await fetch(base + day.path)).text();
    assert.ok(!times.includes(`data-slot="${s2}"`), "the time booked early is no longer offered");

    // With JavaScript: the same, as SvelteKit's JSON.
    const j1 = await enhanced(base, action, guest("e1", s3));
    const m1 = await answers(base);
    const j2 = await enhanced(base, action, guest("e2", s4));
    const m2 = await answers(base);
    assert.equal(m2.early, m1.early + 1);
    assert.equal(j2.status, 200);
    assert.deepEqual(comparable(j2.headers), comparable(j1.headers));
    const r1 = JSON.parse(j1.body);
    const r2 = JSON.parse(j2.body);
    assert.deepEqual(Object.keys(r2), Object.keys(r1));
    assert.equal(r2.type, "redirect");
    assert.equal(r2.status, 303);
    assert.match(r2.location, /^\/booking\/[\w-]+$/);

    // A refusal with JavaScript: SvelteKit's failure JSON, word for word. `?lang=en` is another
    // answer's headers (Vary), not yet learned, so SvelteKit answers that one itself.
    const taken = guest("late", s4);
    const byKit = await enhanced(base, `${PAGE}?/book&lang=en`, taken);
    const k = await answers(base);
    const early = await enhanced(base, action, taken);
    assert.equal((await answers(base)).early, k.early + 1, "the refusal answered early");
    assert.equal(early.body, byKit.body);
    const failure = JSON.parse(early.body);
    assert.equal(failure.type, "failure");
    assert.equal(failure.status, 409);
    const data = devalue.parse(failure.data);
    assert.equal(data.refused, "slot_taken");
    assert.equal(data.values.email, "late@example.test");

    // A form with field errors is shown again by SvelteKit (nothing is decided twice: one booking
    // outcome per post), and a free time still books.
    const bad = await plain(base, action, { ...guest("bad", s5), email: "not an address" });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /not an address/);
    const last = await plain(base, action, guest("p5", s5));
    assert.equal(last.status, 303);
  },
});

Deno.test({
  ...opts,
  name:
    "book early: a booking post whose body comes in chunks (no Content-Length) is read whole — booked, refused with what its guest typed, and handed to SvelteKit intact when its fields are wrong",
  async fn() {
    await using app = await demoApp();
    const base = app.baseUrl;
    const day = await fullDay(base, PAGE, { min: 3 });
    const action = `${PAGE}?/book`;
    // Learned first, so the chunked posts below are answered before SvelteKit.
    assert.equal((await plain(base, action, guest("learn", day.slots[0]))).status, 303);
    assert.equal((await plain(base, action, guest("learn2", day.slots[0]))).status, 409);
    const chunked = async (form: Record<string, string>) => {
      const bytes = new TextEncoder().encode(new URLSearchParams(form).toString());
      const res = await fetch(base + action, {
        method: "POST",
        headers: {
          origin: base,
          accept: "text/html",
          "accept-encoding": "identity",
          "content-type": "application/x-www-form-urlencoded",
        },
        // Three pieces, as a client streaming its form sends them.
        body: new ReadableStream({
          start(c) {
            for (let at = 0; at < bytes.length; at += Math.ceil(bytes.length / 3)) {
              c.enqueue(bytes.slice(at, at + Math.ceil(bytes.length / 3)));
            }
            c.close();
          },
        }),
        redirect: "manual",
        // @ts-ignore: a streamed request body needs duplex
        duplex: "half",
      });
      return { status: res.status, body: await res.text() };
    };
    const before = await answers(base);
    const booked = await chunked({ ...guest("chunk1", day.slots[1]), name: "Zoë Chunk" });
    assert.equal(booked.status, 303);
    assert.equal((await answers(base)).early, before.early + 1, "booked before SvelteKit");
    // The first refusal after a booking renders the page anew (its data changed); the next one
    // is filled in before SvelteKit. Each shows its own guest's values.
    for (const who of ["chunk2", "chunk3"]) {
      const refused = await chunked({ ...guest(who, day.slots[1]), name: `Ånne ${who}` });
      assert.equal(refused.status, 409);
      assert.match(refused.body, new RegExp(`value="Ånne ${who}"`));
      assert.ok(refused.body.includes(`${who}@example.test`));
    }
    const after = await answers(base);
    assert.ok(after.early >= before.early + 2, `before SvelteKit: ${JSON.stringify(after)}`);
    // A wrong field goes to SvelteKit, which reads the same body and shows it back.
    const wrong = await chunked({ ...guest("chunk4", day.slots[2]), email: "not an address" });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /not an address/);
    assert.ok(wrong.body.includes("Guest chunk4"), "the name it was sent comes back");
  },
});

Deno.test({
  ...opts,
  name:
    "book early: refused posts without JavaScript get the page SvelteKit renders, each with what its guest typed, and exactly one of a crowd books",
  async fn() {
    await using app = await demoApp();
    const base = app.baseUrl;
    const day = await fullDay(base, PAGE, { min: 3 });
    const [warm, slot] = day.slots;
    const action = `${PAGE}?/book`;
    assert.equal((await plain(base, action, guest("warm", warm))).status, 303);
    assert.equal((await plain(base, action, guest("warm2", warm))).status, 409);

    const before = await answers(base);
    const crowd = await Promise.all(
      Array.from(
        { length: 30 },
        (_, i) =>
          plain(base, action, { ...guest(`c${i}`, slot), name: `Crowd <b>${i}</b> & "co"` }),
      ),
    );
    const statuses = crowd.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 303).length, 1, statuses.join(" "));
    assert.equal(statuses.filter((s) => s === 409).length, 29, statuses.join(" "));
    const refused = crowd.map((r, i) => ({ ...r, i })).filter((r) => r.status === 409);
    for (const r of refused) {
      // Escaped where it stands, and the guest's own.
      assert.ok(
        r.body.includes(`value="Crowd &lt;b>${r.i}&lt;/b> &amp; &quot;co&quot;"`),
        `guest ${r.i} sees what they typed`,
      );
      assert.ok(r.body.includes(`c${r.i}@example.test`));
      // Its scripts run: the page's nonce is the one its CSP allows.
      const nonce = /'nonce-([^']+)'/.exec(r.headers.get("content-security-policy")!)![1];
      const scripts = [...r.body.matchAll(/<script nonce="([^"]+)"/g)].map((m) => m[1]);
      assert.ok(scripts.length >= 1 && scripts.every((n) => n === nonce), `guest ${r.i}'s nonce`);
      assert.deepEqual(comparable(r.headers), comparable(refused[0].headers));
    }
    // The crowd's page is rendered once, by SvelteKit for one of them; the rest wait for it
    // before SvelteKit instead of each going through it (which put the render behind them all).
    const n = await answers(base);
    assert.ok(n.sveltekit - before.sveltekit <= 2, `by SvelteKit: ${JSON.stringify([before, n])}`);
    assert.equal(n.early + n.sveltekit - before.early - before.sveltekit, 30);
    // Later refusals of the same kind come from the kept page, before SvelteKit.
    const again = await plain(base, action, { ...guest("again", slot), name: "Again" });
    assert.equal(again.status, 409);
    assert.match(again.body, /value="Again"/);
    assert.equal((await answers(base)).early, n.early + 1);
  },
});

Deno.test({
  ...opts,
  name:
    "book early: a crowd on a page no request has shown yet (a server just started) goes through SvelteKit once; the rest wait for that answer and are answered before it",
  async fn() {
    await using app = await demoApp();
    const base = app.baseUrl;
    // The times from the widget: the booking page's path stays unseen by this server.
    const day = await fullDay(base, "/widget/demo/intro-call", { min: 3 });
    const action = `${PAGE}?/book`;
    for (
      const [kind, post, slot] of [
        ["without JavaScript", plain, day.slots[0]],
        ["with JavaScript", enhanced, day.slots[1]],
      ] as const
    ) {
      const before = await answers(base);
      const crowd = await Promise.all(
        Array.from({ length: 30 }, (_, i) => post(base, action, guest(`f${i}`, slot))),
      );
      const statuses = crowd.map((r) => r.status);
      if (post === plain) {
        assert.equal(statuses.filter((s) => s === 303).length, 1, statuses.join(" "));
        assert.equal(statuses.filter((s) => s === 409).length, 29, statuses.join(" "));
        for (const [i, r] of crowd.entries()) {
          if (r.status === 409) {
            assert.ok(r.body.includes(`f${i}@example.test`), `guest ${i}'s page`);
          }
        }
      } else {
        const types = crowd.map((r) => JSON.parse(r.body).type);
        assert.equal(types.filter((x) => x === "redirect").length, 1, types.join(" "));
        assert.equal(types.filter((x) => x === "failure").length, 29, types.join(" "));
        // SvelteKit's answer and the early ones, booked or refused, carry the same headers.
        for (const r of crowd) {
          assert.deepEqual(comparable(r.headers), comparable(crowd[0].headers));
        }
      }
      const n = await answers(base);
      // One post teaches the page's route (and a booked post's answer); a refusal's page may be
      // rendered once more. Before, a crowd on a path not yet seen all went through SvelteKit.
      assert.ok(
        n.sveltekit - before.sveltekit <= 2,
        `${kind}, by SvelteKit: ${JSON.stringify([before, n])}`,
      );
      assert.equal(n.early + n.sveltekit - before.early - before.sveltekit, 30);
    }
    // The widget's posts are SvelteKit's (its frame-ancestors follow the host): a crowd there,
    // on a path not seen either, is not held back for a lesson and still books exactly once.
    const widget = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) => plain(base, "/widget/demo/intro-call?/book", guest(`w${i}`, day.slots[2])),
      ),
    );
    const ws = widget.map((r) => r.status);
    assert.equal(ws.filter((s) => s === 303).length, 1, ws.join(" "));
    assert.equal(ws.filter((s) => s === 409).length, 19, ws.join(" "));
  },
});

Deno.test({
  ...opts,
  name:
    "refused posts that SvelteKit answers (a multipart form: not answered early) render their page once per crowd",
  async fn() {
    await using app = await demoApp();
    const base = app.baseUrl;
    const day = await fullDay(base, PAGE, { min: 5 });
    // A form with enctype="multipart/form-data": SvelteKit reads it, the early path does not.
    const multipart = async (form: Record<string, string>) => {
      const body = new FormData();
      for (const [k, v] of Object.entries(form)) body.set(k, v);
      const res = await fetch(`${base}${PAGE}?/book`, {
        method: "POST",
        headers: { origin: base, accept: "text/html" },
        body,
        redirect: "manual",
      });
      await res.body?.cancel();
      return res.status;
    };
    // A few crowds: whether a crowd's refusals reach the page in one tick varies from run to run.
    // Each crowd its own guests: a guest who won earlier crowds holds pending requests, and the
    // one post refused for that ("several requests waiting") has another page, rendered apart.
    for (const [c, slot] of day.slots.slice(1, 5).entries()) {
      const before = await refusalPages(base);
      const minute = () => Math.floor(Date.now() / 60_000);
      const from = minute();
      const statuses = await Promise.all(
        Array.from({ length: 60 }, (_, i) => multipart(guest(`m${c}-${i}`, slot))),
      );
      const straddled = minute() !== from;
      assert.equal(statuses.filter((s) => s === 303).length, 1, statuses.join(" "));
      assert.equal(statuses.filter((s) => s === 409).length, 59, statuses.join(" "));
      const pages = await refusalPages(base);
      const rendered = pages.rendered - before.rendered;
      assert.equal(pages.template + rendered - before.template, 59, JSON.stringify(pages));
      // One page per crowd (two if the crowd straddles a minute: the page is kept per minute).
      assert.ok(rendered <= (straddled ? 2 : 1), `rendered ${rendered} times for one crowd`);
    }
    assert.equal((await answers(base)).early, 0, "none was answered before SvelteKit");
  },
});

Deno.test({
  ...opts,
  name:
    "book early on remote KV (KV Connect), two processes: a crowd split between them answered before SvelteKit books exactly once",
  async fn() {
    await using c = await startCluster({
      processes: 2,
      demo: true,
      env: { ...METRICS_ENV, INVITO_DISABLE_CRON: "true" },
    });
    const [a, b] = c.apps;
    const day = await fullDay(a.baseUrl, PAGE, { min: 4 });
    const action = `${PAGE}?/book`;
    // Each process learns the page and a booked post's answer from SvelteKit first.
    for (const [i, p] of [a, b].entries()) {
      const r = await plain(p.baseUrl, action, guest(`w${i}`, day.slots[i]), c.baseUrl);
      assert.equal(r.status, 303);
    }
    const before = await Promise.all([answers(a.baseUrl), answers(b.baseUrl)]);
    const crowd = await Promise.all(
      Array.from(
        { length: 40 },
        (_, i) => plain([a, b][i % 2].baseUrl, action, guest(`k${i}`, day.slots[2]), c.baseUrl),
      ),
    );
    const statuses = crowd.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 303).length, 1, statuses.join(" "));
    assert.equal(statuses.filter((s) => s === 409).length, 39, statuses.join(" "));
    for (const [i, r] of crowd.entries()) {
      if (r.status === 409) assert.ok(r.body.includes(`k${i}@example.test`), `guest ${i}'s page`);
    }
    const after = await Promise.all([answers(a.baseUrl), answers(b.baseUrl)]);
    for (const i of [0, 1]) {
      assert.ok(
        after[i].early - before[i].early >= 15,
        `process ${i}: ${JSON.stringify(after[i])}`,
      );
    }
    // What one process booked, the other refuses (the guarded write decides, not either cache).
    const again = await plain(b.baseUrl, action, guest("late", day.slots[0]), c.baseUrl);
    assert.equal(again.status, 409);
  },
});

Deno.test({
  ...opts,
  name: "book early: the booking rate limit counts each post once, early or not",
  async fn() {
    await using app = await startApp({
      demo: true,
      env: { ...METRICS_ENV, INVITO_RATE_LIMIT: "booking=5/1m" },
    });
    const base = app.baseUrl;
    const day = await fullDay(base, PAGE, { min: 8 });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push((await plain(base, `${PAGE}?/book`, guest(`r${i}`, day.slots[i]))).status);
    }
    assert.deepEqual(statuses, [303, 303, 303, 303, 303, 429, 429]);
    assert.ok((await answers(base)).early >= 3, "most were answered before SvelteKit");
  },
});

Deno.test({
  ...opts,
  name:
    "book early: a host renamed after its page's posts were learned answers the old address with SvelteKit's redirect, not a booking",
  async fn() {
    await using app = await demoApp();
    const base = app.baseUrl;
    const day = await fullDay(base, PAGE, { min: 4 });
    for (const [i, s] of day.slots.slice(0, 2).entries()) {
      assert.equal((await plain(base, `${PAGE}?/book`, guest(`n${i}`, s))).status, 303);
    }
    assert.ok((await answers(base)).early >= 1);
    const demo = await signInByLink(app, "demo@invito.example");
    const saved = await demo.post("/dashboard/profile?/save", {
      name: "Demo Host",
      username: "demo-new",
      timeZone: "Europe/Berlin",
      clock: "24h",
    });
    assert.equal(saved.status, 200);
    const old = await plain(base, `${PAGE}?/book`, guest("old", day.slots[2]));
    assert.equal(old.status, 308);
    assert.equal(old.headers.get("location"), "/calendar/demo-new/intro-call?/book");
    const moved = await postEnhanced(
      base,
      "/calendar/demo-new/intro-call?/book",
      guest("new", day.slots[2]),
    );
    assert.equal(moved.type, "redirect", JSON.stringify(moved));
  },
});
